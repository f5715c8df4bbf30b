"""The ``aigc-resources`` command line: parse options, call one library function, print, exit.

Exit codes (:class:`aigc_resources.errors.ExitCode`): 0 ok; 1 internal error (a bug, shown
with its traceback); 2 content failures (invalid entries, a failed build); 3 usage or
configuration errors. Library code never prints or exits; only this module does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from . import __version__
from .cliutil import catalog_option, handle_errors
from .errors import ExitCode

__all__ = ["main", "catalog_option", "handle_errors"]

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
@click.option("--format", "output_format", type=click.Choice(["text", "github", "json"]), default="text",
              show_default=True, help="text: PATH:LINE:COL lines; github: workflow annotations on the PR diff; json.")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@handle_errors
def validate(catalog_dir: Path, strict: bool, output_format: str, files: tuple[Path, ...]) -> int:
    """Check every entry and the taxonomy; print each problem as PATH:LINE:COL: CODE field: message (hint).

    All problems of all files are reported in one run, sorted by file and line, followed by a
    one-line summary. With FILES (as pre-commit passes them), the whole catalog is still
    checked (duplicates and `related` need it) but only problems in FILES, and errors of the
    taxonomy, are printed and counted. Exits 0 when clean, 2 when any entry is invalid (or,
    with --strict, has a warning), 3 when the catalog folder or taxonomy is missing.
    """
    from .catalog import load_catalog
    from .cli_output import print_report

    report = load_catalog(catalog_dir)
    if files:
        report = report.restricted_to(list(files), catalog_dir)
    failed = print_report(report, strict=strict, output_format=output_format)
    return ExitCode.FAILURES if failed else ExitCode.OK


def project_root_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--project-root DIR`` option: the folder holding mkdocs.yml (default: current)."""
    return click.option("--project-root", type=click.Path(file_okay=False, exists=True, path_type=Path),
                        default=Path("."), show_default=True, help="Folder holding mkdocs.yml.")(func)


def _build(project_root: Path, catalog_dir: Path, site_dir: Path | None) -> int:
    """Build the site (``build``, and ``serve`` before serving).

    Ctrl-C is a :class:`UserError` that says the site is as it was (the build swaps the new
    site in only at its end), not click's bare "Aborted!".
    """
    from .errors import UserError
    from .render.build import InvalidCatalog, build_site, require_valid
    from .render.extras import project_extras

    try:
        catalog, _ = require_valid(catalog_dir)
        result = build_site(project_root, catalog_dir, site_dir, catalog=catalog,
                            extras=project_extras(project_root, taxonomy=catalog.taxonomy))
    except InvalidCatalog as exc:
        for diagnostic in exc.report.diagnostics:
            if diagnostic.severity.fails(False):
                click.secho(diagnostic.format(), fg="red", err=True)
        raise
    except KeyboardInterrupt:
        site = site_dir or project_root / "site"
        raise UserError(f"interrupted (Ctrl-C): {site} keeps what it held before this build") from None
    click.echo(f"built {result.pages} pages for {result.entries} entries into {result.site_dir} "
               f"(render {result.seconds_render:.1f} s, mkdocs {result.seconds_mkdocs:.1f} s; "
               f"{len(result.write.written)} pages written, {len(result.write.removed)} removed)")
    return ExitCode.OK


@main.command()
@catalog_option
@project_root_option
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Output folder (default: <project-root>/site).")
@handle_errors
def build(catalog_dir: Path, project_root: Path, site_dir: Path | None) -> int:
    """Validate the catalog, generate its pages and run `mkdocs build --strict` into site/.

    The new site replaces the old one only when the whole build succeeds. Exits 2 when the
    catalog is invalid or MkDocs refuses the build.
    """
    return _build(project_root, catalog_dir, site_dir)


@main.command()
@catalog_option
@project_root_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--live", is_flag=True, help="Serve with `mkdocs serve` instead: rebuilds and reloads on every catalog edit.")
@click.option("--no-build", is_flag=True, help="Serve the existing site/ without building it first.")
@handle_errors
def serve(catalog_dir: Path, project_root: Path, host: str, port: int, live: bool, no_build: bool) -> int:
    """Build the site, then serve it at http://HOST:PORT until interrupted (Ctrl-C)."""
    from .render.serve import serve_live, serve_static

    if live:
        click.echo(f"live server: building the English site, then serving it at http://{host}:{port}/ with reload "
                   "(Ctrl-C to stop); the Chinese site (/zh/) is built only without --live")
        serve_live(project_root, catalog_dir, host, port)
        return ExitCode.OK
    site_dir = project_root / "site"
    serve_static(site_dir, host, port, announce=lambda url: click.echo(f"serving {site_dir} at {url} (Ctrl-C to stop)"),
                 prepare=None if no_build else lambda: _build(project_root, catalog_dir, None))
    return ExitCode.OK


# Commands that live beside their library code (they import the shared options from cliutil).
from .catalog_commands import export, stats  # noqa: E402
from .contrib_cli import contributing, new, schema  # noqa: E402
from .demos.commands import demo  # noqa: E402
from .importers.commands import import_group  # noqa: E402
from .linkcheck.commands import check_links, link_report  # noqa: E402

for _command in (check_links, link_report, import_group, export, stats, schema, new, contributing, demo):
    main.add_command(_command)
