"""Read a Markdown document into its list items and table rows, with headings and line numbers.

Awesome lists are written in GitHub Flavored Markdown, and their item forms are more varied than
a line regex survives: link texts with brackets (``[[2310.07127] A survey](...)``), URLs with
parentheses, lazy continuation lines, badge images on the lines under an item, nested
sub-items, tables whose cells hold inline HTML links, and HTML blocks (``<details>``,
``<p align>``, ``<!-- -->``) whose content is not Markdown. We therefore parse with
`markdown-it-py <https://markdown-it-py.readthedocs.io/>`_ (CommonMark 0.31 plus GFM tables and
linkify for bare URLs), which gives block tokens with source line maps, and walk its token
stream. Nothing here knows about taxonomies or entries: :mod:`.awesome` interprets the items.

Two deliberate departures from rendering:

* link destinations are kept **as written** (CommonMark backslash escapes and entities
  resolved, nothing percent-encoded or normalised), so imported URLs are not mangled;
* bare URLs are found only with an explicit ``http(s)://`` scheme (linkify's "fuzzy" mode,
  which turns words like ``Perplexity.ai`` into links, is off).

Spec: CommonMark 0.31.2 (list items §5.2, links §6.3, autolinks §6.5, raw HTML §6.6, HTML
blocks §4.6); GFM tables and autolinks (extension); shields.io static badge URL format.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

#: Hosts of badge images whose text we read (level and format badges under an item).
BADGE_HOSTS = frozenset({"img.shields.io", "shields.io", "badgen.net"})

#: Deepest nesting of block containers (each list level counts two: the list and its item)
#: that is read. markdown-it skips what lies deeper without a sign (its recursion guard; the
#: CommonMark preset stops at 20, ten list levels); :attr:`Document.unread` reports it.
MAX_NESTING = 100


@dataclass(frozen=True)
class Text:
    """A run of plain text inside an item (emphasis markers dropped). ``strong`` is true for
    text inside ``**...**``."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class Link:
    """A hyperlink: its destination as written and its text as plain text.

    ``kind`` is ``markdown`` (``[text](url)``), ``autolink`` (``<url>``), ``bare`` (a URL in
    running text, GFM autolink extension) or ``html`` (``<a href>``). ``images`` are the images
    inside the link text (``[![badge](img)](url)``).
    """

    url: str
    text: str
    kind: str
    images: tuple["Image", ...] = ()

    @property
    def is_web(self) -> bool:
        """True for an absolute http(s) URL (not an in-page anchor or a relative path)."""
        return self.url.lower().startswith(("http://", "https://"))

    def embedded_urls(self) -> list[str]:
        """http(s) URLs inside a destination that is not itself one: a malformed link such as
        ``[t]([https://a/](https://b))``, whose destination CommonMark reads as the whole
        bracketed text (GitHub renders it as a broken relative link)."""
        if self.is_web:
            return []
        return _EMBEDDED_URL.findall(self.url)


@dataclass(frozen=True)
class Image:
    """An image: its source URL and alternative text. :meth:`badge` reads shields.io badges."""

    src: str
    alt: str

    def badge(self) -> tuple[str | None, str] | None:
        """``(label, message)`` of a shields.io static badge, else ``None``.

        Static badge paths are ``/badge/<label>-<message>-<color>`` or ``/badge/<message>-<color>``
        where ``--`` stands for ``-``, ``__`` for ``_`` and ``_`` for a space (shields.io docs,
        "Static badge"). Values are percent-decoded.
        """
        parts = urlsplit(self.src)
        if (parts.hostname or "").lower() not in BADGE_HOSTS or not parts.path.startswith("/badge/"):
            return None
        body = unquote(parts.path[len("/badge/"):]).removesuffix(".svg")
        pieces = [p.replace("_", " ").replace("\0", "-").replace("\1", "_")
                  for p in body.replace("--", "\0").replace("__", "\1").split("-")]
        if len(pieces) >= 3:
            return pieces[0].strip() or None, pieces[1].strip()
        if len(pieces) == 2:
            return None, pieces[0].strip()
        return None


