"""Safe YAML loading that keeps the position of every node and refuses YAML's surprises.

PyYAML's ``safe_load`` loses positions, silently keeps the last of two duplicate keys, turns
``no`` into ``False``, ``1.10`` into ``1.1`` and ``2024-01-01`` into a date, and expands aliases
(the "billion laughs" bomb). This module composes the node tree with PyYAML (which keeps marks),
then builds plain Python values itself:

* plain scalars resolve as in YAML 1.2's core schema: ``true``/``false``, ``null``/``~``/empty,
  decimal integers and floats; ``yyyy-mm-dd`` becomes a :class:`datetime.date`;
* YAML 1.1 boolean words (``yes``, ``no``, ``on``, ``off``, ``y``, ``n``) stay strings and are
  reported (``E-YAML-AMBIGUOUS-BOOL``);
* duplicate keys, aliases, explicit tags, tabs, a BOM, non-UTF-8 bytes, empty or oversized
  files and multiple documents are reported with their line and column.

Every scalar remembers its raw text and how it was resolved (:class:`Scalar`), so a later stage
can say "``1706.03762`` was read as a number; quote it" instead of a bare type error.

Spec: YAML 1.2.2 §10.3 (core schema) and YAML 1.1 type repository (``bool``, ``timestamp``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import Diagnostic, make

#: Largest entry file accepted, in bytes. A real entry is under 2 KiB; the taxonomy under 64 KiB.
MAX_FILE_BYTES = 256 * 1024

#: A path into a document: mapping keys (str) and sequence indices (int), from the root.
Loc = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_YAML11_BOOL_WORDS = {"yes", "no", "on", "off", "y", "n"}
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Scalar:
    """How one plain scalar was read: its raw text and the kind it resolved to.

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``null``, ``date`` or
    ``yaml11-bool``; ``quoted`` is true when the author wrote quotes or a block scalar.
    """

    raw: str
    kind: str
    quoted: bool


@dataclass
class LoadedDocument:
    """A YAML document as plain data plus the positions of its nodes.

    ``positions`` maps a :data:`Loc` to the (line, column) of its value, 1-based;
    ``key_positions`` maps it to the position of its key (for mapping members).
    ``diagnostics`` holds the problems found while reading; ``data`` is ``None`` when the file
    could not be read as YAML at all.
    """

    path: str
    data: Any = None
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[Loc, Scalar] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    reported: set[Loc] = field(default_factory=set)

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of ``loc``, or of its nearest ancestor that exists (missing fields point at
        their parent mapping). With ``key=True`` prefer the key's position over the value's."""
        loc = tuple(loc)
        while True:
            if key and loc in self.key_positions:
                return self.key_positions[loc]
            if loc in self.positions:
                return self.positions[loc]
            if not loc:
                return (1, 1)
            loc = loc[:-1]

    def report(self, code: str, loc: Loc, **kwargs: Any) -> None:
        """Add a diagnostic for ``loc`` and remember that this location is already explained."""
        line, column = self.locate(loc, key=kwargs.pop("at_key", False))
        self.diagnostics.append(make(code, self.path, line, column, field=format_loc(loc), **kwargs))
        self.reported.add(tuple(loc))


