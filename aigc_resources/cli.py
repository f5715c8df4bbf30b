"""The ``aigc-resources`` command line: parse options, call one library function, print, exit.

Exit codes (:class:`aigc_resources.errors.ExitCode`): 0 ok; 1 internal error (a bug, shown
with its traceback); 2 content failures (invalid entries, a failed build); 3 usage or
configuration errors. Library code never prints or exits; only this module does.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ExitCode, UserError

CATALOG_HELP = "Catalog folder holding taxonomy.yaml and resources/."


def catalog_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--catalog DIR`` option every command shares (default ``catalog/``)."""
    return click.option("--catalog", "catalog_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("catalog"), show_default=True, help=CATALOG_HELP)(func)


def handle_errors(func: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into its exit code, and user errors into a clean message."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = func(*args, **kwargs)
        except UserError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(int(exc.exit_code))
        sys.exit(int(code or ExitCode.OK))

    return wrapper


class _Group(click.Group):
    """Click group whose usage errors exit with code 3 (click's own default is 2)."""

    def main(self, *args: Any, **kwargs: Any) -> Any:  # noqa: D401 - click hook
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, **{**kwargs, "standalone_mode": False})
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(int(ExitCode.USAGE))
        except click.UsageError as exc:
            exc.show()
            sys.exit(int(ExitCode.USAGE))
        except click.ClickException as exc:
            exc.show()
            sys.exit(int(ExitCode.USAGE))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="aigc-resources")
def main() -> None:
    """A curated, bilingual catalog of AIGC learning resources, and the tools that keep it honest.

    \b
    Exit codes: 0 ok, 1 internal error, 2 content failures (invalid entries, broken links,
    failed build), 3 usage or configuration error.
    """


@main.command()
@catalog_option
@click.option("--strict", is_flag=True, help="Treat warnings (missing Chinese text, thin topics) as failures.")
@handle_errors
def validate(catalog_dir: Path, strict: bool) -> int:
    """Check every entry and the taxonomy; print each problem as PATH:LINE:COL: CODE field: message (hint).

    All problems of all files are reported in one run, sorted by file and line, followed by a
    one-line summary. Exits 0 when clean, 2 when any entry is invalid (or, with --strict, has a
    warning), 3 when the catalog folder or taxonomy is missing.
    """
    from .catalog import load_catalog

    report = load_catalog(catalog_dir)
    for diagnostic in report.diagnostics:
        colour = "red" if diagnostic.severity.fails(strict) else "yellow"
        click.secho(diagnostic.format(), fg=colour)
    failed = report.failed(strict)
    click.secho(("FAILED: " if failed else "OK: ") + report.summary() + (" (strict)" if strict else ""),
                fg="red" if failed else "green", err=False)
    return ExitCode.FAILURES if failed else ExitCode.OK


from .demos.commands import demo as _demo  # noqa: E402 - after handle_errors, which it uses

main.add_command(_demo)

if __name__ == "__main__":  # pragma: no cover
    main()