Piece = Text | Link | Image

_EMBEDDED_URL = re.compile(r"https?://[^\s()\[\]<>\"']+")

#: Characters that end a bare URL rather than belong to it (GFM spec §6.9, extended autolinks).
_AUTOLINK_TRAILING = "?!.,:*_~"


@dataclass
class Item:
    """One list item or table row, with what it says and where.

    ``line`` is the 1-based first line and ``end_line`` the last line of the item's own content
    (its first paragraph, or the row); ``form`` is ``bullet``, ``ordered`` or ``table-row``;
    ``marker`` the list marker (``-``, ``*``, ``1.``) or ``|``. ``headings`` is the heading
    path, outermost first. ``pieces`` is the inline content of the item's first paragraph;
    for a table row, ``cells`` holds the pieces of each cell and ``columns`` the header texts.
    ``notes`` holds the text of nested sub-items that have no link of their own and of later
    paragraphs; ``note_links`` the links found there. ``depth`` is the list nesting depth
    (0 for top-level items and table rows); ``parent`` the index of the enclosing item.
    """

    line: int
    end_line: int
    form: str
    marker: str
    headings: tuple[str, ...]
    pieces: list[Piece] = field(default_factory=list)
    cells: list[list[Piece]] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)
    note_links: list[tuple[int, Link]] = field(default_factory=list)
    depth: int = 0
    parent: int | None = None

    def links(self) -> list[Link]:
        """Every link of the item's own content, in reading order (cells left to right)."""
        pieces = self.pieces if self.form != "table-row" else [p for cell in self.cells for p in cell]
        return [p for p in pieces if isinstance(p, Link)]

    def web_links(self) -> list[Link]:
        """The item's own http(s) links."""
        return [link for link in self.links() if link.is_web]


@dataclass(frozen=True)
class StrayLink:
    """An http(s) link outside any list item or table row (paragraphs, quotes, HTML blocks)."""

    line: int
    url: str
    context: str  # "paragraph", "blockquote", "html", "heading", "malformed" (a broken link in an item)


@dataclass
class Document:
    """A parsed Markdown document: its items in source order and the links outside items."""

    items: list[Item]
    stray_links: list[StrayLink]
    headings: list[tuple[int, int, str]]  # (line, level, text)
    #: ``(first, last)`` 1-based line ranges nested deeper than :data:`MAX_NESTING`, not read.
    unread: list[tuple[int, int]] = field(default_factory=list)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"linkify": True, "html": True, "maxNesting": MAX_NESTING}).enable(["table", "linkify"])
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
    # Keep destinations as written: the default percent-encodes and punycodes them.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    md.normalizeLinkText = lambda url: url  # type: ignore[method-assign]
    return md


