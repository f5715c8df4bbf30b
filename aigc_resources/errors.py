"""Exception families, converted to messages and exit codes only in :mod:`aigc_resources.cli`.

:class:`UserError` and its subclasses are expected (a missing folder, a bad option): the CLI
prints their message without a traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Named exit codes of every command (DESIGN §3)."""

    OK = 0
    INTERNAL = 1  # a bug: the traceback is printed
    FAILURES = 2  # content failures: invalid entries, broken links, a failed build
    USAGE = 3  # usage or configuration error


class UserError(Exception):
    """A problem the user can fix (bad option, missing catalog); printed without a traceback."""

    exit_code = ExitCode.USAGE


class CatalogNotFound(UserError):
    """The catalog folder or its ``taxonomy.yaml`` does not exist."""


class BuildError(UserError):
    """The site could not be built (invalid catalog, MkDocs refused it under ``--strict``)."""

    exit_code = ExitCode.FAILURES
