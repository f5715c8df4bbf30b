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

import contextlib
import datetime as dt
import functools
import gc
import multiprocessing
import os
import re
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .diagnostics import Diagnostic, Severity, make, sort_key
from .errors import CatalogNotFound, UserError
from .learning import load_concepts, load_paths
from .rules import EntryRef, check_cross, check_entry, check_taxonomy
from .schema import Concept, LearningPath, Resource, Taxonomy
from .validation import did_you_mean, validate_document
from .yamlio import LoadedDocument, load_yaml

ENTRY_SUFFIX = ".yaml"
#: Suffixes read as entries (``.yml`` is read, and reported as a wrong name, so its content is
#: checked in the same run); other files under ``resources/`` are only reported.
YAML_SUFFIXES = (".yaml", ".yml")
_FILE_STEM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Names Windows reserves for devices: a file so named cannot be checked out there.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                              *(f"lpt{i}" for i in range(1, 10))})
#: What a catalog folder may hold: the taxonomy, the entries, the coverage goals
#: (``aigc-resources stats``), learning paths and concept pages (read by their own loader).
#: Anything else would be silently ignored, so it is reported.
CATALOG_LAYOUT = frozenset({"taxonomy.yaml", "resources", "coverage.yaml", "paths", "concepts"})
#: The members of :data:`CATALOG_LAYOUT` that are folders (the others are files).
LAYOUT_FOLDERS = frozenset({"resources", "paths", "concepts"})
#: Catalogs with at least this many entry files are read and checked in a process pool, one
#: process per usable CPU; below it, forking and pickling cost more than they save (measured
#: on 2 CPUs: the pool is slower at 400 and 1,000 entries, ~13% faster at 2,000).
PARALLEL_MIN_FILES = 1500
#: Most entry files per task sent to a worker (contiguous runs of the sorted file list);
#: smaller catalogs are cut into four tasks per worker, so the workers finish together.
PARALLEL_CHUNK = 200


