"""Interface strings of the generated pages, per site language.

Keys are the English strings (or a ``kind:value`` key such as ``status:broken`` where the
English text alone would be ambiguous). A language that lacks a key falls back to English, so
a missing translation shows up as English text on the Chinese site rather than as an error;
``tests/test_i18n.py`` fails when a key used by a template has no Chinese. Catalog data (names,
descriptions) carries its own translations (``name_zh``, ``description_zh``); this table is
only for the words of the page furniture.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "zh")

#: English text of the ``kind:value`` keys (all other keys are their own English text).
ENGLISH: dict[str, str] = {
    "list separator": ", ",
    "status:ok": "OK",
    "status:redirected": "Redirected",
    "status:broken": "Broken",
    "status:blocked": "Unverified (the site refuses robots)",
    "status:transient": "No answer last time",
    "status:invalid": "Not checkable",
    "status:excluded": "Not checked on purpose",
    "status:unchecked": "Not checked yet",
    "link:url": "Main link",
    "link:homepage": "Home page",
    "link:code": "Code",
    "link:docs": "Docs",
    "link:paper": "Paper",
    "link:demo": "Demo",
    "link:video": "Video",
    "link:slides": "Slides",
    "link:notebook": "Notebook",
    "link:weights": "Weights",
    "link:dataset": "Dataset",
    "free": "Free",
    "freemium": "Freemium",
    "paid": "Paid",
}

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        # punctuation after interface words: Chinese uses full-width marks, with no space after
        ": ": "：",
        ".": "。",
        ", ": "，",
        "list separator": "、",
        # navigation and headings
        "Home": "首页",
        "Explore": "探索",
        "Learning paths": "学习路径",
        "Concepts": "概念",
        "Concept": "概念",
        "Browse": "浏览",
        "Types": "类型",
        "Modalities": "模态",
        "Levels": "难度",
        "Stats": "统计",
        "Statistics": "统计",
        "Link health": "链接健康",
        "About": "关于",
        "Open data": "开放数据",
        "AIGC Resources": "AIGC 学习资源",
        # entry facts
        "Type": "类型",
        "Level": "难度",
        "Languages": "语言",
        "Access": "获取方式",
        "Open source": "开源",
        "Authors": "作者",
        "Year": "年份",
        "Links": "链接",
        "Link": "链接",
        "Added": "收录日期",
        "Related": "相关资源",
        "Link check": "链接检查",
        "Open the resource": "打开资源",
        "Permanent link": "永久链接",
        "Value": "内容",
        "In learning paths": "所在学习路径",
        "step {n} of {total}": "第 {n} 步，共 {total} 步",
        "No Chinese description yet": "暂无中文简介",
        "This entry has no description in Chinese yet; the English one is shown.": "这条资源还没有中文简介，下面显示的是英文简介。",
        "yes": "是",
        "no": "否",
        "free": "免费",
        "freemium": "部分免费",
        "paid": "付费",
        "link:url": "主链接",
        "link:homepage": "主页",
        "link:code": "代码",
        "link:docs": "文档",
        "link:paper": "论文",
        "link:demo": "在线演示",
        "link:video": "视频",
        "link:slides": "幻灯片",
        "link:notebook": "笔记本",
        "link:weights": "模型权重",
        "link:dataset": "数据集",
        # link health
        "status:ok": "正常",
        "status:redirected": "已重定向",
        "status:broken": "失效",
        "status:blocked": "无法验证（网站拒绝爬虫）",
        "status:transient": "上次检查无响应",
        "status:invalid": "无法检查",
        "status:excluded": "按规则不检查",
        "status:unchecked": "尚未检查",
        "Not checked yet": "尚未检查",
        "broken since {date}": "自 {date} 起失效",
        "checked {date}": "检查于 {date}",
        "Status": "状态",
        "Entry": "资源",
        "Since": "起始日期",
        "Checked": "检查日期",
        "Now at": "现在的地址",
        "No link-check history yet": "还没有链接检查记录",
        "The links of this build have not been checked yet. Run `aigc-resources check-links` and build again to see their health here.":
            "本次构建的链接尚未检查。运行 `aigc-resources check-links` 后重新构建，即可在这里看到链接状态。",
        "Every link in the catalog is checked on a schedule. A link is reported broken only after several failed checks spread over time; sites that refuse robots are shown as unverified, not broken.":
            "目录中的每个链接都会定期检查。只有在一段时间内多次检查都失败的链接才会被标为失效；拒绝爬虫的网站显示为“无法验证”，而不是失效。",
        # lists and hubs
        "entries": "条资源",
        "Entries": "资源数",
        "What it is": "说明",
        "easiest first": "由浅入深排列",
        "No entries yet.": "暂无资源。",
        "Resources": "学习资源",
        "Recently added": "最近收录",
        "in Chinese": "条中文资源",
        "concepts": "个概念",
        "learning paths": "条学习路径",
        # home
        "A curated bilingual catalog of resources for learning and building generative AI.":
            "一份中英双语的生成式人工智能学习与实践资源精选目录。",
        "A curated catalog for learning and building generative AI: papers, courses, books, tutorials, libraries, models, data sets and communities. Every entry is described in our own words, in English and in Chinese, and its link is checked regularly.":
            "一份学习与构建生成式人工智能的精选资源目录：论文、课程、书籍、教程、代码库、模型、数据集与社区。每条资源都由我们用自己的话写成中英文简介，链接也会定期检查。",
        "Explore the catalog": "探索资源目录",
        "Follow a learning path": "跟着学习路径走",
        "Start here: learning paths": "从这里开始：学习路径",
        "Each concept page explains one idea, shows its key formula and lists the resources that teach it, easiest first.":
            "每个概念页讲清一个概念，给出关键公式，并由浅入深列出讲解它的资源。",
        "Each concept page explains one idea in a few paragraphs, shows its key formula where there is one, and lists the resources that teach it, easiest first.":
            "每个概念页用几段话讲清一个概念，有关键公式的给出公式，并由浅入深列出讲解它的资源。",
        "Subscribe to new entries (Atom feed)": "订阅新收录资源（Atom 订阅源）",
        "Newly added resources": "新收录的资源",
        "aigc-resources contributors": "aigc-resources 贡献者",
        # concept pages
        "Learn first": "先学",
        "Key formula": "关键公式",
        "Key formulas": "关键公式",
        "Source": "出处",
        "No explanation yet": "暂无讲解",
        "This concept has no explanation page yet; the resources below teach it.": "这个概念还没有讲解，下面的资源可以帮助你学习它。",
        "Try it yourself": "动手试一试",
        "Small programs that run on a laptop CPU in about a minute, with their code and results:":
            "在笔记本电脑 CPU 上一分钟左右就能跑完的小程序，附代码与结果：",
        # learning paths
        "A learning path is an ordered route through concept pages and resources, each step saying why it comes next. Tick the steps you have done: your progress stays in this browser.":
            "学习路径是一条按顺序排列的路线，串起概念页和学习资源，每一步都说明为什么接下来学它。勾选已完成的步骤，进度会保存在当前浏览器中。",
        "{n} steps": "共 {n} 步",
        "starts at {level}": "起点难度：{level}",
        "{done} of {total} steps done": "已完成 {done} / {total} 步",
        "Start over": "重新开始",
        "Step {n} done": "第 {n} 步已完成",
        "No learning paths yet.": "暂无学习路径。",
        # explore
        "Filter the whole catalog by type, modality, concept, level, language, access and link health.":
            "按类型、模态、概念、难度、语言、获取方式和链接状态筛选整个资源目录。",
        "Explore filters the catalog in your browser and needs JavaScript. Without it, every entry is still reachable from these lists:":
            "“探索”页在浏览器中筛选资源，需要启用 JavaScript。没有 JavaScript 时，也可以从以下列表找到每一条资源：",
        # stats
        "How the catalog is made up. Click a label to see its entries.": "资源目录的构成。点击标签可查看对应的资源。",
        "By type": "按类型",
        "By level": "按难度",
        "By modality": "按模态",
        "By concept": "按概念",
        "By language of the resource": "按资源本身的语言",
        "By access": "按获取方式",
        "By year": "按年份",
        "Entries that give a year of publication": "注明发表年份的资源",
        # open data
        "The whole catalog is published with the site as a JSON file, and new entries as an Atom feed. Both are free to reuse.":
            "整个资源目录随网站以 JSON 文件发布，新收录的资源另有 Atom 订阅源，均可自由复用。",
        "holds every entry, the taxonomy and the site's link-check results. Its shape is versioned by `schema_version` (now {version}): a change that could break a reader (a field removed, renamed or retyped) raises the version; new fields may be added at any time.":
            "包含所有资源、分类体系和网站的链接检查结果。其结构由 `schema_version`（当前为 {version}）标明版本：任何可能影响读取方的改动（删除、重命名字段或改变类型）都会提升版本号；新增字段则随时可能出现。",
        "Fields of each entry": "每条资源的字段",
        "the field descriptions come from the schema and are in English": "字段说明取自数据模型，为英文",
        "Field": "字段",
        "Meaning": "含义",
        "The entry's page on this site, relative to the site root.": "该资源在本站的页面地址，相对于站点根目录。",
        "Last link-check status of `url`: ok, redirected, broken, blocked, transient, invalid, excluded or unchecked.":
            "`url` 最近一次链接检查的状态：ok、redirected、broken、blocked、transient、invalid、excluded 或 unchecked。",
        "Each taxonomy value has `id`, `name`, `name_zh`, `description`, `description_zh`, `aliases` and `parent`; topics also have `group`.":
            "分类体系中的每个值都有 `id`、`name`、`name_zh`、`description`、`description_zh`、`aliases` 和 `parent`；主题另有 `group`。",
        "Atom feed": "Atom 订阅源",
        "lists the newest entries (Atom, RFC 4287) with their page links, so a feed reader can follow what is added.":
            "列出最新收录的资源（Atom 格式，RFC 4287）及其页面链接，方便用阅读器关注新增内容。",
        # explore page script (explore_strings)
        "Search titles and descriptions": "搜索标题和简介",
        "Search": "搜索",
        "Clear all filters": "清除所有筛选",
        "{n} of {total} entries": "共 {total} 条，符合 {n} 条",
        "Show more": "显示更多",
        "No entry matches these filters.": "没有符合这些条件的资源。",
        "Language": "语言",
        "Loading the catalog…": "正在加载资源目录……",
        "The catalog could not be loaded.": "资源目录加载失败。",
        "Filters": "筛选条件",
        "Skip to the results": "跳到结果列表",
    },
}

#: Names of language codes in each site language (the code itself when unknown).
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "zh": "Chinese", "zh-Hans": "Simplified Chinese", "zh-Hant": "Traditional Chinese",
           "ja": "Japanese", "ko": "Korean", "fr": "French", "de": "German", "es": "Spanish", "ru": "Russian"},
    "zh": {"en": "英语", "zh": "中文", "zh-Hans": "简体中文", "zh-Hant": "繁体中文", "ja": "日语", "ko": "韩语",
           "fr": "法语", "de": "德语", "es": "西班牙语", "ru": "俄语"},
}

#: Keys of the strings the Explore page's script needs.
EXPLORE_KEYS = ("Search titles and descriptions", "Search", "Clear all filters", "{n} of {total} entries",
                "Show more", "No entry matches these filters.", "Type", "Modalities", "Concepts", "Level",
                "Language", "Access", "Link check", "Loading the catalog…", "The catalog could not be loaded.",
                "Filters", "Skip to the results", "list separator", "free", "freemium", "paid", "status:ok", "status:redirected", "status:broken",
                "status:blocked", "status:transient", "status:invalid", "status:excluded", "status:unchecked")


def translate(text: str, lang: str) -> str:
    """``text`` in ``lang``; the English text when the table has no translation."""
    table = STRINGS.get(lang, {})
    return table.get(text) or ENGLISH.get(text, text)


def translator(lang: str) -> Callable[[str], str]:
    """A function that translates an interface string into ``lang`` (English when missing)."""
    return lambda text: translate(text, lang)


def language_name(code: str, lang: str = "en") -> str:
    """Name of a BCP 47 language code in the site language ``lang`` (the code itself when unknown)."""
    names = LANGUAGE_NAMES.get(lang, LANGUAGE_NAMES["en"])
    return names.get(code) or names.get(code.split("-")[0], code)


def explore_strings(lang: str) -> dict[str, str]:
    """The Explore page's interface strings in ``lang``, keyed by their English keys."""
    return {key: translate(key, lang) for key in EXPLORE_KEYS}