class _HtmlLinks(HTMLParser):
    """Collect ``<a href>`` and ``<img src>`` from an HTML fragment (stdlib parser, no scripts run)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[str] = []
        self.images: list[tuple[str, str]] = []
        self.closes = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and values.get("href"):
            self.anchors.append(values["href"].strip())
        elif tag == "img" and values.get("src"):
            self.images.append((values["src"].strip(), values.get("alt", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self.closes += 1


def _html_parts(fragment: str) -> _HtmlLinks:
    parser = _HtmlLinks()
    parser.feed(fragment)
    parser.close()
    return parser


def inline_pieces(children: list[Token]) -> list[Piece]:
    """Turn an inline token's children into :class:`Text`, :class:`Link` and :class:`Image` pieces."""
    pieces: list[Piece] = []
    strong = 0
    link: dict | None = None  # the open link: url, kind, text parts, images

    def add_text(text: str) -> None:
        if link is not None:
            link["text"].append(text)
        elif pieces and isinstance(pieces[-1], Text) and pieces[-1].strong == bool(strong):
            pieces[-1] = Text(pieces[-1].text + text, bool(strong))
        else:
            pieces.append(Text(text, bool(strong)))

    def close_link() -> None:
        nonlocal link
        if link is not None:
            url, text, tail = link["url"], " ".join("".join(link["text"]).split()), ""
            if link["kind"] == "bare":
                # GFM extended autolinks end before trailing ? ! . , : * _ ~ (GFM spec §6.9).
                kept = url.rstrip(_AUTOLINK_TRAILING)
                tail = url[len(kept):]
                url, text = kept, text[: len(text) - len(tail)] if tail and text.endswith(tail) else text
            pieces.append(Link(url, text, link["kind"], tuple(link["images"])))
            link = None
            if tail:
                add_text(tail)

    for token in children:
        kind = token.type
        if kind == "text":
            add_text(token.content)
        elif kind in ("softbreak", "hardbreak"):
            add_text(" ")
        elif kind == "code_inline":
            add_text(token.content)
        elif kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong = max(0, strong - 1)
        elif kind == "link_open":
            close_link()
            markup = token.markup
            link_kind = "bare" if markup == "linkify" else "autolink" if markup == "autolink" else "markdown"
            link = {"url": str(token.attrGet("href") or ""), "kind": link_kind, "text": [], "images": []}
        elif kind == "link_close":
            close_link()
        elif kind == "image":
            image = Image(str(token.attrGet("src") or ""), token.content)
            if link is not None:
                link["images"].append(image)
            else:
                pieces.append(image)
        elif kind == "html_inline":
            parts = _html_parts(token.content)
            for src, alt in parts.images:
                image = Image(src, html.unescape(alt))
                if link is not None:
                    link["images"].append(image)
                else:
                    pieces.append(image)
            if parts.anchors:
                close_link()
                link = {"url": parts.anchors[-1], "kind": "html", "text": [], "images": []}
            elif parts.closes and link is not None and link["kind"] == "html":
                close_link()
    close_link()
    return pieces


def plain_text(pieces: list[Piece]) -> str:
    """The visible text of pieces: text and link texts, whitespace folded."""
    out = []
    for piece in pieces:
        if isinstance(piece, Text):
            out.append(piece.text)
        elif isinstance(piece, Link):
            out.append(piece.text)
    return " ".join("".join(out).split())


_HEADING_NOISE = re.compile(r"<!--.*?-->", re.S)


