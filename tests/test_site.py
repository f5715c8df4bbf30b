"""The site's features, page by page: concepts, paths, languages, link health, catalog.json,
the feed, stats; then the built fixture site (both languages) checked file by file."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import feedparser
import pytest

from aigc_resources.exporters import JSON_SCHEMA_VERSION, catalog_to_json
from aigc_resources.render import render_site, site_nav
from aigc_resources.render.build import _portable_task
from aigc_resources.render.extras import DemoRef, Health, SiteExtras, portable
from aigc_resources.render.i18n import ENGLISH, STRINGS

from .site_fixture import (DIFFUSION_ENTRIES, XSS_ENTRY, FakeHealth, fake_extras, load_site_catalog,
                           write_site_catalog)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    return load_site_catalog(write_site_catalog(tmp_path_factory.mktemp("c") / "catalog"))


@pytest.fixture(scope="module")
def pages(catalog):
    extras = fake_extras(catalog)
    return {lang: render_site(catalog, lang=lang, extras=extras) for lang in ("en", "zh")}


# -- concept pages ---------------------------------------------------------------------------------

def test_every_topic_has_a_concept_page_with_its_explanation(catalog, pages):
    for topic in catalog.taxonomy.topics:
        concept = catalog.concepts[topic.id]
        for lang, text in (("en", concept.explanation), ("zh", concept.explanation_zh)):
            page = pages[lang][f"topics/{topic.id}.md"]
            words = re.sub(r"\$[^$]*\$", " ", text).split("\n")[0][:20]
            assert words.strip() in page, (lang, topic.id)
            assert "No explanation yet" not in page and "暂无讲解" not in page


def test_formulas_are_display_maths_for_arithmatex(pages):
    lstm = pages["en"]["topics/lstm.md"]
    block = lstm[lstm.index("\\[\n"):lstm.index("\n\\]") + 3]
    assert "f_t &= \\sigma(W_f \\cdot [h_{t-1}, x_t] + b_f) \\\\" in block
    assert "Source: The guide this catalog grew from" in lstm
    assert "\\(\\sigma\\)" in lstm  # inline maths of the caption
    assert "\\sqrt{d_k}" in pages["zh"]["topics/attention.md"]


def test_concept_resources_are_grouped_by_level(catalog, pages):
    page = pages["en"]["topics/diffusion-models.md"]
    beginner, advanced = page.index('<h3 id="level-beginner">Beginner'), page.index('<h3 id="level-advanced">Advanced')
    assert beginner < page.index('href="../../resources/diffusion-from-scratch-course/"') < advanced
    assert page.index('href="../../resources/denoising-diffusion-paper/"') > advanced


def test_demo_slot_links_the_demo_only_where_one_exists(catalog, pages):
    assert "[N\\-gram demo](../demos/ngram.md)" in pages["en"]["topics/ngram-language-model.md"]
    assert "[N\\-gram 演示](../demos/ngram.md)" in pages["zh"]["topics/ngram-language-model.md"]
    assert "demos/" not in pages["en"]["topics/lstm.md"]
    plain = render_site(catalog)
    assert "demos/" not in plain["topics/ngram-language-model.md"] and "demos/index.md" not in plain
    nav = repr(site_nav(catalog, extras=fake_extras(catalog)))
    assert "'Demos': ['demos/index.md', 'demos/ngram.md']" in nav
    assert "'演示'" in repr(site_nav(catalog, lang="zh", extras=fake_extras(catalog)))


def test_concept_page_lists_each_demo_on_its_own_line(catalog):
    """Two demos of one concept ran together in one paragraph, each followed by the same
    sentence (which called a metrics calculator "a small model you can train")."""
    import markdown

    demos = [DemoRef("demos/ngram.md", "N-gram demo", "N-gram 演示"), DemoRef("demos/lstm.md", "LSTM demo", "LSTM 演示")]
    extras = SiteExtras(demos={"ngram-language-model": demos})
    for lang, intro in (("en", "Small programs that run on a laptop CPU"), ("zh", "在笔记本电脑 CPU 上一分钟左右")):
        page = render_site(catalog, lang=lang, extras=extras)["topics/ngram-language-model.md"]
        body = page.split("---\n", 2)[2].split("<!-- aigc:html -->")[0]
        html = markdown.markdown(body, extensions=["admonition"])
        box = html[html.index('<div class="admonition example">'):]
        assert intro in box and "small model you can train" not in box
        items = re.findall(r"<li><a href=\"([^\"]+)\">([^<]+)</a></li>", box)
        assert [href for href, _ in items] == ["../demos/ngram.md", "../demos/lstm.md"], (lang, box)


def test_extra_pages_may_not_replace_site_pages(catalog):
    extras = SiteExtras(pages=lambda lang: {"explore.md": "# mine"})
    from aigc_resources.errors import BuildError

    with pytest.raises(BuildError, match="explore.md"):  # a clear build error (exit 2), not a traceback
        render_site(catalog, extras=extras)


# -- learning paths ----------------------------------------------------------------------------------

def test_path_page_lists_steps_with_targets_and_reasons(pages):
    page = pages["en"]["paths/fixture-path.md"]
    steps = re.findall(r'data-key="([^"]+)"', page)
    assert steps == ["concept:diffusion-models", "entry:diffusion-from-scratch-course", "entry:denoising-diffusion-paper"]
    assert "### 1. [Diffusion models](../topics/diffusion-models.md)" in page
    assert "### 2. [Diffusion From Scratch](../resources/diffusion-from-scratch-course.md)" in page
    assert "Build the model yourself, step by step." in page
    zh = pages["zh"]["paths/fixture-path.md"]
    assert "### 2. [从零实现扩散模型](../resources/diffusion-from-scratch-course.md)" in zh
    assert "一步步亲手实现模型。" in zh and 'data-template="已完成 &#123;done&#125; / &#123;total&#125; 步"' in zh
    # each entry step says what language the resource is in (the paths are the same for both sites)
    assert "<small>课程 · 入门 · 英语、中文 · 免费</small>" in zh and "<small>论文 · 高级 · 英语 · 免费</small>" in zh
    assert "<small>Course · Beginner · English, Chinese · Free</small>" in page


def test_entries_and_concepts_link_back_to_their_paths(pages):
    assert '<a href="../../paths/fixture-path/">Fixture path</a>: step 2 of 3' in pages["en"]["resources/diffusion-from-scratch-course.md"]
    assert '<a href="../../paths/fixture-path/">测试路径</a>：第 1 步，共 3 步' in pages["zh"]["topics/diffusion-models.md"]


# -- languages ----------------------------------------------------------------------------------------

def test_both_languages_have_the_same_pages(pages):
    assert set(pages["en"]) == set(pages["zh"])


def test_chinese_site_shows_chinese_text_and_marks_fallbacks(pages):
    zh = pages["zh"]["resources/diffusion-from-scratch-course.md"]
    assert "<h1>从零实现扩散模型</h1>" in zh and "一门动手课程" in zh and "A hands-on course" not in zh
    fallback = pages["zh"]["resources/no-chinese-tool.md"]
    assert '<p class="admonition-title">暂无中文简介</p>' in fallback
    assert "A tool whose entry has no Chinese description yet" in fallback
    assert "暂无中文简介" not in pages["zh"]["resources/diffusion-from-scratch-course.md"]


def template_keys() -> set[str]:
    """Every literal interface string passed to t(...) in the templates and the renderer."""
    root = Path(__file__).resolve().parent.parent / "aigc_resources" / "render"
    keys: set[str] = set()
    for path in list((root / "templates").glob("*.j2")) + [root / "site.py"]:
        keys.update(re.findall(r'\bt\("((?:[^"\\]|\\.)+)"\)', path.read_text(encoding="utf-8")))
    return keys


#: ASCII ": ", ", ", "; " or a sentence-ending "." after Chinese text (optionally closing bold or a link), or
#: a full-width colon followed by a space: the marks of English punctuation left in Chinese furniture.
ENGLISH_PUNCTUATION = re.compile(r"[\u4e00-\u9fff\uff09](?:\*\*|</a>)?(?:[:,;]\x20|\.(?=\s|$))|：\x20")


def test_chinese_pages_use_chinese_punctuation(pages):
    """"先学: …", "出处: …", "条资源.", "英语, 中文" and "起点难度： 入门" on the Chinese site: the words were
    translated, the punctuation around them was not. Code and quoted YAML examples are exempt."""
    found = []
    for path, text in pages["zh"].items():
        if not isinstance(text, str) or not path.endswith(".md"):
            continue
        prose = re.sub(r"`[^`\n]*`|“[^”]*”", "§", text)
        found += [(path, prose[max(0, m.start() - 20):m.end() + 10]) for m in ENGLISH_PUNCTUATION.finditer(prose)]
    assert found == []
    assert "**先学**：[" in pages["zh"]["topics/attention.md"]
    assert "**Learn first**: [" in pages["en"]["topics/attention.md"]


def test_hub_pages_title_in_the_page_language_with_the_other_name_below(pages):
    """Hub titles read "Library / framework / 库与框架": both names joined by the slash that the
    English name itself contains. Like concept pages, the other language's name is a subtitle."""
    en, zh = pages["en"]["types/library.md"], pages["zh"]["types/library.md"]
    assert "\n# Library / framework\n" in en and '<p class="aigc-subtitle">库与框架</p>' in en
    assert "\n# 库与框架\n" in zh and '<p class="aigc-subtitle">Library / framework</p>' in zh
    assert "\n# BLEU\n" in pages["zh"]["topics/bleu.md"] and "aigc-subtitle" not in pages["zh"]["topics/bleu.md"]