@dataclass(frozen=True)
class Entry:
    """A valid entry with where it came from: ``path`` on disk, ``doc`` with its values and
    node positions (its text and scalar records are dropped once checked:
    :meth:`LoadedDocument.drop_sources`)."""

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
    entries: int  # entry files read (every file under resources/)
    valid: int  # entries with no error, the ones in ``catalog``

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity is severity)

    def failed(self, strict: bool = False) -> bool:
        """True when any diagnostic fails the run under the given policy."""
        return any(d.severity.fails(strict) for d in self.diagnostics) or self.catalog is None

    def restricted_to(self, files: list[Path], root: Path) -> ValidationReport:
        """The same report keeping only the diagnostics located in ``files`` (the files a commit
        changes), plus every error of ``taxonomy.yaml``: a broken taxonomy fails every entry,
        so it is never hidden. The whole catalog was loaded, so duplicates and ``related`` ids
        are still judged against all entries. ``files`` counts the given files and ``entries``
        those under ``<root>/resources/`` (a learning path is not an entry).

        Raises:
            UserError: a file is not inside the catalog folder ``root``, so nothing checked it
                (reporting "OK" for it would pass a file no rule has seen).
        """
        resources = (Path(root) / "resources").resolve()
        wanted = {Path(f).resolve() for f in files}
        outside = sorted(str(f) for f in files if not Path(f).resolve().is_relative_to(Path(root).resolve()))
        if outside:
            raise UserError(f"{', '.join(outside)}: not in the catalog folder {root}, so not checked; "
                            "pass --catalog DIR for the catalog that holds it")
        kept = [d for d in self.diagnostics
                if Path(d.path).resolve() in wanted
                or (d.severity is Severity.ERROR and Path(d.path).name == "taxonomy.yaml")]
        valid = sum(1 for e in self.catalog.entries if e.path.resolve() in wanted) if self.catalog else 0
        entries = sum(1 for f in wanted if f.is_relative_to(resources))
        return ValidationReport(self.catalog, kept, len(wanted), entries, valid)

    def summary(self) -> str:
        """One line: files, entries, errors and warnings."""
        errors, warnings = self.count(Severity.ERROR), self.count(Severity.WARNING)
        invalid = self.entries - self.valid
        entries = f"{self.entries} entries" + (f" ({invalid} invalid)" if invalid else "")
        return (f"{self.files} files, {entries}, {errors} error{'s' * (errors != 1)}, "
                f"{warnings} warning{'s' * (warnings != 1)}")


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it, else absolute."""
    text = os.fspath(path) if isinstance(path, Path) else str(Path(path))  # normalised, as Path gives it
    parent, name = os.path.split(text)  # string operations: called once per entry file
    folder = _display_folder(parent or ".", os.getcwd())
    return text if folder is None else os.path.join(folder, name) if folder else name


@functools.lru_cache(maxsize=1024)
def _display_folder(folder: str, cwd: str) -> str | None:
    """``folder`` relative to ``cwd`` (``""`` for ``cwd`` itself), or ``None`` to keep the path
    as given (outside ``cwd``, or on another drive). Cached: every entry of a folder shares it."""
    try:
        rel = os.path.relpath(folder, cwd)
    except ValueError:
        return None
    if rel.startswith(".."):
        return None
    return "" if rel == "." else rel


def entry_files(root: Path) -> Iterator[Path]:
    """Every file under ``<root>/resources/`` (hidden files skipped), in sorted order.

    Symbolic links, to files or to folders, are included (and refused when read: a linked
    folder is not followed), so a link cannot hide an entry."""
    resources = root / "resources"
    if not resources.is_dir() or resources.is_symlink():
        return
    found: list[Path] = []
    for folder, dirs, files in os.walk(resources):  # symlinked folders are listed in dirs, not followed
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [Path(folder, name) for name in files if not name.startswith(".")]
        found += [Path(folder, name) for name in dirs if Path(folder, name).is_symlink()]
    yield from sorted(found)


def misplaced_files(root: Path) -> list[Diagnostic]:
    """``E-FILE-PLACE`` for every file in the catalog folder outside :data:`CATALOG_LAYOUT`
    (a misspelt ``resourses/`` folder, an entry left at the top): the loader would skip them."""
    out = []
    stray: list[Path] = []
    for child in sorted(root.iterdir()):
        if child.name in CATALOG_LAYOUT:
            problem = _layout_problem(child)
            if problem:
                out.append(make("E-FILE-PLACE", display_path(child), message=problem,
                                hint=f"make `{child.name}` a {'folder' if child.name in LAYOUT_FOLDERS else 'file'} "
                                     "of the catalog itself, not a link, or remove it"))
            continue
        if child.name.startswith("."):
            continue
        stray += sorted(p for p in child.rglob("*") if not p.is_dir()) if child.is_dir() else [child]
    for path in stray:
        rel = path.relative_to(root)
        if _hidden(rel):
            continue
        guess = did_you_mean(rel.parts[0], [p for p in CATALOG_LAYOUT if "." not in p]) if len(rel.parts) > 1 else None
        hint = (f"did you mean `{guess}/`? Move the file to `{root.name}/{guess}/{'/'.join(rel.parts[1:])}`"
                if guess else None)
        out.append(make("E-FILE-PLACE", display_path(path), message=f"`{rel.as_posix()}` is not read as part of the catalog",
                        hint=hint))
    return out


def _layout_problem(child: Path) -> str | None:
    """Why a member of :data:`CATALOG_LAYOUT` would not be read as the catalog expects (a file
    where a folder belongs, a folder where a file belongs, a link), or ``None``. The loaders
    would otherwise skip it silently: no entries, no coverage goals."""
    folder = child.name in LAYOUT_FOLDERS
    if child.is_symlink():
        return f"`{child.name}` is a symbolic link; the catalog does not follow links"
    if folder and not child.is_dir():
        return f"`{child.name}` is a file, but it must be a folder; nothing in it is read"
    if not folder and not child.is_file():
        return f"`{child.name}` is {'a folder' if child.is_dir() else 'not a regular file'}, but it must be a file; it is not read"
    return None


def _hidden(rel: Path) -> bool:
    return any(part.startswith(".") for part in rel.parts)


def file_name_problem(path: Path) -> str | None:
    """Why ``path`` is not a good entry file name (``<slug>.yaml``, not a Windows device name)."""
    if path.suffix != ENTRY_SUFFIX or not _FILE_STEM.match(path.stem):
        return f"`{path.name}` is not `<slug>.yaml`"
    if path.stem in WINDOWS_RESERVED:
        return f"`{path.name}` is a device name on Windows, where the file cannot be checked out"
    return None


def load_taxonomy(root: Path) -> tuple[Taxonomy | None, LoadedDocument]:
    """Load and check ``<root>/taxonomy.yaml``.

    Raises:
        CatalogNotFound: the folder or the taxonomy file does not exist.
    """
    if not root.is_dir():
        raise CatalogNotFound(f"catalog folder not found: {root} (pass --catalog DIR)")
    path = root / "taxonomy.yaml"
    if not path.is_file():
        what = ("is a symbolic link to a missing file" if path.is_symlink()
                else "is a folder, not a file" if path.is_dir()
                else "is not a regular file" if path.exists() else "not found")
        near = [c for c in (root / "catalog", root.parent, root.parent.parent) if (c / "taxonomy.yaml").is_file()]
        hint = f" (did you mean --catalog {display_path(near[0] / 'taxonomy.yaml').removesuffix('taxonomy.yaml') or '.'}?)" \
            if near and what == "not found" else ""
        raise CatalogNotFound(f"{display_path(path)} {what}: a catalog needs a taxonomy.yaml file{hint}")
    doc = load_yaml(path, display_path=display_path(path))
    taxonomy = validate_document(Taxonomy, doc)
    if taxonomy is not None:
        check_taxonomy(taxonomy, doc)
        if any(d.severity is Severity.ERROR for d in doc.diagnostics):
            taxonomy = None
    return taxonomy, doc


def load_entry(path: Path, taxonomy: Taxonomy | None, *, today: dt.date,
               allow_private_hosts: bool = False) -> tuple[Resource | None, LoadedDocument]:
    """Load, validate and rule-check one entry file. Never raises on bad content.

    A file that is not YAML by its suffix (``notes.txt``, ``x.yaml.orig``) is reported by name
    and not read."""
    if path.is_symlink():  # a linked file or folder: read_text reports it, nothing is followed
        return None, load_yaml(path, display_path=display_path(path))
    if path.suffix not in YAML_SUFFIXES:
        doc = LoadedDocument(path=display_path(path))
        doc.diagnostics.append(make("E-FILE-NAME", doc.path, message=f"`{path.name}` is not `<slug>.yaml`",
                                    hint="only `.yaml` entry files belong under `resources/`; remove or rename it"))
        return None, doc
    doc = load_yaml(path, display_path=display_path(path))
    problem = file_name_problem(path)
    if problem:
        doc.diagnostics.append(make("E-FILE-NAME", doc.path, message=problem))
    resource = validate_document(Resource, doc)
    check_entry(doc, path, taxonomy, today=today, allow_private_hosts=allow_private_hosts)
    if any(d.severity is Severity.ERROR for d in doc.diagnostics):
        resource = None
    return resource, doc


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def load_catalog(root: Path | str, *, today: dt.date | None = None, workers: int | None = None,
                 allow_private_hosts: bool = False) -> ValidationReport:
    """Load and validate the whole catalog under ``root``.

    ``today`` is the date for the "``added`` not in the future" rule (default: today, UTC).
    ``workers`` is the number of processes that read and check entry files: ``None`` uses one
    per usable CPU for catalogs of :data:`PARALLEL_MIN_FILES` files or more, ``1`` checks
    serially. The report is the same either way, diagnostic for diagnostic (see
    :func:`_load_entries`). ``allow_private_hosts`` lifts ``E-URL-PRIVATE-HOST`` for catalogs
    that are never published (``check-links --allow-private`` on test servers); ``validate``,
    ``build`` and the exports never set it.

    Raises:
        CatalogNotFound: ``root`` or its taxonomy file does not exist (a usage error).
    """
    root = Path(root)
    today = today or dt.datetime.now(dt.timezone.utc).date()
    with gc_paused():
        return _load_catalog(root, today, workers, allow_private_hosts)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk load, then restore it as it was.

    Loading keeps every document (values, positions, diagnostics) alive until the run ends:
    about 140 container objects per entry, so the collector's full passes, triggered by
    allocation counts, walk an ever larger heap for nothing (nothing loaded is garbage).
    Reference counting still frees everything that is not in a cycle; cycles made meanwhile
    are collected by the collector's next full pass. Measured at 10,000 entries: ~15% of the
    CPU time of ``load_catalog``."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                # Move what the load made to the oldest generation without scanning it: the
                # first young collection would otherwise walk all of it at once (0.3-0.5 s at
                # 10,000 entries), to find nothing. Nothing stays frozen (leak-free: garbage
                # among it is found by the next full collection); skipped when the program
                # froze objects of its own, which unfreeze would release.
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _load_catalog(root: Path, today: dt.date, workers: int | None, allow_private_hosts: bool) -> ValidationReport:
    taxonomy, taxonomy_doc = load_taxonomy(root)
    diagnostics = list(taxonomy_doc.diagnostics) + misplaced_files(root)

    entries: list[Entry] = []
    refs: list[EntryRef] = []
    unread: set[str] = set()  # stems of entry files whose id could not be read
    files = 1
    for path, (resource, doc) in _load_entries(list(entry_files(root)), taxonomy, today, workers, allow_private_hosts):
        files += 1
        diagnostics += doc.diagnostics
        if isinstance(doc.data, dict) and isinstance(doc.data.get("id"), str):
            refs.append(EntryRef(doc.data["id"], doc))
        else:
            unread.add(path.stem)
        if resource is not None:
            entries.append(Entry(resource, path, doc))

    cross = check_cross(refs, taxonomy, taxonomy_doc if taxonomy else None, frozenset(unread))
    diagnostics += cross
    failed_paths = {d.path for d in cross if d.severity is Severity.ERROR}
    entries = [e for e in entries if e.doc.path not in failed_paths]
    entry_count = files - 1

    concepts, concept_diagnostics, concept_files = load_concepts(
        root, taxonomy, taxonomy_doc if taxonomy else None, display_path=display_path)
    paths, path_diagnostics, path_files = load_paths(root, taxonomy, [ref.id for ref in refs] + sorted(unread),
                                                     display_path=display_path)
    diagnostics += concept_diagnostics + path_diagnostics
    files += concept_files + path_files

    catalog = Catalog(root, taxonomy, entries, concepts, paths) if taxonomy is not None else None
    if catalog is not None:
        from .stats import coverage_diagnostics  # the coverage goals of <root>/coverage.yaml

        diagnostics += coverage_diagnostics(catalog)
    diagnostics.sort(key=sort_key)
    return ValidationReport(catalog, diagnostics, files, entry_count, len(entries))


def _load_entries(paths: list[Path], taxonomy: Taxonomy | None, today: dt.date,
                  workers: int | None, allow_private_hosts: bool = False) -> Iterator[tuple[Path, tuple[Resource | None, LoadedDocument]]]:
    """:func:`load_entry` for each of ``paths``, yielded in the order of ``paths``.

    With ``workers`` > 1 the files are split into contiguous chunks, all submitted to a pool of
    ``workers - 1`` forked processes; this process works too, taking chunks from the end of
    the list as long as no worker has started them (a chunk it takes is cancelled in the
    pool), so its own results need no pickling. Results are put back in chunk order, so the
    caller sees exactly the sequence the serial loop gives, and the report (sorted stably
    after) is the same, byte for byte. The pool is used only where ``fork`` exists and this
    process runs a single thread (forking a threaded process can deadlock); otherwise, or when
    the pool cannot start or a worker dies, the files are checked serially."""
    if workers is None:
        workers = usable_cpus() if len(paths) >= PARALLEL_MIN_FILES else 1
    workers = max(1, min(workers, len(paths)))
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        size = max(1, min(PARALLEL_CHUNK, -(-len(paths) // (4 * workers))))
        chunks = [paths[i:i + size] for i in range(0, len(paths), size)]
        try:
            with ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_init_worker, initargs=(taxonomy, today, allow_private_hosts)) as pool:
                futures = [pool.submit(_check_chunk, chunk) for chunk in chunks]
                own: dict[int, list[tuple[Resource | None, LoadedDocument]]] = {}
                for index in range(len(chunks) - 1, -1, -1):
                    if not futures[index].cancel():  # a worker has it already: the rest are theirs
                        break
                    own[index] = [_checked(path, taxonomy, today, allow_private_hosts) for path in chunks[index]]
                results = [result for index in range(len(chunks))
                           for result in (own[index] if index in own else futures[index].result())]
        except (BrokenProcessPool, OSError):
            results = None
        if results is not None:
            yield from zip(paths, results)
            return
    for path in paths:
        yield path, _checked(path, taxonomy, today, allow_private_hosts)


#: What every worker of the pool checks against: (taxonomy, today, allow_private_hosts), set
#: once when it starts.
_WORKER_CONTEXT: tuple[Taxonomy | None, dt.date, bool] | None = None


def _init_worker(taxonomy: Taxonomy | None, today: dt.date, allow_private_hosts: bool) -> None:
    global _WORKER_CONTEXT
    _WORKER_CONTEXT = (taxonomy, today, allow_private_hosts)


def _check_chunk(paths: list[Path]) -> list[tuple[Resource | None, LoadedDocument]]:
    """A worker's task: :func:`load_entry` for each path, in order."""
    assert _WORKER_CONTEXT is not None, "_init_worker sets the context"
    taxonomy, today, allow_private_hosts = _WORKER_CONTEXT
    with gc_paused():
        return [_checked(path, taxonomy, today, allow_private_hosts) for path in paths]


def _checked(path: Path, taxonomy: Taxonomy | None, today: dt.date,
             allow_private_hosts: bool = False) -> tuple[Resource | None, LoadedDocument]:
    """:func:`load_entry`, then the document's sources dropped: the cross-entry rules and the
    catalog need only its values and positions (:meth:`LoadedDocument.drop_sources`)."""
    resource, doc = load_entry(path, taxonomy, today=today, allow_private_hosts=allow_private_hosts)
    doc.drop_sources()
    return resource, doc
