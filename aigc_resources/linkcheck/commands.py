"""The ``check-links`` and ``link-report`` commands: parse, call the library, print, exit.

Registered on the ``aigc-resources`` group in :mod:`aigc_resources.cli`. The options that
mirror settings are generated from :class:`~.config.Settings` (:func:`settings_options`), so
their names, types, defaults and help never drift from the declaration.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..catalog import load_catalog
from ..cliutil import catalog_option, check_output_path, handle_errors
from ..errors import ExitCode, UserError
from .collect import changed_files, collect_catalog, read_url_file
from .config import Settings, cli_settings, load_settings, toml_key
from .fix import apply_redirect_fixes, write_atomic
from .history import FailPolicy, broken_links
from .report import FORMATS, format_broken
from .result import LinkResult
from .run import CheckRun, check_links as run_check_links, with_notes

#: Exit code of a run stopped by Ctrl-C (128 + SIGINT, the shell convention), after its
#: partial report is written.
INTERRUPTED = 130

_CLICK_TYPES = {int: click.INT, float: click.FLOAT, str: click.STRING}
_METAVARS = {"s": "SECONDS", "h": "HOURS", "bytes": "BYTES"}


def settings_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add one option per command-line setting of :class:`Settings` (value ``None`` when not given)."""
    defaults = Settings()
    for f, kind in reversed(cli_settings()):
        unit = f.metadata["unit"]
        default = getattr(defaults, f.name)
        help_text = f"{f.metadata['help']} [default: {default}{' ' + unit if unit else ''}]"
        flag = toml_key(f.name)
        if kind is bool:
            option = click.option(f"--{flag}/--no-{flag}", f.name, default=None, help=help_text)
        else:
            choices = f.metadata["choices"]
            option = click.option(f"--{flag}", f.name, default=None, help=help_text,
                                  type=click.Choice(choices) if choices else _CLICK_TYPES[kind],
                                  metavar=_METAVARS.get(unit) or ("PATH" if f.name == "history" else None))
        func = option(func)
    return func


def _config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
                        help="pyproject.toml whose [tool.aigc-resources.linkcheck] table holds the settings "
                             "[default: ./pyproject.toml when present].")(func)


def _settings(config_path: Path | None, overrides: dict[str, Any]) -> Settings:
    if config_path is not None and not config_path.is_file():
        raise UserError(f"{config_path}: configuration file not found")
    return load_settings(config_path or Path("pyproject.toml"), overrides)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text)
        except OSError as exc:  # checked up front; this is a race (folder removed, disk full)
            raise UserError(f"--output {output}: cannot write the report ({exc.strerror or exc})") from None


def _not_an_input(output: Path, inputs: dict[str, Path | None]) -> None:
    """Refuse an ``--output`` that names one of the command's own inputs: the report would
    replace the history database (or the URL list, the settings) at the end of the run."""
    for option, path in inputs.items():
        if path is not None and path.exists() and output.exists() and os.path.samefile(output, path):
            raise UserError(f"--output {output}: this is the {option} file; the report would replace it")


