"""Importers: bring resources from other formats into the catalog as drafts a person finishes.

:func:`import_awesome` is the whole ``aigc-resources import awesome`` run: read the lists,
compare with the catalog and the drafts already written, write new drafts. The stages live in
:mod:`.markdown` (parse), :mod:`.mapping` (headings and badges -> taxonomy), :mod:`.awesome`
(items -> candidates -> plan) and :mod:`.drafts` (YAML files).
"""

from __future__ import annotations

from pathlib import Path

from ..catalog import Catalog, load_catalog
from ..errors import UserError
from ..urls import canonical_url
from ..yamlio import load_yaml
from .awesome import SKIPPED_FILES, ImportPlan, ListImport, plan_import, read_list
from .drafts import write_drafts
from .mapping import TaxonomyMatcher

__all__ = ["import_awesome", "collect_list_files", "catalog_url_index", "existing_draft_urls"]


def collect_list_files(paths: list[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Expand ``paths`` (files, or folders whose ``*.md`` files are taken, sorted) into the
    list files to import, and ``(path, reason)`` for the files skipped (:data:`SKIPPED_FILES`).

    Raises:
        UserError: a path does not exist, is neither a Markdown file nor a folder, or is a
            folder without a ``.md`` file.
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".md")
            if not found:
                raise UserError(f"{path} is a folder without a .md file; give the list files, or a folder holding them")
        elif path.is_file():
            found = [path]
        elif path.exists():
            raise UserError(f"{path} is neither a file nor a folder; give an awesome-list .md file")
        else:
            raise UserError(f"{path}: no such file or folder")
        for file in found:
            if file.name.lower() in SKIPPED_FILES:
                skipped.append((str(file), f"{file.name} describes a corpus or a project; it is not a list"))
            elif file.suffix.lower() not in (".md", ".markdown"):
                raise UserError(f"{file}: not a Markdown file (expected .md)")
            elif file not in files:
                files.append(file)
    return files, skipped


def catalog_url_index(catalog: Catalog) -> dict[str, str]:
    """Canonical URL -> ``"<id> (<field>)"`` for every URL of every entry (``url`` first)."""
    index: dict[str, str] = {}
    for entry in catalog.entries:
        for field, url in entry.resource.all_urls():
            index.setdefault(canonical_url(url), f"{entry.id} ({field})")
    return index


def existing_draft_urls(out_dir: Path) -> tuple[dict[str, str], set[str]]:
    """Canonical ``url`` -> relative path of the drafts already in ``out_dir``, and all their
    relative paths (a draft with an unreadable ``url`` still reserves its path and id)."""
    urls: dict[str, str] = {}
    paths: set[str] = set()
    if not out_dir.is_dir():
        return urls, paths
    for path in sorted(out_dir.rglob("*.yaml")):
        rel = path.relative_to(out_dir).as_posix()
        paths.add(rel)
        data = load_yaml(path).data
        if isinstance(data, dict) and isinstance(data.get("url"), str):
            urls.setdefault(canonical_url(data["url"]), rel)
    return urls, paths


def import_awesome(paths: list[Path], out_dir: Path, catalog_dir: Path, *, dry_run: bool = False,
                   added: str | None = None) -> ImportPlan:
    """Import awesome-list files into draft entries under ``out_dir``.

    Reads the catalog at ``catalog_dir`` (its taxonomy maps headings; its URLs and ids are
    checked for duplicates), reads each list, plans the drafts and, unless ``dry_run``, writes
    them (never replacing a file). ``out_dir`` must lie outside ``<catalog_dir>/resources``:
    drafts are not entries yet.

    Raises:
        CatalogNotFound: ``catalog_dir`` or its taxonomy is missing.
        UserError: the taxonomy is invalid, ``out_dir`` is inside the catalog, a list file
            cannot be read, or a draft cannot be written (the drafts written before it are kept;
            a second run completes the rest without touching them).
    """
    report = load_catalog(catalog_dir)
    if report.catalog is None:
        raise UserError(f"the taxonomy of {catalog_dir} is invalid; run `aigc-resources validate --catalog {catalog_dir}`")
    catalog = report.catalog
    resources = (catalog_dir / "resources").resolve()
    out_resolved = out_dir.resolve()
    if out_resolved == resources or resources in out_resolved.parents or out_resolved == catalog_dir.resolve():
        raise UserError(f"--out {out_dir} is inside the catalog; write drafts elsewhere (e.g. drafts/) "
                        "and move each one into catalog/resources/<type>/ when it is finished")
    files, skipped = collect_list_files(paths)
    if not files:
        raise UserError("no list to import: every file given was skipped")
    matcher = TaxonomyMatcher(catalog.taxonomy)
    lists: list[ListImport] = [read_list(path, matcher) for path in files]
    draft_urls, draft_paths = existing_draft_urls(out_dir)
    plan = plan_import(lists, catalog_urls=catalog_url_index(catalog), catalog_ids={e.id for e in catalog.entries},
                       existing_drafts=draft_urls, taken_paths=draft_paths, skipped_files=skipped)
    if not dry_run:
        try:
            write_drafts(plan, out_dir, added=added)
        except OSError as exc:
            where = exc.filename or out_dir
            raise UserError(f"cannot write drafts to {out_dir}: {exc.strerror or exc} ({where}); "
                            f"{len(plan.written)} drafts were written before this and are kept. Choose an --out "
                            "folder you can write to, or fix its permissions, and run again") from exc
    return plan
