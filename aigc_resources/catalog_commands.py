"""``aigc-resources export`` and ``aigc-resources stats``: the catalog out, and its coverage."""

from __future__ import annotations

from pathlib import Path

import click

from .cliutil import catalog_option, handle_errors
from .errors import ExitCode, UserError


def _load(catalog_dir: Path):
    from .catalog import load_catalog

    report = load_catalog(catalog_dir)
    if report.catalog is None:
        raise UserError(f"the taxonomy of {catalog_dir} is invalid; run `aigc-resources validate --catalog {catalog_dir}`")
    return report


@click.command()
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "bibtex", "markdown"]), required=True,
              help="json: the versioned catalog (schema/catalog-export.schema.json); csv: one row per entry; "
                   "bibtex: papers and surveys; markdown: an awesome-list style README.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write (atomically); standard output when omitted.")
@handle_errors
def export(catalog_dir: Path, fmt: str, output: Path | None) -> int:
    """Export the catalog as JSON, CSV, BibTeX or an awesome-list README.

    Only valid entries are exported; invalid ones are reported on standard error and the
    command exits 2 (the export of the valid entries is still written).
    """
    from .diagnostics import Severity
    from .exporters import EXPORT_FORMATS
    from .fsutil import atomic_write

    report = _load(catalog_dir)
    text = EXPORT_FORMATS[fmt](report.catalog)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            atomic_write(output, text.encode("utf-8"))
        except OSError as exc:
            raise UserError(f"cannot write {output}: {exc.strerror or exc} ({exc.filename or output}); "
                            "choose an --output path in a folder you can write to") from exc
        click.echo(f"wrote {len(report.catalog.entries)} entries as {fmt} to {output}", err=True)
    errors = [d for d in report.diagnostics if d.severity is Severity.ERROR]
    for diagnostic in errors:
        click.secho(diagnostic.format(), fg="red", err=True)
    return ExitCode.FAILURES if errors else ExitCode.OK


@click.command()
@catalog_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Output: aligned text tables, JSON, or Markdown tables.")
@click.option("--fail-on-gaps", is_flag=True, help="Exit 2 when the catalog has a coverage gap.")
@handle_errors
def stats(catalog_dir: Path, fmt: str, fail_on_gaps: bool) -> int:
    """Print coverage by type, level, language, modality and topic, and the gaps.

    Gaps: topics with fewer than 3 entries or no beginner entry, concepts of the source article
    without a paper or a tutorial/course, too few Chinese entries, fast-moving topics without
    recent entries (goals in <catalog>/coverage.yaml). Exits 0, or 2 with --fail-on-gaps when
    there is a gap.
    """
    from .stats import STATS_FORMATS, check_policy, compute_coverage, load_policy

    report = _load(catalog_dir)
    policy, doc = load_policy(catalog_dir)
    if doc is not None and policy is not None:
        # An id the taxonomy lacks would otherwise show as a misleading gap ("concept X has no paper").
        check_policy(policy, doc, report.catalog)
    errors = [d for d in doc.diagnostics if d.severity.value == "error"] if doc is not None else []
    if doc is not None and (policy is None or errors):
        raise UserError(f"{doc.path} is invalid: " + "; ".join(d.format() for d in errors or doc.diagnostics))
    coverage = compute_coverage(report.catalog, policy)
    click.echo(STATS_FORMATS[fmt](coverage), nl=False)
    return ExitCode.FAILURES if fail_on_gaps and coverage.gaps else ExitCode.OK
