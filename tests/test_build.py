"""Build the real catalog with MkDocs --strict into a temporary folder and inspect the result."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from aigc_resources.render.build import build_site, require_valid
from aigc_resources.render.site import HUBS

from .conftest import PROJECT_ROOT

pytestmark = pytest.mark.build
KNOWN_ENTRY = "attention-is-all-you-need"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("build")
    catalog, _ = require_valid(PROJECT_ROOT / "catalog")
    result = build_site(PROJECT_ROOT, PROJECT_ROOT / "catalog", tmp / "site", docs_dir=tmp / "docs", catalog=catalog)
    return catalog, result


def search_separator() -> re.Pattern[str]:
    config = yaml.load((PROJECT_ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)  # noqa: S506 - our own file with !!python tags
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "search" in plugin:
            return re.compile(plugin["search"]["separator"])
    raise AssertionError("no search plugin in mkdocs.yml")


def test_every_entry_has_a_page(built):
    catalog, result = built
    assert result.entries == len(catalog.entries) >= 100
    for entry in catalog.entries:
        page = result.site_dir / "resources" / entry.id / "index.html"
        assert page.is_file(), entry.id
    html = (result.site_dir / "resources" / KNOWN_ENTRY / "index.html").read_text(encoding="utf-8")
    assert "https://arxiv.org/abs/1706.03762" in html


def test_every_hub_links_its_entries(built):
    catalog, result = built
    for folder, _, field, many in HUBS:
        for term in getattr(catalog.taxonomy, dict((h[0], h[1]) for h in HUBS)[folder]):
            html = (result.site_dir / folder / term.id / "index.html").read_text(encoding="utf-8")
            members = [e.id for e in catalog.entries
                       if term.id in (getattr(e.resource, field) if many else [getattr(e.resource, field)])]
            for entry_id in members:
                assert f'href="../../resources/{entry_id}/"' in html, (folder, term.id, entry_id)


def test_entry_pages_stay_out_of_the_sidebar(built):
    _, result = built
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    sidebar = home[home.index('md-sidebar--primary'):home.index('md-sidebar--secondary')]
    assert 'href="topics/attention/"' in sidebar  # hubs are in the sidebar...
    assert "resources/" not in sidebar  # ...entries are not


def test_search_index_finds_english_and_chinese_terms(built):
    catalog, result = built
    index = json.loads((result.site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["separator"] == search_separator().pattern
    docs = {doc["location"]: doc for doc in index["docs"]}
    page = docs[f"resources/{KNOWN_ENTRY}/"]
    assert page["title"] == catalog.get(KNOWN_ENTRY).resource.title
    tokens = {t.lower() for t in search_separator().split(page["text"]) if t}
    # A word of the English description on the English site...
    assert "encoder" in tokens or "encoder-decoder" in page["text"].lower()
    assert "sinusoidal" in tokens
    # ...and a Chinese word of the Chinese description on the Chinese site: jieba cut the
    # Chinese text at build time, so the word is a token of its own.
    index_zh = json.loads((result.site_dir / "zh" / "search" / "search_index.json").read_text(encoding="utf-8"))
    page_zh = {doc["location"]: doc for doc in index_zh["docs"]}[f"resources/{KNOWN_ENTRY}/"]
    tokens_zh = {t.lower() for t in search_separator().split(page_zh["text"]) if t}
    assert "注意力" in tokens_zh
    assert "\u200b" in page_zh["text"]


def test_no_request_leaves_the_site(built):
    _, result = built
    home = (result.site_dir / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in home and "fonts.gstatic.com" not in home
    external = set(re.findall(r'<(?:script|link)[^>]+(?:src|href)="(https?://[^"]+)"', home))
    assert external == set()


def test_failed_build_keeps_the_old_site(tmp_path, tmp_catalog):
    from aigc_resources.errors import BuildError

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    bad = tmp_catalog({"paper/x.yaml": "id: x\n"})
    with pytest.raises(BuildError):
        build_site(PROJECT_ROOT, bad, site, docs_dir=tmp_path / "docs")
    assert (site / "index.html").read_text() == "old"
    assert not list(tmp_path.glob("site.tmp-*"))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_strict_warning_fails_the_build_in_a_worker_or_here(tmp_path, tmp_catalog, jobs):
    """An extra page linking to a missing page makes MkDocs warn; --strict turns that into a
    failed build, whether the languages are built in worker processes (jobs=2) or here."""
    from aigc_resources.errors import BuildError
    from aigc_resources.render.extras import SiteExtras, StaticPages

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("old")
    page = {"broken.md": "# Broken\n\nSee [the missing page](missing.md).\n"}
    extras = SiteExtras(pages=StaticPages({"en": page, "zh": page}))
    with pytest.raises(BuildError, match="missing.md"):
        build_site(PROJECT_ROOT, tmp_catalog(), site, docs_dir=tmp_path / "docs", extras=extras, jobs=jobs)
    assert (site / "index.html").read_text() == "old"
    assert not list(tmp_path.glob("site.tmp-*"))
