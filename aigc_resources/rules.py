"""Catalog rules beyond the schema: per entry (taxonomy values, URLs, text) and across entries.

Per-entry rules read the raw YAML data, not the validated model, so an entry with a missing
field still gets every other problem reported in the same run. Each rule reports through
:meth:`LoadedDocument.report`, which puts the file, line, column and field on the diagnostic.
Codes and hints come from :data:`aigc_resources.diagnostics.RULES`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import RULES, Diagnostic, make
from .schema import ENTRY_SCHEMA_COMMENT, LANGUAGE_PATTERN, Resource, Taxonomy, taxonomy_fields
from .urls import arxiv_id_of_url, arxiv_id_problem, canonical_url, private_host_problem, url_problems
from .validation import did_you_mean
from .yamlio import LINE_BREAK, LoadedDocument, Loc, format_loc

#: Types whose entries must give a year.
DATED_TYPES = frozenset({"paper", "survey"})
#: Earliest plausible publication year (the oldest works we cite are from the 1940s-1970s).
MIN_YEAR = 1900
#: Taxonomy axes referenced by entry fields: field -> (axis, is a list); declared in the schema.
TAXONOMY_FIELDS: dict[str, tuple[str, bool]] = taxonomy_fields(Resource)
#: Minimum number of entries a topic should have (borrowed from awesome-selfhosted's linter).
MIN_TOPIC_ENTRIES = 3
#: Text fields shown on the site: plain titles, and descriptions that may use inline Markdown.
TITLE_FIELDS = ("title", "title_zh")
DESCRIPTION_FIELDS = ("description", "description_zh")
#: List fields whose values must be distinct (taxonomy lists have their own code).
DISTINCT_LISTS = ("languages", "authors", "related")
#: Share of Han characters above which an English description is taken to be Chinese.
MAX_HAN_SHARE_EN = 0.3
#: Marker the importer puts in the text fields a person must write (``aigc_resources.importers``);
#: any text holding it fails with ``E-TEXT-PLACEHOLDER``, so no draft can be published unedited.
PLACEHOLDER_MARK = "TODO(import)"

# Raw HTML as CommonMark §6.6 defines it: open and closing tags, comments, processing
# instructions, declarations and CDATA. `a < b` is not a tag; `<https://...>` is an autolink.
_HTML = re.compile(
    r"<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>|<!--|<\?|<![A-Za-z]|<!\[CDATA\[")
_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
# Inline links and images as the site's renderer reads them (render/text.py), and autolinks.
_LINK = re.compile(r"(?P<image>!?)\[(?P<label>[^\]]*)\]\((?P<target>[^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(?P<target>[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_REF_LINK = re.compile(r"\[[^\]]+\]\[[^\]]*\]")
# Block-level Markdown at the start of a source line (CommonMark §4-5): ATX headings, list
# items (inside a paragraph only "1." may start an ordered list), block quotes, fences,
# table rows, thematic breaks, setext underlines and link reference definitions.
_BLOCK = re.compile(
    r"^[ \t]*(?:(?P<heading>#{1,6}(?:[ \t]|$))|(?P<item>[-*+][ \t]+\S)|(?P<numbered>1[.)][ \t]+\S)|(?P<quote>>)"
    r"|(?P<code>```|~~~)|(?P<table>\|)|(?P<rule>(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}|=+[ \t]*)$)"
    r"|(?P<definition>\[[^\]]+\]:))", re.M)
_BLOCK_NAMES = {"heading": "a heading", "item": "a list item", "numbered": "a numbered list item",
                "quote": "a block quote", "code": "a code block", "table": "a table row",
                "rule": "a rule or heading underline", "definition": "a link reference definition"}
_FIRST_LINE_ORDERED = re.compile(r"[ \t]*\d{1,9}[.)][ \t]+\S")
_NON_SPACE = re.compile(r"\S")
_BLANK_LINE = re.compile(r"\n[ \t]*\n(?=\s*\S)")
_OTHER_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_OTHER_BREAK = re.compile("[\r\x85\u2028\u2029]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff]")
_LETTER = re.compile(r"[^\W\d_]")


#: Slugs that cannot name a page: MkDocs turns `<folder>/index.md` into the folder's own page,
#: so an entry, path or taxonomy value called `index` would replace its hub and every link to
#: `<folder>/index/` would be broken.
RESERVED_SLUGS = frozenset({"index"})


def check_reserved_slug(doc: LoadedDocument, loc: Loc, value: object) -> None:
    """``E-ID-SLUG`` when ``value`` (an id that names a page) is one of :data:`RESERVED_SLUGS`."""
    if isinstance(value, str) and value in RESERVED_SLUGS and loc not in doc.reported:
        doc.report("E-ID-SLUG", loc, message=f"`{value}` is reserved: its page would replace the folder's index page",
                   hint=f"choose a more specific id, such as `{value}-of-...`")


def check_entry(doc: LoadedDocument, path: Path, taxonomy: Taxonomy | None, *, today: dt.date,
                allow_private_hosts: bool = False) -> None:
    """Check one entry's raw data against the rules that need its path or the taxonomy.

    ``path`` is the entry file; its stem must equal ``id`` and its folder the ``type``.
    ``allow_private_hosts`` lifts ``E-URL-PRIVATE-HOST`` (URLs on loopback, private networks,
    special-use names): only for catalogs that are never published, such as the link checker's
    own test catalogs under ``check-links --allow-private``; ``validate`` and ``build`` never
    set it. Diagnostics are appended to ``doc``.
    """
    data = doc.data
    if not isinstance(data, dict):
        return
    _check_schema_comment(doc)
    entry_id = data.get("id")
    check_reserved_slug(doc, ("id",), entry_id)
    if isinstance(entry_id, str) and entry_id != path.stem and ("id",) not in doc.reported:
        doc.report("E-ID-MISMATCH", ("id",), message=f"id `{entry_id}` differs from the file name `{path.name}`",
                   hint=f"rename the file to `{entry_id}.yaml` or set `id: {path.stem}`")
    if taxonomy is not None:
        for field, (axis, many) in TAXONOMY_FIELDS.items():
            _check_terms(doc, field, data.get(field), taxonomy, axis, many)
    entry_type = data.get("type")
    if isinstance(entry_type, str) and entry_type != path.parent.name and ("type",) not in doc.reported:
        doc.report("E-TYPE-FOLDER", ("type",), message=f"type `{entry_type}` but the file is in `{path.parent.name}/`",
                   hint=f"move the file to `resources/{entry_type}/` or fix `type`")
    if not data.get("topics") and ("topics",) not in doc.reported:
        doc.report("W-NO-TOPIC", ("topics",))
    for field in DISTINCT_LISTS:
        _check_distinct(doc, field, data.get(field))

    year = data.get("year")
    if isinstance(entry_type, str) and entry_type in DATED_TYPES and year is None and ("year",) not in doc.reported:
        doc.report("E-PAPER-YEAR", (), message=f"a {entry_type} must give `year`")
    if isinstance(year, int) and not isinstance(year, bool) and not MIN_YEAR <= year <= today.year + 1:
        doc.report("E-YEAR-RANGE", ("year",), message=f"{year} is not between {MIN_YEAR} and {today.year + 1}")
    added = data.get("added")
    # `today` is the UTC date; a contributor east of UTC (Beijing is UTC+8) may already be a day
    # ahead, and `new` writes their local date: only a date after today in every time zone
    # (UTC+14 is at most one day ahead) is in the future.
    latest = today + dt.timedelta(days=1)
    if isinstance(added, dt.date) and added > latest:
        doc.report("E-ADDED-FUTURE", ("added",),
                   message=f"{added.isoformat()} is in the future: after {latest.isoformat()}, today's date in every time zone")

    urls = _urls(data)
    for loc, url in urls:
        if loc in doc.reported:
            continue
        problems = url_problems(url)
        for code, message in problems:
            doc.report(code, loc, message=message)
        private = None if problems or allow_private_hosts else private_host_problem(url)
        if private:
            doc.report("E-URL-PRIVATE-HOST", loc, message=private)
    _check_arxiv(doc, data.get("arxiv"), urls, today)

    for field in TITLE_FIELDS + DESCRIPTION_FIELDS:
        text = data.get(field)
        if isinstance(text, str) and (field,) not in doc.reported:
            _check_text(doc, (field,), text, markdown=field in DESCRIPTION_FIELDS, one_line=field in TITLE_FIELDS,
                        allow_private_hosts=allow_private_hosts)
    authors = data.get("authors")
    if isinstance(authors, list):
        for index, name in enumerate(authors):
            if isinstance(name, str):
                _check_text(doc, ("authors", index), name, markdown=False, one_line=True)
    _check_languages(doc, data)
    _check_language_codes(doc, data.get("languages"))

    if "source_note" in data:
        doc.report("E-SOURCE-NOTE", ("source_note",), at_key=True,
                   message="`source_note` holds the imported list's own text and is not published")
    if data.get("description_zh") is None and ("description_zh",) not in doc.reported:
        doc.report("W-MISSING-ZH", (), message="no `description_zh`")
    related = data.get("related")
    if isinstance(related, list) and entry_id in related:
        doc.report("E-RELATED-SELF", ("related", related.index(entry_id)))


def _check_schema_comment(doc: LoadedDocument) -> None:
    """The entry's leading comment lines must include :data:`ENTRY_SCHEMA_COMMENT`."""
    if doc.text.startswith(ENTRY_SCHEMA_COMMENT) and doc.text[len(ENTRY_SCHEMA_COMMENT):][:1] in ("\n", "\r"):
        return
    prefix = ENTRY_SCHEMA_COMMENT.split("$schema=")[0]
    for line in LINE_BREAK.split(doc.text):
        if not line.startswith("#"):
            break
        if line.rstrip() == ENTRY_SCHEMA_COMMENT:
            return
        if line.startswith(prefix):
            doc.diagnostics.append(make("W-SCHEMA-COMMENT", doc.path, 1, 1,
                                        message=f"the schema comment points at `{line[len(prefix):].strip()}`"))
            return
    doc.diagnostics.append(make("W-SCHEMA-COMMENT", doc.path, 1, 1))


