"""MkDocs hook: the parts of pages the renderer wrote as HTML skip Python-Markdown.

A generated page may end with a line ``<!-- aigc:html -->`` followed by HTML (:data:`MARKER`):
the entry lists of hub and concept pages, and the whole body of entry pages. Python-Markdown
would pass that HTML through unchanged, but parsing it costs milliseconds per page and grows
with the length of the lists, so at thousands of entries it was most of a build. This hook
converts only the Markdown before the marker and appends the HTML after it, adding the HTML's
``<h2 id>``/``<h3 id>`` headings to the page's table of contents. A page that is all HTML (an
entry page) does not create a Markdown converter at all. The output is the same with or
without the hook (engines that ignore hooks, such as Zensical, render the pages correctly,
only slower).

For the entry pages, blocks of the page template that are the same on every entry page are
rendered once per build (:func:`render_once`, used by ``overrides/aigc-entry.html``).

The entry lists of hub pages (:data:`LIST_OPEN`, marked ``data-search-exclude``) are most of the
HTML of a site, and the search plugin parses all of it only to skip it. The plugin is shown
each list emptied (an ``<!--aigc:list:N-->`` comment in its place, which its parser ignores),
and the lists are put back right after it has indexed the page: the same index, the same page.

Links in the HTML part are final relative URLs (MkDocs neither rewrites nor checks them);
``tests/test_site.py`` checks every link of the built site instead.
"""

from __future__ import annotations

import html
import re
import types

from mkdocs.plugins import event_priority

#: The line that separates a page's Markdown from its pre-rendered HTML.
MARKER = "<!-- aigc:html -->"

_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
_HEADERLINK = re.compile(r'<a class="headerlink".*?</a>', re.S)

#: How an entry list starts (``SiteModel.entry_list``); its items are links and escaped text,
#: never another list, so the list ends at the next ``</ul>``.
LIST_OPEN = '<ul class="aigc-list" data-search-exclude>'
_LIST = re.compile(re.escape(LIST_OPEN) + r"(.*?)</ul>", re.S)
_LIST_SLOT = re.compile(r"<!--aigc:list:(\d+)-->")
#: The attributes Material's search plugin removes from a page's HTML after indexing it.
_SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")

#: Blocks of entry pages rendered once per build, by (block name, URL depth).
_ONCE: dict[tuple[str, int], str] = {}


def split(markdown: str) -> tuple[str, str | None]:
    """``(markdown part, HTML part or None)`` of a page's source."""
    head, found, tail = markdown.partition(MARKER)
    return (head, tail) if found else (markdown, None)


def toc_tokens(content: str) -> list[dict]:
    """Heading tokens of ``content`` in the shape of Python-Markdown's ``toc_tokens``."""
    tokens: list[dict] = []
    for level, anchor, inner in _HEADING.findall(content):
        inner = _HEADERLINK.sub("", inner)
        name = html.unescape(_TAG.sub("", inner)).strip()
        token = {"level": int(level), "id": anchor, "name": name, "html": inner, "data-toc-label": "", "children": []}
        if token["level"] == 3 and tokens:
            tokens[-1]["children"].append(token)
        else:
            tokens.append(token)
    return tokens


def merge_toc(items: list, extra: list) -> list:
    """The table of contents of a page whose HTML part adds the headings ``extra``.

    Python-Markdown nests a page's ``##`` headings under its ``#`` title, and Material shows
    only the children of a lone level-1 entry; so when the Markdown part ends under a level-1
    heading, the HTML part's ``<h2>`` headings go under it too (else the sidebar would list
    "Key formula" but not "Resources" on a concept page). Items are MkDocs ``AnchorLink``s.
    """
    if items and items[-1].level == 1:
        items[-1].children.extend(extra)
        return items
    return items + extra


def render_once(name: str, page, caller) -> str:
    """The output of ``caller()`` (a template block), rendered once per build and URL depth.

    For blocks that depend on the page only through its depth (relative links to assets):
    styles, scripts, tabs, footer, the configuration script, the top-level navigation. Entry
    pages all live at ``resources/<id>/``, so each such block is rendered once per language.
    """
    key = (name, page.url.count("/"))
    if key not in _ONCE:
        _ONCE[key] = caller()
    return _ONCE[key]


