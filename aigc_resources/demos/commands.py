"""``aigc-resources demo list`` and ``aigc-resources demo run NAME``: parse, call the runner, print.

Exit codes: 0 when the run's thresholds all hold, 2 when one fails, 3 for an unknown demo, a bad
``--seed`` or ``--out``, or a missing dependency (the ``demos`` extra), 1 for a bug.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import ExitCode, UserError
from .runner import MAX_SEED


def _handle_errors(func: Callable[..., int]) -> Callable[..., None]:
    """The CLI's ``handle_errors``, looked up at call time (``cli`` imports this module)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        from ..cli import handle_errors

        handle_errors(func)(*args, **kwargs)

    return wrapper


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class RunInterrupted(UserError):
    """Ctrl-C during ``demo run``; the runner has already removed its staging folder (exit 3)."""


class _OutDir(click.Path):
    """A folder path that must not be empty: ``--out ""`` (often an unset shell variable) would
    otherwise mean the current folder and scatter the demo's files there."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Fail on an empty or blank value, then convert as :class:`click.Path` does."""
        if isinstance(value, str) and not value.strip():
            self.fail("is empty; give a folder, e.g. --out demo-runs/NAME", param, ctx)
        return super().convert(value, param, ctx)


@click.group("demo")
def demo() -> None:
    """Run the small, verified model demos (n-gram, LSTM, Transformer, ...) on CPU.

    \b
    Each demo trains or computes in seconds to a minute, writes metrics.json, PNG figures and
    text samples, and checks its results against thresholds. Needs the demos extra:
    pip install -e '.[demos]'.
    """


@demo.command("list")
@_handle_errors
def list_demos() -> int:
    """List the demos: name, title and the topics they teach."""
    from .registry import all_demos

    demos = all_demos()
    width = max(len(d.name) for d in demos)
    for d in demos:
        click.echo(f"{d.name:<{width}}  {d.title}  [{', '.join(d.topics)}]")
    return ExitCode.OK


@demo.command("run")
@click.argument("name")
@click.option("--seed", type=click.IntRange(0, MAX_SEED), default=0, show_default=True,
              help=f"Seed for every random generator, 0 to {MAX_SEED}.")
@click.option("--fast", is_flag=True, help="The quick variant (fewer epochs) used by the unit tests.")
@click.option("--out", "out_dir", type=_OutDir(), default=None,
              help="Folder for metrics.json, figures and samples [default: demo-runs/NAME]. Its files "
                   "are replaced only when the run completes.")
@_handle_errors
def run_command(name: str, seed: int, fast: bool, out_dir: Path | None) -> int:
    """Run demo NAME, write its artifacts and print its metrics and checks.

    \b
    Example:
      aigc-resources demo run ngram --seed 0 --out /tmp/ngram
    """
    from .registry import get_demo
    from .runner import run_demo

    get_demo(name)  # an unknown name fails here, before any import
    out_dir = out_dir or Path("demo-runs") / name
    try:
        result = run_demo(name, out_dir, seed=seed, fast=fast)
    except KeyboardInterrupt:
        raise RunInterrupted(f"interrupted (Ctrl-C): {out_dir} keeps what it held before this run") from None
    click.echo(f"{result.demo.title} (seed {seed}{', fast' if fast else ''})")
    width = max((len(key) for key in result.metrics), default=0)
    for key, value in result.metrics.items():
        click.echo(f"  {key:<{width}}  {_format_value(value)}")
    for check in result.checks:
        mark = "ok  " if check.passed else "FAIL"
        click.secho(f"  {mark} {check.threshold.describe()}  (got {_format_value(check.value)})",
                    fg="green" if check.passed else "red")
    click.echo(f"wrote {len(result.files)} files to {result.out_dir}")
    return ExitCode.OK if result.passed else ExitCode.FAILURES
