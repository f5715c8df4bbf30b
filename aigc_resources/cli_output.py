"""How the command line shows a :class:`~aigc_resources.catalog.ValidationReport` (CLI layer:
the only place besides :mod:`aigc_resources.cli` that prints).

Formats: ``text`` (``PATH:LINE:COL: CODE field: message (hint)``, the form editors and
terminals link), ``github`` (workflow commands that GitHub shows as annotations on the pull
request's diff, up to its limit per step, then plain lines; plus the summary line), ``json``
(one object: diagnostics and counts).
"""

from __future__ import annotations

import json

import click

from .catalog import ValidationReport
from .diagnostics import as_dict, github_annotation

#: Annotations of one level (error, warning) that GitHub shows per workflow step; later ones
#: are dropped silently (actions/toolkit docs/problem-matchers.md, "Limitations"), so the
#: ``github`` format prints the rest as plain ``PATH:LINE:COL`` lines, which stay in the log.
GITHUB_ANNOTATIONS_PER_STEP = 10


def print_report(report: ValidationReport, *, strict: bool, output_format: str) -> bool:
    """Print every diagnostic of ``report`` and a summary; return whether the run failed."""
    failed = report.failed(strict)
    summary = ("FAILED: " if failed else "OK: ") + report.summary() + (" (strict)" if strict else "")
    if output_format == "json":
        click.echo(json.dumps({"failed": failed, "strict": strict, "files": report.files, "entries": report.entries,
                               "diagnostics": [as_dict(d) for d in report.diagnostics]}, ensure_ascii=False, indent=2))
        return failed
    shown: dict[bool, int] = {True: 0, False: 0}  # annotations printed, by "fails the run"
    for diagnostic in report.diagnostics:
        fails = diagnostic.severity.fails(strict)
        if output_format == "github" and shown[fails] < GITHUB_ANNOTATIONS_PER_STEP:
            shown[fails] += 1
            click.echo(github_annotation(diagnostic, strict=strict))
        else:
            click.secho(diagnostic.format(), fg="red" if fails else "yellow")
    if output_format == "github" and len(report.diagnostics) > sum(shown.values()):
        click.echo(f"note: GitHub shows {GITHUB_ANNOTATIONS_PER_STEP} error and {GITHUB_ANNOTATIONS_PER_STEP} warning "
                   f"annotations per step; the other {len(report.diagnostics) - sum(shown.values())} problems are the "
                   "PATH:LINE:COL lines above")
    click.secho(summary, fg="red" if failed else "green")
    return failed
