"""Catalog rules beyond the schema: per entry (taxonomy values, URLs, text) and across entries.

Per-entry rules read the raw YAML data, not the validated model, so an entry with a missing
field still gets every other problem reported in the same run. Each rule reports through
:meth:`LoadedDocument.report`, which puts the file, line, column and field on the diagnostic.
Codes and hints come from :data:`aigc_resources.diagnostics.RULES`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, make
from .schema import Taxonomy
from .urls import canonical_url, url_problems
from .validation import did_you_mean
from .yamlio import LoadedDocument, Loc

#: Types whose entries must give a year.
DATED_TYPES = frozenset({"paper", "survey"})
#: Earliest plausible publication year (the oldest works we cite are from the 1940s-1970s).
MIN_YEAR = 1900
#: Taxonomy axes referenced by entry fields: field -> (axis, is a list).
TAXONOMY_FIELDS: dict[str, tuple[str, bool]] = {
    "type": ("types", False),
    "modalities": ("modalities", True),
    "topics": ("topics", True),
    "level": ("levels", False),
}
#: Minimum number of entries a topic should have (borrowed from awesome-selfhosted's linter).
MIN_TOPIC_ENTRIES = 3
TEXT_FIELDS = ("title", "title_zh", "description", "description_zh")
#: Marker the importer puts in the text fields a person must write (``aigc_resources.importers``);
#: any text holding it fails with ``E-TEXT-PLACEHOLDER``, so no draft can be published unedited.
PLACEHOLDER_MARK = "TODO(import)"

_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_BLOCK_MD = re.compile(r"(^|\n)\s*(#{1,6}\s|[-*+]\s|\d+[.)]\s|>|\||```|~~~)|\n\s*\n")


def check_entry(doc: LoadedDocument, path: Path, taxonomy: Taxonomy | None, *, today: dt.date) -> None:
    """Check one entry's raw data against the rules that need its path or the taxonomy.

    ``path`` is the entry file; its stem must equal ``id`` and its folder the ``type``.
    Diagnostics are appended to ``doc``.
    """
    data = doc.data
    if not isinstance(data, dict):
        return
    entry_id = data.get("id")
    if isinstance(entry_id, str) and entry_id != path.stem and ("id",) not in doc.reported:
        doc.report("E-ID-MISMATCH", ("id",), message=f"id `{entry_id}` differs from the file name `{path.name}`",
                   hint=f"rename the file to `{entry_id}.yaml` or set `id: {path.stem}`")
    entry_type = data.get("type")
    if isinstance(entry_type, str) and entry_type != path.parent.name:
        doc.report("E-TYPE-FOLDER", ("type",), message=f"type `{entry_type}` but the file is in `{path.parent.name}/`",
                   hint=f"move the file to `resources/{entry_type}/` or fix `type`")

    if taxonomy is not None:
        for field, (axis, many) in TAXONOMY_FIELDS.items():
            _check_terms(doc, field, data.get(field), taxonomy, axis, many)
    if not data.get("topics") and ("topics",) not in doc.reported:
        doc.report("W-NO-TOPIC", ("topics",))

    year = data.get("year")
    if entry_type in DATED_TYPES and year is None and ("year",) not in doc.reported:
        doc.report("E-PAPER-YEAR", (), message=f"a {entry_type} must give `year`")
    if isinstance(year, int) and not isinstance(year, bool) and not MIN_YEAR <= year <= today.year + 1:
        doc.report("E-YEAR-RANGE", ("year",), message=f"{year} is not between {MIN_YEAR} and {today.year + 1}")
    added = data.get("added")
    if isinstance(added, dt.date) and added > today:
        doc.report("E-ADDED-FUTURE", ("added",), message=f"{added.isoformat()} is after today ({today.isoformat()})")

    for loc, url in _urls(data):
        if loc in doc.reported:
            continue
        for code, message in url_problems(url):
            doc.report(code, loc, message=message)

    for field in TEXT_FIELDS:
        text = data.get(field)
        if isinstance(text, str) and (field,) not in doc.reported:
            _check_text(doc, (field,), text, allow_block=False)

    if "source_note" in data:
        doc.report("E-SOURCE-NOTE", ("source_note",), at_key=True,
                   message="`source_note` holds the imported list's own text and is not published")
    if "description_zh" not in data:
        doc.report("W-MISSING-ZH", (), message="no `description_zh`")
    related = data.get("related")
    if isinstance(related, list) and entry_id in related:
        doc.report("E-RELATED-SELF", ("related", related.index(entry_id)))


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


def _check_text(doc: LoadedDocument, loc: Loc, text: str, *, allow_block: bool) -> None:
    if PLACEHOLDER_MARK in text:
        doc.report("E-TEXT-PLACEHOLDER", loc, message=f"`{loc[-1]}` is still the importer's placeholder")
        return
    if _HTML.search(text):
        doc.report("E-TEXT-HTML", loc, message=f"raw HTML {_HTML.search(text).group(0)!r} in the text")
    if _TEMPLATE.search(text):
        doc.report("E-TEXT-TEMPLATE", loc, message=f"template syntax {_TEMPLATE.search(text).group(0)!r} in the text")
    if not allow_block and _BLOCK_MD.search(text.strip()):
        doc.report("E-TEXT-BLOCK-MARKDOWN", loc)


@dataclass(frozen=True)
class EntryRef:
    """Where an entry lives, for cross-entry rules: its id, file, and loaded document."""

    id: str
    doc: LoadedDocument


def check_cross(entries: list[EntryRef], taxonomy: Taxonomy | None, taxonomy_doc: LoadedDocument | None) -> list[Diagnostic]:
    """Rules across entries: unique ids, unique canonical URLs, ``related`` resolves, topic sizes.

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
    topic_counts: dict[str, int] = defaultdict(int)
    for ref in entries:
        data = ref.doc.data if isinstance(ref.doc.data, dict) else {}
        related = data.get("related")
        if isinstance(related, list):
            for index, other in enumerate(related):
                if isinstance(other, str) and other != ref.id and other not in ids:
                    guess = did_you_mean(other, ids)
                    line, column = ref.doc.locate(("related", index))
                    out.append(make("E-RELATED-UNKNOWN", ref.doc.path, line, column, field=f"related[{index}]",
                                    message=f"no entry has the id `{other}`",
                                    hint=f"did you mean `{guess}`?" if guess else None))
        topics = data.get("topics")
        if isinstance(topics, list):
            for topic in set(t for t in topics if isinstance(t, str)):
                topic_counts[topic] += 1

    if taxonomy is not None and taxonomy_doc is not None:
        for index, topic in enumerate(taxonomy.topics):
            count = topic_counts.get(topic.id, 0)
            if count < MIN_TOPIC_ENTRIES:
                line, column = taxonomy_doc.locate(("topics", index, "id"))
                out.append(make("W-THIN-TOPIC", taxonomy_doc.path, line, column, field=f"topics[{index}]",
                                message=f"topic `{topic.id}` has {count} entr{'y' if count == 1 else 'ies'}; at least {MIN_TOPIC_ENTRIES} are expected"))
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
    """Internal consistency of the taxonomy: unique ids per axis, parents and groups exist."""
    for axis in Taxonomy.AXES:
        terms = getattr(taxonomy, axis)
        seen: set[str] = set()
        for index, term in enumerate(terms):
            if term.id in seen:
                doc.report("E-TAXONOMY-INVALID", (axis, index, "id"), message=f"`{term.id}` appears twice in `{axis}`")
            seen.add(term.id)
        for index, term in enumerate(terms):
            if term.parent is not None and (term.parent not in seen or term.parent == term.id):
                doc.report("E-TAXONOMY-INVALID", (axis, index, "parent"),
                           message=f"parent `{term.parent}` is not another value of `{axis}`")
    groups = {g.id for g in taxonomy.topic_groups}
    for index, topic in enumerate(taxonomy.topics):
        if topic.group not in groups:
            guess = did_you_mean(topic.group, groups)
            doc.report("E-TAXONOMY-INVALID", ("topics", index, "group"), message=f"group `{topic.group}` is not in `topic_groups`",
                       hint=f"did you mean `{guess}`?" if guess else None)
