"""The demo pages of the site: one Markdown page per demo and an index, in English or Chinese.

:func:`render_demo_pages` is pure: it reads the demo metadata (without importing torch), the
committed artifacts and the demo module's source, and returns ``{relative path: Markdown}``.
The caller writes the pages and copies the images (:func:`demo_page_assets` lists them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..demos.registry import all_demos, source_path
from ..demos.spec import Demo
from .generative_compare import COMPARED_DEMOS, COMPARISON_PAGE, render_generative_comparison

#: Folder of the demo pages, relative to the site's docs folder.
PAGES_DIR = "demos"

#: Lines of a sample file shown on a page (the whole file is in the repository).
SAMPLE_LINES = 24

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "index_title": "Demos",
        "index_intro": (
            "Small programs that compute what the formulas of the source article say, each checked against "
            "a reference (hand counts, PyTorch's own modules, exhaustive search, sacreBLEU, rouge-score, "
            "closed forms). Every demo runs on a laptop CPU in about a minute or less, is deterministic "
            "under a seed and downloads nothing. The figures and numbers below come from one committed run."
        ),
        "install": "Install the demo dependencies once, then list or run the demos:",
        "col_demo": "Demo", "col_topics": "Concepts", "col_what": "What it shows",
        "topics": "Concepts",
        "formula": "The formula",
        "run": "Run it",
        "run_text": ("Writes `metrics.json`, the figures and the samples into the output folder and checks the "
                     "thresholds below (exit code 2 if one fails). `--fast` is the quick variant the unit "
                     "tests use; `--seed` changes every random choice."),
        "results": "Results",
        "results_text": "From the committed run (seed {seed}{fast}); the code is below.",
        "fast": ", fast variant",
        "no_run": "No committed run yet: run the command above to produce the figures and metrics.",
        "col_metric": "Metric", "col_value": "Value",
        "checks": "Checks",
        "col_check": "Check", "col_target": "Target", "col_passed": "Passed", "col_why": "Why",
        "yes": "yes", "no": "**no**",
        "figures": "Figures",
        "samples": "Samples",
        "code": "The code",
        "code_text": "The whole module, read from `{path}` when this page was built.",
        "back": "All demos",
        "compare": "Generative models side by side: GAN, VAE and diffusion on the same data and numbers.",
    },
    "zh": {
        "index_title": "演示",
        "index_intro": (
            "这些小程序按原文中的公式进行计算，每个都与参考实现核对过（手工计数、PyTorch 自带模块、穷举搜索、"
            "sacreBLEU、rouge-score、解析解）。每个演示都能在笔记本电脑的 CPU 上在一分钟左右或更短时间内运行完，"
            "在固定随机种子下结果可复现，运行时不下载任何东西。下面的图和数字来自一次已提交的运行。"
        ),
        "install": "先安装演示所需的依赖，然后列出或运行演示：",
        "col_demo": "演示", "col_topics": "概念", "col_what": "内容",
        "topics": "概念",
        "formula": "公式",
        "run": "运行",
        "run_text": ("命令会把 `metrics.json`、图和样例写入输出目录，并检查下面的阈值（有一项不满足时退出码为 2）。"
                     "`--fast` 是单元测试使用的快速版本；`--seed` 改变所有随机选择。"),
        "results": "结果",
        "results_text": "来自已提交的一次运行（随机种子 {seed}{fast}）；代码见本页末尾。",
        "fast": "，快速版本",
        "no_run": "还没有已提交的运行结果：运行上面的命令即可生成图和指标。",
        "col_metric": "指标", "col_value": "数值",
        "checks": "检查",
        "col_check": "检查项", "col_target": "阈值", "col_passed": "通过", "col_why": "理由",
        "yes": "是", "no": "**否**",
        "figures": "图",
        "samples": "样例",
        "code": "代码",
        "code_text": "完整模块，在生成本页时从 `{path}` 读取。",
        "back": "全部演示",
        "compare": "生成模型并排比较：GAN、VAE 与扩散模型在相同数据上用相同指标评估。",
    },
}


def _pick(demo: Demo, field: str, lang: str) -> str:
    return getattr(demo, f"{field}_zh") if lang == "zh" else getattr(demo, field)


def _number(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _fence(text: str, info: str) -> str:
    """A fenced code block whose fence is longer than any backtick run inside ``text``."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def _read_metrics(folder: Path) -> dict[str, Any] | None:
    path = folder / "metrics.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _topic_links(demo: Demo, lang: str, topic_pages: Mapping[str, tuple[str, str]] | None) -> str:
    """The demo's topics as links to their concept pages (names in ``lang``), separated as the
    language writes lists; a topic without a page shows as its id."""
    items = []
    for topic in demo.topics:
        if topic_pages and topic in topic_pages:
            label, target = topic_pages[topic]
            items.append(f"[{_cell(label)}](../{target})")
        else:
            items.append(f"`{topic}`")
    return ("、" if lang == "zh" else ", ").join(items)


