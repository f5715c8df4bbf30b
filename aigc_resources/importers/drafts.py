"""Write import drafts: one YAML file per resource, in the catalog's field order, never replacing
a file that exists.

A draft is an entry a person finishes. It carries what the importer could establish (title,
URL, typed links, type, modalities, topics, level from a badge, languages, authors, arXiv id
and year, ``open_source``), the placeholders :data:`DESCRIPTION_PLACEHOLDER` and
:data:`DESCRIPTION_ZH_PLACEHOLDER` that the validator refuses (``E-TEXT-PLACEHOLDER``), the
list's own text in ``source_note`` (refused in the catalog: ``E-SOURCE-NOTE``), and comments
saying what is left to do. Fields the importer cannot know (``access``, often ``level``) are
left out, so the validator reports them as missing until they are set.

Every draft's text is read back with the project's YAML reader and schema before it is
written (:func:`render_draft`), so a draft that would not load is a bug caught at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..fsutil import atomic_create
from ..rules import PLACEHOLDER_MARK
from ..schema import SOURCE_FILE_MAX, Resource
from ..validation import validate_document
from ..yamlio import LoadedDocument, load_yaml_text, show_invisible, strip_invisible
from .awesome import Draft, ImportPlan, clip, today

DESCRIPTION_PLACEHOLDER = (f"{PLACEHOLDER_MARK}: describe in your own words what this resource is "
                           "and why a learner would use it (40-400 characters).")
DESCRIPTION_ZH_PLACEHOLDER = f"{PLACEHOLDER_MARK}：用自己的话写中文简介：它是什么，适合谁学习（15-300 字）。"

_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n]*$")
_RISKY = re.compile(r":\s|:$|\s#|[\[\]{},]|\s$")
_YAML11_WORDS = {"yes", "no", "on", "off", "y", "n", "true", "false", "null", "~"}
_NUMBER_OR_DATE = re.compile(r"^[-+]?(\d[\d_.:eE+-]*|\.\d+|0x[0-9a-fA-F]+|\.inf|\.nan)$")


def scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as exactly this text: plain where safe,
    else double-quoted (JSON string syntax is a subset of YAML's double-quoted style)."""
    if (_PLAIN.match(value) and not _RISKY.search(value) and value.lower() not in _YAML11_WORDS
            and not _NUMBER_OR_DATE.match(value)):
        return value
    return json.dumps(value, ensure_ascii=False)


def flow_list(values: list[str]) -> str:
    """``[a, b]`` with each value quoted as :func:`scalar` does."""
    return "[" + ", ".join(scalar(v) for v in values) + "]"


def render_draft(draft: Draft, *, added: str) -> str:
    """The YAML text of one draft (see the module docstring).

    Raises:
        RuntimeError: the text does not read back as the intended values (a bug).
    """
    c = draft.candidate
    todo = [f"add `{name}`" for name in draft.missing]
    if c.title_from_url:
        todo.append("replace the title, made from the URL, with the resource's real title")
    lines = [
        f"# Draft imported by `aigc-resources import awesome` from {draft.file}:{c.line}.",
        "# Before it moves to catalog/resources/<type>/: check every fact against the resource,",
        "# write `description` and `description_zh` in your own words (never the list's text),",
        "# then delete `source_note`.",
    ]
    if todo:
        lines.append("# Also: " + "; ".join(todo) + ".")
    for note in c.guesses:
        lines.append(f"# Check: {note}.")
    if c.unplaced:
        lines.append("# Other links of the item (move them under `links:` or drop them):")
        lines += [f"#   {url}" for url in c.unplaced]
    for where in c.merged_from:
        lines.append(f"# Also listed at {where}; its topics and modalities were merged here.")
    lines = [show_invisible(line) for line in lines]  # comments quote the list's links as written
    lines += [f"id: {draft.id}", f"title: {scalar(c.title)}", f"url: {scalar(c.url)}"]
    if c.type:
        lines.append(f"type: {c.type}")
    if c.modalities:
        lines.append(f"modalities: {flow_list(c.modalities)}")
    lines.append(f"topics: {flow_list(c.topics)}")
    if c.level:
        lines.append(f"level: {c.level}")
    lines.append(f"languages: {flow_list(c.languages)}")
    if c.open_source is not None:
        lines.append(f"open_source: {'true' if c.open_source else 'false'}")
    if c.authors:
        lines.append(f"authors: {flow_list(c.authors)}")
    if c.year is not None:
        lines.append(f"year: {c.year}")
    if c.arxiv:
        lines.append(f"arxiv: {json.dumps(c.arxiv)}")
    if c.links:
        lines.append("links:")
        lines += [f"  {kind}: {scalar(url)}" for kind, url in sorted(c.links.items())]
    lines += [
        f"description: {scalar(DESCRIPTION_PLACEHOLDER)}",
        f"description_zh: {scalar(DESCRIPTION_ZH_PLACEHOLDER)}",
        f"added: {added}",
        "source:",
        f"  file: {scalar(clip(strip_invisible(draft.file), SOURCE_FILE_MAX))}",
        f"  line: {c.line}",
    ]
    if c.section:
        lines.append(f"  section: {scalar(c.section)}")
    if c.note:
        lines.append("source_note: |-")
        lines += [f"  {line}" if line else "" for line in c.note.split("\n")]
    text = "\n".join(lines) + "\n"
    _check_round_trip(text, draft, added)
    return text


def _check_round_trip(text: str, draft: Draft, added: str) -> None:
    doc = load_yaml_text(text, LoadedDocument(path=draft.relpath))
    data = doc.data if isinstance(doc.data, dict) else {}
    c = draft.candidate
    wanted = {"id": draft.id, "title": c.title, "url": c.url, "source_note": c.note or None}
    got = {key: data.get(key) for key in wanted}
    problems = [d.format() for d in doc.diagnostics]
    # The schema must accept everything the importer wrote; only fields left for a person
    # (missing ones) may fail.
    validate_document(Resource, doc)
    problems += [d.format() for d in doc.diagnostics if d.code != "E-FIELD-MISSING"
                 and not d.format() in problems]
    if got != wanted or problems:
        raise RuntimeError(f"draft {draft.relpath} does not read back: {got!r} != {wanted!r}; {problems}")


def create_new(target: Path, text: str) -> bool:
    """Write ``text`` to ``target`` only if no file is there, atomically
    (:func:`~aigc_resources.fsutil.atomic_create`). Returns ``False`` when ``target`` exists."""
    try:
        atomic_create(target, text.encode("utf-8"))
    except FileExistsError:
        return False
    return True


def write_drafts(plan: ImportPlan, out_dir: Path, *, added: str | None = None) -> ImportPlan:
    """Write every draft of ``plan`` under ``out_dir``; fill ``plan.written`` and
    ``plan.existing`` (paths relative to ``out_dir``). All texts are rendered (and checked)
    before the first file is written; a draft whose text does not read back (a bug) goes to
    ``plan.failed`` and is not written, and the others still are."""
    added = added or today().isoformat()
    texts = []
    for draft in plan.drafts:
        try:
            texts.append((draft, render_draft(draft, added=added)))
        except RuntimeError as exc:
            plan.failed.append((draft, str(exc)))
    for draft, text in texts:
        if create_new(out_dir / draft.relpath, text):
            plan.written.append(draft.relpath)
        else:
            plan.existing.append(draft.relpath)
    return plan
