"""Build the site: validate -> render -> write the generated docs -> ``mkdocs build --strict``.

The HTML is built into a temporary folder beside ``site/`` and swapped in only when MkDocs
succeeds, so a failed build never leaves a half-written site. The same :func:`generate` serves
the optional MkDocs hook (``mkdocs serve`` with live reload of catalog edits).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..catalog import Catalog, ValidationReport, load_catalog
from ..errors import BuildError, UserError
from .site import render_site, site_nav
from .writer import WriteResult, write_pages

#: Where the generated Markdown goes, relative to the project root (git-ignored).
GENERATED_DIR = Path("docs/_generated")
#: The MkDocs configuration of the site, relative to the project root.
CONFIG_FILE = Path("mkdocs.yml")


@dataclass
class BuildResult:
    """What a build produced: the site folder, page counts and timings in seconds."""

    site_dir: Path
    pages: int
    entries: int
    write: WriteResult
    seconds_render: float
    seconds_mkdocs: float


def generated_docs_dir(project_root: Path, lang: str = "en") -> Path:
    """The folder MkDocs reads for ``lang``: ``<root>/docs/_generated/<lang>``."""
    return project_root / GENERATED_DIR / lang


def generate(catalog: Catalog, docs_dir: Path, *, lang: str = "en") -> tuple[dict[str, str], WriteResult]:
    """Render the catalog and write the pages into ``docs_dir`` (write-if-changed)."""
    pages = render_site(catalog, lang=lang)
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


def build_site(project_root: Path, catalog_dir: Path, site_dir: Path | None = None, *,
               catalog: Catalog | None = None, docs_dir: Path | None = None) -> BuildResult:
    """Build the whole site for ``catalog_dir`` into ``site_dir`` (default ``<root>/site``).

    ``docs_dir`` is where the generated Markdown goes (default ``<root>/docs/_generated/en``).

    Runs MkDocs in-process with ``strict=True``: any MkDocs warning (a broken link between
    pages, a missing file) fails the build. The new site replaces the old one only on success.

    Raises:
        BuildError: invalid catalog, or MkDocs refused the build (its warnings are listed).
        UserError: ``mkdocs.yml`` is missing from ``project_root``.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    project_root = project_root.resolve()
    config_file = project_root / CONFIG_FILE
    if not config_file.is_file():
        raise UserError(f"{config_file} not found: run from the project root or pass --project-root")
    site_dir = (site_dir or project_root / "site").resolve()
    if catalog is None:
        catalog, _ = require_valid(catalog_dir)

    started = time.perf_counter()
    docs_dir = (docs_dir or generated_docs_dir(project_root)).resolve()
    pages, written = generate(catalog, docs_dir)
    rendered = time.perf_counter()

    site_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp_dir = Path(tempfile.mkdtemp(prefix=f"{site_dir.name}.tmp-", dir=site_dir.parent))
    tmp_dir.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
    collector = _CollectWarnings()
    mkdocs_logger = logging.getLogger("mkdocs")
    mkdocs_logger.addHandler(collector)
    try:
        config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(tmp_dir),
                             nav=site_nav(catalog), hooks=[], strict=True)
        mkdocs_build(config)
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        details = "; ".join(collector.messages[:10]) or str(exc)
        raise BuildError(f"mkdocs build --strict failed: {details}") from exc
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    finally:
        mkdocs_logger.removeHandler(collector)
    _swap_in(tmp_dir, site_dir)
    done = time.perf_counter()
    return BuildResult(site_dir, len(pages), len(catalog.entries), written, rendered - started, done - rendered)


def _swap_in(new_dir: Path, site_dir: Path) -> None:
    """Replace ``site_dir`` by ``new_dir`` with two renames; the old site is deleted after."""
    old_dir = None
    if site_dir.exists():
        old_dir = site_dir.with_name(f"{site_dir.name}.old-{os.getpid()}-{time.monotonic_ns()}")
        site_dir.rename(old_dir)
    new_dir.rename(site_dir)
    if old_dir is not None:
        shutil.rmtree(old_dir, ignore_errors=True)