def test_home_chinese_count_links_every_chinese_code(catalog):
    """The Explore link behind "N in Chinese" selects every Chinese code, so its count matches."""
    from aigc_resources.render.site import SiteModel

    resource = catalog.get("diffusion-from-scratch-course").resource
    variant = resource.model_copy(update={"languages": ["zh-Hant"]})
    model = SiteModel(catalog, "en")
    model.entries = [variant if r.id == resource.id else r for r in model.entries]
    assert model.chinese_filter() == "language=zh,zh-Hant"


def test_hub_index_tables_name_every_column(pages):
    """The description column of the hub index tables (and the levels table on About) had no header."""
    assert "| 概念 | 说明 | 资源数 |" in pages["zh"]["topics/index.md"]
    assert "| Types | What it is | Entries |" in pages["en"]["types/index.md"]
    assert not any(re.search(r"^\|[^\n]*\| \|", page, re.M) for page in pages["zh"].values() if isinstance(page, str))


def test_every_interface_string_has_a_chinese_translation():
    keys = template_keys()
    assert len(keys) > 80
    dynamic = {f"status:{s}" for s in ("ok", "redirected", "broken", "blocked", "transient", "invalid", "excluded",
                                       "unchecked")}
    dynamic |= {k for k in ENGLISH if k.startswith("link:")} | {"free", "freemium", "paid", "yes", "no"}
    missing = sorted(k for k in keys | dynamic if k not in STRINGS["zh"])
    assert missing == []


