"""The built fixture site in a real browser: Debian's Chromium driven by Playwright.

The site is served on 127.0.0.1 by a server thread that stops with the module. Every page
load records console errors, page errors and requests; the module-level checks assert that
no page logged an error and no request went to another host. Screenshots of the main pages
go to ``$AIGC_SCREENSHOT_DIR`` (default: a temporary folder) as test artifacts.

Search is driven the way research/site.md §4 found reliable: press ``s``, wait for the
"ready" placeholder, fill the query, press End, then read the results.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import require
from .site_fixture import DIFFUSION_ENTRIES, XSS_ENTRY

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
FACET_FIELDS = {"type": "type", "modality": "modalities", "topic": "topics", "level": "level",
                "language": "languages", "access": "access", "health": "link_health"}
TIMEOUT_MS = 15_000


def _playwright_available() -> bool:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return Path(CHROMIUM).is_file() and shutil.which(CHROMIUM) is not None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        pass


@pytest.fixture(scope="module")
def server(built_site):
    _, result = built_site
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(result.site_dir)))
    httpd.timeout = 5
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


class Session:
    """A browser page plus everything it logged: console errors, page errors, outside requests."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.outside: list[str] = []
        page.on("console", lambda m: self.errors.append(f"{page.url}: console.{m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))
        page.on("request", lambda r: None if r.url.startswith(base + "/") or r.url.startswith("data:")
                else self.outside.append(r.url))
        page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))

    def open(self, path: str):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page


