"""``--fix``: write the targets of permanent redirects into the entry files, in place.

Only the URL text on the line where it is written changes: the rest of the line (key,
quotes, a trailing comment) and every other line stay byte for byte. Each file is written
through a temporary file and renamed into place, so a crash never leaves half a file. The
catalog is then validated again; a file whose fix makes it invalid (the new URL carries
tracking parameters, duplicates another entry...) is put back as it was, and the fix is
reported as skipped with the validator's message.
"""

from __future__ import annotations

import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..catalog import load_catalog
from ..diagnostics import Severity
from ..urls import url_problems
from .result import LinkResult, LinkStatus, Origin


@dataclass(frozen=True)
class Fix:
    """One rewrite of ``old`` to ``new`` at ``origin``; ``applied`` false with ``reason`` when skipped."""

    origin: Origin
    old: str
    new: str
    applied: bool
    reason: str = ""

    def format(self) -> str:
        """``path:line (field): old -> new`` plus why it was skipped, if it was."""
        text = f"{self.origin.format()}: {self.old} -> {self.new}"
        return text if self.applied else f"{text} (skipped: {self.reason})"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) via a temporary file in the same folder."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def rewrite_line(text: str, line: int, old: str, new: str) -> str:
    """``text`` with ``old`` replaced by ``new`` on 1-based ``line`` only, line endings kept.

    Raises:
        ValueError: ``old`` is not on that line exactly once.
    """
    lines = text.splitlines(keepends=True)
    if not 1 <= line <= len(lines):
        raise ValueError(f"line {line} is not in the file")
    current = lines[line - 1]
    if current.count(old) != 1:
        raise ValueError(f"the URL is not written exactly once on line {line}")
    lines[line - 1] = current.replace(old, new)
    return "".join(lines)


def apply_redirect_fixes(results: Sequence[LinkResult], catalog_root: Path) -> list[Fix]:
    """Rewrite every ``REDIRECTED`` URL to its suggested URL where it is written, then re-validate.

    Returns one :class:`Fix` per origin, applied or skipped with the reason. Never raises for
    content problems; I/O errors on the catalog (permissions) propagate.
    """
    planned: dict[Path, list[tuple[Origin, str, str]]] = defaultdict(list)
    fixes: list[Fix] = []
    for result in results:
        if result.status is not LinkStatus.REDIRECTED or not result.suggested_url:
            continue
        problems = [message for _, message in url_problems(result.suggested_url)]
        for origin in result.origins:
            if problems:
                fixes.append(Fix(origin, result.url, result.suggested_url, False, f"new URL refused: {problems[0]}"))
            else:
                planned[Path(origin.path)].append((origin, result.url, result.suggested_url))
    originals: dict[Path, str] = {}
    applied: dict[Path, list[Fix]] = defaultdict(list)
    for path, edits in planned.items():
        text = original = path.read_text(encoding="utf-8")
        for origin, old, new in edits:
            try:
                text = rewrite_line(text, origin.line, old, new)
            except ValueError as exc:
                fixes.append(Fix(origin, old, new, False, str(exc)))
                continue
            applied[path].append(Fix(origin, old, new, True))
        if text != original:
            originals[path] = original
            write_atomic(path, text)
    if originals:
        report = load_catalog(catalog_root)
        changed = {p.resolve() for p in originals}
        for diagnostic in report.diagnostics:
            path = Path(diagnostic.path).resolve()
            if diagnostic.severity is Severity.ERROR and path in changed:
                changed.discard(path)
                source = next(p for p in originals if p.resolve() == path)
                write_atomic(source, originals[source])
                applied[source] = [Fix(f.origin, f.old, f.new, False, f"re-validation failed, file restored: "
                                       f"{diagnostic.format()}") for f in applied[source]]
    for items in applied.values():
        fixes += items
    return sorted(fixes, key=lambda f: f.origin)