# -- link health ----------------------------------------------------------------------------------------

def test_entry_pages_show_the_last_link_check(pages):
    broken = pages["en"]["resources/denoising-diffusion-paper.md"].replace("\\", "")
    assert "aigc-health--broken" in broken and "Broken · HTTP 404 · broken since 2026-11-21 · checked 2026-11-28" in broken
    moved = pages["en"]["resources/no-chinese-tool.md"].replace("\\", "")
    assert "Redirected · HTTP 200" in moved and "→ https://example.org/tool/moved" in moved
    assert "Not checked yet" in pages["en"][f"resources/{XSS_ENTRY}.md"]
    assert "失效 · HTTP 404 · 自 2026-11-21 起失效" in pages["zh"]["resources/denoising-diffusion-paper.md"].replace("\\", "")


def test_dashboard_lists_broken_redirected_and_blocked_links(pages):
    page = pages["en"]["health.md"]
    assert "## Broken (1)" in page and "## Redirected (1)" in page and "## Unverified (the site refuses robots) (1)" in page
    assert "[Denoising Diffusion Probabilistic Models (fixture)](resources/denoising-diffusion-paper.md)" in page
    assert "No link-check history yet" not in page


def test_build_without_history_says_so(catalog):
    page = render_site(catalog)["health.md"]
    assert "No link-check history yet" in page and "## Broken" not in page
    assert "Not checked yet" in render_site(catalog)["resources/denoising-diffusion-paper.md"]


def test_health_reads_enums_datetimes_and_rejects_unknown_statuses():
    class Status:
        value = "BROKEN"

    record = FakeHealth(Status(), 410, dt.datetime(2026, 1, 2, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))))
    health = Health.of(record)
    assert health.status == "broken" and health.checked == dt.date(2026, 1, 3)
    with pytest.raises(ValueError):
        Health.of(FakeHealth("gone", None, None))
    keyed = SiteExtras(link_health={"k:https://a.example/": FakeHealth("ok", 200, None)}, link_key=lambda u: "k:" + u)
    assert keyed.health("https://a.example/").status == "ok" and keyed.health("https://b.example/") is None