def _render_without_markdown(page, config, files) -> None:
    """Stands in for ``Page.render`` (MkDocs 1.6) on a page whose source is all HTML:
    ``Page.render`` builds a ``markdown.Markdown`` with every extension for each page, which
    costs milliseconds even for empty input."""
    from mkdocs.structure.toc import get_toc

    page.content = ""
    page.toc = get_toc([])
    page.present_anchor_ids = set()


def site_language(config) -> str:
    """``"zh"`` or ``"en"``: the language of the site a MkDocs configuration builds."""
    return "zh" if str(config.theme["language"]).startswith("zh") else "en"


def on_config(config):
    """Title the permalinks Python-Markdown writes in the site's language ("Permanent link" is
    the toc extension's English default), from the same table as the renderer's own permalinks."""
    from aigc_resources.render.i18n import translate

    toc = config.mdx_configs.setdefault("toc", {})
    toc["permalink_title"] = translate("Permanent link", site_language(config))
    return config


def on_pre_build(config):
    """Forget the template blocks of the previous build (tests build several sites in one process)."""
    _ONCE.clear()


def on_template_context(context, template_name, config):
    """Give ``404.html`` the absolute base of its language's site (``/zh/`` for Chinese).

    MkDocs links the 404 page from the server root (``/``, no ``site_url`` is set), because a
    static host serves it for a missing URL at any depth; the Chinese 404 page linked its
    navigation, search and the language switch to the English site."""
    if template_name == "404.html":
        from aigc_resources.render.build import SITE_SUBDIRS

        subdir = SITE_SUBDIRS.get(site_language(config), "")
        if subdir:
            context["base_url"] = context["base_url"].rstrip("/") + f"/{subdir}/"
    return context


def on_env(env, config, files):
    """Make :func:`render_once` available to the templates."""
    env.globals["aigc_render_once"] = render_once
    return env


def on_page_markdown(markdown, page, config, files):
    """Keep the HTML part aside; give Markdown only what comes before the marker."""
    head, tail = split(markdown)
    if tail is None:
        return markdown
    page.aigc_html = tail
    if not head.strip():
        page.render = types.MethodType(_render_without_markdown, page)
    return head


def on_page_content(html_content, page, config, files):
    """Append the HTML part, its entry lists emptied for the search plugin (see
    :func:`on_page_context`), and add its headings to the table of contents."""
    tail = getattr(page, "aigc_html", None)
    if tail is None:
        return html_content
    from mkdocs.structure.toc import TableOfContents, get_toc

    tokens = toc_tokens(tail)
    page.toc = TableOfContents(merge_toc(list(page.toc), list(get_toc(tokens))))
    if page.present_anchor_ids is not None:
        page.present_anchor_ids |= {token["id"] for token in tokens} | {
            child["id"] for token in tokens for child in token["children"]}
    lists: list[str] = []

    def set_aside(match: re.Match[str]) -> str:
        lists.append(match.group(1))
        return f"{LIST_OPEN}<!--aigc:list:{len(lists) - 1}--></ul>"

    tail = _LIST.sub(set_aside, tail)
    page.aigc_lists = lists
    return html_content + tail


@event_priority(-100)  # after the search plugin's on_page_context, whatever the plugin order
def on_page_context(context, page, config, nav):
    """Put back the entry lists once the search plugin has indexed the page, with the
    attributes it removes from a page's HTML removed from them too."""
    lists = getattr(page, "aigc_lists", None)
    if lists:
        searched = any(name.split("/")[-1] == "search" and getattr(plugin.config, "enabled", True)
                       for name, plugin in config.plugins.items())
        if searched:
            lists = [_SEARCH_ATTRIBUTES.sub("", items) for items in lists]
        page.content = _LIST_SLOT.sub(lambda match: lists[int(match.group(1))], page.content)
        page.aigc_lists = None
    return context