def _topics_line(demo: Demo, lang: str, topic_pages: Mapping[str, tuple[str, str]] | None) -> str:
    colon = "：" if lang == "zh" else ":"
    return f"**{_TEXT[lang]['topics']}{colon}** " + _topic_links(demo, lang, topic_pages)


def _run_block(name: str) -> str:
    return _fence(f"pip install -e '.[demos]'\naigc-resources demo run {name} --seed 0 --out demo-runs/{name}", "bash")


def _results(demo: Demo, lang: str, folder: Path, run: dict[str, Any]) -> list[str]:
    t = _TEXT[lang]
    out = [f"## {t['results']}", "",
           t["results_text"].format(seed=run.get("seed", 0), fast=t["fast"] if run.get("fast") else ""), "",
           f"| {t['col_metric']} | {t['col_value']} |", "| --- | ---: |"]
    out += [f"| `{key}` | {_number(value)} |" for key, value in run.get("metrics", {}).items()]
    if run.get("checks"):
        out += ["", f"### {t['checks']}", "",
                f"| {t['col_check']} | {t['col_target']} | {t['col_value']} | {t['col_passed']} | {t['col_why']} |",
                "| --- | --- | ---: | --- | --- |"]
        for check in run["checks"]:
            out.append(f"| `{check['metric']}` | {_cell(check['op'])} {_number(check['target'])} | "
                       f"{_number(check['value'])} | {t['yes'] if check['passed'] else t['no']} | "
                       f"{_cell(check.get('why_zh' if lang == 'zh' else 'why', ''))} |")
    figures = [f for f in demo.figures if (folder / f.file).is_file()]
    if figures:
        out += ["", f"## {t['figures']}", ""]
        for fig in figures:
            caption = _pick(fig, "caption", lang)
            alt = re.sub(r"[\[\]\n]", " ", caption)
            out += [f"![{alt}]({demo.name}/{fig.file})", "", f"*{caption}*", ""]
    samples = [s for s in demo.samples if (folder / s.file).is_file()]
    if samples:
        out += ["", f"## {t['samples']}", ""]
        for sample in samples:
            lines = (folder / sample.file).read_text(encoding="utf-8").splitlines()
            shown = "\n".join(lines[:SAMPLE_LINES] + (["..."] if len(lines) > SAMPLE_LINES else []))
            out += [_pick(sample, "caption", lang), "", _fence(shown, "text"), ""]
    return out


