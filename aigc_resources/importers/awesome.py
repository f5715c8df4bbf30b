"""Import an awesome list: Markdown items -> draft catalog entries, with duplicates reported.

Pipeline (each stage returns typed values; nothing is written until the last one):

1. :func:`read_list` parses the file (:mod:`.markdown`) and interprets every item with a link
   as a :class:`Candidate`: title, URL, typed extra links, authors, level and format badges,
   ``#opensource``, arXiv id and year, the heading path mapped onto the taxonomy
   (:mod:`.mapping`), and the list's own words about it (kept only for ``source_note``).
   Every link of every item gets a :class:`LinkUse` saying where it went, so nothing is lost
   silently.
2. :func:`plan_import` compares candidates with the catalog (canonical URLs of ``url`` and
   every ``links.*``), with drafts already in the output folder and with each other; merges
   repeated items of one run; and gives every new draft a unique id.
3. :func:`write_drafts` writes one YAML file per draft under ``<out>/<type>/<id>.yaml``
   (:mod:`.drafts`), never replacing an existing file.

Which items count: a list item whose first paragraph holds an http(s) link and starts with it
(after highlight markers such as ``[🔥]`` or a short ``Name:`` label before a bare URL), and
every table body row with a link. A bullet that opens with bold text (``**Topic**: ... [a
link](...)``, the concept bullets of course outlines) or with running prose is a *mention*: its
links are reported, not imported. Links outside items (paragraphs, quotes, HTML blocks) are
reported as stray links.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import UserError
from ..fsutil import decode_text_file, split_lines
from ..schema import NAME_MAX, SOURCE_NOTE_MAX, SOURCE_SECTION_MAX, TITLE_LIMITS, URL_LIMITS, Taxonomy
from ..urls import canonical_url, url_problems
from ..yamlio import first_invisible, strip_invisible
from .mapping import Match, TaxonomyMatcher
from .markdown import Image, Item, Link, Piece, Text, parse_document, plain_text

#: Files that describe a corpus or a project rather than list resources; never imported.
SKIPPED_FILES = frozenset({"sources.md", "contributing.md", "code_of_conduct.md", "license.md",
                           "changelog.md", "security.md"})

#: Highlight markers some lists put before an item: ``[🔥]``, ``[🔥🔥🔥]``, ``[⭐]``, ``[NEW]``.
_HIGHLIGHT = re.compile(r"^\s*(?:\[(?:[^\w\s\]]+|[A-Z]{2,10})\]\s*)+")
_LABEL = re.compile(r"^\s*(?P<label>[^\n]{1,80}?)\s*[:：]\s*$")
_SEPARATOR = re.compile(r"^\s*(?:[-–—:：]|\|)\s*")
_BY = re.compile(r"^\s*by\s+(?P<who>[^:：\n]+?)\s*(?:[:：]\s*|$)", re.I)
_OPENSOURCE = re.compile(r"#open-?source\b", re.I)
_ARXIV_IN_TITLE = re.compile(r"^\s*\[(?P<id>\d{4}\.\d{4,5})(?:v\d+)?\]\s*")
_ARXIV_URL = re.compile(r"^/(?:abs|pdf|html)/(?P<id>\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?$")
_BOOK_MARKS = re.compile(r"^《(?P<t>[^《》]+)》$")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_CHAR = re.compile(r"[A-Za-z]")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|、|，)\s*")

#: Hosts whose content is in Chinese (``languages: [zh]`` guessed for their links).
CHINESE_HOSTS = ("bilibili.com", "zhihu.com", "weixin.qq.com", "csdn.net", "cnblogs.com", "feishu.cn",
                 "juejin.cn", "douban.com", "kexue.fm", "modelscope.cn", "waytoagi.com", "boyuai.com")

#: Format of an item guessed from its URL when neither a badge nor a heading names one.
#: Each rule: (host suffix, path prefix or "", type id). First match wins.
HOST_TYPES: tuple[tuple[str, str, str], ...] = (
    ("arxiv.org", "", "paper"),
    ("aclanthology.org", "", "paper"),
    ("openreview.net", "", "paper"),
    ("papers.nips.cc", "", "paper"),
    ("proceedings.neurips.cc", "", "paper"),
    ("huggingface.co", "/datasets/", "dataset"),
    ("huggingface.co", "/spaces/", "tool"),
    ("huggingface.co", "/learn/", "course"),
    ("huggingface.co", "/blog/", "article"),
    ("huggingface.co", "/docs/", "library"),
    ("colab.research.google.com", "", "tutorial"),
    ("youtube.com", "", "video"),
    ("youtu.be", "", "video"),
    ("bilibili.com", "", "video"),
    ("coursera.org", "/learn/", "course"),
    ("deeplearning.ai", "/short-courses/", "course"),
    ("deeplearning.ai", "/courses/", "course"),
    ("medium.com", "", "article"),
    ("substack.com", "", "article"),
    ("zhihu.com", "", "article"),
    ("mp.weixin.qq.com", "", "article"),
    ("github.com", "", "library"),
)

#: Kinds of extra link (``links.<kind>``), recognised by the link text or the host.
_LINK_TEXT_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"#?open-?source|source code|\bcode\b|github|repo", re.I), "code"),
    (re.compile(r"\bpaper\b|arxiv|论文", re.I), "paper"),
    (re.compile(r"notebook|colab", re.I), "notebook"),
    (re.compile(r"\bdemo\b|playground|try it", re.I), "demo"),
    (re.compile(r"dataset|data download", re.I), "dataset"),
    (re.compile(r"\bdocs?\b|documentation|文档", re.I), "docs"),
    (re.compile(r"slides?\b", re.I), "slides"),
    (re.compile(r"video|youtube|lecture|视频", re.I), "video"),
    (re.compile(r"weights|model card", re.I), "weights"),
)
_LINK_HOST_KINDS: tuple[tuple[str, str, str], ...] = (
    ("github.com", "", "code"), ("gitlab.com", "", "code"),
    ("arxiv.org", "", "paper"),
    ("colab.research.google.com", "", "notebook"),
    ("huggingface.co", "/spaces/", "demo"),
    ("huggingface.co", "/datasets/", "dataset"),
    ("youtube.com", "", "video"), ("youtu.be", "", "video"), ("bilibili.com", "", "video"),
)


@dataclass(frozen=True)
class LinkUse:
    """What the importer did with one link occurrence of the file.

    ``use`` is ``url`` (the entry's URL), ``links.<kind>`` (a typed extra link), ``unplaced``
    (kept in the report and the draft's comments for a person to place), ``mention`` (a link
    inside a prose bullet, not imported), ``stray`` (outside any item), or ``duplicate`` (the
    item repeats an earlier one; see :class:`Duplicate`), ``malformed`` (an http(s) URL
    inside a broken link destination, reported for a person to repair), or ``rejected`` (a link
    of an item that cannot be drafted because its URL is outside the schema's length limits;
    see :attr:`ListImport.rejected`).
    """

    line: int
    url: str
    use: str


@dataclass
class Candidate:
    """One imported item, interpreted (before duplicates are checked and ids assigned)."""

    line: int
    form: str
    title: str
    url: str
    section: str
    type: str | None = None
    modalities: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    level: str | None = None
    languages: list[str] = field(default_factory=list)
    open_source: bool | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)
    note: str = ""
    title_from_url: bool = False
    guesses: list[str] = field(default_factory=list)
    merged_from: list[str] = field(default_factory=list)  # "<file>:<line>" of repeated items

    def all_urls(self) -> list[str]:
        """``url`` then the typed extra links."""
        return [self.url, *self.links.values()]


@dataclass
class ListImport:
    """What :func:`read_list` found in one file."""

    path: Path
    name: str
    candidates: list[Candidate]
    link_uses: list[LinkUse]
    items: int  # list items and table rows with a link (resource items + mentions)
    mentions: int  # items whose links are mentions in prose
    #: Items that cannot become a draft: ``(line, url, reason)`` (a URL the schema cannot hold).
    rejected: list[tuple[int, str, str]] = field(default_factory=list)
    #: Line ranges nested too deeply to be read (:attr:`.markdown.Document.unread`).
    unread: list[tuple[int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Duplicate:
    """A candidate not drafted because the resource is already known.

    ``where`` is ``catalog`` (an entry has this URL; ``other`` is ``<id> (<field>)``),
    ``drafts`` (a draft file in the output folder; ``other`` is its path) or ``import`` (an
    earlier item of this run; ``other`` is ``<file>:<line>``, whose draft absorbed this one's
    topics and modalities).
    """

    file: str
    line: int
    title: str
    url: str
    where: str
    other: str


@dataclass
class Draft:
    """A draft to write: the candidate, its id, and where its file goes (relative to ``out``)."""

    candidate: Candidate
    id: str
    file: str
    relpath: str

    @property
    def missing(self) -> list[str]:
        """Required fields the importer could not fill: a person sets them."""
        c = self.candidate
        missing = [name for name, value in (("type", c.type), ("level", c.level)) if not value]
        missing.append("access")
        if c.type in ("paper", "survey") and c.year is None:
            missing.append("year")
        return missing

    @property
    def url_problems(self) -> list[str]:
        """Problems the validator will report for the URLs as the list wrote them."""
        return [f"{url}: {message}" for url in self.candidate.all_urls() for _, message in url_problems(url)]


@dataclass
class ImportPlan:
    """Everything an import run decided, before writing: drafts, duplicates, skipped files."""

    lists: list[ListImport]
    drafts: list[Draft]
    duplicates: list[Duplicate]
    skipped_files: list[tuple[str, str]]  # (path, reason)
    written: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    #: Drafts not written because their text did not read back (a bug): ``(draft, message)``.
    failed: list[tuple["Draft", str]] = field(default_factory=list)


# -- stage 1: read and interpret one list ---------------------------------------------------------

def read_list(path: Path, matcher: TaxonomyMatcher, *, name: str | None = None) -> ListImport:
    """Parse one awesome-list file and interpret its items (see the module docstring).

    Raises:
        UserError: the file cannot be read or is not UTF-8 text.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc
    text = decode_text_file(data, str(path))
    # Lines as markdown-it counts them, so its line map points at the item's own text.
    lines = split_lines(text)
    document = parse_document(text)
    name = name or path.name
    candidates: list[Candidate] = []
    uses: list[LinkUse] = [LinkUse(s.line, s.url, "malformed" if s.context == "malformed" else "stray")
                           for s in document.stray_links]
    mentions = 0
    rejected: list[tuple[int, str, str]] = []
    heading_cache: dict[str, Match] = {}

    def heading_match(heading: str) -> Match:
        if heading not in heading_cache:
            heading_cache[heading] = matcher.heading(heading)
        return heading_cache[heading]

    for item in document.items:
        candidate, item_uses = _interpret(item, lines, matcher, heading_match)
        problem = unstorable_url(candidate.url) if candidate is not None else None
        if problem:
            # One item the schema cannot hold never aborts the run: it is reported instead.
            rejected.append((candidate.line, candidate.url, problem))
            item_uses = [LinkUse(use.line, use.url, "rejected") for use in item_uses]
        uses += item_uses
        if candidate is None:
            mentions += 1
        elif not problem:
            candidates.append(candidate)
    return ListImport(path, name, candidates, uses, len(document.items), mentions, rejected, document.unread)


def unstorable_url(url: str) -> str | None:
    """Why ``url`` cannot be an entry's ``url`` or ``links.*`` (its length is outside
    :data:`~aigc_resources.schema.URL_LIMITS`, or it holds a character the YAML reader refuses:
    ``E-TEXT-CONTROL``), or ``None`` when it can."""
    low, high = URL_LIMITS
    invisible = first_invisible(url)
    if invisible:
        return f"the URL holds the invisible character U+{ord(invisible):04X}, which entries may not hold"
    if len(url) > high:
        return f"the URL has {len(url)} characters; entries hold at most {high}"
    if len(url) < low:
        return f"the URL has {len(url)} characters; a web address has at least {low}"
    return None


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, ending in ``…`` when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


#: A browser's unread count that page titles copied from a tab carry: ``(19) Someone on Twitter``.
_UNREAD_COUNT = re.compile(r"^\(\d{1,5}\)\s+(?=\S)")
_EMOJI_JOINERS = "\u200d\ufe0e\ufe0f\u20e3"


def _is_decoration(char: str) -> bool:
    category = unicodedata.category(char)
    return (category == "So" or (category == "Sk" and not char.isascii()) or char in _EMOJI_JOINERS
            or char.isspace())


def clean_title(title: str) -> tuple[str, list[str]]:
    """A list's link text as a draft title, and notes for the curator about what changed.

    Decorations at either end (emoji and other pictographs, with their joiners and variation
    selectors: ``🚀 Tool ✨`` -> ``Tool``) and leading highlight markers (``[NEW]``, ``[🔥]``,
    ``[PDF]``) are dropped; a leading unread count copied from a
    browser tab (``(19) ...``) is dropped with a note; a title longer than the schema allows
    (:data:`~aigc_resources.schema.TITLE_LIMITS`) is cut with a note. Invisible characters
    (``E-TEXT-CONTROL``) are removed. Emoji inside the title are kept. Returns ``""`` when nothing but decoration is left.
    """
    notes: list[str] = []
    title = strip_invisible(title)
    start, end = 0, len(title)
    while start < end and _is_decoration(title[start]):
        start += 1
    while end > start and _is_decoration(title[end - 1]):
        end -= 1
    core = " ".join(title[start:end].split())
    unmarked = _HIGHLIGHT.sub("", core)
    if unmarked.strip() and unmarked != core:
        core = unmarked.strip()  # "[NEW] Tool", "[PDF] A paper": list markers, not part of the title
    counter = _UNREAD_COUNT.match(core)
    if counter:
        core = core[counter.end():]
        notes.append(f"a leading `{counter.group(0).strip()}` (a browser tab's unread count) was removed from the title")
    if len(core) > TITLE_LIMITS[1]:
        core = clip(core, TITLE_LIMITS[1])
        notes.append(f"the title was cut to {TITLE_LIMITS[1]} characters")
    return core, notes


def _strip_highlight(pieces: list[Piece]) -> list[Piece]:
    out = list(pieces)
    while out and isinstance(out[0], Text):
        stripped = _HIGHLIGHT.sub("", out[0].text)
        if stripped.strip():
            out[0] = Text(stripped, out[0].strong)
            break
        out.pop(0)
    return out


def _interpret(item: Item, lines: list[str], matcher: TaxonomyMatcher, heading_match) -> tuple[Candidate | None, list[LinkUse]]:
    """One item -> a candidate (or ``None`` for a prose mention) and the uses of its links."""
    if item.form == "table-row":
        return _interpret_row(item, lines, matcher, heading_match)
    pieces = _strip_highlight(item.pieces)
    first = next((i for i, p in enumerate(pieces) if isinstance(p, Link) and p.is_web), None)
    badges: list[Link] = []
    # A badge link (`[![stars](img)](url)`, no text) before the named link is not the resource.
    while first is not None and _is_badge_link(pieces[first]):
        later = next((i for i in range(first + 1, len(pieces)) if isinstance(pieces[i], Link) and pieces[i].is_web), None)
        if later is None or not plain_text(pieces[first + 1:later]).strip() == "":
            break
        badges.append(pieces[first])
        first = later
    web = [p for p in pieces if isinstance(p, Link) and p.is_web] + [link for _, link in item.note_links]
    prefix_pieces = pieces[:first] if first is not None else pieces
    prefix = plain_text([p for p in prefix_pieces if not isinstance(p, Link) or p.is_web])
    label = None
    if prefix and not re.search(r"\w", prefix):
        prefix = ""  # only brackets or punctuation before the link (a malformed nested link)
    if prefix:
        bold_start = isinstance(prefix_pieces[0], Text) and prefix_pieces[0].strong
        match = _LABEL.match(prefix)
        if bold_start or not match or first is None:
            return None, [LinkUse(item.line, link.url, "mention") for link in web]
        label = match.group("label")
    primary = pieces[first]
    rest = pieces[first + 1:]
    badge_images: list[Piece] = [image for badge in badges for image in badge.images]
    candidate = _candidate(item, primary, label, badge_images + rest, lines, matcher, heading_match)
    uses = [LinkUse(item.line, primary.url, "url")]
    _place_links(candidate, badges + [link for link in rest if isinstance(link, Link) and link.is_web], item.line, uses)
    _place_links(candidate, [link for _, link in item.note_links], item.line, uses)
    return candidate, uses


def _is_badge_link(piece: Piece) -> bool:
    """A link whose text is only images (a badge or logo), e.g. ``[![stars](img)](url)``."""
    return isinstance(piece, Link) and not piece.text.strip() and bool(piece.images)


def _interpret_row(item: Item, lines: list[str], matcher: TaxonomyMatcher, heading_match) -> tuple[Candidate | None, list[LinkUse]]:
    links = [link for link in item.links() if link.is_web]
    if not links:
        return None, []
    first_cell = item.cells[0] if item.cells else []
    name = _strip_emoji(plain_text([p for p in first_cell if not isinstance(p, Image)]))
    notebook = next((l for l in links if _host_kind(l.url) == "notebook"), None)
    # The row's resource: a link in the name cell, else an article link, else the notebook.
    named = next((p for p in first_cell if isinstance(p, Link) and p.is_web), None)
    article = next((l for l in links if l is not notebook), None)
    primary = named or article or links[0]
    candidate = _candidate(item, Link(primary.url, name or primary.text, primary.kind), None, [], lines, matcher,
                           heading_match)
    if notebook is not None and candidate.type in (None, "tool", "library"):
        candidate.type = "tutorial"  # a runnable notebook teaches by example (taxonomy.md §5)
    uses = [LinkUse(item.line, primary.url, "url")]
    others = [l for l in links if l is not primary]
    _place_links(candidate, others, item.line, uses)
    return candidate, uses


def _strip_emoji(text: str) -> str:
    kept = [c for c in text if not unicodedata.category(c).startswith("S") and c not in "\u200d\ufe0f"]
    return " ".join("".join(kept).split())


def _candidate(item: Item, primary: Link, label: str | None, rest: list[Piece], lines: list[str],
               matcher: TaxonomyMatcher, heading_match) -> Candidate:
    # Markdown and <a href> links carry their title as link text; autolinks and bare URLs
    # show the URL itself, so only a `Name:` label can title them.
    title = primary.text if primary.kind in ("markdown", "html") or item.form == "table-row" else (label or "")
    title = " ".join(title.split())
    arxiv = None
    arxiv_in_title = _ARXIV_IN_TITLE.match(title)
    if arxiv_in_title:
        arxiv = arxiv_in_title.group("id")
        title = title[arxiv_in_title.end():]
    book = _BOOK_MARKS.match(title)
    if book:
        title = book.group("t").strip()
    title, title_notes = clean_title(title)
    badges = [image.badge() for image in [p for p in rest if isinstance(p, Image)] + list(primary.images)]
    badges = [b for b in badges if b]
    authors: list[str] = []
    guesses: list[str] = list(title_notes)
    # luban-agi's form: "[Title - Organisation](url)" with badges and no description.
    rest_text = plain_text([p for p in rest if isinstance(p, (Text, Link))])
    if badges and not rest_text and " - " in title:
        title, org = title.rsplit(" - ", 1)
        authors += [a for a in (s.strip() for s in _AUTHOR_SPLIT.split(org)) if a]
    by = _BY.match(rest_text)
    description = rest_text
    if by:
        authors += [a for a in (s.strip() for s in _AUTHOR_SPLIT.split(re.sub(r"\bet al\.?", "", by.group("who")))) if a]
        description = rest_text[by.end():]
    description = _SEPARATOR.sub("", description, count=1).strip()
    authors = [a for a in (" ".join(strip_invisible(a).split()) for a in authors) if a]
    too_long = [a for a in authors if len(a) > NAME_MAX]
    if too_long:
        authors = [a for a in authors if len(a) <= NAME_MAX]
        guesses.append(f"{len(too_long)} author text(s) longer than {NAME_MAX} characters were left out")
    title_from_url = not title or len(title) < TITLE_LIMITS[0]
    if title_from_url:
        title = title_from_url_text(primary.url)

    section_headings = [h for h in item.headings if h]
    section = clip(strip_invisible(" > ".join(section_headings)), SOURCE_SECTION_MAX)
    types: list[str] = []
    modalities: list[str] = []
    topics: list[str] = []
    for heading in section_headings:
        match = heading_match(heading)
        types += match.types
        modalities += match.modalities
        topics += match.topics
    level = None
    badge_type = None
    for badge_label, message in badges:
        match = matcher.badge(badge_label, message)
        level = level or (match.levels[0] if match.levels else None)
        badge_type = badge_type or (match.types[0] if match.types else None)

    url = primary.url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    arxiv_url = _ARXIV_URL.match(parts.path) if host in ("arxiv.org", "www.arxiv.org") else None
    if arxiv_url:
        arxiv = arxiv_url.group("id")
    by_host = host_type(url)
    if badge_type == "video" and by_host == "course":
        badge_type = None  # a course taught in videos is a course; the badge names its medium
    entry_type = badge_type or (types[-1] if types else None) or by_host
    if entry_type and not badge_type and not types:
        guesses.append(f"type `{entry_type}` guessed from the URL")
    year = None
    if arxiv:
        year = 2000 + int(arxiv[:2])  # new-style ids start with YYMM (arXiv identifier scheme, 2007-)
        if entry_type not in ("paper", "survey"):
            entry_type = entry_type if badge_type else "paper"
    languages = [guess_language(title, url)]
    guesses.append(f"languages `{languages[0]}` guessed from the title's script and the host")
    open_source = True if _OPENSOURCE.search(rest_text) or any(
        isinstance(p, Link) and _OPENSOURCE.search(p.text) for p in rest) else None

    note = _source_text(lines, item)
    return Candidate(
        line=item.line, form=item.form, title=title, url=url, section=section, type=entry_type,
        modalities=list(dict.fromkeys(modalities)), topics=list(dict.fromkeys(topics)), level=level,
        languages=languages, open_source=open_source, authors=list(dict.fromkeys(authors)), year=year,
        arxiv=arxiv, note=note, title_from_url=title_from_url, guesses=guesses,
    )


def _place_links(candidate: Candidate, links: list[Link], line: int, uses: list[LinkUse]) -> None:
    """Give each extra link a ``links.<kind>`` slot if its kind is known and the slot is free."""
    primary_key = canonical_url(candidate.url)
    for link in links:
        if canonical_url(link.url) == primary_key:
            uses.append(LinkUse(line, link.url, "url"))
            continue
        kind = _text_kind(link.text) or _host_kind(link.url)
        if kind and kind not in candidate.links and not unstorable_url(link.url):
            candidate.links[kind] = link.url
            uses.append(LinkUse(line, link.url, f"links.{kind}"))
        else:
            candidate.unplaced.append(link.url)
            uses.append(LinkUse(line, link.url, "unplaced"))


def _text_kind(text: str) -> str | None:
    for pattern, kind in _LINK_TEXT_KINDS:
        if pattern.search(text or ""):
            return kind
    return None


def _host_rule(url: str, rules: tuple[tuple[str, str, str], ...]) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for suffix, path_prefix, value in rules:
        if (host == suffix or host.endswith("." + suffix)) and parts.path.startswith(path_prefix or ""):
            return value
    return None


def _host_kind(url: str) -> str | None:
    return _host_rule(url, _LINK_HOST_KINDS)


def host_type(url: str) -> str | None:
    """The type :data:`HOST_TYPES` guesses for ``url``, or ``None``."""
    return _host_rule(url, HOST_TYPES)


def guess_language(title: str, url: str) -> str:
    """``zh`` when the title is mostly Chinese (a Chinese character weighs as three Latin
    letters, about one word each) or the host serves Chinese content; else ``en``."""
    host = (urlsplit(url).hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in CHINESE_HOSTS):
        return "zh"
    cjk = len(_CJK_CHAR.findall(title))
    latin = len(_LATIN_CHAR.findall(title))
    return "zh" if cjk and 3 * cjk >= latin else "en"


def title_from_url_text(url: str) -> str:
    """A stand-in title for a bare URL: ``owner/repo`` on GitHub, ``arXiv:<id>`` for arXiv,
    else the host and the last path segment."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host in ("github.com", "huggingface.co") and len(segments) >= 2:
        return f"{segments[0]}/{segments[1]}"
    match = _ARXIV_URL.match(parts.path) if host == "arxiv.org" else None
    if match:
        return f"arXiv:{match.group('id')}"
    return f"{host}/{segments[-1]}" if segments else host


def _source_text(lines: list[str], item: Item) -> str:
    """The list's own text of the item: its source lines (and nested notes), indentation
    removed, tabs expanded, characters the project's YAML reader refuses
    (:func:`~aigc_resources.yamlio.strip_invisible`) made spaces, cut to :data:`~aigc_resources.schema.SOURCE_NOTE_MAX`."""
    chunk = [line.expandtabs(4).rstrip() for line in lines[item.line - 1:item.end_line]]
    chunk += [f"  {note}" for note in item.notes]
    chunk = [strip_invisible(line, " ") for line in chunk]
    indent = min((len(l) - len(l.lstrip()) for l in chunk if l.strip()), default=0)
    text = "\n".join(l[indent:] for l in chunk).strip("\n")
    if len(text) > SOURCE_NOTE_MAX:
        text = text[: SOURCE_NOTE_MAX - 1] + "…"
    return text


# -- stage 2: plan ------------------------------------------------------------------------------

def slugify(text: str, *, max_length: int = 60) -> str:
    """Lower-case kebab-case slug of the ASCII letters and digits of ``text``, cut at a word
    boundary to at most ``max_length`` characters; ``""`` when nothing ASCII is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug or (words[0][:max_length] if words else "")


def draft_id(candidate: Candidate) -> str:
    """The id a draft gets before collisions are resolved: from the title, else from the URL."""
    slug = slugify(candidate.title)
    if len(slug) < 3 or candidate.title_from_url:
        slug = slugify(title_from_url_text(candidate.url).replace("/", " ")) or slug
    return slug if len(slug) >= 2 else "imported-item"


def plan_import(lists: list[ListImport], *, catalog_urls: dict[str, str], catalog_ids: set[str],
                existing_drafts: dict[str, str], taken_paths: set[str],
                skipped_files: list[tuple[str, str]] | None = None) -> ImportPlan:
    """Decide the drafts of an import run.

    ``catalog_urls`` maps canonical URLs of the catalog (``url`` and ``links.*``) to
    ``"<id> (<field>)"``; ``catalog_ids`` are the catalog's ids; ``existing_drafts`` maps
    canonical URLs of drafts already in the output folder to their paths, and ``taken_paths``
    holds those paths (relative to the output folder), which are never reused.
    """
    drafts: list[Draft] = []
    duplicates: list[Duplicate] = []
    by_url: dict[str, Draft] = {}
    used_ids = set(catalog_ids) | {Path(p).stem for p in taken_paths}
    for imported in lists:
        for candidate in imported.candidates:
            key = canonical_url(candidate.url)
            if key in catalog_urls:
                duplicates.append(Duplicate(imported.name, candidate.line, candidate.title, candidate.url, "catalog",
                                            catalog_urls[key]))
                continue
            if key in existing_drafts:
                duplicates.append(Duplicate(imported.name, candidate.line, candidate.title, candidate.url, "drafts",
                                            existing_drafts[key]))
                continue
            if key in by_url:
                earlier = by_url[key]
                duplicates.append(Duplicate(imported.name, candidate.line, candidate.title, candidate.url, "import",
                                            f"{earlier.file}:{earlier.candidate.line}"))
                _merge(earlier.candidate, candidate, f"{imported.name}:{candidate.line}")
                continue
            base = draft_id(candidate)
            entry_id, number = base, 1
            while entry_id in used_ids:
                number += 1
                suffix = f"-{number}"
                entry_id = base[: 80 - len(suffix)] + suffix
            used_ids.add(entry_id)
            folder = candidate.type or "untyped"
            draft = Draft(candidate, entry_id, imported.name, f"{folder}/{entry_id}.yaml")
            drafts.append(draft)
            by_url[key] = draft
    return ImportPlan(lists, drafts, duplicates, list(skipped_files or []))


def _merge(into: Candidate, other: Candidate, where: str) -> None:
    """A resource listed twice keeps the first item's facts and gains the other's subjects."""
    into.modalities = list(dict.fromkeys(into.modalities + other.modalities))
    into.topics = list(dict.fromkeys(into.topics + other.topics))
    into.level = into.level or other.level
    into.open_source = into.open_source or other.open_source
    for kind, url in other.links.items():
        into.links.setdefault(kind, url)
    into.merged_from.append(where)


def today() -> dt.date:
    """Today's date in UTC (the ``added`` date of new drafts)."""
    return dt.datetime.now(dt.timezone.utc).date()