@pytest.fixture(scope="module")
def browser():
    require(_playwright_available(), f"Playwright or {CHROMIUM} is not installed", "AIGC_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def session(browser, server):
    """A fresh browser context for one test. After the test, every page it opened must have
    logged no console error or warning and fetched nothing from another host (fonts, scripts
    and maths are all served by the site itself)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    current = Session(context.new_page(), server)
    yield current
    context.close()
    assert current.errors == [], "console errors"
    assert current.outside == [], "requests to another host than 127.0.0.1"


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = Path(os.environ.get("AIGC_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# -- search ----------------------------------------------------------------------------------------

def _search(page, query: str) -> list[str]:
    """Run Material's search and return the result links (hrefs), best first."""
    page.keyboard.press("s")
    page.wait_for_function("() => /键入|Type/.test(document.querySelector('.md-search-result__meta').textContent)")
    field = page.locator("input.md-search__input")
    field.fill(query)
    field.press("End")
    page.wait_for_selector("li.md-search-result__item")
    return page.eval_on_selector_all("li.md-search-result__item a", "links => links.map(a => a.href)")


@pytest.mark.parametrize(("lang", "query"), [("en", "diffusion"), ("zh", "扩散模型")])
def test_search_finds_the_diffusion_resources_in_each_language(session, lang, query):
    page = session.open("zh/" if lang == "zh" else "")
    links = _search(page, query)
    prefix = f"{session.base}/zh/" if lang == "zh" else f"{session.base}/"
    assert all(link.startswith(prefix) for link in links)
    if lang == "en":
        assert not any("/zh/" in link for link in links)
    found = {urlsplit(link).path for link in links}
    for entry in DIFFUSION_ENTRIES:
        assert any(path.endswith(f"/resources/{entry}/") for path in found), (entry, found)
    assert any(path.endswith("/topics/diffusion-models/") for path in found)
    meta = page.inner_text(".md-search-result__meta")
    assert re.search(r"\d", meta), meta


@pytest.mark.parametrize(("lang", "query", "topic"), [("zh", "beam search", "beam-search"), ("en", "束搜索", "beam-search"),
                                                   ("zh", "生成对抗网络", "gan"), ("en", "diffusion", "diffusion-models")])
def test_search_puts_the_concept_page_first_for_its_name_in_either_language(session, lang, query, topic):
    """On the Chinese site "beam search" listed the 束搜索 concept page ninth, behind every entry
    with the words in its title: a concept page carries both its names as search tags."""
    page = session.open("zh/" if lang == "zh" else "")
    links = _search(page, query)
    assert urlsplit(links[0]).path == ("/zh" if lang == "zh" else "") + f"/topics/{topic}/", links[:5]


# -- explore ---------------------------------------------------------------------------------------

def _recount(data: dict, state: dict[str, set[str]], query: str = "", lang: str = "en") -> tuple[int, dict]:
    """The Explore semantics in Python: AND across facets, OR within; a value's count applies
    every other facet and the text query. The text query matches, as substrings, every token
    against titles, descriptions, authors and the names of the entry's concepts and type."""
    name = "name_zh" if lang == "zh" else "name"
    topics = {t["id"]: t[name] for t in data["taxonomy"]["topics"]}
    types = {t["id"]: t[name] for t in data["taxonomy"]["types"]}
    entries = data["entries"]

    def values(entry, key):
        value = entry[FACET_FIELDS[key]]
        return value if isinstance(value, list) else [value]

    def text_ok(entry):
        parts = [entry["title"], entry.get("title_zh"), entry["description"], entry.get("description_zh"),
                 *entry["authors"], *(f"{topics[t]} {t}" for t in entry["topics"]), types[entry["type"]]]
        haystack = " ".join(filter(None, parts)).lower()
        return all(token in haystack for token in query.lower().split())

    def facet_ok(entry, key):
        return not state.get(key) or any(v in state[key] for v in values(entry, key))

    matching = [e for e in entries if text_ok(e) and all(facet_ok(e, k) for k in FACET_FIELDS)]
    counts = {}
    for key in FACET_FIELDS:
        tally = Counter()
        for entry in entries:
            if text_ok(entry) and all(facet_ok(entry, other) for other in FACET_FIELDS if other != key):
                tally.update(values(entry, key))
        counts[key] = tally
    return len(matching), counts


def _shown(page) -> tuple[int, dict]:
    total = int(page.get_attribute(".aigc-explore__count", "data-count"))
    counts = page.evaluate("""() => {
        const out = {};
        document.querySelectorAll('.aigc-facet').forEach(group => {
            const key = group.getAttribute('data-facet');
            out[key] = {};
            group.querySelectorAll('.aigc-facet__value').forEach(row => {
                out[key][row.getAttribute('data-value')] = Number(row.getAttribute('data-count'));
            });
        });
        return out;
    }""")
    return total, counts


def _assert_counts(page, data, state, query="", lang="en"):
    total, counts = _shown(page)
    expected_total, expected = _recount(data, state, query, lang)
    assert total == expected_total
    for key, shown in counts.items():
        for value, count in shown.items():
            assert count == expected[key].get(value, 0), (key, value)
        assert set(expected[key]) <= set(shown), key  # every value that occurs is offered
    assert page.locator("li.aigc-result:not(.aigc-result--none)").count() == min(expected_total, 50)
    assert page.locator("li.aigc-result--none").count() == (expected_total == 0)


def _catalog(built_site) -> dict:
    _, result = built_site
    return json.loads((result.site_dir / "catalog.json").read_text(encoding="utf-8"))


def test_explore_counts_match_a_recount_and_the_url_round_trips(session, built_site, shots):
    entries = _catalog(built_site)
    page = session.open("explore/")
    page.wait_for_selector("#aigc-explore[data-ready]")
    assert page.locator(".aigc-explore-fallback").is_hidden()
    _assert_counts(page, entries, {})
    assert page.get_attribute(".aigc-explore__count", "data-count") == str(len(entries["entries"]))

    page.check('[data-facet="type"] [data-value="paper"] input')
    page.check('[data-facet="type"] [data-value="course"] input')
    page.check('[data-facet="level"] [data-value="beginner"] input')
    state = {"type": {"paper", "course"}, "level": {"beginner"}}
    _assert_counts(page, entries, state)
    page.fill(".aigc-explore__q", "model")
    page.wait_for_function("() => new URLSearchParams(location.search).get('text') === 'model'")
    _assert_counts(page, entries, state, "model")

    query = parse_qs(urlsplit(page.url).query)
    assert query == {"type": ["paper,course"], "level": ["beginner"], "text": ["model"]}
    shown_before = _shown(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "explore-filtered.png"), full_page=True)

    again = session.open(urlsplit(page.url).path.lstrip("/") + "?" + urlsplit(page.url).query)
    again.wait_for_selector("#aigc-explore[data-ready]")
    assert _shown(again) == shown_before
    assert again.is_checked('[data-facet="type"] [data-value="paper"] input')
    assert again.is_checked('[data-facet="level"] [data-value="beginner"] input')
    assert not again.is_checked('[data-facet="type"] [data-value="book"] input')
    assert again.input_value(".aigc-explore__q") == "model"

    again.evaluate("window.scrollTo(0, 0)")
    again.click(".aigc-explore__clear")
    _assert_counts(again, entries, {})
    assert urlsplit(again.url).query == ""