def _check_terms(doc: LoadedDocument, field: str, value: Any, taxonomy: Taxonomy, axis: str, many: bool) -> None:
    known = taxonomy.axis(axis)
    values = value if many and isinstance(value, list) else [value] if not many else []
    seen: set[str] = set()
    for index, item in enumerate(values):
        loc: Loc = (field, index) if many else (field,)
        if not isinstance(item, str) or loc in doc.reported or (field,) in doc.reported:
            continue
        if item in seen:
            doc.report("E-TAXONOMY-DUPLICATE", loc, message=f"`{item}` is listed twice in `{field}`")
            continue
        seen.add(item)
        if item not in known:
            guess = did_you_mean(item, list(known)) or _alias_match(item, known)
            hint = f"did you mean `{guess}`?" if guess else f"see `{axis}` in taxonomy.yaml for the allowed values"
            doc.report("E-TAXONOMY-UNKNOWN", loc, message=f"`{item}` is not one of the taxonomy's {axis}", hint=hint)


def _check_distinct(doc: LoadedDocument, field: str, values: Any) -> None:
    if not isinstance(values, list) or (field,) in doc.reported:
        return
    first: dict[Any, int] = {}
    for index, item in enumerate(values):
        if not isinstance(item, str) or (field, index) in doc.reported:
            continue
        key = item.strip().casefold()
        if key in first:
            line = doc.locate((field, first[key]))[0]
            doc.report("E-LIST-DUPLICATE", (field, index),
                       message=f"`{item}` is already listed in `{field}` (line {line})")
        else:
            first[key] = index


