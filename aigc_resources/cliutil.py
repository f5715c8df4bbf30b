"""Options and error handling shared by every command of the ``aigc-resources`` CLI.

Command modules (``aigc_resources/<area>/commands.py``) import from here, not from
:mod:`aigc_resources.cli`, which imports them to register their commands.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .errors import ExitCode, UserError

CATALOG_HELP = "Catalog folder holding taxonomy.yaml and resources/."


def catalog_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The ``--catalog DIR`` option every command shares (default ``catalog/``)."""
    return click.option("--catalog", "catalog_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("catalog"), show_default=True, help=CATALOG_HELP)(func)


def handle_errors(func: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into its exit code, and user errors into a clean message.

    An :class:`OSError` about a path (``--output`` under a file, a folder that cannot be
    created, no permission, a full disk) is the user's environment, not a bug: it is printed as
    ``error: PATH: reason`` with exit code 3, like a :class:`UserError`. Other errors keep their
    traceback (exit 1)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = func(*args, **kwargs)
        except UserError as exc:
            click.secho(f"error: {exc}", fg="red", err=True)
            sys.exit(int(exc.exit_code))
        except OSError as exc:
            if exc.filename is None:
                raise
            click.secho(f"error: {exc.filename}: {exc.strerror or exc}", fg="red", err=True)
            sys.exit(int(ExitCode.USAGE))
        sys.exit(int(code or ExitCode.OK))

    return wrapper
