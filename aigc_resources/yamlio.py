"""Safe YAML loading that keeps the position of every node and refuses YAML's surprises.

PyYAML's ``safe_load`` loses positions, silently keeps the last of two duplicate keys, turns
``no`` into ``False``, ``1.10`` into ``1.1`` and ``2024-01-01`` into a date, and expands aliases
(the "billion laughs" bomb). This module composes the node tree with PyYAML (which keeps marks)
without PyYAML's YAML 1.1 resolver, then builds plain Python values itself:

* plain scalars resolve as in YAML 1.2's core schema: ``true``/``false``, ``null``/``~``/empty,
  decimal integers and floats; ``yyyy-mm-dd`` becomes a :class:`datetime.date` (the one
  extension: dates, which every entry's ``added`` uses, as YAML 1.1 and our schema read them);
* YAML 1.1 boolean words (``yes``, ``no``, ``on``, ``off``, ``y``, ``n``) stay strings and are
  reported (``E-YAML-AMBIGUOUS-BOOL``);
* duplicate keys, aliases, explicit tags, tabs, control and invisible characters, a BOM,
  non-UTF-8 bytes, empty or oversized files, nesting deeper than :data:`MAX_DEPTH` and multiple
  documents are reported with their line and column.

Every scalar remembers its raw text and how it was resolved (:class:`Scalar`), so a later stage
can say "``1706.03762`` was read as a number; quote it" instead of a bare type error, and where
its text lies in the file, so a problem inside a long description points at its own line.

Speed: the node tree is composed by libyaml (``yaml.CSafeLoader``) when PyYAML was built with
it; its marks carry the same line, column and character index as the pure-Python composer's
(a test compares them). libyaml shares one node between an anchor and its aliases instead of
expanding them, so an alias is seen as a node met twice and never expanded. Any file libyaml
refuses, or one that uses an alias, is composed again by the pure-Python composer, whose
error messages are the ones reported (the same with or without libyaml).

Spec: YAML 1.2.2 §10.3 (core schema), §5.4 (line breaks), and the YAML 1.1 type repository
(``bool``, ``timestamp``).
"""

from __future__ import annotations

import bisect
import datetime as dt
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .diagnostics import INVISIBLE_CHARACTERS, Diagnostic, make

#: Largest entry file accepted, in bytes. A real entry is under 2 KiB; the taxonomy under 64 KiB.
MAX_FILE_BYTES = 256 * 1024
#: Deepest nesting of mappings and sequences accepted. An entry needs 3 (``links`` -> ``code``).
MAX_DEPTH = 16
#: Longest integer accepted, in digits; longer ones stay text (Python refuses > 4300 digits).
MAX_INT_DIGITS = 30

#: A path into a document: mapping keys (str) and sequence indices (int), from the root.
Loc = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
#: YAML 1.2 core schema null and boolean forms (§10.3.2), and the YAML 1.1 boolean words
#: (yaml.org/type/bool.html) that 1.2 reads as text: both readings exist, so they are refused.
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_YAML11_BOOL_WORDS = frozenset("y Y yes Yes YES n N no No NO on On ON off Off OFF".split())
_NUMBER_START = frozenset("0123456789+-.")
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
#: A date as YYYY-MM-DD (ISO 8601 calendar date, the only form entries use).
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: Line breaks as YAML counts them (YAML 1.2 §5.4; PyYAML also counts NEL, LS and PS).
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: Characters that are invisible or reorder text, refused anywhere in a file
#: (:data:`~aigc_resources.diagnostics.INVISIBLE_CHARACTERS`).
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]")


def strip_invisible(text: str, replacement: str = "") -> str:
    """``text`` with every character this reader refuses in a file (``E-TEXT-CONTROL``: controls,
    bidirectional overrides, zero-width spaces, line separators, a BOM) replaced by
    ``replacement``. For text that comes from elsewhere (an imported list) into a YAML file."""
    return _INVISIBLE.sub(replacement, text)


def show_invisible(text: str) -> str:
    """``text`` with every character :func:`strip_invisible` removes written as ``\\uXXXX``, so
    a person can see it (in a comment or a message) and the file stays readable."""
    return _INVISIBLE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", text)


def first_invisible(text: str) -> str | None:
    """The first character of ``text`` that this reader refuses (``E-TEXT-CONTROL``), or ``None``."""
    match = _INVISIBLE.search(text)
    return match.group(0) if match else None