def render_demo_page(demo: Demo, lang: str, artifacts_root: Path,
                     topic_pages: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The Markdown page of one demo (see :func:`render_demo_pages` for the contract)."""
    t = _TEXT[lang]
    folder = artifacts_root / demo.name
    run = _read_metrics(folder)
    module_file = f"aigc_resources/demos/{demo.name}.py"
    source = source_path(demo.name).read_text(encoding="utf-8")
    out = [f"# {_pick(demo, 'title', lang)}", "", _pick(demo, "summary", lang), "",
           _topics_line(demo, lang, topic_pages), "",
           f"## {t['formula']}", "", "$$", demo.formula, "$$", "",
           f"## {t['run']}", "", _run_block(demo.name), "", t["run_text"], ""]
    out += _results(demo, lang, folder, run) if run is not None else [t["no_run"], ""]
    if demo.name in COMPARED_DEMOS:
        out += ["", f"[{t['compare']}]({COMPARISON_PAGE})", ""]
    out += ["", f"## {t['code']}", "", t["code_text"].format(path=module_file), "",
            _fence(source, f'python title="{module_file}"'), "",
            f"[{t['back']}](index.md)", ""]
    return "\n".join(out)


def render_demo_index(lang: str, demos: tuple[Demo, ...],
                      topic_pages: Mapping[str, tuple[str, str]] | None = None) -> str:
    """The index page: what the demos are, how to run them, and one row per demo with its
    concepts (linked as on the demo pages, see :func:`render_demo_pages`)."""
    t = _TEXT[lang]
    rows = [f"| [{_cell(_pick(d, 'title', lang))}]({d.name}.md) | {_topic_links(d, lang, topic_pages)} |"
            for d in demos]
    return "\n".join([f"# {t['index_title']}", "", t["index_intro"], "", t["install"], "",
                      _fence("pip install -e '.[demos]'\naigc-resources demo list\n"
                             "aigc-resources demo run ngram --out demo-runs/ngram", "bash"), "",
                      f"| {t['col_demo']} | {t['col_topics']} |", "| --- | --- |", *rows, "",
                      f"[{t['compare']}]({COMPARISON_PAGE})", ""])


def render_demo_pages(lang: str, artifacts_root: Path,
                      topic_pages: Mapping[str, tuple[str, str]] | None = None) -> dict[str, str]:
    """Every demo page and the index, as ``{path relative to the docs folder: Markdown}``.

    ``lang`` is ``"en"`` or ``"zh"`` (prose, titles, captions and headings in that language;
    the code and metric names are shared). ``artifacts_root`` is the folder of committed runs,
    normally ``docs/demos``, holding ``<name>/metrics.json``, ``<name>/*.png`` and the samples.

    Paths returned: ``demos/index.md``, ``demos/<name>.md`` for every registered demo, and
    ``demos/generative-models.md``, the GAN / VAE / diffusion comparison
    (:mod:`.generative_compare`), whose images follow the same contract.

    Image path contract: the page ``demos/<name>.md`` refers to its figures as
    ``<name>/<file>.png``, relative to itself, so the caller copies
    ``artifacts_root/<name>/<file>.png`` to ``demos/<name>/<file>.png`` in the same docs folder
    (for each language's docs folder); :func:`demo_page_assets` returns exactly those pairs.
    Only figures that exist in ``artifacts_root`` are referenced; a demo without a committed run
    gets a page that says so.

    The formula is a ``$$ ... $$`` block (pymdownx.arithmatex, generic mode). The module's source
    is read at render time and included whole in a fenced ``python`` block, so it never drifts.
    ``topic_pages`` optionally maps a topic id to ``(label, path relative to the docs folder)``
    to link the concept pages; without it topics are shown as plain ids.
    """
    if lang not in _TEXT:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_TEXT)}")
    demos = all_demos()
    pages = {f"{PAGES_DIR}/index.md": render_demo_index(lang, demos, topic_pages)}
    for demo in demos:
        pages[f"{PAGES_DIR}/{demo.name}.md"] = render_demo_page(demo, lang, artifacts_root, topic_pages)
    pages[f"{PAGES_DIR}/{COMPARISON_PAGE}"] = render_generative_comparison(lang, artifacts_root)
    return pages


def demo_page_assets(artifacts_root: Path) -> dict[str, Path]:
    """Images to copy next to the pages: ``{"demos/<name>/<file>.png": source path}``."""
    assets = {}
    for demo in all_demos():
        for fig in demo.figures:
            source = artifacts_root / demo.name / fig.file
            if source.is_file():
                assets[f"{PAGES_DIR}/{demo.name}/{fig.file}"] = source
    return assets


def site_demo_parts(artifacts_root: Path, taxonomy: Any = None) -> tuple[
        dict[str, list[Any]], Any, list[tuple[str, str, list[str]]]]:
    """The demos as the site takes them (:class:`~aigc_resources.render.extras.SiteExtras`):

    * ``{topic id: [DemoRef, ...]}`` for the concept pages' demo links;
    * a function ``lang -> {path: Markdown text or figure bytes}``: the pages of
      :func:`render_demo_pages` (topics linked to the concept pages ``topics/<id>.md`` when
      ``taxonomy`` is given) and the figures of :func:`demo_page_assets`;
    * the navigation section ``[("Demos", "演示", [page paths])]``.
    """
    from .extras import DemoRef

    demos = all_demos()
    refs: dict[str, list[Any]] = {}
    for demo in demos:
        for topic in demo.topics:
            refs.setdefault(topic, []).append(DemoRef(f"{PAGES_DIR}/{demo.name}.md", demo.title, demo.title_zh))

    def pages(lang: str) -> dict[str, str | bytes]:
        topic_pages = None
        if taxonomy is not None:
            topic_pages = {t.id: (t.name_zh if lang == "zh" else t.name, f"topics/{t.id}.md") for t in taxonomy.topics}
        out: dict[str, str | bytes] = dict(render_demo_pages(lang, artifacts_root, topic_pages))
        out.update({path: source.read_bytes() for path, source in demo_page_assets(artifacts_root).items()})
        return out

    nav = [("Demos", "演示", [f"{PAGES_DIR}/index.md", f"{PAGES_DIR}/{COMPARISON_PAGE}"]
            + [f"{PAGES_DIR}/{demo.name}.md" for demo in demos])]
    return refs, pages, nav
