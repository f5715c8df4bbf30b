"""Interface strings of the generated pages, per site language.

Keys are the English strings. A language that lacks a key falls back to English, so a missing
translation shows up as English text rather than an error. Catalog data (names, descriptions)
carries its own translations (``name_zh``, ``description_zh``); this table is only for the
words of the page furniture.
"""

from __future__ import annotations

from collections.abc import Callable

LANGUAGES = ("en", "zh")

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "Home": "首页",
        "Types": "类型",
        "Topics": "主题",
        "Modalities": "模态",
        "Levels": "难度",
        "About": "关于",
        "Type": "类型",
        "Topic": "主题",
        "Modality": "模态",
        "Level": "难度",
        "Languages": "语言",
        "Access": "获取方式",
        "Open source": "开源",
        "Authors": "作者",
        "Year": "年份",
        "Links": "链接",
        "Added": "收录日期",
        "Related": "相关资源",
        "Description": "简介",
        "Open the resource": "打开资源",
        "entries": "条资源",
        "Entries": "资源",
        "Recently added": "最近收录",
        "Browse": "浏览",
        "yes": "是",
        "no": "否",
        "free": "免费",
        "freemium": "部分免费",
        "paid": "付费",
        "No entries yet.": "暂无资源。",
        "In Chinese": "中文资源",
    },
}

LANGUAGE_NAMES = {"en": "English", "zh": "中文", "zh-Hans": "简体中文", "zh-Hant": "繁體中文", "ja": "日本語",
                  "ko": "한국어", "fr": "Français", "de": "Deutsch", "es": "Español"}


def translator(lang: str) -> Callable[[str], str]:
    """A function that translates an interface string into ``lang`` (English when missing)."""
    table = STRINGS.get(lang, {})
    return lambda text: table.get(text, text)


def language_name(code: str) -> str:
    """Human name of a BCP 47 language code (the code itself when unknown)."""
    return LANGUAGE_NAMES.get(code, code)