def test_explore_link_health_facet_and_chinese_labels(session, built_site):
    entries = _catalog(built_site)
    page = session.open("zh/explore/?health=broken")
    page.wait_for_selector("#aigc-explore[data-ready]")
    _assert_counts(page, entries, {"health": {"broken"}}, lang="zh")
    assert page.inner_text('[data-facet="health"] [data-value="broken"] .aigc-facet__label') == "失效"
    titles = page.eval_on_selector_all("a.aigc-result__title", "links => links.map(a => a.textContent)")
    assert titles == ["Denoising Diffusion Probabilistic Models (fixture)"]


def test_explore_results_list_languages_as_chinese_does(session):
    """The facts under a result joined languages with an English comma ("英语, 中文")."""
    page = session.open("zh/explore/?text=从零实现扩散模型")
    page.wait_for_selector("#aigc-explore[data-ready]")
    meta = page.inner_text(".aigc-result .aigc-result__meta")
    assert "英语、中文" in meta and ", " not in meta, meta
    english = session.open("explore/?text=Diffusion%20From%20Scratch")
    english.wait_for_selector("#aigc-explore[data-ready]")
    assert "English, Chinese" in english.inner_text(".aigc-result .aigc-result__meta")


@pytest.mark.parametrize(("path", "label"), [("explore/", "Skip to the results"), ("zh/explore/", "跳到结果列表")])
def test_explore_keyboard_users_can_skip_the_facets(session, path, label):
    """From the text box a keyboard user had to tab through every facet box to reach a result."""
    page = session.open(path)
    page.wait_for_selector("#aigc-explore[data-ready]")
    page.focus(".aigc-explore__q")
    page.keyboard.press("Tab")  # "Clear all filters" is hidden while nothing is filtered
    assert page.evaluate("document.activeElement.textContent") == label
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "aigc-result__title" in focused.split(), focused


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_home_counts_open_the_matching_explore_view(session, lang):
    """"87 in Chinese" on the home page was plain text: a Chinese reader had to find the language
    facet to see those entries. The count links to Explore filtered to them, with the same count."""
    page = session.open("zh/" if lang == "zh" else "")
    link = page.locator('a[href*="explore/?language="]')
    shown = link.locator("strong").inner_text()
    link.click()
    page.wait_for_selector("#aigc-explore[data-ready]")
    assert page.get_attribute(".aigc-explore__count", "data-count") == shown
    assert page.is_checked('[data-facet="language"] [data-value="zh"] input')


def test_unknown_values_in_the_url_are_ignored(session, built_site):
    entries = _catalog(built_site)
    page = session.open("explore/?type=nonsense,paper&level=")
    page.wait_for_selector("#aigc-explore[data-ready]")
    _assert_counts(page, entries, {"type": {"paper"}})
    nothing = session.open("explore/?text=no-such-words-anywhere")
    nothing.wait_for_selector("#aigc-explore[data-ready]")
    _assert_counts(nothing, entries, {}, "no-such-words-anywhere")
    assert nothing.inner_text("li.aigc-result--none") == "No entry matches these filters."