#: Whether nodes are composed by libyaml (when PyYAML was built with it). bench/validate.py
#: turns it off to measure the pure-Python composer too.
USE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


class Scalar(NamedTuple):
    """How one plain scalar was read: its raw text and the kind it resolved to.

    ``kind`` is one of ``str``, ``int``, ``float``, ``bool``, ``null``, ``date`` or
    ``yaml11-bool``; ``quoted`` is true when the author wrote quotes or a block scalar.
    (A named tuple: one is made per scalar, and tuples are the cheapest to make.)
    """

    raw: str
    kind: str
    quoted: bool


@dataclass
class LoadedDocument:
    """A YAML document as plain data plus the positions of its nodes.

    ``positions`` maps a :data:`Loc` to the (line, column) of its value, 1-based;
    ``key_positions`` maps it to the position of its key (for mapping members);
    ``spans`` maps a scalar's :data:`Loc` to the character range ``[start, end)`` of its source
    text in ``text``; ``hidden`` lists the offsets of invisible characters found in it. ``diagnostics`` holds the problems found while reading; ``data`` is
    ``None`` when the file could not be read as YAML at all.
    """

    path: str
    data: Any = None
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[Loc, Scalar] = field(default_factory=dict)
    spans: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    reported: set[Loc] = field(default_factory=set)
    text: str = ""
    hidden: list[int] = field(default_factory=list)
    _line_starts: list[int] | None = field(default=None, repr=False)

    def drop_sources(self) -> None:
        """Forget what only the per-file rules read (the text, its scalar records and spans),
        keeping the values, positions and diagnostics: what a loaded catalog keeps of each
        entry, to hold less memory and send less back from the workers of ``load_catalog``.
        :meth:`locate` still works; :meth:`locate_text` falls back to it."""
        self.scalars, self.spans, self.hidden = {}, {}, []
        self.text, self._line_starts = "", None

    def __getstate__(self) -> dict[str, Any]:
        """Pickled state (documents come back from the workers of ``load_catalog``): the
        :class:`Scalar` records as plain tuples, which pickle several times faster than named
        tuples, and without the line index, which is rebuilt on demand."""
        state = self.__dict__.copy()
        state["scalars"] = (tuple(self.scalars), [tuple(value) for value in self.scalars.values()])
        state["_line_starts"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        keys, values = state["scalars"]
        state["scalars"] = {key: _new_scalar(Scalar, value) for key, value in zip(keys, values)}
        self.__dict__.update(state)

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

    def position_of(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of character ``index`` of :attr:`text` (YAML's line breaks)."""
        if self._line_starts is None:
            self._line_starts = [0] + [m.end() for m in LINE_BREAK.finditer(self.text)]
        line = bisect.bisect_right(self._line_starts, index)
        return line, index - self._line_starts[line - 1] + 1

    def locate_text(self, loc: Loc, needle: str, skip: int = 0) -> tuple[int, int]:
        """Position of the first ``needle`` in the source text of the scalar at ``loc``, moved
        ``skip`` characters on (to point inside the match).

        Falls back to :meth:`locate` when the needle is not found as written (an escape in a
        double-quoted string, a match across a folded line break)."""
        span = self.spans.get(tuple(loc))
        if span is not None and needle:
            index = self.text.find(needle, span[0], span[1])
            if index >= 0:
                return self.position_of(index + skip)
        return self.locate(loc)

    def report(self, code: str, loc: Loc, *, at_key: bool = False, at_text: str | None = None,
               skip: int = 0, **kwargs: Any) -> None:
        """Add a diagnostic for ``loc`` and remember that this location is already explained.

        ``at_key`` points at the key instead of the value; ``at_text`` at the first occurrence
        of that text inside the value, ``skip`` characters on (see :meth:`locate_text`)."""
        if at_text is not None:
            line, column = self.locate_text(loc, at_text, skip)
        else:
            line, column = self.locate(loc, key=at_key)
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


class _TooDeep(yaml.MarkedYAMLError):
    """Raised while composing when collections nest deeper than :data:`MAX_DEPTH`."""


#: Tag given to a plain scalar that has no explicit tag: :func:`_scalar` resolves it itself.
_PLAIN = "tag:aigc-resources,2026:plain"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"


class _OwnResolution:
    """Leaves plain scalars unresolved (:data:`_PLAIN`) instead of applying PyYAML's YAML 1.1
    implicit resolvers: :func:`_scalar` resolves them by the YAML 1.2 core schema, once, the
    same way under both composers (and faster than PyYAML's resolver, called per node)."""

    def resolve(self, kind, value, implicit):  # noqa: D401 - PyYAML hook
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is SequenceNode else _MAP

    def descend_resolver(self, current_node, current_index):  # noqa: D401 - no path resolvers here
        pass

    def ascend_resolver(self):  # noqa: D401 - no path resolvers here
        pass


class _CComposer(_OwnResolution, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's composer with our resolution (see module doc)."""


class _Composer(_OwnResolution, yaml.SafeLoader):
    """A SafeLoader whose composer refuses aliases before anything is expanded, and nesting
    deeper than :data:`MAX_DEPTH` before Python's recursion limit is reached."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _AliasRefused(None, None, f"alias *{event.anchor} is not allowed", event.start_mark)
        if self._depth > MAX_DEPTH:
            raise _TooDeep(None, None, f"values are nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _SharedNode(Exception):
    """A node met twice while building values: libyaml's form of an alias (see module doc)."""


def _pos(node: Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def read_text(path: Path, doc: LoadedDocument, *, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Read ``path`` as UTF-8 text for YAML, reporting size, encoding, BOM and empty files.

    Returns the text (BOM removed) or ``None`` when the file cannot be used at all.
    """
    try:
        mode = os.lstat(path).st_mode  # one system call tells a link, a regular file, or neither
        if stat.S_ISLNK(mode):
            doc.diagnostics.append(make("E-FILE-LINK", doc.path, 1, 1,
                                        message=f"`{path.name}` is a symbolic link to {path.readlink()}"))
            return None
        if not stat.S_ISREG(mode):  # a FIFO or a device would block or never end
            doc.diagnostics.append(make("E-FILE-READ", doc.path, message="not a regular file"))
            return None
        with open(path, "rb") as handle:  # read at most one byte past the limit, however big the file
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        doc.diagnostics.append(make("E-FILE-READ", doc.path, message=f"cannot read the file: {exc.strerror or exc}"))
        return None
    if len(raw) > max_bytes:
        size = path.stat().st_size
        doc.diagnostics.append(make("E-FILE-TOO-LARGE", doc.path, 1, 1,
                                    message=f"the file has {size:,} bytes; the limit is {max_bytes:,}"))
        return None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        doc.diagnostics.append(make("E-FILE-ENCODING", doc.path, 1, 1,
                                    message="the file is UTF-16 (some Windows editors call it \"Unicode\")"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = len(LINE_BREAK.findall(before.decode("utf-8", "replace"))) + 1
        column = len(LINE_BREAK.split(before.decode("utf-8", "replace"))[-1]) + 1
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
    path = path if isinstance(path, Path) else Path(path)
    doc = LoadedDocument(path=display_path or str(path))
    text = read_text(path, doc, max_bytes=max_bytes)
    if text is None:
        return doc
    return load_yaml_text(text, doc)


def load_yaml_text(text: str, doc: LoadedDocument, *, use_libyaml: bool | None = None) -> LoadedDocument:
    """Parse ``text`` into ``doc`` (see :func:`load_yaml`). ``use_libyaml=False`` forces the
    pure-Python composer (the results are the same; tests compare them); ``None`` uses libyaml
    when PyYAML has it (:data:`USE_LIBYAML`)."""
    if use_libyaml is None:
        use_libyaml = USE_LIBYAML
    doc.text = text
    explained_lines = set()  # a tab or control character already explains a syntax error on its line
    if "\t" in text:
        for match in re.finditer("\t", text):
            line, column = doc.position_of(match.start())
            explained_lines.add(line)
            doc.diagnostics.append(make("E-YAML-TAB", doc.path, line, column))
    for match in _INVISIBLE.finditer(text):
        doc.hidden.append(match.start())
        line, column = doc.position_of(match.start())
        explained_lines.add(line)
        doc.diagnostics.append(make("E-TEXT-CONTROL", doc.path, line, column,
                                    message=f"invisible character U+{ord(match.group()):04X} "
                                            f"({_char_name(match.group())}) in the file"))

    if use_libyaml:
        scanned = len(doc.diagnostics)
        try:
            return _build_document(list(yaml.compose_all(text, Loader=_CComposer)), doc)
        except _TooDeep as exc:
            for table in (doc.positions, doc.key_positions, doc.scalars, doc.spans, doc.reported):
                table.clear()
            del doc.diagnostics[scanned:]
            line, column = exc.problem_mark.line + 1, exc.problem_mark.column + 1
            doc.diagnostics.append(make("E-YAML-TOO-DEEP", doc.path, line, column, message=str(exc.problem)))
            doc.data = None
            return doc
        except (yaml.YAMLError, _SharedNode):  # compose again below, from a clean slate
            for table in (doc.positions, doc.key_positions, doc.scalars, doc.spans, doc.reported):
                table.clear()
            del doc.diagnostics[scanned:]
    try:
        roots = list(yaml.compose_all(text, Loader=_Composer))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        # An unclosed quote or bracket is detected at the end of the file; point at its start.
        # A line without `: ` ("could not find expected ':'") is detected on the line after it;
        # point at the line itself.
        if exc.context_mark is not None and ("end of stream" in str(exc.problem)
                                             or str(exc.context).startswith("while scanning a simple key")):
            mark = exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if isinstance(exc, _AliasRefused):
            doc.diagnostics.append(make("E-YAML-ALIAS", doc.path, line, column, message=f"{exc.problem}"))
        elif isinstance(exc, _TooDeep):
            doc.diagnostics.append(make("E-YAML-TOO-DEEP", doc.path, line, column, message=f"{exc.problem}"))
        elif line not in explained_lines:
            problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
            hint, wide_column = _syntax_hint(text, line, problem)
            doc.diagnostics.append(make("E-YAML-SYNTAX", doc.path, line, wide_column or column,
                                        message=problem or str(exc), hint=hint))
        return doc
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow: already reported above
        line, column = doc.position_of(exc.position)
        if line not in explained_lines:
            doc.diagnostics.append(make("E-TEXT-CONTROL", doc.path, line, column,
                                        message=f"character U+{exc.character:04X} is not allowed in YAML"))
        return doc
    return _build_document(roots, doc)


#: What an escape in a double-quoted scalar may not produce: the characters refused in the
#: file itself (:data:`_INVISIBLE`), plus tab and carriage return, which a file may hold only
#: as layout (``\\t`` and ``\\r`` in a value would be a hidden tab or an overwriting return).
_ESCAPED_INVISIBLE = re.compile(f"[\t\r{INVISIBLE_CHARACTERS}]")
#: One escape sequence of a double-quoted scalar (YAML 1.2 §5.7), or a run of other characters.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|\r?\n|.)", re.S)


def _report_escape(node: ScalarNode, loc: Loc, doc: LoadedDocument) -> None:
    """``E-TEXT-CONTROL`` at the escape (``\\u202e``, ``\\x07``, ``\\r``...) of a double-quoted
    scalar that writes an invisible or control character the file itself may not hold."""
    source = doc.text[node.start_mark.index:node.end_mark.index]
    for match in _ESCAPE.finditer(source):
        try:
            char = yaml.safe_load(f'"{match.group()}"')
        except yaml.YAMLError:  # pragma: no cover - the composer already accepted the escape
            continue
        if isinstance(char, str) and len(char) == 1 and _ESCAPED_INVISIBLE.fullmatch(char):
            line, column = doc.position_of(node.start_mark.index + match.start())
            doc.diagnostics.append(make("E-TEXT-CONTROL", doc.path, line, column, field=format_loc(loc),
                                        message=f"the escape `{match.group()}` writes the invisible character "
                                                f"U+{ord(char):04X} ({_char_name(char)})",
                                        hint="delete the escape; write the text without hidden characters"))
            doc.reported.add(loc)
            return
    doc.report("E-TEXT-CONTROL", loc, message="the value holds an invisible or control character",
               hint="delete the escape; write the text without hidden characters")


#: A key followed by a colon with no space after it (``title:Attention``): YAML reads one word.
_KEY_NO_SPACE = re.compile(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(?=[^\s:])")
#: Full-width punctuation a Chinese input method types in place of YAML's ASCII syntax.
_FULL_WIDTH = {"\uff1a": ":", "\uff0c": ",", "\uff3b": "[", "\uff3d": "]", "\uff5b": "{", "\uff5d": "}",
               "\u3000": " ", "\uff03": "#", "\uff02": '"'}


def _syntax_hint(text: str, line: int, problem: str = "") -> tuple[str | None, int | None]:
    """A specific fix for the commonest syntax errors on ``line`` (1-based) of ``text``, and the
    column to point at: a full-width ``：`` (or other full-width punctuation) typed by a Chinese
    input method (its column), or no space after a key's colon. ``(None, None)`` otherwise: the
    rule's general hint at the parser's position. A backslash that is no escape inside double
    quotes (``"\\(x\\)"``) gets the two ways to write it."""
    if "unknown escape character" in problem:
        return ("inside double quotes a backslash starts an escape: write it twice (`\\\\`), "
                "or put the value in single quotes, where a backslash is just a backslash"), None
    lines = LINE_BREAK.split(text)
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    head = source.split("#", 1)[0] if "\uff03" not in source else source
    wide = next((char for char in head if char in _FULL_WIDTH), None)
    if wide is not None:
        return (f"the line has the full-width `{wide}` (U+{ord(wide):04X}) where YAML needs `{_FULL_WIDTH[wide]}`; "
                "switch the input method to half-width, or quote the value if it is text"), source.index(wide) + 1
    if _KEY_NO_SPACE.match(source):
        return "put a space after the key's colon: `key: value`", None
    return None, None


def _char_name(char: str) -> str:
    import unicodedata

    return unicodedata.name(char, "control character").lower()


def _build_document(roots: list[Node | None], doc: LoadedDocument) -> LoadedDocument:
    roots = [r for r in roots if r is not None]
    if not roots:
        doc.diagnostics.append(make("E-FILE-EMPTY", doc.path, 1, 1, message="the file holds only comments or blank lines"))
        return doc
    if len(roots) > 1:
        line, column = _pos(roots[1])
        doc.diagnostics.append(make("E-YAML-MULTIPLE-DOCUMENTS", doc.path, line, column,
                                    message=f"{len(roots)} documents found; only the first is read"))
    doc.data = _Builder(doc).build(roots[0], (), 0)
    # A value holding an invisible character is already explained (E-TEXT-CONTROL): later
    # rules leave it alone rather than report the same character again as a bad URL or text.
    for offset in doc.hidden:
        for loc, (start, end) in doc.spans.items():
            if start <= offset < end:
                doc.reported.add(loc)
    return doc


def _check_tag(node: Node, loc: Loc, doc: LoadedDocument, expected: str) -> bool:
    """Refuse explicit tags (``!!omap``, ``!!set``, ``!custom``) on mappings and sequences."""
    if node.tag == expected:
        return True
    doc.report("E-YAML-TAG", loc, message=f"explicit tag {node.tag!r} is not allowed")
    return False


class _Builder:
    """Builds plain values from a node tree, recording positions; each node is visited once.

    The hot loop of the loader (about 30 nodes per entry): the tables are bound once, a quoted
    scalar (most text of an entry) is handled inline, and the shared-node check is skipped
    when the text has no ``&``, since libyaml only shares a node between an anchor (``&a``)
    and its aliases."""

    def __init__(self, doc: LoadedDocument) -> None:
        self.doc = doc
        self.seen: set[int] | None = set() if "&" in doc.text else None
        self.positions, self.key_positions = doc.positions, doc.key_positions
        self.scalars, self.spans = doc.scalars, doc.spans

    def build(self, node: Node, loc: Loc, depth: int) -> Any:
        seen = self.seen
        if seen is not None:
            if id(node) in seen:
                raise _SharedNode()
            seen.add(id(node))
        start = node.start_mark
        self.positions[loc] = (start.line + 1, start.column + 1)
        if isinstance(node, ScalarNode):
            self.spans[loc] = (start.index, node.end_mark.index)
            if node.tag == _STR:  # quoted, a block scalar or `!!str`: the text as written (as _scalar)
                raw = node.value
                self.scalars[loc] = _new_scalar(Scalar, (raw, "str", bool(node.style)))
                if node.style == '"' and _ESCAPED_INVISIBLE.search(raw):
                    _report_escape(node, loc, self.doc)
                return raw
            return _scalar(node, loc, self.doc)
        if depth > MAX_DEPTH:  # the same bound the pure-Python composer applies (_Composer)
            raise _TooDeep(None, None, f"values are nested more than {MAX_DEPTH} levels deep", start)
        doc = self.doc
        if isinstance(node, MappingNode):
            if not _check_tag(node, loc, doc, _MAP):
                return None
            result: dict[str, Any] = {}
            key_positions = self.key_positions
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    doc.report("E-YAML-NOT-MAPPING", loc, message="keys must be plain names, not lists or mappings")
                    continue
                key = key_node.value
                if key == "<<" and key_node.tag == _PLAIN:
                    doc.report("E-YAML-ALIAS", loc, message="the merge key `<<` is not allowed")
                    continue
                member = loc + (key,)
                mark = key_node.start_mark
                key_pos = (mark.line + 1, mark.column + 1)
                if member in key_positions:  # set for the first occurrence of the key only
                    first_line = key_positions[member][0]
                    doc.diagnostics.append(make("E-YAML-DUPLICATE-KEY", doc.path, *key_pos, field=format_loc(member),
                                                message=f"key {key!r} is repeated; it is already set on line {first_line}",
                                                hint=f"remove one of the two `{key}:` lines (lines {first_line} and {key_pos[0]})"))
                    doc.reported.add(member)
                    continue
                key_positions[member] = key_pos
                result[key] = self.build(value_node, member, depth + 1)
            return result
        if isinstance(node, SequenceNode):
            if not _check_tag(node, loc, doc, _SEQ):
                return None
            build, depth = self.build, depth + 1
            return [build(item, loc + (index,), depth) for index, item in enumerate(node.value)]
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - PyYAML has no other kinds


#: ``Scalar(raw, kind, quoted)`` without the named tuple's Python-level ``__new__``.
_new_scalar = tuple.__new__


def _scalar(node: ScalarNode, loc: Loc, doc: LoadedDocument) -> Any:
    """The value of a scalar: text as written when quoted, a block or tagged ``!!str``; a plain
    scalar resolved by the YAML 1.2 core schema (§10.3.2), YAML 1.1 boolean words reported."""
    raw = node.value
    tag = node.tag
    if tag != _PLAIN:
        if tag != _STR:
            doc.report("E-YAML-TAG", loc, message=f"explicit tag {tag!r} is not allowed")
        doc.scalars[loc] = _new_scalar(Scalar, (raw, "str", bool(node.style)))
        if node.style == '"' and _ESCAPED_INVISIBLE.search(raw):
            _report_escape(node, loc, doc)
        return raw
    if raw in _NULL:
        doc.scalars[loc] = _new_scalar(Scalar, (raw, "null", False))
        return None
    if raw in _BOOL:
        doc.scalars[loc] = _new_scalar(Scalar, (raw, "bool", False))
        return _BOOL[raw]
    if raw in _YAML11_BOOL_WORDS:
        doc.scalars[loc] = _new_scalar(Scalar, (raw, "yaml11-bool", False))
        doc.report("E-YAML-AMBIGUOUS-BOOL", loc,
                   message=f"`{raw}` is a boolean in YAML 1.1 and text in YAML 1.2",
                   hint=f"write `true` or `false` for a flag, or \"{raw}\" in quotes if it is text")
        return raw
    if raw[:1] in _NUMBER_START:
        if _INT_RE.fullmatch(raw):
            doc.scalars[loc] = _new_scalar(Scalar, (raw, "int", False))
            # A number longer than any field allows stays text (int() refuses > 4300 digits).
            return int(raw) if len(raw) <= MAX_INT_DIGITS else raw
        if _FLOAT_RE.fullmatch(raw):
            doc.scalars[loc] = _new_scalar(Scalar, (raw, "float", False))
            return float(raw)
        if ISO_DATE.fullmatch(raw):
            try:
                value = dt.date.fromisoformat(raw)
            except ValueError:  # 2026-02-30: not a date, and not silently anything else
                doc.scalars[loc] = _new_scalar(Scalar, (raw, "str", False))
                return raw
            doc.scalars[loc] = _new_scalar(Scalar, (raw, "date", False))
            return value
    # Everything else is text, including YAML 1.1 forms (0x1F, 0o17, 1_000, 1:30 sexagesimal,
    # .inf, full timestamps): nothing changes silently, and the schema refuses them where a
    # number or a date is expected.
    doc.scalars[loc] = _new_scalar(Scalar, (raw, "str", False))
    return raw