def _alias_match(value: str, known: dict[str, Any]) -> str | None:
    wanted = value.replace("-", " ").lower()
    for term_id, term in known.items():
        if wanted in (alias.lower() for alias in term.aliases):
            return term_id
    return None


def _urls(data: dict[str, Any]) -> list[tuple[Loc, str]]:
    urls: list[tuple[Loc, str]] = []
    if isinstance(data.get("url"), str):
        urls.append((("url",), data["url"]))
    links = data.get("links")
    if isinstance(links, dict):
        urls += [(("links", kind), value) for kind, value in links.items() if isinstance(value, str)]
    return urls


def _check_arxiv(doc: LoadedDocument, arxiv: Any, urls: list[tuple[Loc, str]], today: dt.date) -> None:
    """``arxiv`` is a real identifier (dates and digit counts), naming the paper the URLs name."""
    if not isinstance(arxiv, str) or ("arxiv",) in doc.reported:
        return
    problem = arxiv_id_problem(arxiv, today.year)
    if problem:
        doc.report("E-ARXIV-FORM", ("arxiv",), message=problem)
        return
    bare = re.sub(r"v\d+$", "", arxiv).lower()
    for loc, url in urls:
        named = arxiv_id_of_url(url) if loc not in doc.reported else None
        if named is not None and named != bare:
            line = doc.locate(loc)[0]
            doc.report("E-ARXIV-MISMATCH", ("arxiv",),
                       message=f"`arxiv` is {arxiv} but `{'.'.join(map(str, loc))}` (line {line}) links to arXiv {named}")
            return


