"""Build the site: validate -> render both languages -> write the generated docs -> MkDocs --strict.

The English site is built from ``mkdocs.yml`` into ``site/`` and the Chinese one from
``mkdocs.zh.yml`` into ``site/zh/``. With more than one CPU each language is rendered and built
in its own worker process, both at once (rendering and MkDocs are single-threaded, and the two
languages double their work).
Everything is built into temporary folders beside ``site/`` and swapped in only when both
languages succeed, so a failed build never leaves a half-written site. The same
:func:`generate` serves the optional MkDocs hook (``mkdocs serve`` with live reload).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import pickle
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere builds are not locked against each other
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from ..catalog import Catalog, ValidationReport, load_catalog, usable_cpus
from ..errors import BuildError, UserError
from .extras import SiteExtras, portable
from .site import render_site, site_nav
from .writer import WriteResult, write_pages

#: Where the generated Markdown goes, relative to the project root (git-ignored).
GENERATED_DIR = Path("docs/_generated")
#: The MkDocs configuration of each language, relative to the project root, and the language's
#: folder inside the built site ("" = the root).
CONFIG_FILES = {"en": Path("mkdocs.yml"), "zh": Path("mkdocs.zh.yml")}
SITE_SUBDIRS = {"en": "", "zh": "zh"}
#: The MkDocs configuration of the English site (kept for callers of the first version).
CONFIG_FILE = CONFIG_FILES["en"]
LANGUAGES = tuple(CONFIG_FILES)
#: The hook that lets pages written as HTML skip Python-Markdown (the only hook a build uses).
PRERENDERED_HOOK = str(Path(__file__).with_name("prerendered.py"))


@dataclass
class BuildResult:
    """What a build produced: the site folder, page counts and timings in seconds.

    ``seconds_render`` covers rendering and writing the Markdown (of every language one after
    the other, or of the slowest language when they are built in parallel workers);
    ``seconds_mkdocs`` is the rest of the build's wall time (the MkDocs builds and the swap);
    ``seconds_render_each`` and ``seconds_mkdocs_each`` are each language's own times, and
    ``cpu_workers`` the CPU seconds of each language's worker process (when there were workers).
    """

    site_dir: Path
    pages: int
    entries: int
    write: WriteResult
    seconds_render: float
    seconds_mkdocs: float
    seconds_mkdocs_each: dict[str, float] = field(default_factory=dict)
    languages: tuple[str, ...] = LANGUAGES
    seconds_render_each: dict[str, float] = field(default_factory=dict)
    cpu_workers: dict[str, float] = field(default_factory=dict)


def generated_docs_dir(project_root: Path, lang: str = "en") -> Path:
    """The folder MkDocs reads for ``lang``: ``<root>/docs/_generated/<lang>``."""
    return project_root / GENERATED_DIR / lang


def generate(catalog: Catalog, docs_dir: Path, *, lang: str = "en",
             extras: SiteExtras | None = None) -> tuple[dict[str, str], WriteResult]:
    """Render the catalog for ``lang`` and write the pages into ``docs_dir`` (write-if-changed)."""
    pages = render_site(catalog, lang=lang, extras=extras)
    return pages, write_pages(pages, docs_dir)


class InvalidCatalog(BuildError):
    """The catalog has errors, so no site is built; ``report`` holds every diagnostic."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"the catalog is invalid ({report.summary()}); run `aigc-resources validate` for details")
        self.report = report


def require_valid(catalog_dir: Path) -> tuple[Catalog, ValidationReport]:
    """Load the catalog; refuse to build when any entry is invalid.

    Raises:
        InvalidCatalog: the catalog has errors (their count is in the message, the diagnostics
            in its ``report``).
        CatalogNotFound: the catalog folder or taxonomy is missing.
    """
    report = load_catalog(catalog_dir)
    if report.failed(strict=False) or report.catalog is None:
        raise InvalidCatalog(report)
    return report.catalog, report


