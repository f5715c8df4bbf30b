"""Scaffold a new entry file: collect its values, write YAML that reads back exactly, check it
with the validator, and create the file atomically without ever replacing one.

Used by ``aigc-resources new``. The written text always round-trips: every value is written in
the plainest YAML form that our reader (:mod:`aigc_resources.yamlio`) reads back as the same
value with no diagnostic, else as a double-quoted (JSON) string, so a title such as ``1.10``
or ``no`` or one with ``: `` in it can never change on the way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import textwrap
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .catalog import display_path, entry_files, file_name_problem
from .diagnostics import Diagnostic, make, sort_key
from .errors import UserError
from .fsutil import atomic_create
from .pagemeta import PageMetadata
from .rules import DATED_TYPES, check_entry
from .schema import (DESCRIPTION_EN_LIMITS, DESCRIPTION_ZH_LIMITS, ENTRY_SCHEMA_COMMENT, SLUG_PATTERN,
                     Resource, Taxonomy)
from .urls import canonical_url, url_problems
from .validation import validate_document
from .yamlio import LoadedDocument, load_yaml, load_yaml_text

#: ``ask(label, default, choices) -> answer``: how missing values are asked for (a prompt).
Ask = Callable[[str, "str | None", "list[str] | None"], str]

#: Width at which descriptions are wrapped in the written file.
WRAP = 96
_ACCESS = ["free", "freemium", "paid"]


@dataclass
class Draft:
    """The values of a new entry as far as they are known (``None`` / empty: not yet)."""

    id: str | None = None
    title: str | None = None
    url: str | None = None
    type: str | None = None
    level: str | None = None
    topics: list[str] = field(default_factory=list)
    modalities: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    access: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    arxiv: str | None = None
    description: str | None = None
    description_zh: str | None = None
    #: Fields whose value was read from the page rather than given (a comment asks to rewrite).
    from_page: set[str] = field(default_factory=set)

    def filled_from(self, meta: PageMetadata) -> Draft:
        """A copy with empty values filled from a page's metadata (given values always win).

        A page's own description is the site's words, not ours: it is kept as a draft under a
        comment asking the contributor to rewrite it, and cut at a word boundary to fit."""
        new = dataclasses.replace(self, topics=list(self.topics), modalities=list(self.modalities),
                                  languages=list(self.languages), authors=list(self.authors), from_page=set(self.from_page))
        new.url = new.url or meta.url
        if not new.title and meta.title:
            new.title = meta.title
        if not new.description and meta.description:
            new.description = _fit(meta.description, DESCRIPTION_EN_LIMITS[1])
            new.from_page.add("description")
        if not new.authors and meta.authors:
            new.authors = meta.authors
        if new.year is None and meta.year:
            new.year = meta.year
        if not new.arxiv and meta.arxiv:
            new.arxiv = meta.arxiv
        if not new.type and meta.scholarly:
            new.type = "paper"
        return new


@dataclass
class CreateResult:
    """What :func:`create_entry` did: the path, the validator's diagnostics, whether it wrote."""

    path: Path
    text: str
    diagnostics: list[Diagnostic]
    written: bool

    @property
    def failed(self) -> bool:
        return any(d.severity.fails(False) for d in self.diagnostics)