def _check_text(doc: LoadedDocument, loc: Loc, text: str, *, markdown: bool, one_line: bool = False,
                allow_private_hosts: bool = False) -> None:
    """Text shown on the site: no raw HTML or template syntax; descriptions may hold inline
    Markdown only, and their links must be absolute http(s) URLs on public hosts (unless
    ``allow_private_hosts``, see :func:`check_entry`); ``one_line`` texts (titles,
    names, authors: headings, links and BibTeX fields) hold no line break. Each problem points
    at the line and column where it starts."""
    if PLACEHOLDER_MARK in text:
        doc.report("E-TEXT-PLACEHOLDER", loc, message=f"`{loc[-1]}` is still the importer's placeholder")
        return
    if one_line and "\n" in text.strip():
        doc.report("E-TEXT-LINE-BREAK", loc, message=f"`{format_loc(loc)}` has {text.strip().count(chr(10)) + 1} lines",
                   hint="write it on one line: a block scalar (`|`, `|-`) or a `\\n` escape keeps its line breaks")
    found = _HTML.search(text)
    if found:
        doc.report("E-TEXT-HTML", loc, at_text=found.group(0), message=f"raw HTML {found.group(0)!r} in the text")
    found = _TEMPLATE.search(text)
    if found:
        doc.report("E-TEXT-TEMPLATE", loc, at_text=found.group(0), message=f"template syntax {found.group(0)!r} in the text")
    if not markdown:
        return
    block = _block_markdown(doc, loc)
    if block:
        index, what = block
        line, column = doc.position_of(index)
        doc.diagnostics.append(make("E-TEXT-BLOCK-MARKDOWN", doc.path, line, column, field=format_loc(loc),
                                    message=f"{what} in a description"))
    for match in _LINK.finditer(text):
        target = match["target"]
        if match["image"]:
            doc.report("E-TEXT-IMAGE", loc, at_text=match.group(0), message=f"image {match.group(0)!r}")
            continue
        problems = url_problems(target) if target else [("E-URL-INVALID", "the link has no target")]
        private = None if problems or allow_private_hosts else private_host_problem(target)
        if private:
            doc.report("E-TEXT-LINK", loc, at_text=f"]({target}", skip=2, message=f"link [{match['label']}]({target}): {private}",
                       hint=RULES["E-URL-PRIVATE-HOST"].hint)
        elif problems:
            doc.report("E-TEXT-LINK", loc, at_text=f"]({target}", skip=2, message=f"link [{match['label']}]({target}): {problems[0][1]}")
    for match in _AUTOLINK.finditer(text):
        if _HTML.match(text, match.start()):
            continue
        doc.report("E-TEXT-LINK", loc, at_text=match.group(0), message=f"autolink {match.group(0)} is not supported",
                   hint=f"write it as [label]({match['target']})")
    for match in _REF_LINK.finditer(text):
        doc.report("E-TEXT-LINK", loc, at_text=match.group(0), message=f"reference-style link {match.group(0)!r}",
                   hint="write the link inline: [label](https://...)")


