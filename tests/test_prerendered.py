"""The MkDocs hook for pages written as HTML (render/prerendered.py): entry lists hidden from
the search plugin's parser give the same search index and the same page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from material.plugins.search.plugin import SearchIndex
from mkdocs.structure.toc import get_toc

from aigc_resources.render import prerendered, render_site

from .site_fixture import fake_extras, load_site_catalog, write_site_catalog

#: What Material's search plugin (9.x, on_page_context) removes from a page after indexing it.
SEARCH_ATTRIBUTES = r"\s?data-search-\w+=\"[^\"]+\""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    catalog = load_site_catalog(write_site_catalog(tmp_path_factory.mktemp("c") / "catalog"))
    return render_site(catalog, lang="zh", extras=fake_extras(catalog))


def _page(source: str) -> SimpleNamespace:
    return SimpleNamespace(meta={}, title="Page", url="levels/beginner/", toc=get_toc([]), present_anchor_ids=set(),
                           content=None, markdown=source)


def _config(search: bool = True) -> SimpleNamespace:
    plugins = {"material/search": SimpleNamespace(config=SimpleNamespace(enabled=True))} if search else {}
    return SimpleNamespace(plugins=plugins)


def _index(page: SimpleNamespace) -> list[dict]:
    index = SearchIndex(lang=["en"], separator=r"[\s\-]+", pipeline=[], fields={})
    index.add_entry_from_context(page)
    return index.entries


def _through_the_hook(source: str, head_html: str, search: bool = True) -> tuple[str, list[dict]]:
    """A page's content and search entries as a build with the hook and the search plugin gives."""
    page, config = _page(source), _config(search)
    prerendered.on_page_markdown(source, page, config, None)
    page.content = prerendered.on_page_content(head_html, page, config, None)
    entries = _index(page) if search else []
    if search:  # the plugin's own on_page_context, which runs before the hook's
        page.content = re.sub(SEARCH_ATTRIBUTES, "", page.content)
    prerendered.on_page_context({}, page, config, None)
    return page.content, entries


def _without_the_trick(source: str, head_html: str) -> tuple[str, list[dict]]:
    head, tail = prerendered.split(source)
    page = _page(source)
    page.content = head_html + tail
    entries = _index(page)
    return re.sub(SEARCH_ATTRIBUTES, "", page.content), entries


@pytest.mark.parametrize("path", ["levels/beginner.md", "topics/diffusion-models.md", "types/paper.md", "modalities/image.md"])
def test_entry_lists_are_indexed_and_shown_as_without_the_hook(pages, path):
    source = pages[path]
    assert prerendered.LIST_OPEN in prerendered.split(source)[1]
    head_html = "<h1 id=\"title\">Title</h1>\n<p>Intro text.</p>\n"
    content, entries = _through_the_hook(source, head_html)
    assert (content, entries) == _without_the_trick(source, head_html)
    assert content.count(prerendered.LIST_OPEN) == source.count(prerendered.LIST_OPEN)


def test_list_items_that_look_like_markup_are_put_back_as_they_were():
    items = ('\n<li><a href="../../resources/x/" data-search-boost="2">a &lt;/ul&gt; b</a> data-search-x=&quot;y&quot; '
             '<!--aigc:list:0--></li>\n</ul>')
    source = f"# Hub\n\n{prerendered.MARKER}\n<h2 id=\"a\">A</h2>\n{prerendered.LIST_OPEN}{items}\n<p>after</p>\n"
    content, entries = _through_the_hook(source, "<h1 id=\"hub\">Hub</h1>\n")
    assert (content, entries) == _without_the_trick(source, "<h1 id=\"hub\">Hub</h1>\n")
    assert re.sub(SEARCH_ATTRIBUTES, "", items) in content


def test_without_a_search_plugin_the_lists_come_back_unchanged():
    items = '\n<li><a href="x/" data-search-boost="2">x</a></li>\n</ul>'
    source = f"{prerendered.MARKER}\n{prerendered.LIST_OPEN}{items}\n"
    content, _ = _through_the_hook(source, "", search=False)
    assert content == "\n" + prerendered.LIST_OPEN + items + "\n"
