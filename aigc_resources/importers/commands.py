"""``aigc-resources import``: bring resources in from other formats as drafts."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from ..cliutil import catalog_option, handle_errors
from ..errors import ExitCode
from ..yamlio import show_invisible
from .markdown import MAX_NESTING


@click.group(name="import")
def import_group() -> None:
    """Import resources from other formats as draft entries to finish by hand."""


@import_group.command(name="awesome")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the drafts (outside catalog/): <out>/<type>/<id>.yaml.")
@catalog_option
@click.option("--dry-run", is_flag=True, help="Report what would be written; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List every duplicate and every link not placed in a draft.")
@handle_errors
def awesome(files: tuple[Path, ...], out_dir: Path, catalog_dir: Path, dry_run: bool, verbose: bool) -> int:
    """Read awesome-list Markdown FILES (or folders of them) and write one draft per new resource.

    \b
    Each draft has the title, URL, typed extra links, type/modalities/topics mapped from the
    item's headings, level and format from badges, languages, authors, arXiv id and year; its
    descriptions are placeholders the validator refuses, and the list's own text is kept only in
    `source_note`, which the validator refuses in the catalog. Resources already in the catalog,
    in --out, or earlier in the same run are reported as duplicates, not drafted. Existing files
    are never replaced. SOURCES.md and similar non-list files are skipped.

    Exits 0 after a run (duplicates are not failures), 2 when an item could not be drafted (a
    URL longer than entries may hold, or lines nested too deeply to read; the other items are
    drafted), 3 on a usage error, 1 when a draft could not be written because of a bug (the
    others are written).
    """
    from . import import_awesome

    plan = import_awesome(list(files), out_dir, catalog_dir, dry_run=dry_run)
    for path, reason in plan.skipped_files:
        click.echo(f"skipped {path}: {reason}")
    for imported in plan.lists:
        uses = Counter(u.use.split(".")[0] for u in imported.link_uses)
        click.echo(f"{imported.name}: {imported.items} items, {len(imported.candidates)} resources, "
                   f"{imported.mentions} prose bullets (links mentioned, not imported); links: "
                   + (", ".join(f"{count} {use}" for use, count in sorted(uses.items())) or "none"))
        for first, last in imported.unread:
            click.secho(f"  not read {imported.name}:{first}-{last}: lists or quotes nest deeper than the parser "
                        f"follows ({MAX_NESTING // 2} list levels); flatten them and run again", fg="red", err=True)
        for line, url, reason in imported.rejected:
            shown = show_invisible(url if len(url) <= 100 else url[:100] + "…")
            click.secho(f"  not drafted {imported.name}:{line}: {reason} ({shown}); fix the link in the list "
                        "or add the entry by hand", fg="red", err=True)
    by_where = Counter(d.where for d in plan.duplicates)
    verb = "would write" if dry_run else "wrote"
    click.echo(f"{verb} {len(plan.drafts) - len(plan.existing)} drafts to {out_dir}"
               + (f" ({len(plan.existing)} already there, left untouched)" if plan.existing else "")
               + f"; duplicates: {by_where.get('catalog', 0)} in the catalog, {by_where.get('drafts', 0)} in {out_dir}, "
                 f"{by_where.get('import', 0)} repeated in this run")
    if verbose:
        for dup in plan.duplicates:
            click.echo(f"  duplicate {dup.file}:{dup.line} {dup.url} -> {dup.where}: {dup.other}")
        for draft in plan.drafts:
            for url in draft.candidate.unplaced:
                click.echo(f"  unplaced link {draft.file}:{draft.candidate.line} {url} (draft {draft.relpath})")
            for problem in draft.url_problems:
                click.echo(f"  url problem {draft.file}:{draft.candidate.line} {problem}")
    for draft, message in plan.failed:
        click.secho(f"  internal error: draft for {draft.file}:{draft.candidate.line} not written ({message[:300]}); "
                    "please report it with that line of the list", fg="red", err=True)
    untyped = sum(1 for d in plan.drafts if not d.candidate.type)
    click.echo("next: in each draft write description and description_zh in your own words, set the fields its "
               "header lists, delete source_note, then move it to catalog/resources/<type>/"
               + (f" ({untyped} drafts in untyped/ need a type)" if untyped else ""))
    if plan.failed:
        return ExitCode.INTERNAL
    return ExitCode.FAILURES if any(imported.rejected or imported.unread for imported in plan.lists) else ExitCode.OK