def _block_markdown(doc: LoadedDocument, loc: Loc) -> tuple[int, str] | None:
    """The first block-level Markdown construct in the source lines of the scalar at ``loc``,
    as (character index in the file, what it is); ``None`` when there is none.

    The source is read rather than the value because YAML folds the lines of ``>`` and plain
    scalars: a list written line by line would otherwise pass as one run-on paragraph. Inside
    a paragraph only ``1.`` starts a numbered list (CommonMark §5.2); on the first line any
    number does."""
    span = doc.spans.get(tuple(loc))
    if span is None:
        return None
    start, end = span
    # One "\n" per line break, offsets unchanged (the "\r" of "\r\n" becomes a space).
    work = doc.text[start:end]
    if _OTHER_BREAK.search(work):  # rare; str.translate walks the text char by char even when it has none
        work = work.replace("\r\n", " \n").translate(_OTHER_BREAKS)
    if work[:1] in ("|", ">"):
        first = work.find("\n") + 1  # after the indicator line (`>-`, `|`)
        if first == 0:
            return None
    else:
        first = 0
        if work[:1] in ("'", '"'):
            work = " " + work[1:]
    content = _NON_SPACE.search(work, first)
    if content is None:
        return None
    first_line = work.rfind("\n", 0, content.start()) + 1  # the first line with text
    found: list[tuple[int, str]] = []
    match = _BLOCK.search(work, first_line)
    if match:
        kind = match.lastgroup or "item"
        found.append((match.start(kind), _BLOCK_NAMES[kind]))
    ordered = _FIRST_LINE_ORDERED.match(work, first_line)
    if ordered:
        found.append((ordered.end() - len(ordered.group().lstrip(" \t")), "a numbered list item"))
    blank = _BLANK_LINE.search(work, first_line)
    if blank:
        found.append((blank.start() + 1, "a blank line (a second paragraph)"))
    if not found:
        return None
    offset, what = min(found)
    return start + offset, what


#: Country codes often written where a language code belongs (`cn` is China, `zh` Chinese).
#: Consulted only for codes that name no language (`se` and `uk` are languages, for example).
COUNTRY_NOT_LANGUAGE = {"cn": "zh", "ch": "zh", "tw": "zh", "hk": "zh", "jp": "ja", "kr": "ko", "gr": "el",
                        "dk": "da", "ua": "uk", "cz": "cs", "us": "en", "gb": "en"}


@functools.lru_cache(maxsize=256)
def _known_language(primary: str) -> bool:
    """Whether ``primary`` (the first subtag of a BCP 47 tag) is a language CLDR knows, by
    Babel's locale data (ISO 639-1/-3 codes with locale data: `en`, `zh`, `yue`...)."""
    from babel import localedata

    return localedata.exists(primary)


def _check_language_codes(doc: LoadedDocument, languages: Any) -> None:
    """Each well-formed tag of ``languages`` names a real language: `cn`, `jp` or `xx` have the
    shape of a code but name none (the schema checks only the shape)."""
    if not isinstance(languages, list) or ("languages",) in doc.reported:
        return
    for index, tag in enumerate(languages):
        loc: Loc = ("languages", index)
        if not isinstance(tag, str) or loc in doc.reported or not re.fullmatch(LANGUAGE_PATTERN, tag):
            continue
        primary = tag.split("-")[0]
        if not _known_language(primary):
            guess = COUNTRY_NOT_LANGUAGE.get(primary)
            doc.report("E-FIELD-VALUE", loc, message=f"`{tag}` is not a language code"
                       + (f" (`{primary}` is a country)" if guess else ""),
                       hint=f"did you mean `{guess}`?" if guess else "use an ISO 639 language code such as `en` or `zh`")


def _check_languages(doc: LoadedDocument, data: dict[str, Any]) -> None:
    """``description_zh`` is Chinese (has Han characters); ``description`` is not mostly Chinese."""
    zh = data.get("description_zh")
    if isinstance(zh, str) and ("description_zh",) not in doc.reported and not _HAN.search(zh):
        doc.report("E-TEXT-LANGUAGE", ("description_zh",), message="`description_zh` has no Chinese characters")
    en = data.get("description")
    if isinstance(en, str) and ("description",) not in doc.reported and _HAN.search(en):
        letters = _LETTER.findall(en)
        han = len(_HAN.findall(en))
        if letters and han / len(letters) > MAX_HAN_SHARE_EN:
            doc.report("E-TEXT-LANGUAGE", ("description",),
                       message=f"`description` is mostly Chinese ({han} of {len(letters)} letters)",
                       hint="write the English description in `description` and the Chinese one in `description_zh`")


