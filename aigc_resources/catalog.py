"""Load a whole catalog folder into a :class:`Catalog`, with every problem as a diagnostic.

Layout (DESIGN §2)::

    <catalog>/taxonomy.yaml
    <catalog>/resources/<type>/<id>.yaml
    <catalog>/concepts/<topic>.yaml      (see aigc_resources.learning)
    <catalog>/paths/<id>.yaml

:func:`load_catalog` never stops at the first bad file: it reads every file, validates every
entry, runs the cross-entry rules and returns a :class:`ValidationReport` holding the valid
entries and all diagnostics, sorted by file and line.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Severity, make, sort_key
from .errors import CatalogNotFound
from .learning import load_concepts, load_paths
from .rules import EntryRef, check_cross, check_entry, check_taxonomy
from .schema import Concept, LearningPath, Resource, Taxonomy
from .validation import validate_document
from .yamlio import LoadedDocument, load_yaml

ENTRY_SUFFIX = ".yaml"
_FILE_STEM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Entry:
    """A valid entry with where it came from: ``path`` on disk, ``doc`` with node positions."""

    resource: Resource
    path: Path
    doc: LoadedDocument = field(repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.resource.id

    def line_of(self, field_path: str) -> int:
        """1-based line of a field (``url``, ``links.code``) in the entry's file."""
        loc = tuple(field_path.split("."))
        return self.doc.locate(loc)[0]


@dataclass
class Catalog:
    """A loaded catalog: its taxonomy, its valid entries sorted by id, the concept explanations
    by topic id and the learning paths in site order."""

    root: Path
    taxonomy: Taxonomy
    entries: list[Entry]
    concepts: dict[str, Concept] = field(default_factory=dict)
    paths: list[LearningPath] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries.sort(key=lambda e: e.id)
        self._by_id = {e.id: e for e in self.entries}

    def get(self, entry_id: str) -> Entry | None:
        """The entry with ``entry_id``, or ``None``."""
        return self._by_id.get(entry_id)

    @property
    def resources(self) -> list[Resource]:
        return [e.resource for e in self.entries]


@dataclass
class ValidationReport:
    """What :func:`load_catalog` found: the catalog (if the taxonomy loaded) and all diagnostics."""

    catalog: Catalog | None
    diagnostics: list[Diagnostic]
    files: int
    entries: int

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def failed(self, strict: bool = False) -> bool:
        """True when any diagnostic fails the run under the given policy."""
        return any(d.severity.fails(strict) for d in self.diagnostics) or self.catalog is None

    def summary(self) -> str:
        """One line: files, entries, errors and warnings."""
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        return (f"{self.files} files, {self.entries} entries, {errors} error{'s' * (errors != 1)}, "
                f"{warnings} warning{'s' * (warnings != 1)}")


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def entry_files(root: Path) -> Iterator[Path]:
    """Every file under ``<root>/resources/`` (hidden files skipped), in sorted order."""
    resources = root / "resources"
    if not resources.is_dir():
        return
    for path in sorted(resources.rglob("*")):
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(resources).parts):
            yield path


def load_taxonomy(root: Path) -> tuple[Taxonomy | None, LoadedDocument]:
    """Load and check ``<root>/taxonomy.yaml``.

    Raises:
        CatalogNotFound: the folder or the taxonomy file does not exist.
    """
    if not root.is_dir():
        raise CatalogNotFound(f"catalog folder not found: {root} (pass --catalog DIR)")
    path = root / "taxonomy.yaml"
    if not path.is_file():
        raise CatalogNotFound(f"{display_path(path)} not found: a catalog needs a taxonomy.yaml")
    doc = load_yaml(path, display_path=display_path(path))
    taxonomy = validate_document(Taxonomy, doc)
    if taxonomy is not None:
        check_taxonomy(taxonomy, doc)
        if any(d.severity is Severity.ERROR for d in doc.diagnostics):
            taxonomy = None
    return taxonomy, doc


def load_entry(path: Path, taxonomy: Taxonomy | None, *, today: dt.date) -> tuple[Resource | None, LoadedDocument]:
    """Load, validate and rule-check one entry file. Never raises on bad content."""
    doc = load_yaml(path, display_path=display_path(path))
    if path.suffix != ENTRY_SUFFIX or not _FILE_STEM.match(path.stem):
        doc.diagnostics.append(make("E-FILE-NAME", doc.path, message=f"`{path.name}` is not `<slug>.yaml`"))
    resource = validate_document(Resource, doc)
    check_entry(doc, path, taxonomy, today=today)
    if any(d.severity is Severity.ERROR for d in doc.diagnostics):
        resource = None
    return resource, doc


def load_catalog(root: Path | str, *, today: dt.date | None = None) -> ValidationReport:
    """Load and validate the whole catalog under ``root``.

    ``today`` is the date for the "``added`` not in the future" rule (default: today, UTC).

    Raises:
        CatalogNotFound: ``root`` or its taxonomy file does not exist (a usage error).
    """
    root = Path(root)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    taxonomy, taxonomy_doc = load_taxonomy(root)
    diagnostics = list(taxonomy_doc.diagnostics)

    entries: list[Entry] = []
    refs: list[EntryRef] = []
    files = 1
    for path in entry_files(root):
        files += 1
        resource, doc = load_entry(path, taxonomy, today=today)
        diagnostics += doc.diagnostics
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            refs.append(EntryRef(doc.data["id"], doc))
        if resource is not None:
            entries.append(Entry(resource, path, doc))

    cross = check_cross(refs, taxonomy, taxonomy_doc if taxonomy else None)
    diagnostics += cross
    failed_paths = {d.path for d in cross if d.severity is Severity.ERROR}
    entries = [e for e in entries if e.doc.path not in failed_paths]

    concepts, concept_diagnostics, concept_files = load_concepts(
        root, taxonomy, taxonomy_doc if taxonomy else None, display_path=display_path)
    paths, path_diagnostics, path_files = load_paths(root, taxonomy, (ref.id for ref in refs), display_path=display_path)
    diagnostics += concept_diagnostics + path_diagnostics
    files += concept_files + path_files

    diagnostics.sort(key=sort_key)
    catalog = Catalog(root, taxonomy, entries, concepts, paths) if taxonomy is not None else None
    return ValidationReport(catalog, diagnostics, files, len(entries))
