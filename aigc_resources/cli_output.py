"""How the command line shows a :class:`~aigc_resources.catalog.ValidationReport` (CLI layer:
the only place besides :mod:`aigc_resources.cli` that prints).

Formats: ``text`` (``PATH:LINE:COL: CODE field: message (hint)``, the form editors and
terminals link), ``github`` (workflow commands that GitHub shows as annotations on the pull
request's diff, plus the summary line), ``json`` (one object: diagnostics and counts).
"""

from __future__ import annotations

import json

import click

from .catalog import ValidationReport
from .diagnostics import as_dict, github_annotation


def print_report(report: ValidationReport, *, strict: bool, output_format: str) -> bool:
    """Print every diagnostic of ``report`` and a summary; return whether the run failed."""
    failed = report.failed(strict)
    summary = ("FAILED: " if failed else "OK: ") + report.summary() + (" (strict)" if strict else "")
    if output_format == "json":
        click.echo(json.dumps({"failed": failed, "strict": strict, "files": report.files, "entries": report.entries,
                               "diagnostics": [as_dict(d) for d in report.diagnostics]}, ensure_ascii=False, indent=2))
        return failed
    for diagnostic in report.diagnostics:
        if output_format == "github":
            click.echo(github_annotation(diagnostic, strict=strict))
        else:
            click.secho(diagnostic.format(), fg="red" if diagnostic.severity.fails(strict) else "yellow")
    click.secho(summary, fg="red" if failed else "green")
    return failed