@dataclass(frozen=True)
class EntryRef:
    """Where an entry lives, for cross-entry rules: its id, file, and loaded document."""

    id: str
    doc: LoadedDocument


def check_cross(entries: list[EntryRef], taxonomy: Taxonomy | None, taxonomy_doc: LoadedDocument | None,
                unread: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Rules across entries: unique ids, unique canonical URLs, ``related`` resolves, topic sizes.

    ``unread`` holds the file stems of entries whose id could not be read (a syntax error, an
    empty file): they already have their own error, so a ``related`` naming one is not also
    reported as unknown in every entry that links to it.

    A duplicate is reported at every place it occurs, each diagnostic naming the other places'
    file and line, so a contributor sees both locations whichever file they open.
    """
    out: list[Diagnostic] = []
    by_id: dict[str, list[EntryRef]] = defaultdict(list)
    for ref in entries:
        by_id[ref.id].append(ref)
    for entry_id, refs in by_id.items():
        if len(refs) > 1:
            out += _at_every_place("E-ID-DUPLICATE", "id", [(r, ("id",)) for r in refs],
                                   lambda other, line: f"id `{entry_id}` is also used by {other.doc.path}:{line}")

    by_url: dict[str, list[tuple[EntryRef, str]]] = defaultdict(list)
    for ref in entries:
        url = ref.doc.data.get("url") if isinstance(ref.doc.data, dict) else None
        if isinstance(url, str) and not url_problems(url):
            by_url[canonical_url(url)].append((ref, url))
    for same in by_url.values():
        if len(same) > 1:
            urls = {id(ref): url for ref, url in same}
            out += _at_every_place("E-URL-DUPLICATE", "url", [(r, ("url",)) for r, _ in same],
                                   lambda other, line: f"the same resource as {urls[id(other)]} in {other.doc.path}:{line} (entry `{other.id}`)")
    first_by_id = {ref.id: ref for ref in entries}

    ids = set(first_by_id)
    resolvable = ids | unread
    # "did you mean" compares an unknown id with every id (difflib, ~1 ms per 1,000 ids): one
    # sorted list for all, and one look-up per distinct unknown id, which is typically an
    # entry renamed or removed while many others still name it.
    ordered_ids, guesses = sorted(ids), {}
    usage: dict[str, dict[str, int]] = {axis: defaultdict(int) for axis, _ in TAXONOMY_FIELDS.values()}
    for ref in entries:
        data = ref.doc.data if isinstance(ref.doc.data, dict) else {}
        related = data.get("related")
        if isinstance(related, list):
            for index, other in enumerate(related):
                if isinstance(other, str) and other != ref.id and other not in resolvable:
                    if other not in guesses:
                        guesses[other] = did_you_mean(other, ordered_ids)
                    guess = guesses[other]
                    line, column = ref.doc.locate(("related", index))
                    out.append(make("E-RELATED-UNKNOWN", ref.doc.path, line, column, field=f"related[{index}]",
                                    message=f"no entry has the id `{other}`",
                                    hint=f"did you mean `{guess}`?" if guess else None))
        for field, (axis, many) in TAXONOMY_FIELDS.items():
            value = data.get(field)
            # Only text can name a value; a list or mapping written in its place is reported
            # by the schema (and is unhashable: it must not reach the set).
            for term in {t for t in (value if many and isinstance(value, list) else [value]) if isinstance(t, str)}:
                usage[axis][term] += 1

    if taxonomy is not None and taxonomy_doc is not None:
        out += _usage_warnings(taxonomy, taxonomy_doc, usage)
    return out


def _usage_warnings(taxonomy: Taxonomy, doc: LoadedDocument, usage: dict[str, dict[str, int]]) -> list[Diagnostic]:
    """Thin topics (fewer than :data:`MIN_TOPIC_ENTRIES` entries), unused types, modalities and
    levels, and topic groups without topics: each shows as an empty or near-empty page."""
    out = []
    for axis, counts in usage.items():
        for index, term in enumerate(getattr(taxonomy, axis)):
            count = counts.get(term.id, 0)
            line, column = doc.locate((axis, index, "id"))
            if axis == "topics" and count < MIN_TOPIC_ENTRIES:
                out.append(make("W-THIN-TOPIC", doc.path, line, column, field=f"topics[{index}]",
                                message=f"topic `{term.id}` has {count} entr{'y' if count == 1 else 'ies'}; "
                                        f"at least {MIN_TOPIC_ENTRIES} are expected"))
            elif axis != "topics" and count == 0:
                out.append(make("W-UNUSED-VALUE", doc.path, line, column, field=f"{axis}[{index}]",
                                message=f"no entry uses `{term.id}` of `{axis}`"))
    grouped = {topic.group for topic in taxonomy.topics}
    for index, group in enumerate(taxonomy.topic_groups):
        if group.id not in grouped:
            line, column = doc.locate(("topic_groups", index, "id"))
            out.append(make("W-UNUSED-VALUE", doc.path, line, column, field=f"topic_groups[{index}]",
                            message=f"no topic is in the group `{group.id}`"))
    return out


def _at_every_place(code: str, field: str, places: list[tuple[EntryRef, Loc]], describe) -> list[Diagnostic]:
    """One diagnostic at each place of a duplicate group, each naming the other places."""
    out = []
    for ref, loc in places:
        line, column = ref.doc.locate(loc)
        others = []
        for other, other_loc in places:
            if other is not ref:
                others.append(describe(other, other.doc.locate(other_loc)[0]))
        out.append(make(code, ref.doc.path, line, column, field=field, message="; ".join(others)))
    return out


def check_taxonomy(taxonomy: Taxonomy, doc: LoadedDocument) -> None:
    """Internal consistency of the taxonomy: unique ids per axis, parents exist and form no
    cycle, groups exist, no alias names two values of one axis, and the texts are safe."""
    for axis in Taxonomy.AXES:
        terms = getattr(taxonomy, axis)
        seen: set[str] = set()
        for index, term in enumerate(terms):
            check_reserved_slug(doc, (axis, index, "id"), term.id)
            if term.id in seen:
                doc.report("E-TAXONOMY-INVALID", (axis, index, "id"), message=f"`{term.id}` appears twice in `{axis}`")
            seen.add(term.id)
        parents = {term.id: term.parent for term in terms}
        for index, term in enumerate(terms):
            if term.parent is None:
                continue
            if term.parent not in seen or term.parent == term.id:
                doc.report("E-TAXONOMY-INVALID", (axis, index, "parent"),
                           message=f"parent `{term.parent}` is not another value of `{axis}`")
                continue
            chain, current = [term.id], term.parent
            while current is not None and current not in chain:
                chain.append(current)
                current = parents.get(current)
            if current is not None:
                doc.report("E-TAXONOMY-INVALID", (axis, index, "parent"),
                           message=f"parents form a cycle: {' -> '.join(chain + [current])}")
        # An alias that spells another value's id ("survey" as an alias of `paper`) is as
        # ambiguous as one alias on two values: the importer would read it as either.
        owners: dict[str, str] = {}
        for term in terms:
            owners.setdefault(term.id.casefold(), term.id)
            owners.setdefault(term.id.replace("-", " ").casefold(), term.id)
        for index, term in enumerate(terms):
            for number, alias in enumerate(term.aliases):
                key = alias.casefold()
                if key in owners and owners[key] != term.id:
                    what = "is the id of" if key in (owners[key].casefold(), owners[key].replace("-", " ").casefold()) \
                        else "also names"
                    doc.report("E-TAXONOMY-INVALID", (axis, index, "aliases", number),
                               message=f"alias `{alias}` {what} `{owners[key]}` in `{axis}`",
                               hint="an alias must name one value only; remove it from one of them")
                owners.setdefault(key, term.id)
            for field in ("name", "name_zh", "description", "description_zh"):
                _check_text(doc, (axis, index, field), getattr(term, field), markdown=False, one_line=True)
    groups = {g.id for g in taxonomy.topic_groups}
    for index, topic in enumerate(taxonomy.topics):
        if topic.group not in groups:
            guess = did_you_mean(topic.group, groups)
            doc.report("E-TAXONOMY-INVALID", ("topics", index, "group"), message=f"group `{topic.group}` is not in `topic_groups`",
                       hint=f"did you mean `{guess}`?" if guess else None)
