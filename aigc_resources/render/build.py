"""Build the site: validate -> render both languages -> write the generated docs -> MkDocs --strict.

The English site is built from ``mkdocs.yml`` into ``site/`` and the Chinese one from
``mkdocs.zh.yml`` into ``site/zh/``; the two MkDocs builds run in parallel processes when
there is more than one CPU (MkDocs is single-threaded, and the two languages double its work).
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
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere builds are not locked against each other
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from ..catalog import Catalog, ValidationReport, load_catalog, usable_cpus
from ..errors import BuildError, UserError
from .extras import SiteExtras
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

    ``seconds_render`` covers rendering and writing the Markdown of every language;
    ``seconds_mkdocs`` is the wall time of the MkDocs builds (run in parallel when possible) and
    ``seconds_mkdocs_each`` the time each language's build took on its own.
    """

    site_dir: Path
    pages: int
    entries: int
    write: WriteResult
    seconds_render: float
    seconds_mkdocs: float
    seconds_mkdocs_each: dict[str, float] = field(default_factory=dict)
    languages: tuple[str, ...] = LANGUAGES


def generated_docs_dir(project_root: Path, lang: str = "en") -> Path:
    """The folder MkDocs reads for ``lang``: ``<root>/docs/_generated/<lang>``."""
    return project_root / GENERATED_DIR / lang


def generate(catalog: Catalog, docs_dir: Path, *, lang: str = "en",
             extras: SiteExtras | None = None) -> tuple[dict[str, str], WriteResult]:
    """Render the catalog for ``lang`` and write the pages into ``docs_dir`` (write-if-changed)."""
    pages = render_site(catalog, lang=lang, extras=extras)
    return pages, write_pages(pages, docs_dir)


def require_valid(catalog_dir: Path) -> tuple[Catalog, ValidationReport]:
    """Load the catalog; refuse to build when any entry is invalid.

    Raises:
        BuildError: the catalog has errors (their count is in the message; run ``validate``).
        CatalogNotFound: the catalog folder or taxonomy is missing.
    """
    report = load_catalog(catalog_dir)
    if report.failed(strict=False) or report.catalog is None:
        raise BuildError(f"the catalog is invalid ({report.summary()}); run `aigc-resources validate` for details")
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


def build_site(project_root: Path, catalog_dir: Path, site_dir: Path | None = None, *,
               catalog: Catalog | None = None, docs_dir: Path | None = None, extras: SiteExtras | None = None,
               languages: tuple[str, ...] = LANGUAGES, jobs: int | None = None) -> BuildResult:
    """Build the site of ``catalog_dir`` in every language into ``site_dir`` (default ``<root>/site``).

    ``docs_dir`` is the folder that receives one generated docs folder per language (default
    ``<root>/docs/_generated``); ``extras`` adds link health, demo links and extra pages;
    ``jobs`` caps the MkDocs builds run at once (default: the CPUs available). With more than
    one job, each language's MkDocs build starts in a worker process as soon as its pages are
    written, while the next language is rendered.

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
            disk: the message names the path); another build is using the same folders.
    """
    project_root = project_root.resolve()
    for lang in languages:
        if not (project_root / CONFIG_FILES[lang]).is_file():
            raise UserError(f"{project_root / CONFIG_FILES[lang]} not found: run from the project root or pass --project-root")
    site_dir = (site_dir or project_root / "site").resolve()
    docs_root = (docs_dir or project_root / GENERATED_DIR).resolve()
    for folder in (site_dir, docs_root):
        _require_folder_possible(folder)
    if catalog is None:
        catalog, _ = require_valid(catalog_dir)
    try:
        with _build_lock(site_dir, docs_root):
            return _build_locked(project_root, site_dir, docs_root, catalog, extras, languages, jobs)
    except OSError as exc:
        if exc.filename is None:  # our own refusals (writer.write_pages) say what and where
            raise UserError(f"cannot build the site: {exc}") from exc
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
    tmp_dirs = {lang: Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.tmp-", dir=site_dir.parent)) for lang in languages}
    written = WriteResult()
    page_sets: dict[str, set[str]] = {}
    seconds_render = 0.0
    parallel = _parallel_jobs(jobs, len(languages)) > 1
    workers: dict[str, _Worker] = {}
    outcomes: dict[str, tuple[bool, list[str], float]] = {}
    try:
        for lang in languages:
            rendering = time.perf_counter()
            pages, result = generate(catalog, docs_root / lang, lang=lang, extras=extras)
            task = (str(project_root / CONFIG_FILES[lang]), str(docs_root / lang), str(tmp_dirs[lang]),
                    site_nav(catalog, lang=lang, extras=extras))
            seconds_render += time.perf_counter() - rendering
            page_sets[lang] = set(pages)
            for name in ("written", "unchanged", "removed"):
                getattr(written, name).extend(f"{lang}/{path}" for path in getattr(result, name))
            if parallel:
                workers[lang] = _Worker(task)
            else:
                outcomes[lang] = mkdocs_build(*task)
        for lang, worker in workers.items():
            outcomes[lang] = worker.result()
        first = page_sets[languages[0]]
        for lang in languages[1:]:
            if page_sets[lang] != first:
                missing = sorted(first ^ page_sets[lang])[:10]
                raise BuildError(f"the {languages[0]} and {lang} sites have different pages ({', '.join(missing)}); "
                                 "the language switch needs the same pages in every language")
        failures = [f"[{lang}] " + "; ".join(messages[:10]) for lang, (ok, messages, _) in outcomes.items() if not ok]
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
        for path in tmp_dirs.values():
            if path.exists():
                shutil.rmtree(path, ignore_errors=True)
    done = time.perf_counter()
    return BuildResult(site_dir, sum(len(s) for s in page_sets.values()), len(catalog.entries), written,
                       seconds_render, done - started - seconds_render,
                       {lang: outcome[2] for lang, outcome in outcomes.items()}, tuple(languages))


class _Worker:
    """One :func:`mkdocs_build` running in its own Python process, started at once.

    Workers are fresh interpreters (``python -m aigc_resources.render.build TASK.json``): no
    fork of a process that may hold threads (a test server, a browser driver). The worker
    writes its result as JSON on stdout; MkDocs' log goes to a file, shown when it fails.
    """

    def __init__(self, task: tuple[str, str, str, list[Any]]) -> None:
        self.scratch = tempfile.TemporaryDirectory(prefix="aigc-build-")
        task_file = Path(self.scratch.name) / "task.json"
        task_file.write_text(json.dumps(list(task)), encoding="utf-8")
        self.log = open(Path(self.scratch.name) / "mkdocs.log", "w+", encoding="utf-8")
        self.process = subprocess.Popen([sys.executable, "-m", "aigc_resources.render.build", str(task_file)],
                                        stdout=subprocess.PIPE, stderr=self.log, text=True, encoding="utf-8")

    def result(self) -> tuple[bool, list[str], float]:
        """Wait for the worker: ``(succeeded, warnings, seconds)``."""
        out, _ = self.process.communicate()
        self.log.seek(0)
        errors = self.log.read()
        try:
            ok, messages, seconds = json.loads(out.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return False, [f"the MkDocs worker exited with {self.process.returncode}: {errors.strip()[-2000:]}"], 0.0
        return bool(ok), list(messages), float(seconds)

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
    """Entry point of a build worker: one MkDocs build described by a JSON file, result on stdout."""
    config_file, docs_dir, site_dir, nav = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    result = mkdocs_build(config_file, docs_dir, site_dir, nav)
    sys.stdout.write("\n" + json.dumps(result) + "\n")


if __name__ == "__main__":
    _worker_main()