# -- catalog.json, feed, stats ------------------------------------------------------------------------

def test_catalog_json_is_the_export_plus_site_fields(catalog, pages):
    data = json.loads(pages["en"]["catalog.json"])
    export = catalog_to_json(catalog)
    assert data["schema_version"] == JSON_SCHEMA_VERSION and data["taxonomy"] == export["taxonomy"]
    for entry, exported in zip(data["entries"], export["entries"], strict=True):
        assert {k: v for k, v in entry.items() if k not in ("page", "link_health")} == exported
        assert entry["page"] == f"resources/{entry['id']}/"
    by_id = {e["id"]: e for e in data["entries"]}
    assert by_id["denoising-diffusion-paper"]["link_health"] == "broken"
    assert by_id["diffusion-from-scratch-course"]["link_health"] == "ok"
    assert by_id[XSS_ENTRY]["link_health"] == "unchecked"
    assert data["languages"]["zh"] == {"name": "Chinese", "name_zh": "中文"}
    assert pages["zh"]["catalog.json"] == pages["en"]["catalog.json"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_feed_is_valid_atom(catalog, pages, lang):
    text = pages[lang]["feed.xml"]
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):  # RFC 4287 §4.1.1 (author: no entry has one)
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "feed.xml"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == min(50, len(catalog.entries))
    for entry in entries:
        for required in ("id", "title", "updated", "link", "summary"):  # §4.1.2
            assert entry.find(f"{ATOM}{required}") is not None, required
        assert entry.find(f"{ATOM}id").text.startswith("urn:uuid:")
        dt.datetime.fromisoformat(entry.find(f"{ATOM}updated").text.replace("Z", "+00:00"))  # RFC 3339
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    newest = min(catalog.resources, key=lambda r: (-r.added.toordinal(), r.title.lower(), r.id))
    assert parsed.entries[0].link == f"resources/{newest.id}/"
    xss = next(e for e in parsed.entries if e.link == f"resources/{XSS_ENTRY}/")
    assert "<img src=x" in xss.summary  # text, escaped in the XML, unescaped by the parser
    assert "<img" not in text and "&lt;img src=x" in text


def test_stats_figures_count_the_catalog(catalog, pages):
    page = pages["en"]["stats.md"]
    assert page.count("<svg ") == 7 and "<script" not in page
    papers = sum(1 for e in catalog.entries if e.resource.type == "paper")
    assert re.search(rf'<title>Paper: {papers}</title>', page)
    zh = pages["zh"]["stats.md"]
    assert re.search(rf'<title>论文：{papers}</title>', zh)
    assert 'href="../types/paper/"' in page


def test_render_is_deterministic(catalog):
    extras = fake_extras(catalog)
    assert render_site(catalog, lang="zh", extras=extras) == render_site(catalog, lang="zh", extras=extras)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_extras_sent_to_a_build_worker_render_the_same_site(catalog, lang):
    """Build workers get the catalog and a pickled copy of the extras (their link health as
    Health records, their pages computed beforehand); the pages must not change."""
    extras = fake_extras(catalog)
    copy = pickle.loads(pickle.dumps((catalog, portable(extras, ("en", "zh")))))
    assert render_site(copy[0], lang=lang, extras=copy[1]) == render_site(catalog, lang=lang, extras=extras)


def test_extras_that_do_not_pickle_build_in_this_process(catalog):
    assert _portable_task(catalog, SiteExtras(link_key=lambda url: url), ("en", "zh")) is None
    assert _portable_task(catalog, fake_extras(catalog), ("en", "zh")) is not None


# -- the built site ---------------------------------------------------------------------------------------