def slugify(title: str) -> str:
    """A slug made from ``title``: ASCII-folded, lower case, words joined by ``-``, at most 80
    characters cut at a word boundary. ``""`` when nothing ASCII is left (a Chinese title)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > 80:
            break
        slug = candidate
    return slug


def _fit(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def complete(draft: Draft, taxonomy: Taxonomy, ask: Ask | None) -> Draft:
    """Fill the values a valid entry needs, asking ``ask`` for each missing one (re-asking
    until the answer is acceptable). Defaults: ``languages`` ``[en]``, ``access`` ``free``,
    ``id`` from the title.

    Raises:
        UserError: a required value is missing and ``ask`` is ``None`` (``--no-input``).
    """
    draft = dataclasses.replace(draft)
    types = [t.id for t in taxonomy.types]
    levels = [t.id for t in taxonomy.levels]
    topics = [t.id for t in taxonomy.topics]
    modalities = [t.id for t in taxonomy.modalities]
    missing: list[str] = []

    def need(name: str, label: str, default: str | None = None, choices: list[str] | None = None,
             check: Callable[[str], str | None] = lambda _: None) -> str | None:
        if ask is None:
            missing.append(f"--{name}")
            return default
        error = None
        while True:
            answer = ask(f"{label}" + (f" [{error}]" if error else ""), default, choices).strip()
            error = check(answer)
            if error is None:
                return answer

    def not_empty(value: str) -> str | None:
        return None if value else "required"

    if not draft.type:
        draft.type = need("type", "Type", "paper", types)
    if not draft.title:
        draft.title = need("title", "Title", check=not_empty)
    if not draft.url:
        draft.url = need("url", "URL", check=lambda v: url_problems(v)[0][1] if url_problems(v) else None)
    if not draft.id:
        draft.id = slugify(draft.title or "") or need(
            "id", "Id (lower-case-kebab-case)", check=lambda v: None if re.match(SLUG_PATTERN, v) else "use a-z, 0-9 and -")
    if not draft.level:
        draft.level = need("level", "Level", None, levels)
    if not draft.topics:
        answer = need("topic", f"Topics, comma-separated ({', '.join(topics[:8])}, ...)",
                      check=lambda v: _unknown(v, topics))
        draft.topics = _split(answer) if answer else []
    if not draft.modalities and ask is not None:
        answer = ask(f"Modalities, comma-separated, or empty ({', '.join(modalities)})", "", None)
        while _unknown(answer, modalities, allow_empty=True):
            answer = ask(f"Modalities [{_unknown(answer, modalities, allow_empty=True)}]", "", None)
        draft.modalities = _split(answer)
    if not draft.languages:
        draft.languages = ["en"]
    if not draft.access:
        draft.access = need("access", "Access", "free", _ACCESS) if ask is not None else "free"
    if draft.type in DATED_TYPES and draft.year is None:
        answer = need("year", "Year of first publication", check=lambda v: None if re.fullmatch(r"\d{4}", v) else "four digits")
        draft.year = int(answer) if answer else None
    if not draft.description:
        low, high = DESCRIPTION_EN_LIMITS
        draft.description = need("description", f"Description in English, your own words ({low}-{high} characters)",
                                 check=lambda v: None if low <= len(v) <= high else f"{len(v)} characters")
    if draft.description_zh is None and ask is not None:
        low, high = DESCRIPTION_ZH_LIMITS
        answer = ask(f"中文简介 Chinese description ({low}-{high} characters, empty to add later)", "", None).strip()
        while answer and not low <= len(answer) <= high:
            answer = ask(f"中文简介 [{len(answer)} characters]", "", None).strip()
        draft.description_zh = answer or None
    if missing:
        raise UserError(f"missing {', '.join(missing)} (give them as options, or leave out --no-input to be asked)")
    return draft


def _split(answer: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\s]+", answer) if part.strip()]


def _unknown(answer: str, known: list[str], allow_empty: bool = False) -> str | None:
    values = _split(answer)
    if not values and not allow_empty:
        return "give at least one"
    bad = [v for v in values if v not in known]
    return f"unknown: {', '.join(bad)}" if bad else None


# -- writing YAML that reads back exactly ------------------------------------------------------

def _reads_back(line: str, value: Any) -> bool:
    doc = load_yaml_text(f"{line}\n", LoadedDocument(path="<new>"))
    return not doc.diagnostics and isinstance(doc.data, dict) and doc.data.get("k") == value


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if text and _reads_back(f"k: {text}", text) else json.dumps(text, ensure_ascii=False)


def _flow_list(values: list[Any]) -> str:
    plain = "[" + ", ".join(str(v) for v in values) + "]"
    return plain if _reads_back(f"k: {plain}", values) else json.dumps(values, ensure_ascii=False)


def _block(text: str) -> str:
    """A long text as a folded block (``>-``) wrapped at :data:`WRAP`, when it reads back the
    same; else one double-quoted line. Lines are never broken between two CJK characters."""
    lines = textwrap.wrap(text, width=WRAP - 2, break_long_words=False, break_on_hyphens=False)
    block = ">-\n" + "\n".join(f"  {line}" for line in lines)
    if lines and _reads_back(f"k: {block}", text) and not any(re.match(r"\s*([-*+>#|]|\d+[.)])", l) for l in lines):
        return block
    return json.dumps(text, ensure_ascii=False)


def render_entry(draft: Draft, today: dt.date) -> str:
    """The YAML text of the entry, fields in the order of DESIGN §4, starting with the schema
    comment. Pure; the text reads back to exactly the values of ``draft``."""
    out = [ENTRY_SCHEMA_COMMENT]

    def put(key: str, text: str) -> None:
        out.append(f"{key}: {text}")

    put("id", _scalar(draft.id))
    put("title", _scalar(" ".join((draft.title or "").split())))
    put("url", _scalar(draft.url))
    put("type", _scalar(draft.type))
    put("modalities", _flow_list(draft.modalities))
    put("topics", _flow_list(draft.topics))
    put("level", _scalar(draft.level))
    put("languages", _flow_list(draft.languages))
    put("access", _scalar(draft.access))
    if draft.authors:
        put("authors", _flow_list(draft.authors))
    if draft.year is not None:
        put("year", _scalar(draft.year))
    if draft.arxiv:
        put("arxiv", json.dumps(draft.arxiv))
    for key in ("description", "description_zh"):
        value = getattr(draft, key)
        if value:
            if key in draft.from_page:
                out.append("# Taken from the page's own description: rewrite it in your own words.")
            put(key, _block(" ".join(value.split())))
    put("added", today.isoformat())
    return "\n".join(out) + "\n"


# -- checking and creating -----------------------------------------------------------------------

def check_new_entry(catalog_dir: Path, taxonomy: Taxonomy, path: Path, text: str, today: dt.date, *,
                    allow_private_hosts: bool = False) -> list[Diagnostic]:
    """Every diagnostic the validator would give ``text`` as the file ``path`` of the catalog,
    including ids and URLs already used by other entries (``allow_private_hosts``: see
    :func:`aigc_resources.rules.check_entry`). Nothing is written."""
    doc = load_yaml_text(text, LoadedDocument(path=display_path(path)))
    problem = file_name_problem(path)  # the same file-name rule as catalog.load_entry
    if problem:
        doc.report("E-FILE-NAME", ("id",), message=problem, hint="choose another --id")
    validate_document(Resource, doc)
    check_entry(doc, path, taxonomy, today=today, allow_private_hosts=allow_private_hosts)
    data = doc.data if isinstance(doc.data, dict) else {}
    new_id, new_url = data.get("id"), data.get("url")
    key = canonical_url(new_url) if isinstance(new_url, str) and not url_problems(new_url) else None
    for other in entry_files(catalog_dir):
        if other.stem == new_id:
            line, column = doc.locate(("id",))
            doc.diagnostics.append(make("E-ID-DUPLICATE", doc.path, line, column, field="id",
                                        message=f"id `{new_id}` is already used by {display_path(other)}"))
        if key is None:
            continue
        existing = load_yaml(other)
        url = existing.data.get("url") if isinstance(existing.data, dict) else None
        if isinstance(url, str) and not url_problems(url) and canonical_url(url) == key:
            line, column = doc.locate(("url",))
            doc.diagnostics.append(make("E-URL-DUPLICATE", doc.path, line, column, field="url",
                                        message=f"the same resource as {url} in {display_path(other)}"))
    return sorted(doc.diagnostics, key=sort_key)


def create_entry(catalog_dir: Path, taxonomy: Taxonomy, draft: Draft, *, today: dt.date,
                 ask: Ask | None = None, allow_private_hosts: bool = False) -> CreateResult:
    """Complete ``draft`` (asking ``ask`` for missing values), render it, check it, and create
    ``<catalog>/resources/<type>/<id>.yaml`` when it has no error. ``allow_private_hosts``
    admits URLs on loopback and private hosts (``new --allow-private-addresses``, tests only).

    Raises:
        UserError: a required value is missing without ``ask``, or the file already exists.
    """
    draft = complete(draft, taxonomy, ask)
    path = catalog_dir / "resources" / str(draft.type) / f"{draft.id}.yaml"
    if path.exists() or path.is_symlink():
        raise UserError(f"{display_path(path)} already exists; edit it, or choose another --id")
    text = render_entry(draft, today)
    diagnostics = check_new_entry(catalog_dir, taxonomy, path, text, today, allow_private_hosts=allow_private_hosts)
    result = CreateResult(path, text, diagnostics, written=False)
    if result.failed:
        return result
    try:
        atomic_create(path, text.encode("utf-8"))
    except FileExistsError:
        raise UserError(f"{display_path(path)} already exists; edit it, or choose another --id") from None
    result.written = True
    return result