def test_explore_without_javascript_points_to_the_hub_pages(browser, server):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/explore/")
        assert page.locator(".aigc-explore-fallback").is_visible()
        links = page.eval_on_selector_all(".aigc-explore-fallback a", "links => links.map(a => a.getAttribute('href'))")
        assert links == ["../topics/", "../types/", "../modalities/", "../levels/", "../paths/"]
        hub = context.new_page()
        hub.goto(f"{server}/levels/beginner/")
        assert hub.locator("ul.aigc-list > li").count() > 0  # the hub lists its entries without a script
    finally:
        context.close()


# -- phones --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["stats/", "zh/stats/"])
def test_stats_figures_stay_readable_on_a_phone(browser, server, path):
    """At 375 px the charts were scaled to about half size: labels some 7 px tall."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{server}/{path}", wait_until="load")
        label = page.locator("#chart-types .aigc-chart__label").first
        assert label.bounding_box()["height"] >= 10
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # only the figure scrolls
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_a_formula_wider_than_a_phone_shows_that_it_scrolls(browser, server, lang):
    """The BLEU, GAN, VAE and diffusion formulas are wider than 375 px; Material's scroll bar stays
    transparent until hovered, so a reader on a phone saw them cut off with no sign they went on."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True)
    styles = []
    try:
        page = context.new_page()
        for path in ("topics/bleu/", "topics/gan/", "topics/vae/", "topics/diffusion-models/", "demos/ngram/"):
            page.goto(f"{server}/{lang}{path}", wait_until="load")
            assert page.evaluate("document.documentElement.scrollWidth") <= 375  # only formulas scroll
            styles += page.evaluate("""() => [...document.querySelectorAll('div.arithmatex')]
            .filter(el => el.scrollWidth > el.clientWidth + 1)
            .map(el => { const s = getComputedStyle(el);
                         return {bar: s.scrollbarColor, shadows: s.backgroundImage}; })""")
        assert styles, "no formula overflows at 375 px: the test no longer tests anything"
        for style in styles:
            assert style["bar"] not in ("auto", "") and "transparent transparent" not in style["bar"], style
            assert style["shadows"].count("radial-gradient") == 2, style
    finally:
        context.close()


# -- language switch ---------------------------------------------------------------------------------

def test_language_switch_keeps_the_explore_filters(session, built_site):
    """A learner who filtered Explore and switched to 中文 landed on an unfiltered 探索 page."""
    entries = _catalog(built_site)
    page = session.open("explore/")
    page.wait_for_selector("#aigc-explore[data-ready]")
    page.check('[data-facet="level"] [data-value="beginner"] input')
    page.hover(".md-header__option .md-select")
    page.click('.md-select__link[hreflang="zh"]')
    page.wait_for_selector("#aigc-explore[data-ready]")
    assert urlsplit(page.url).path == "/zh/explore/" and urlsplit(page.url).query == "level=beginner"
    _assert_counts(page, entries, {"level": {"beginner"}}, lang="zh")
    page.hover(".md-header__option .md-select")
    page.click('.md-select__link[hreflang="en"]')
    page.wait_for_selector("#aigc-explore[data-ready]")
    assert urlsplit(page.url).path == "/explore/" and urlsplit(page.url).query == "level=beginner"


@pytest.mark.parametrize("path", ["", "resources/denoising-diffusion-paper/", "topics/lstm/", "paths/fixture-path/",
                                  "explore/", "stats/", "demos/ngram/"])
def test_language_switch_keeps_the_page(session, path):
    page = session.open(path)
    page.hover(".md-header__option .md-select")
    page.click('.md-select__link[hreflang="zh"]')
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == f"/zh/{path}"
    assert page.get_attribute("html", "lang") == "zh"
    page.hover(".md-header__option .md-select")
    page.click('.md-select__link[hreflang="en"]')
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path == f"/{path}"
    assert page.get_attribute("html", "lang") == "en"