class _Links(HTMLParser):
    """Collects href/src of a page, and the visible text outside code, maths and scripts."""

    SKIP = {"script", "style", "code", "pre", "svg"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.text: list[str] = []
        self._stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src"):
            if attrs.get(name):
                self.refs.append((tag, name, attrs[name]))
        if tag in self.VOID:
            return
        skip = tag in self.SKIP or "arithmatex" in (attrs.get("class") or "")
        self._stack.append(skip or (bool(self._stack) and self._stack[-1]))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not (self._stack and self._stack[-1]):
            self.text.append(data)


def _html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_site_is_built_in_both_languages_with_the_same_pages(built_site):
    _, result = built_site
    site = result.site_dir
    english = {p.relative_to(site) for p in _html_files(site) if p.relative_to(site).parts[0] != "zh"}
    chinese = {p.relative_to(site / "zh") for p in _html_files(site / "zh")}
    assert english == chinese and len(english) > 100
    assert '<html lang="zh"' in (site / "zh" / "index.html").read_text(encoding="utf-8")
    assert (site / "catalog.json").is_file() and (site / "zh" / "feed.xml").is_file()
    assert not list(site.parent.glob("site.tmp-*"))


def test_language_switch_links_every_page_to_itself_in_the_other_language(built_site):
    _, result = built_site
    site = result.site_dir
    for path in _html_files(site):
        rel = path.relative_to(site)
        if rel.name == "404.html":
            continue
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        switch = {ref for tag, name, ref in parser.refs if tag == "a" and "hreflang" not in ref}
        html_text = path.read_text(encoding="utf-8")
        links = dict(re.findall(r'href="([^"]*)" hreflang="(en|zh)"', html_text))
        assert set(links.values()) == {"en", "zh"}, rel
        for href, lang in links.items():
            target = (path.parent / href).resolve()
            target = target / "index.html" if target.is_dir() else target
            in_zh = rel.parts[0] == "zh"
            same = rel.relative_to("zh") if in_zh else rel
            expected = (site / "zh" / same) if lang == "zh" else (site / same)
            assert target == expected.resolve(), (rel, href)
        assert switch  # the page has links at all


def test_every_internal_link_and_asset_resolves(built_site):
    _, result = built_site
    site = result.site_dir
    checked = 0
    for path in _html_files(site):
        if path.name == "404.html":  # served for any missing path, so MkDocs gives it absolute links
            continue
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        for tag, name, ref in parser.refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("#", "mailto:", "//")):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{path.relative_to(site)}: {tag} {name}={ref}"
            checked += 1
    assert checked > 10000


def test_no_page_loads_anything_from_another_host(built_site):
    _, result = built_site
    for path in _html_files(result.site_dir):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        for tag, name, ref in parser.refs:
            if tag != "a":
                assert not urlsplit(ref).scheme, f"{path}: <{tag} {name}={ref}>"
    for css in result.site_dir.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "@import" not in css.read_text(encoding="utf-8"), css


def test_no_markdown_escapes_show_as_text(built_site):
    _, result = built_site
    for path in _html_files(result.site_dir):
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8"))
        text = "".join(parser.text)
        found = re.findall(r"\\[-`*_{}\[\]()#+!|~>.]", text)
        assert not found, f"{path.relative_to(result.site_dir)}: {found[:5]}"