def format_loc(loc: Loc) -> str:
    """``("links", "code")`` -> ``links.code``; ``("topics", 2)`` -> ``topics[2]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _AliasRefused(yaml.MarkedYAMLError):
    """Raised while composing when an alias (``*name``) is met: aliases are never expanded."""


class _Composer(yaml.SafeLoader):
    """A SafeLoader whose composer refuses aliases before anything is expanded."""

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(None, None, f"alias *{event.anchor} is not allowed", event.start_mark)
        return super().compose_node(parent, index)


def _pos(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def read_text(path: Path, doc: LoadedDocument, *, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Read ``path`` as UTF-8 text for YAML, reporting size, encoding, BOM and empty files.

    Returns the text (BOM removed) or ``None`` when the file cannot be used at all.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc.diagnostics.append(make("E-FILE-READ", doc.path, message=f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(raw) > max_bytes:
        doc.diagnostics.append(make("E-FILE-TOO-LARGE", doc.path, 1, 1,
                                    message=f"the file has {len(raw):,} bytes; the limit is {max_bytes:,}"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
        doc.diagnostics.append(make("E-FILE-ENCODING", doc.path, line, column,
                                    message=f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8"))
        return None
    if text.startswith("\ufeff"):
        doc.diagnostics.append(make("E-FILE-BOM", doc.path, 1, 1))
        text = text[1:]
    if not text.strip():
        doc.diagnostics.append(make("E-FILE-EMPTY", doc.path, 1, 1))
        return None
    return text


def load_yaml(path: Path | str, *, display_path: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> LoadedDocument:
    """Load one YAML file into a :class:`LoadedDocument` without raising on bad content.

    ``display_path`` is the path printed in diagnostics (defaults to ``path`` as given).
    Every problem becomes a diagnostic; ``data`` is whatever could be read (``None`` if nothing).
    """
    path = Path(path)
    doc = LoadedDocument(path=display_path or str(path))
    text = read_text(path, doc, max_bytes=max_bytes)
    if text is None:
        return doc
    return load_yaml_text(text, doc)


def load_yaml_text(text: str, doc: LoadedDocument) -> LoadedDocument:
    """Parse ``text`` into ``doc`` (see :func:`load_yaml`)."""
    tab_lines = set()
    for number, line_text in enumerate(text.splitlines(), start=1):
        column = line_text.find("\t")
        if column >= 0:
            tab_lines.add(number)
            doc.diagnostics.append(make("E-YAML-TAB", doc.path, number, column + 1))

    # libyaml accepts some tabs PyYAML refuses; a file with tabs is an error anyway.
    roots = None if tab_lines else _compose_fast(text)
    try:
        if roots is None:
            roots = list(yaml.compose_all(text, Loader=_Composer))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is detected at the end of the file; point at its start.
        if exc.context_mark is not None and "end of stream" in str(exc.problem):
            mark = exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if isinstance(exc, _AliasRefused):
            doc.diagnostics.append(make("E-YAML-ALIAS", doc.path, line, column, message=f"{exc.problem}"))
        elif line not in tab_lines:  # a tab already explains a syntax error on its line
            problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
            doc.diagnostics.append(make("E-YAML-SYNTAX", doc.path, line, column, message=problem or str(exc)))
        return doc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for text input
        doc.diagnostics.append(make("E-YAML-SYNTAX", doc.path, 1, 1, message=str(exc)))
        return doc

    roots = [r for r in roots if r is not None]
    if not roots:
        doc.diagnostics.append(make("E-FILE-EMPTY", doc.path, 1, 1, message="the file holds only comments or blank lines"))
        return doc
    if len(roots) > 1:
        line, column = _pos(roots[1])
        doc.diagnostics.append(make("E-YAML-MULTIPLE-DOCUMENTS", doc.path, line, column,
                                    message=f"{len(roots)} documents found; only the first is read"))
    doc.data = _build(roots[0], (), doc)
    return doc


def _compose_fast(text: str) -> list[Node | None] | None:
    """Compose with libyaml (about 25x faster than PyYAML's pure-Python parser), or ``None``.

    ``None`` means "use the pure-Python composer": libyaml is not installed, the text does not
    parse, or it holds an alias (libyaml's composer resolves aliases into shared nodes, so the
    alias would go unnoticed). The slow path then produces the exact diagnostics, so both paths
    report the same problems; only valid, alias-free documents take the fast one.
    """
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return None
    try:
        roots = list(yaml.compose_all(text, Loader=loader))
    except yaml.YAMLError:
        return None
    seen: set[int] = set()
    stack: list[Node] = [root for root in roots if root is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return None
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                stack += (key_node, value_node)
        elif isinstance(node, SequenceNode):
            stack += node.value
    return roots


def _check_tag(node: Node, loc: Loc, doc: LoadedDocument, expected: str) -> bool:
    """Refuse explicit tags (``!!omap``, ``!!set``, ``!custom``) on mappings and sequences."""
    if node.tag == _TAG + expected:
        return True
    doc.report("E-YAML-TAG", loc, message=f"explicit tag {node.tag!r} is not allowed")
    return False


def _build(node: Node, loc: Loc, doc: LoadedDocument) -> Any:
    doc.positions[loc] = _pos(node)
    if isinstance(node, MappingNode):
        if not _check_tag(node, loc, doc, "map"):
            return None
        result: dict[str, Any] = {}
        first_seen: dict[str, tuple[int, int]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                doc.report("E-YAML-NOT-MAPPING", loc, message="keys must be plain names, not lists or mappings")
                continue
            key = key_node.value
            if key_node.tag == _TAG + "merge":
                doc.report("E-YAML-ALIAS", loc, message="the merge key `<<` is not allowed")
                continue
            member = loc + (key,)
            if key in first_seen:
                first_line = first_seen[key][0]
                line, column = _pos(key_node)
                doc.diagnostics.append(make("E-YAML-DUPLICATE-KEY", doc.path, line, column, field=format_loc(member),
                                            message=f"key {key!r} is repeated; it is already set on line {first_line}",
                                            hint=f"remove one of the two `{key}:` lines (lines {first_line} and {line})"))
                doc.reported.add(member)
                continue
            first_seen[key] = _pos(key_node)
            doc.key_positions[member] = _pos(key_node)
            result[key] = _build(value_node, member, doc)
        return result
    if isinstance(node, SequenceNode):
        if not _check_tag(node, loc, doc, "seq"):
            return None
        return [_build(item, loc + (index,), doc) for index, item in enumerate(node.value)]
    return _scalar(node, loc, doc)


def _scalar(node: ScalarNode, loc: Loc, doc: LoadedDocument) -> Any:
    raw = node.value
    # '"', "'", '|', '>' all mean "text as written"; plain is None (PyYAML) or "" (libyaml).
    quoted = bool(node.style)
    tag = node.tag
    if not tag.startswith(_TAG):
        doc.report("E-YAML-TAG", loc, message=f"explicit tag {tag!r} is not allowed")
        return raw
    kind = tag[len(_TAG):]
    if quoted or kind == "str":
        doc.scalars[loc] = Scalar(raw, "str", quoted)
        return raw
    if kind not in {"null", "bool", "int", "float", "timestamp"}:
        doc.report("E-YAML-TAG", loc, message=f"the YAML type {kind!r} is not allowed")
        return raw
    if kind == "null":
        doc.scalars[loc] = Scalar(raw, "null", False)
        return None
    if kind == "bool":
        if raw.lower() in ("true", "false"):
            doc.scalars[loc] = Scalar(raw, "bool", False)
            return raw.lower() == "true"
        if raw.lower() in _YAML11_BOOL_WORDS:
            doc.scalars[loc] = Scalar(raw, "yaml11-bool", False)
            doc.report("E-YAML-AMBIGUOUS-BOOL", loc,
                       message=f"`{raw}` is a boolean in YAML 1.1 and text in YAML 1.2",
                       hint=f"write `true` or `false` for a flag, or \"{raw}\" in quotes if it is text")
            return raw
    if kind == "int" and _INT_RE.fullmatch(raw):
        doc.scalars[loc] = Scalar(raw, "int", False)
        return int(raw)
    if kind == "float" and _FLOAT_RE.fullmatch(raw):
        doc.scalars[loc] = Scalar(raw, "float", False)
        return float(raw)
    if kind == "timestamp" and _DATE_RE.fullmatch(raw):
        try:
            value = dt.date.fromisoformat(raw)
        except ValueError:
            doc.scalars[loc] = Scalar(raw, "str", False)
            return raw
        doc.scalars[loc] = Scalar(raw, "date", False)
        return value
    # Other YAML 1.1 forms (0x1F, 1_000, 1:30 sexagesimal, .inf, full timestamps) stay text, so
    # nothing changes silently; the schema then refuses them where a number or a date is expected.
    doc.scalars[loc] = Scalar(raw, "str", False)
    return raw