class _Progress:
    """A rich progress bar on a terminal, one plain line per URL otherwise (both on stderr)."""

    def __init__(self, total: int) -> None:
        self.total, self.done = total, 0
        self._bar = None
        if sys.stderr.isatty() and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
            from rich.console import Console

            self._bar = Progress(TextColumn("checking links"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self._task = self._bar.add_task("links", total=total)
            self._bar.start()

    def __call__(self, result: LinkResult) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.advance(self._task)
        else:
            code = result.http_status or "-"
            click.echo(f"[{self.done}/{self.total}] {result.status.value} {code} {result.url}", err=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


@click.command("check-links")
@catalog_option
@click.option("--url-file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              help="Check the URLs in FILE (one per line, # comments; - for standard input) instead of the catalog.")
@click.option("--changed-since", metavar="GIT_REF",
              help="Only the entries added or changed since GIT_REF (e.g. the pull request's base).")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), default="text", show_default=True,
              help="Report format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report to FILE (replaced whole) instead of standard output.")
@click.option("--no-cache", is_flag=True, help="Fetch every URL, even one with a recent success in the history.")
@click.option("--fail-on", type=click.Choice([p.value for p in FailPolicy]),
              help="When a broken URL fails the run: persistent (broken on 2 checks >= 20 h apart), new "
                   "(also a never-seen URL at once), any. [default: new with --changed-since, any with "
                   "--url-file, else persistent]")
@click.option("--fix", is_flag=True, help="Write the targets of permanent redirects into the entry files "
              "(only the URL on its line changes), then validate again.")
@_config_option
@settings_options
@handle_errors
def check_links(catalog_dir: Path, url_file: Path | None, changed_since: str | None, fmt: str,
                output: Path | None, no_cache: bool, fail_on: str | None, fix: bool, config_path: Path | None,
                **overrides: Any) -> int:
    """Check every URL of the catalog (url and links.*), each once, politely; report and judge.

    \b
    Statuses: ok, redirected (permanent: new URL suggested), broken, blocked (bot wall:
    not verified, never a failure), transient (timeout, 429, 5xx: no conclusion),
    invalid, excluded (with the exclusion's reason). Every observation is kept in the
    history (--history); a scheduled run fails only on URLs broken on 2 consecutive checks
    at least 20 hours apart, a run with --changed-since at once on a broken new URL.
    Settings also come from [tool.aigc-resources.linkcheck] in pyproject.toml.

    \b
    Exit codes: 0 ok, 1 internal error, 2 failing links, 3 usage or configuration error,
    130 interrupted by Ctrl-C (the report then covers the URLs checked so far).
    """
    settings = _settings(config_path, overrides)
    if output is not None:
        check_output_path(output)
        _not_an_input(output, {"--history": Path(settings.history), "--url-file": url_file,
                               "--config": config_path or Path("pyproject.toml")})
    if changed_since is not None and not changed_since.strip():
        raise UserError("--changed-since needs a git ref (a branch, tag or commit), got an empty value")
    if url_file is not None and (changed_since is not None or fix):
        raise UserError("--url-file cannot be combined with --changed-since or --fix (they need the catalog)")
    notes: list[str] = []
    if url_file is not None:
        targets, mode = read_url_file(url_file), "url-file"
    else:
        # --allow-private (test servers on 127.0.0.1) also admits such URLs into the loaded catalog
        report = load_catalog(catalog_dir, allow_private_hosts=settings.allow_private)
        if report.catalog is None:
            raise UserError(f"{catalog_dir}: the taxonomy is invalid; run `aigc-resources validate`")
        skipped = report.entries - report.valid
        if skipped:
            notes.append(f"{skipped} file(s) with errors were not checked; run `aigc-resources validate`")
        only = changed_files(catalog_dir, changed_since) if changed_since else None
        targets, mode = collect_catalog(report.catalog, only), "changed" if changed_since else "catalog"
    policy = FailPolicy(fail_on) if fail_on else (
        FailPolicy.NEW if changed_since else FailPolicy.ANY if url_file else FailPolicy.PERSISTENT)
    progress = _Progress(len(targets))
    try:
        run: CheckRun = run_check_links(targets, settings, policy=policy, history_path=Path(settings.history),
                                        use_cache=not no_cache, mode=mode, on_result=progress)
    finally:
        progress.close()
    if fix:
        fixes = apply_redirect_fixes(run.results, catalog_dir, allow_private_hosts=settings.allow_private)
        notes += [f"fix: {f.format()}" for f in fixes] or ["fix: no permanent redirect to apply"]
    run = with_notes(run, *notes)
    _emit(FORMATS[fmt](run), output)
    for result in run.unexpected:
        click.echo(f"internal error while checking {result.url}:\n{result.detail}", err=True)
    if run.interrupted:
        click.echo("interrupted: the report covers the URLs checked so far", err=True)
        return INTERRUPTED
    if run.unexpected:
        return ExitCode.INTERNAL
    return ExitCode.FAILURES if run.failures else ExitCode.OK


@click.command("link-report")
@click.option("--history", "history_path", type=click.Path(dir_okay=False, path_type=Path),
              help="History database [default: the `history` setting].")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Report format.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@_config_option
@handle_errors
def link_report(history_path: Path | None, fmt: str, output: Path | None, config_path: Path | None) -> int:
    """List the links broken now, broken longest first, from the link-check history.

    A link counts as broken when its latest conclusive check (ok, redirected or broken) was
    broken; "since" is the first check of that unbroken run. Exit code 0 (a report, empty
    when there is no history yet), 3 when the history file cannot be read.
    """
    path = history_path or Path(_settings(config_path, {}).history)
    if output is not None:
        check_output_path(output)
        _not_an_input(output, {"--history": path})
    if not path.exists():  # nothing checked yet: an empty report, said plainly
        click.echo(f"note: no link-check history at {path} yet (check-links writes it)", err=True)
        links = []
    else:
        links = broken_links(path)
    _emit(format_broken(links, fmt), output)
    return ExitCode.OK
