"""``--fix``: write the targets of permanent redirects into the entry files, in place.

Only the URL's own scalar changes, located by the YAML reader (not by searching the line): the
rest of the line (key, quotes, a trailing comment that repeats the URL, other URLs of a flow
mapping) and every other line stay byte for byte. The new URL is written in the old one's
style: plain, single- or double-quoted, escaped as that style needs. Each file is written
through a temporary file and renamed into place, so a crash never leaves half a file. The
catalog is then validated again; a file whose fix makes it invalid (the new URL carries
tracking parameters, duplicates another entry...) is put back as it was, and the fix is
reported as skipped with the validator's message.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..catalog import load_catalog
from ..fsutil import atomic_write
from ..diagnostics import Severity
from ..urls import url_problems
from ..yamlio import load_yaml
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
    """Replace ``path`` with ``text`` (UTF-8, line endings as given) without ever leaving half a
    file: :func:`aigc_resources.fsutil.atomic_write` (symlinks followed, devices written
    directly, permissions kept)."""
    atomic_write(path, text.encode("utf-8"))


#: Characters that end a plain scalar in a flow collection or start a comment/value
#: indicator: a new URL holding one is written double-quoted (YAML 1.2 §7.3.3).
_PLAIN_UNSAFE = re.compile(r"[,\[\]{}]|: | #")


def quote_like(source: str, new: str) -> str:
    """``new`` written in the style of the scalar source text ``source``: plain, 'single' or
    "double" quoted, escaped as that style needs (a plain URL that would not stay one plain
    scalar is double-quoted).

    Raises:
        ValueError: ``source`` is a block scalar (``|``, ``>``), which is left alone.
    """
    if source.startswith(("|", ">")):
        raise ValueError("the URL is a block scalar; change it by hand")
    if source.startswith("'"):
        return "'" + new.replace("'", "''") + "'"
    if source.startswith('"') or _PLAIN_UNSAFE.search(new):
        return '"' + new.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return new


def rewrite_value(text: str, span: tuple[int, int], old: str, new: str) -> str:
    """``text`` with the scalar at character range ``span`` (its source text, quotes included,
    from :attr:`~aigc_resources.yamlio.LoadedDocument.spans`) replaced by ``new`` in the same
    style. Nothing else changes: comments, other URLs on the line, line endings.

    Raises:
        ValueError: the scalar there is not ``old`` (the file changed), spans several lines,
            or is a block scalar.
    """
    start, end = span
    source = text[start:end]
    if "\n" in source or "\r" in source:
        raise ValueError("the URL is written over several lines; change it by hand")
    try:
        value = yaml.safe_load(source)
    except yaml.YAMLError:
        value = None
    if value != old:
        raise ValueError(f"the value there is no longer {old!r} (was the file edited during the check?)")
    return text[:start] + quote_like(source, new) + text[end:]


def apply_redirect_fixes(results: Sequence[LinkResult], catalog_root: Path, *,
                         allow_private_hosts: bool = False) -> list[Fix]:
    """Rewrite every ``REDIRECTED`` URL to its suggested URL where it is written, then re-validate.

    Returns one :class:`Fix` per origin, applied or skipped with the reason. Never raises for
    content problems nor for a file that cannot be read or written (that file's fixes are
    skipped with the reason; the file is never left half written).
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
        doc = load_yaml(path)
        try:
            original = path.read_bytes().decode("utf-8", errors="replace")  # not read_text: CR LF kept
        except OSError as exc:  # removed or unreadable since the check
            fixes += [Fix(origin, old, new, False, f"cannot read the file ({exc.strerror or exc})")
                      for origin, old, new in edits]
            continue
        if doc.text != original:  # a BOM or an unreadable file: positions would not match
            fixes += [Fix(origin, old, new, False, "the file cannot be read back exactly; change it by hand")
                      for origin, old, new in edits]
            continue
        text = original
        # Last position first, so the earlier spans stay valid while the text changes.
        located = [(doc.spans.get(tuple(origin.field.split("."))), origin, old, new) for origin, old, new in edits]
        for span, origin, old, new in sorted(located, key=lambda e: e[0] or (-1, -1), reverse=True):
            try:
                if span is None:
                    raise ValueError(f"the field {origin.field} is no longer in the file")
                text = rewrite_value(text, span, old, new)
            except ValueError as exc:
                fixes.append(Fix(origin, old, new, False, str(exc)))
                continue
            applied[path].append(Fix(origin, old, new, True))
        if text != original:
            try:
                write_atomic(path, text)
            except OSError as exc:  # a read-only checkout, a full disk: the file is as it was
                why = f"cannot write the file ({exc.strerror or exc})"
                fixes += [Fix(f.origin, f.old, f.new, False, why) for f in applied.pop(path)]
                continue
            originals[path] = original
    if originals:
        report = load_catalog(catalog_root, allow_private_hosts=allow_private_hosts)
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