class _CollectWarnings(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def mkdocs_build(config_file: str, docs_dir: str, site_dir: str, nav: list[Any]) -> tuple[bool, list[str], float]:
    """Run one ``mkdocs build --strict`` in this process: ``(succeeded, warnings, seconds)``.

    A top-level function taking plain values, so it can run in a worker process.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    started = time.perf_counter()
    collector = _CollectWarnings()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    try:
        config = load_config(config_file, docs_dir=docs_dir, site_dir=site_dir, nav=nav, hooks=[PRERENDERED_HOOK],
                             strict=True)
        build(config)
        return True, collector.messages, time.perf_counter() - started
    except (MkDocsException, SystemExit) as exc:
        return False, collector.messages or [str(exc)], time.perf_counter() - started
    finally:
        logger.removeHandler(collector)


def _parallel_jobs(jobs: int | None, languages: int) -> int:
    if jobs is None:
        jobs = usable_cpus()
    return max(1, min(jobs, languages))


@dataclass
class LanguageBuild:
    """What building one language did: MkDocs' verdict and warnings, the pages rendered, the
    files written, the wall seconds spent rendering (and writing) and in MkDocs, and the CPU
    seconds of the worker process that built it (0 when built in the calling process)."""

    ok: bool
    messages: list[str]
    pages: list[str]
    write: WriteResult
    seconds_render: float
    seconds_mkdocs: float
    cpu_worker: float = 0.0


def build_language(catalog: Catalog, extras: SiteExtras | None, lang: str, config_file: str, docs_dir: str,
                   site_dir: str) -> LanguageBuild:
    """Render ``lang``'s pages into ``docs_dir`` (write-if-changed), then ``mkdocs build --strict``
    them into ``site_dir``. Runs in this process or in a build worker (:class:`_Worker`)."""
    started = time.perf_counter()
    pages, written = generate(catalog, Path(docs_dir), lang=lang, extras=extras)
    nav = site_nav(catalog, lang=lang, extras=extras)
    rendered = time.perf_counter()
    ok, messages, seconds = mkdocs_build(config_file, docs_dir, site_dir, nav)
    return LanguageBuild(ok, messages, sorted(pages), written, rendered - started, seconds)


def _portable_task(catalog: Catalog, extras: SiteExtras | None, languages: tuple[str, ...]) -> bytes | None:
    """The catalog and extras pickled for the build workers, or ``None`` when they do not
    pickle (extras made of local functions, as a caller may pass): then the build runs here."""
    try:
        return pickle.dumps((catalog, portable(extras, languages) if extras is not None else None),
                            protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return None


def build_site(project_root: Path, catalog_dir: Path, site_dir: Path | None = None, *,
               catalog: Catalog | None = None, docs_dir: Path | None = None, extras: SiteExtras | None = None,
               languages: tuple[str, ...] = LANGUAGES, jobs: int | None = None) -> BuildResult:
    """Build the site of ``catalog_dir`` in every language into ``site_dir`` (default ``<root>/site``).

    ``docs_dir`` is the folder that receives one generated docs folder per language (default
    ``<root>/docs/_generated``); ``extras`` adds link health, demo links and extra pages;
    ``jobs`` caps the languages built at once (default: the CPUs available). With more than
    one job, each language is rendered and built by MkDocs in its own worker process, all
    languages at once (the catalog is pickled to them); otherwise one after the other here.

    MkDocs runs with ``strict=True``: any warning (a broken link between pages, a missing file)
    fails the build. The new site replaces the old one only when every language succeeded.

    Two builds never share a site folder or a generated-docs folder at once: the second one
    stops with :class:`UserError` instead of mixing its pages with the first one's, or failing
    half-way through the swap.

    Raises:
        BuildError: invalid catalog, the languages' pages differ, or MkDocs refused the build
            (its warnings are listed).
        UserError: a configuration file is missing from ``project_root``; the site or the
            generated docs cannot be written there (a file in the way, no permission, a full
            disk: the message names the path); another build is using the same folders; no
            temporary folder is writable; the site folder is (or holds) the project, the
            catalog or the current folder, or is a non-empty folder that holds no built site.
            Errors inside a build worker are raised here as they would be without workers.
        WorkerCrashed: a build worker died or hit a bug (exit 1; its traceback is in the message).
    """
    project_root = project_root.resolve()
    for lang in languages:
        if not (project_root / CONFIG_FILES[lang]).is_file():
            raise UserError(f"{project_root / CONFIG_FILES[lang]} not found: run from the project root or pass --project-root")
    site_dir = (site_dir or project_root / "site").resolve()
    docs_root = (docs_dir or project_root / GENERATED_DIR).resolve()
    for folder in (site_dir, docs_root):
        _require_folder_possible(folder)
    _require_replaceable_site(site_dir, {"project root": project_root, "current folder": Path.cwd().resolve(),
                                         "catalog folder": catalog_dir.resolve(), "generated docs folder": docs_root})
    _require_temp_folder()
    if catalog is None:
        catalog, _ = require_valid(catalog_dir)
    try:
        with _build_lock(site_dir, docs_root):
            return _build_locked(project_root, site_dir, docs_root, catalog, extras, languages, jobs)
    except OSError as exc:
        if exc.filename is None:  # our own refusals (writer.write_pages) say what and where
            raise UserError(f"cannot build the site: {exc}") from exc
        if _in_build_temp_files(exc.filename):
            raise UserError(f"cannot write in the temporary folder: {exc.filename}: {exc.strerror or exc} "
                            "(set TMPDIR to a writable folder)") from exc
        raise UserError(f"cannot write the site: {exc.filename}: {exc.strerror or exc} "
                        "(pass --site-dir to build somewhere writable)") from exc


def _require_folder_possible(folder: Path) -> None:
    """Refuse, before any work, a folder that cannot be one: it or one of its parents is a file.

    Raises:
        UserError: names the file in the way.
    """
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise UserError(f"{path} is a file, so the folder {folder} cannot be written; "
                                "move the file or pass another --site-dir")
            return


def _in_build_temp_files(filename: object) -> bool:
    """Whether ``filename`` is one of the build's own files in the temporary folder (a lock file
    ``aigc-resources-build-*.lock``, or inside a worker's ``aigc-build-*`` folder)."""
    if not isinstance(filename, (str, bytes)):
        return False
    path = Path(os.fsdecode(filename)).resolve()
    temp = Path(tempfile.gettempdir()).resolve()
    return ((path.parent == temp and path.name.startswith("aigc-resources-build-"))
            or any(parent.parent == temp and parent.name.startswith("aigc-build-") for parent in path.parents))


def _require_replaceable_site(site_dir: Path, protected: dict[str, Path]) -> None:
    """Refuse a site folder whose replacement would delete something that is not a built site.

    A build swaps the new site in for the whole of ``site_dir`` and deletes the old folder:
    ``--site-dir .`` from the project root used to delete the project. ``protected`` maps a
    label to a folder (resolved) that the site may not be, hold, or (except the project root
    and current folder) lie inside. An existing non-empty folder must look like a built site
    (an ``index.html`` at its top).

    Raises:
        UserError: names the folder and says what to pass instead.
    """
    hint = "pass a folder of its own to --site-dir (default: <project-root>/site)"
    for label, folder in protected.items():
        if site_dir == folder or site_dir in folder.parents:
            what = "is" if site_dir == folder else "holds"
            raise UserError(f"the site folder {site_dir} {what} the {label} {folder}, and a build replaces the "
                            f"whole site folder (deleting what it held); {hint}")
        if folder in site_dir.parents and label in ("catalog folder", "generated docs folder"):
            raise UserError(f"the site folder {site_dir} is inside the {label} {folder}; {hint}")
    if site_dir.is_dir() and not (site_dir / "index.html").is_file() and any(site_dir.iterdir()):
        raise UserError(f"{site_dir} is not empty and holds no built site (no index.html), and a build replaces "
                        f"the whole site folder (deleting what it held); {hint}, or empty it first")


def _require_temp_folder() -> Path:
    """The temporary folder the build's locks and workers' files go to (and MkDocs' plugins'
    caches), refused when none is writable.

    Python falls back to the current folder when ``TMPDIR``, ``/tmp``, ``/var/tmp`` and
    ``/usr/tmp`` are all unusable: the lock files and caches would then be left in the project.

    Raises:
        UserError: no writable temporary folder; names ``TMPDIR`` and says how to fix it.
    """
    where = f"TMPDIR={os.environ['TMPDIR']!r}" if os.environ.get("TMPDIR") else "TMPDIR unset"
    fix = "set TMPDIR to a writable folder outside the project"
    try:
        folder = Path(tempfile.gettempdir()).resolve()
    except OSError:  # "No usable temporary directory found in [...]", the current folder included
        raise UserError(f"no writable temporary folder ({where}; /tmp, /var/tmp and the current folder "
                        f"are not writable either): {fix}") from None
    chosen = [Path(os.environ[name]).resolve() for name in ("TMPDIR", "TEMP", "TMP") if os.environ.get(name)]
    if folder == Path.cwd().resolve() and folder not in chosen:
        raise UserError(f"no writable temporary folder ({where}; /tmp and /var/tmp are not writable): the build "
                        f"would leave its lock files in the current folder {folder}; {fix}")
    return folder


@contextlib.contextmanager
def _build_lock(*folders: Path):
    """Hold an exclusive lock for each of ``folders`` while the body runs (a lock file per
    folder in the temporary directory, so nothing is left in the project).

    Raises:
        UserError: another process holds one of the locks (a build into the same folders).
    """
    with contextlib.ExitStack() as stack:
        if fcntl is not None:
            for folder in sorted(set(folders)):
                digest = hashlib.sha256(str(folder).encode("utf-8")).hexdigest()[:20]
                handle = stack.enter_context(open(Path(tempfile.gettempdir()) / f"aigc-resources-build-{digest}.lock", "a"))
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    raise UserError(f"another build is writing {folder}; wait for it to finish") from None
        yield


def _build_locked(project_root: Path, site_dir: Path, docs_root: Path, catalog: Catalog, extras: SiteExtras | None,
                  languages: tuple[str, ...], jobs: int | None) -> BuildResult:
    """The body of :func:`build_site`, run while its folders are locked."""
    started = time.perf_counter()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(site_dir)
    tmp_dirs = {lang: Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.tmp-", dir=site_dir.parent)) for lang in languages}
    task = _portable_task(catalog, extras, languages) if _parallel_jobs(jobs, len(languages)) > 1 else None
    scratch = tempfile.TemporaryDirectory(prefix="aigc-build-") if task is not None else None
    workers: dict[str, _Worker] = {}
    outcomes: dict[str, LanguageBuild] = {}
    try:
        if scratch is not None:
            task_file = Path(scratch.name) / "catalog.pickle"
            task_file.write_bytes(task)
        for lang in languages:
            args = (lang, str(project_root / CONFIG_FILES[lang]), str(docs_root / lang), str(tmp_dirs[lang]))
            if scratch is not None:
                workers[lang] = _Worker(task_file, args)
            else:
                outcomes[lang] = build_language(catalog, extras, *args)
        for lang, worker in workers.items():
            outcomes[lang] = worker.result()
        written = WriteResult()
        for lang, outcome in outcomes.items():
            for name in ("written", "unchanged", "removed"):
                getattr(written, name).extend(f"{lang}/{path}" for path in getattr(outcome.write, name))
        first = set(outcomes[languages[0]].pages)
        for lang in languages[1:]:
            if set(outcomes[lang].pages) != first:
                missing = sorted(first ^ set(outcomes[lang].pages))[:10]
                raise BuildError(f"the {languages[0]} and {lang} sites have different pages ({', '.join(missing)}); "
                                 "the language switch needs the same pages in every language")
        failures = [f"[{lang}] " + "; ".join(outcome.messages[:10]) for lang, outcome in outcomes.items() if not outcome.ok]
        if failures:
            raise BuildError("mkdocs build --strict failed: " + " | ".join(failures))
        main_dir = tmp_dirs[languages[0]]
        for lang in languages[1:]:
            target = main_dir / SITE_SUBDIRS[lang]
            if target.exists():
                raise BuildError(f"the {languages[0]} site already has a {SITE_SUBDIRS[lang]}/ folder")
            tmp_dirs[lang].rename(target)
        main_dir.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
        _swap_in(main_dir, site_dir)
    finally:
        for worker in workers.values():
            worker.stop()
        if scratch is not None:
            scratch.cleanup()
        for path in tmp_dirs.values():
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
    done = time.perf_counter()
    renders = [outcome.seconds_render for outcome in outcomes.values()]
    seconds_render = max(renders) if workers else sum(renders)
    return BuildResult(site_dir, sum(len(o.pages) for o in outcomes.values()), len(catalog.entries), written,
                       seconds_render, done - started - seconds_render,
                       {lang: outcome.seconds_mkdocs for lang, outcome in outcomes.items()}, tuple(languages),
                       {lang: outcome.seconds_render for lang, outcome in outcomes.items()},
                       {lang: outcome.cpu_worker for lang, outcome in outcomes.items() if outcome.cpu_worker})


def _remove_leftovers(site_dir: Path) -> None:
    """Delete the temporary and old site folders a killed build left beside ``site_dir``
    (``site.tmp-XXXXXXXX``, ``site.old-PID-NS``: the names :func:`_build_locked` and
    :func:`_swap_in` give). Called with the build lock held, so no running build owns them."""
    pattern = re.compile(re.escape(site_dir.name) + r"\.(tmp-[a-z0-9_]{8}|old-\d+-\d+)")
    for sibling in site_dir.parent.iterdir():
        if pattern.fullmatch(sibling.name) and sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)


class _Worker:
    """One :func:`build_language` running in its own Python process, started at once.

    Workers are fresh interpreters (``python -m aigc_resources.render.build CATALOG LANG ...``):
    no fork of a process that may hold threads (a test server, a browser driver). They read
    the catalog and extras from a pickle this process wrote, and write their result as JSON
    on stdout; MkDocs' log goes to a file, shown when it fails.
    """

    def __init__(self, task_file: Path, args: tuple[str, str, str, str]) -> None:
        self.lang = args[0]
        self.scratch = tempfile.TemporaryDirectory(prefix="aigc-build-")
        self.log = open(Path(self.scratch.name) / "mkdocs.log", "w+", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "aigc_resources.render.build", str(task_file), *args],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")

    def result(self) -> LanguageBuild:
        """Wait for the worker and return what it did.

        Raises:
            BuildError, UserError, OSError: the one the worker raised (see :func:`_worker_main`),
                as if the language had been built in this process.
            WorkerCrashed: the worker died or raised anything else (a bug): its traceback.
        """
        out, _ = self.process.communicate()
        self.log.seek(0)
        errors = self.log.read()
        try:
            data = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            data = None
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            raise _revived(data["error"])
        try:
            data["write"] = WriteResult(**data["write"])  # type: ignore[index]
            return LanguageBuild(**data)  # type: ignore[arg-type]
        except (TypeError, KeyError):
            raise WorkerCrashed(f"the {self.lang} build worker exited with {self.process.returncode} and no result; "
                                f"its output:\n{errors.strip()[-4000:]}") from None

    def stop(self) -> None:
        """End the worker if it still runs (a failed build), and remove its files."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.scratch.cleanup()


def _swap_in(new_dir: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by ``new_dir`` with two renames; the old site is deleted after."""
    old_dir = None
    if site_dir.exists():
        old_dir = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        site_dir.rename(old_dir)
    new_dir.rename(site_dir)
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)