def test_injected_markup_is_escaped_in_every_page(built_site):
    _, result = built_site
    for path in _html_files(result.site_dir):
        text = path.read_text(encoding="utf-8")
        assert "<img src=x" not in text and "<script>window.__xss" not in text, path
        assert "<b>In</b>" not in text, path
    page = (result.site_dir / "resources" / XSS_ENTRY / "index.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=" in page and "&lt;script&gt;window.__xss=2&lt;/script&gt;" in page


def test_search_indexes_are_per_language(built_site):
    _, result = built_site
    site = result.site_dir
    en = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    zh = json.loads((site / "zh" / "search" / "search_index.json").read_text(encoding="utf-8"))
    en_doc = next(d for d in en["docs"] if d["location"] == f"resources/{DIFFUSION_ENTRIES[0]}/")
    zh_doc = next(d for d in zh["docs"] if d["location"] == f"resources/{DIFFUSION_ENTRIES[0]}/")
    assert "diffusion model step by step" in en_doc["text"] and "一门动手课程" not in en_doc["text"]
    assert "\u200b" in zh_doc["text"] and "扩散\u200b模型" in zh_doc["text"] and "A hands-on course" not in zh_doc["text"]
    assert "\\u200b" in zh["config"]["separator"] and zh["config"]["pipeline"] == ["stopWordFilter"]


def test_the_link_checkers_history_feeds_the_site(catalog, tmp_path):
    """project_extras reads the real history of `check-links` (SQLite) through link_health."""
    from aigc_resources.linkcheck.history import History
    from aigc_resources.linkcheck.result import LinkResult, LinkStatus
    from aigc_resources.render.extras import project_extras
    from aigc_resources.urls import fetch_key

    from .conftest import PROJECT_ROOT

    day = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc).timestamp()
    paper = catalog.get("denoising-diffusion-paper").resource.url
    course = catalog.get("diffusion-from-scratch-course").resource.url
    db = tmp_path / "history.sqlite"
    with History(db) as history:
        for offset in (0, 2):
            at = day + offset * 86400
            run = history.start_run("catalog", 2, at=at)
            history.record(run, LinkResult(paper, fetch_key(paper), LinkStatus.BROKEN, "404 Not Found", 404, checked_at=at))
            history.record(run, LinkResult(course, fetch_key(course), LinkStatus.OK, "200 OK", 200, checked_at=at))
            history.finish_run(run, at=at)
    extras = project_extras(PROJECT_ROOT, db)
    pages = render_site(catalog, extras=extras)
    entry = pages["resources/denoising-diffusion-paper.md"]
    assert "Broken · HTTP 404 · broken since 2026-11-20 · checked 2026-11-22" in entry
    assert "OK · HTTP 200 · checked 2026-11-22" in pages["resources/diffusion-from-scratch-course.md"]
    assert "## Broken (1)" in pages["health.md"]
    by_id = {e["id"]: e for e in json.loads(pages["catalog.json"])["entries"]}
    assert by_id["denoising-diffusion-paper"]["link_health"] == "broken"
    assert project_extras(PROJECT_ROOT, tmp_path / "missing.sqlite").link_health == {}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_table_of_contents_lists_the_pre_rendered_sections(built_site, lang):
    """A concept page's contents sidebar reaches its resources, level by level, not only the
    formula: Material shows the children of the page title, so the HTML part's headings go there."""
    _, result = built_site
    root = result.site_dir / "zh" if lang == "zh" else result.site_dir
    page = (root / "topics" / "diffusion-models" / "index.html").read_text(encoding="utf-8")
    toc = page[page.index('data-md-component="toc"'):]
    for anchor in ("#resources", "#level-beginner", "#level-advanced"):
        assert f'href="{anchor}" class="md-nav__link"' in toc, (lang, anchor)


#: Tooltips and labels the browser shows or reads out (the palette toggle, permalinks, search).
_LABELS = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')


def test_chinese_pages_carry_no_english_interface_labels(built_site):
    """Every tooltip and label of the English pages' interface must be translated on the Chinese
    pages: the palette toggle said "Dark mode", Python-Markdown's permalinks "Permanent link" and
    Material's footer "Made with", on every Chinese page."""
    _, result = built_site
    site = result.site_dir
    english = set()
    for path in _html_files(site):
        if path.relative_to(site).parts[0] != "zh":
            english.update(_LABELS.findall(path.read_text(encoding="utf-8")))
    english -= {"", "English", "中文"}  # the language switch names each language in itself
    left = {}
    for path in _html_files(site / "zh"):
        text = path.read_text(encoding="utf-8")
        for label in set(_LABELS.findall(text)) & english:
            left.setdefault(label, str(path.relative_to(site)))
        if "Made with" in text:
            left.setdefault("Made with", str(path.relative_to(site)))
    assert left == {}


@pytest.mark.parametrize("page", ["topics/lstm/index.html", "topics/diffusion-models/index.html", "demos/ngram/index.html"])
def test_both_languages_render_markdown_with_the_same_extensions(built_site, page):
    """The Chinese configuration INHERITs the English one; a `markdown_extensions` list in it
    replaces the English list instead of merging, and the Chinese pages silently lost maths,
    admonitions and code fences (a demo's source rendered as headings). Same page, same markup."""
    _, result = built_site
    en = (result.site_dir / page).read_text(encoding="utf-8")
    zh = (result.site_dir / "zh" / page).read_text(encoding="utf-8")
    for mark in ('class="arithmatex"', 'class="admonition', "<pre", 'class="headerlink"', "<h1"):
        assert en.count(mark) == zh.count(mark), (page, mark)
    assert 'title="永久链接"' in zh and 'title="Permanent link"' not in zh


