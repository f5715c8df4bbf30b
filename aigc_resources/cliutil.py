"""Options and error handling shared by every command of the ``aigc-resources`` CLI.

Command modules (``aigc_resources/<area>/commands.py``) import from here, not from
:mod:`aigc_resources.cli`, which imports them to register their commands.
"""

from __future__ import annotations

import functools
import os
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


def check_output_path(path: Path, option: str = "--output") -> None:
    """Refuse, before any work starts, an output file that could not be written at the end.

    The file itself need not exist (it is replaced whole); its folder must exist and be
    writable, and the path must not name a folder. A device or pipe (``/dev/stdout``) only
    needs to be writable.

    Raises:
        UserError: an empty name, a folder, a missing or read-only parent folder (exit code 3).
    """
    if not str(path) or str(path) == ".":
        raise UserError(f"{option}: give a file name")
    if path.is_dir():
        raise UserError(f"{option} {path}: is a folder; give a file name")
    if path.exists() and not path.is_file():  # /dev/stdout, a named pipe: written directly
        if not os.access(path, os.W_OK):
            raise UserError(f"{option} {path}: cannot write to it (permission denied)")
        return
    parent = Path(os.path.realpath(path)).parent if path.is_symlink() else path.parent  # links written through
    if not parent.exists():
        raise UserError(f"{option} {path}: the folder {parent} does not exist; create it first")
    if not parent.is_dir():
        raise UserError(f"{option} {path}: {parent} is not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"{option} {path}: cannot write into the folder {parent} (permission denied)")