def _worker_main() -> None:
    """Entry point of a build worker: ``CATALOG_PICKLE LANG CONFIG DOCS_DIR SITE_DIR``; the
    :class:`LanguageBuild` as JSON on the last line of stdout."""
    task_file, lang, config_file, docs_dir, site_dir = sys.argv[1:6]
    catalog, extras = pickle.loads(Path(task_file).read_bytes())  # noqa: S301 - written by our own parent process
    try:
        result = build_language(catalog, extras, lang, config_file, docs_dir, site_dir)
    except (UserError, OSError) as exc:  # the user's to fix: re-raised by the parent (_revived)
        error = {"kind": type(exc).__name__ if isinstance(exc, UserError) else "OSError", "message": str(exc),
                 "errno": getattr(exc, "errno", None), "strerror": getattr(exc, "strerror", None),
                 "filename": getattr(exc, "filename", None)}
        if isinstance(exc, UserError):
            error["kind"] = "BuildError" if isinstance(exc, BuildError) else "UserError"
        sys.stdout.write("\n" + json.dumps({"error": error}) + "\n")
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.cpu_worker = usage.ru_utime + usage.ru_stime
    sys.stdout.write("\n" + json.dumps(asdict(result)) + "\n")


class WorkerCrashed(RuntimeError):
    """A build worker died or raised an unexpected error (a bug: exit code 1); the message
    holds the worker's own traceback."""


def _revived(error: dict[str, Any]) -> Exception:
    """The exception a build worker reported (:func:`_worker_main`), rebuilt in this process:
    an :class:`OSError` keeps its errno, reason and path (so :func:`build_site` names the path)."""
    if error.get("kind") == "OSError":
        if error.get("errno") is not None and error.get("strerror") is not None:
            return OSError(error["errno"], error["strerror"], error.get("filename"))
        return OSError(error.get("message", "unknown error"))
    return (BuildError if error.get("kind") == "BuildError" else UserError)(error.get("message", "unknown error"))


if __name__ == "__main__":
    _worker_main()