def test_home_page_tab_reads_the_site_name_once(built_site):
    """The browser tab of the home page read "AIGC Resources - AIGC Resources"."""
    _, result = built_site
    site = result.site_dir
    for folder, name, explore in ((site, "AIGC Resources", "Explore"), (site / "zh", "AIGC 学习资源", "探索")):
        assert f"<title>{name}</title>" in (folder / "index.html").read_text(encoding="utf-8")
        assert f"<title>{explore} - {name}</title>" in (folder / "explore" / "index.html").read_text(encoding="utf-8")


def test_each_language_404_page_links_into_its_own_site(built_site):
    """A missing page is answered with the 404.html of its language's folder (as the local server
    and static hosts do): ``zh/404.html`` links to the Chinese pages under ``/zh/``, not to the
    English site at ``/`` (before, its whole navigation, search and stylesheets were English)."""
    _, result = built_site
    site = result.site_dir
    for rel, prefix in (("404.html", "/"), ("zh/404.html", "/zh/")):
        parser = _Links()
        parser.feed((site / rel).read_text(encoding="utf-8"))
        refs = [ref for tag, name, ref in parser.refs
                if not urlsplit(ref).scheme and not ref.startswith(("#", "mailto:", "//"))]
        assert f'{prefix}explore/' in refs, rel
        checked = 0
        for ref in refs:
            target = (site / unquote(urlsplit(ref).path).lstrip("/")).resolve()
            target = target / "index.html" if target.is_dir() else target
            assert target.is_file(), f"{rel}: {ref}"
            if prefix == "/zh/" and not ref.startswith("/zh/"):
                assert target == site.resolve() / "index.html" or target.is_relative_to(site / "zh"), f"{rel}: {ref}"
            checked += 1
        assert checked > 20


def test_the_local_server_answers_a_missing_page_in_its_language(built_site):
    """``aigc-resources serve`` answered ``/zh/no-such-page/`` with the English 404 page."""
    import threading
    import urllib.error
    import urllib.request

    from aigc_resources.render.serve import make_server

    site = built_site[1].site_dir
    server = make_server(site, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for path, page in (("/zh/no/such/page/", "zh/404.html"), ("/zh/%E6%97%A0", "zh/404.html"),
                           ("/no/such/page/", "404.html"), ("/zhx/", "404.html"), ("/zh/../../x", "zh/404.html")):
            with pytest.raises(urllib.error.HTTPError) as caught:
                urllib.request.urlopen(base + path, timeout=10)
            assert caught.value.code == 404
            assert caught.value.read() == (site / page).read_bytes(), path
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_the_404_page_speaks_the_site_language_and_offers_a_way_on(built_site):
    """Material's 404 page says only "404 - Not found", in English on the Chinese site too, and
    leaves a learner who followed a stale link nowhere to go from the page itself."""
    site = built_site[1].site_dir
    for rel, prefix, heading in (("404.html", "/", "Page not found"), ("zh/404.html", "/zh/", "页面不存在")):
        text = (site / rel).read_text(encoding="utf-8")
        content = text[text.index('<article'):text.index('</article>')]
        assert heading in content and "Not found" not in content.replace("Page not found", ""), rel
        assert f'href="{prefix}explore/"' in content and f'href="{prefix}."' in content, rel


def test_entry_authors_are_listed_with_the_site_list_separator(catalog, pages):
    """The Chinese entry pages listed authors as "3Blue1Brown, Grant Sanderson" while languages
    and concepts beside them use "、"."""
    entry = next(e for e in catalog.entries if len(e.resource.authors or []) >= 2)
    authors = entry.resource.authors
    page = f"resources/{entry.id}.md"
    assert f"<td>{'、'.join(authors)}</td>" in pages["zh"][page]
    assert f"<td>{', '.join(authors)}</td>" in pages["en"][page]


def test_chinese_contributor_guide_has_no_line_break_between_chinese_characters(pages):
    """A line break inside a Markdown paragraph becomes a space; between two Chinese characters
    the browser shows it ("给出 下表中的 错误代码", "构建网站， 并检查"). The Chinese guide's
    wrapped source lines are joined where both sides are Chinese."""
    text = pages["zh"]["contribute.md"]
    assert not re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]\n[ \t]*[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text)
    assert "给出下表中的错误代码" in text and "构建网站，并检查" in text
    assert "\n2. **让编辑器帮忙。**" in text  # list items and paragraphs stay apart