# -- injected markup ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [f"resources/{XSS_ENTRY}/", f"zh/resources/{XSS_ENTRY}/", "topics/prompt-engineering/",
                                  "", "explore/?text=markup", "zh/explore/?text=markup"])
def test_markup_in_an_entry_shows_as_text_and_never_runs(session, path):
    page = session.open(path)
    if "explore" in path:
        page.wait_for_selector("#aigc-explore[data-ready]")
    text = page.inner_text("article")
    assert "<img src=x onerror=" in text
    if path.endswith(f"resources/{XSS_ENTRY}/"):
        assert "<script>window.__xss" in text and "<b>In</b>" in text
    assert page.evaluate("() => window.__xss") is None
    assert page.locator('img[src="x"]').count() == 0
    assert page.locator("article script").count() == 0
    assert page.locator("article b", has_text="In").count() == 0


# -- maths, progress, main pages -------------------------------------------------------------------

def test_formulas_render_with_the_vendored_katex(session):
    page = session.open("topics/lstm/")
    page.wait_for_selector("div.arithmatex .katex-display")
    assert page.locator("div.arithmatex .katex-error").count() == 0
    assert page.locator("span.arithmatex .katex").count() > 5
    assert "\\tilde" not in page.inner_text("div.arithmatex")
    demo = session.open("demos/ngram/")  # a demo page's $$ block and its figure
    demo.wait_for_selector("div.arithmatex .katex-display")
    assert demo.evaluate("() => document.querySelector('article img').naturalWidth") == 2


def test_path_progress_persists_in_the_browser(session):
    page = session.open("paths/fixture-path/")
    page.wait_for_selector(".aigc-progress:not([hidden])")
    assert page.inner_text(".aigc-progress__text") == "0 of 3 steps done"
    page.check('[data-key="entry:diffusion-from-scratch-course"] input')
    assert page.inner_text(".aigc-progress__text") == "1 of 3 steps done"
    zh = session.open("zh/paths/fixture-path/")  # same origin: the progress is shared
    zh.wait_for_selector(".aigc-progress:not([hidden])")
    assert zh.inner_text(".aigc-progress__text") == "已完成 1 / 3 步"
    assert zh.is_checked('[data-key="entry:diffusion-from-scratch-course"] input')
    zh.click(".aigc-progress__reset")
    assert zh.inner_text(".aigc-progress__text") == "已完成 0 / 3 步"


def test_path_steps_can_be_ticked_from_the_keyboard_and_say_which_step(session):
    """Every step's box was read out as "Done" / "已完成", whichever step it ticked."""
    for path, name in (("paths/fixture-path/", "Step 2 done"), ("zh/paths/fixture-path/", "第 2 步已完成")):
        page = session.open(path)
        page.wait_for_selector(".aigc-progress:not([hidden])")
        box = page.get_by_role("checkbox", name=name, exact=True)
        box.focus()
        page.keyboard.press("Space")
        assert box.is_checked()
        page.click(".aigc-progress__reset")


MAIN_PAGES = {
    "home": "", "explore": "explore/", "concept-lstm": "topics/lstm/", "concepts": "topics/",
    "path": "paths/fixture-path/", "entry": "resources/denoising-diffusion-paper/", "stats": "stats/",
    "health": "health/", "data": "data/", "zh-home": "zh/", "zh-explore": "zh/explore/",
    "zh-concept-gan": "zh/topics/gan/", "zh-path": "zh/paths/fixture-path/", "zh-entry": "zh/resources/no-chinese-tool/",
    "zh-stats": "zh/stats/",
}


def test_main_pages_load_cleanly_and_are_screenshotted(session, shots):
    for name, path in MAIN_PAGES.items():
        page = session.open(path)
        if "explore" in path:
            page.wait_for_selector("#aigc-explore[data-ready]")
        if re.search(r"topics/[a-z]", path):
            page.wait_for_selector(".katex")
        assert page.title()
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert len(list(shots.glob("*.png"))) >= len(MAIN_PAGES)