def parse_document(text: str) -> Document:
    """Parse Markdown ``text`` into a :class:`Document`.

    Items are list items (at any depth) whose first paragraph has at least one link, and table
    body rows; a nested item without a link becomes a note of its parent item. Links elsewhere
    are returned as :class:`StrayLink` so a caller can account for every link of the file.
    """
    tokens = _parser().parse(text)
    items: list[Item] = []
    stray: list[StrayLink] = []
    headings: list[tuple[int, int, str]] = []
    heading_path: list[tuple[int, str]] = []

    # Open list items: stack of dicts {item index or None, first paragraph seen, marker, ordered, line}
    lists: list[dict] = []  # open lists: {"ordered": bool, "marker": str}
    open_items: list[dict] = []
    in_blockquote = 0
    table: dict | None = None
    pending_heading: int | None = None

    def current_headings() -> tuple[str, ...]:
        return tuple(text for _, text in heading_path)

    def enclosing_item() -> int | None:
        for entry in reversed(open_items):
            if entry["index"] is not None:
                return entry["index"]
        return None

    unread: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        kind = token.type
        if token.nesting == 1 and token.block and token.level >= MAX_NESTING - 1 and token.map:
            # markdown-it does not parse inside this container: too deep (see MAX_NESTING).
            unread.append((token.map[0] + 1, token.map[1]))
        if kind == "heading_open":
            pending_heading = int(token.tag[1])
        elif kind == "inline" and pending_heading is not None:
            level = pending_heading
            pending_heading = None
            pieces = inline_pieces(token.children or [])
            title = " ".join(plain_text(pieces).split())
            title = " ".join(_HEADING_NOISE.sub("", title).split())
            while heading_path and heading_path[-1][0] >= level:
                heading_path.pop()
            heading_path.append((level, title))
            line = token.map[0] + 1 if token.map else 0
            headings.append((line, level, title))
            for piece in pieces:
                if isinstance(piece, Link) and piece.is_web:
                    stray.append(StrayLink(line, piece.url, "heading"))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists.append({"ordered": kind == "ordered_list_open", "marker": token.markup})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            info = lists[-1]
            marker = f"{token.info}{token.markup}" if info["ordered"] else token.markup
            open_items.append({"index": None, "paragraphs": 0, "marker": marker, "ordered": info["ordered"],
                               "line": token.map[0] + 1 if token.map else 0, "depth": len(lists) - 1,
                               "parent": enclosing_item()})
        elif kind == "list_item_close":
            entry = open_items.pop()
            if entry["index"] is None and entry.get("text"):
                parent = enclosing_item()
                if parent is not None:
                    items[parent].notes.append(entry["text"])
        elif kind == "blockquote_open":
            in_blockquote += 1
        elif kind == "blockquote_close":
            in_blockquote -= 1
        elif kind == "html_block":
            line = token.map[0] + 1 if token.map else 0
            for offset, raw_line in enumerate(token.content.splitlines()):
                for url in _html_parts(raw_line).anchors:
                    if url.lower().startswith(("http://", "https://")):
                        stray.append(StrayLink(line + offset, url, "html"))
        elif kind == "thead_open":
            table = {"columns": [], "in_head": True}
        elif kind == "tbody_open" and table is not None:
            table["in_head"] = False
        elif kind == "table_close":
            table = None
        elif kind == "tr_open" and table is not None and not table["in_head"]:
            line = token.map[0] + 1 if token.map else 0
            items.append(Item(line=line, end_line=line, form="table-row", marker="|", headings=current_headings(),
                              columns=tuple(table["columns"])))
        elif kind == "inline" and table is not None:
            pieces = inline_pieces(token.children or [])
            if table["in_head"]:
                table["columns"].append(plain_text(pieces))
            elif items and items[-1].form == "table-row":
                items[-1].cells.append(pieces)
        elif kind == "inline":
            pieces = inline_pieces(token.children or [])
            line = token.map[0] + 1 if token.map else 0
            end_line = token.map[1] if token.map else line
            web = [p for p in pieces if isinstance(p, Link) and p.is_web]
            stray += [StrayLink(line, url, "malformed") for p in pieces if isinstance(p, Link)
                      for url in p.embedded_urls()]
            entry = open_items[-1] if open_items else None
            if entry is not None:
                entry["paragraphs"] += 1
                if entry["paragraphs"] == 1 and web:
                    entry["index"] = len(items)
                    items.append(Item(line=line, end_line=end_line, form="ordered" if entry["ordered"] else "bullet",
                                      marker=entry["marker"], headings=current_headings(), pieces=pieces,
                                      depth=entry["depth"], parent=entry["parent"]))
                elif entry["paragraphs"] == 1:
                    entry["text"] = plain_text(pieces)
                else:
                    owner = entry["index"] if entry["index"] is not None else enclosing_item()
                    if owner is not None:
                        items[owner].notes.append(plain_text(pieces))
                        items[owner].note_links += [(line, link) for link in web]
                    else:
                        stray += [StrayLink(line, link.url, "paragraph") for link in web]
            else:
                context = "blockquote" if in_blockquote else "paragraph"
                stray += [StrayLink(line, link.url, context) for link in web]
    return Document(items, stray, headings, unread)
