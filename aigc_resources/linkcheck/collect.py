"""Collect the URLs to check, each once, with every place it is written.

From a catalog: every ``url`` and ``links.*`` of every valid entry (optionally only the
entries changed since a git ref), located at file, line and field. From a URL file: one URL
per line (blank lines and ``#`` comments skipped). URLs are grouped under
:func:`aigc_resources.urls.fetch_key`, so two spellings of one URL are fetched once.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from ..catalog import Catalog, display_path
from ..errors import UserError
from ..fsutil import decode_text_file, split_lines
from ..urls import fetch_key
from .result import LinkTarget, Origin


def group_targets(pairs: Iterable[tuple[str, Origin]]) -> list[LinkTarget]:
    """Group ``(url, origin)`` pairs by :func:`fetch_key`; targets in first-seen order."""
    grouped: dict[str, tuple[str, list[Origin]]] = {}
    for url, origin in pairs:
        key = fetch_key(url)
        grouped.setdefault(key, (url, []))[1].append(origin)
    return [LinkTarget(url, key, tuple(sorted(set(origins)))) for key, (url, origins) in grouped.items()]


def collect_catalog(catalog: Catalog, only: set[Path] | None = None) -> list[LinkTarget]:
    """Targets from every entry of ``catalog`` (only those whose file is in ``only``, if given)."""
    wanted = {p.resolve() for p in only} if only is not None else None
    pairs = []
    for entry in catalog.entries:
        if wanted is not None and entry.path.resolve() not in wanted:
            continue
        for field_path, url in entry.resource.all_urls():
            pairs.append((url, Origin(display_path(entry.path), entry.line_of(field_path), field_path, entry.id)))
    return group_targets(pairs)


#: A comment after a URL on its line: URLs hold no whitespace, so `` #`` cannot be a fragment.
_TRAILING_COMMENT = re.compile(r"\s+#.*$")


def read_url_file(path: Path) -> list[LinkTarget]:
    """Targets from a text file with one URL per line; ``-`` reads standard input.

    Blank lines and lines starting with ``#`` are skipped, and so is a ``#`` comment after
    whitespace at the end of a line. Each URL's origin is its 1-based line number.

    Raises:
        UserError: the file is missing, unreadable, a folder or not UTF-8 (file and line named).
    """
    shown = "<stdin>" if str(path) == "-" else display_path(Path(path))
    try:
        data = sys.stdin.buffer.read() if str(path) == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: URL file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder; --url-file needs a file with one URL per line") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read the URL file ({exc.strerror or exc})") from None
    text = decode_text_file(data, shown)
    pairs = []
    for number, line in enumerate(split_lines(text), start=1):
        url = _TRAILING_COMMENT.sub("", line.strip())
        if url and not url.startswith("#"):
            pairs.append((url, Origin(shown, number, "url")))
    return group_targets(pairs)


def changed_files(root: Path, ref: str) -> set[Path]:
    """Files under ``root`` added or modified since git ``ref`` (committed or not, plus untracked).

    Raises:
        UserError: ``root`` is not in a git work tree, or ``ref`` is unknown.
    """
    def git(*args: str, error: str | None = None) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise UserError("--changed-since needs git, which is not installed") from None
        if done.returncode != 0:
            raise UserError(error or f"git {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    top = Path(git("rev-parse", "--show-toplevel", error=f"{root} is not inside a git work tree").strip())
    shallow = git("rev-parse", "--is-shallow-repository").strip() == "true"
    hint = ("; this clone is shallow: fetch the history (actions/checkout with fetch-depth: 0, or "
            "`git fetch --unshallow`)" if shallow else "")
    git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", error=f"--changed-since: unknown git ref {ref!r}{hint}")
    names = git("diff", "--name-only", "--diff-filter=ACMR", "-z", ref, "--", ".").split("\0")
    names += git("ls-files", "--others", "--exclude-standard", "-z", "--full-name", "--", ".").split("\0")
    return {(top / name).resolve() for name in names if name}
