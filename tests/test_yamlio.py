"""The YAML reader: positions of every node, and YAML's surprises refused with a location."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aigc_resources.yamlio import LoadedDocument, load_yaml, load_yaml_text


def load(text: str) -> LoadedDocument:
    return load_yaml_text(text, LoadedDocument(path="x.yaml"))


def codes(doc: LoadedDocument) -> list[tuple[str, int, int]]:
    return [(d.code, d.line, d.column) for d in doc.diagnostics]


def test_positions_of_values_keys_and_items():
    doc = load("id: a\ntopics:\n  - x\n  - y\nlinks:\n  code: https://e.org\n")
    assert doc.data == {"id": "a", "topics": ["x", "y"], "links": {"code": "https://e.org"}}
    assert doc.positions[("id",)] == (1, 5)
    assert doc.positions[("topics", 1)] == (4, 5)
    assert doc.key_positions[("links", "code")] == (6, 3)
    assert doc.positions[("links", "code")] == (6, 9)
    # A missing field points at its parent mapping.
    assert doc.locate(("links", "docs")) == doc.positions[("links",)]
    assert doc.locate(("nope",)) == (1, 1)


def test_yaml12_core_scalars_and_dates():
    doc = load("a: true\nb: null\nc: 12\nd: 1.5\ne: 2024-01-02\nf: '2024-01-02'\ng: 0x1F\nh: 1_000\n")
    assert doc.data == {"a": True, "b": None, "c": 12, "d": 1.5, "e": dt.date(2024, 1, 2),
                        "f": "2024-01-02", "g": "0x1F", "h": "1_000"}
    assert doc.scalars[("d",)].kind == "float" and doc.scalars[("d",)].raw == "1.5"
    assert doc.scalars[("f",)].quoted
    assert doc.diagnostics == []


def test_yaml11_bool_words_stay_text_and_are_reported():
    doc = load("a: no\nb: On\nc: 'yes'\n")
    assert doc.data == {"a": "no", "b": "On", "c": "yes"}
    assert codes(doc) == [("E-YAML-AMBIGUOUS-BOOL", 1, 4), ("E-YAML-AMBIGUOUS-BOOL", 2, 4)]


def test_duplicate_key_names_both_lines():
    doc = load("title: a\nid: x\ntitle: b\n")
    [d] = doc.diagnostics
    assert (d.code, d.line, d.column, d.field) == ("E-YAML-DUPLICATE-KEY", 3, 1, "title")
    assert "line 1" in d.message
    assert doc.data["title"] == "a"


def test_alias_bomb_refused_before_expansion():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    doc = load(bomb)
    assert codes(doc) == [("E-YAML-ALIAS", 2, 8)]
    assert doc.data is None


def test_explicit_tags_refused():
    doc = load("a: !!python/object:os.system x\nb: !!set {x}\nc: !!str 12\n")
    assert [d.code for d in doc.diagnostics] == ["E-YAML-TAG", "E-YAML-TAG"]
    assert doc.data["c"] == "12"


def test_merge_key_refused():
    doc = load("base: &b {x: 1}\nother:\n  <<: {y: 2}\n")
    assert [d.code for d in doc.diagnostics] == ["E-YAML-ALIAS"]


def test_multiple_documents_reads_the_first():
    doc = load("a: 1\n---\nb: 2\n")
    assert codes(doc) == [("E-YAML-MULTIPLE-DOCUMENTS", 3, 1)]
    assert doc.data == {"a": 1}


def test_tab_reported_and_syntax_error_not_doubled():
    doc = load("a:\n\tb: 1\n")
    assert [d.code for d in doc.diagnostics] == ["E-YAML-TAB"]
    assert (doc.diagnostics[0].line, doc.diagnostics[0].column) == (2, 1)


def test_syntax_error_located():
    doc = load("a: [1, 2\nb: 3\n")
    [d] = doc.diagnostics
    assert d.code == "E-YAML-SYNTAX" and d.line == 2


def test_file_level_problems(tmp_path: Path):
    cases = {
        "bom.yaml": (b"\xef\xbb\xbfa: 1\n", ("E-FILE-BOM", 1, 1)),
        "latin1.yaml": (b"a: 1\nb: caf\xe9\n", ("E-FILE-ENCODING", 2, 7)),
        "empty.yaml": (b"   \n", ("E-FILE-EMPTY", 1, 1)),
        "comments.yaml": (b"# nothing\n", ("E-FILE-EMPTY", 1, 1)),
        "big.yaml": (b"a: " + b"x" * 300_000 + b"\n", ("E-FILE-TOO-LARGE", 1, 1)),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        doc = load_yaml(path)
        assert (doc.diagnostics[0].code, doc.diagnostics[0].line, doc.diagnostics[0].column) == expected, name
    bom = load_yaml(tmp_path / "bom.yaml")
    assert bom.data == {"a": 1}  # the BOM is reported, and the rest still read


def test_unreadable_file(tmp_path: Path):
    doc = load_yaml(tmp_path / "missing.yaml")
    assert [d.code for d in doc.diagnostics] == ["E-FILE-READ"]


@pytest.mark.parametrize("text, position, hint", [
    ("id: x\ntitle：A b\nurl: y\n", (2, 6), "full-width `：` (U+FF1A) where YAML needs `:`"),
    ("id: x\ntopics：[a]\n", (2, 7), "full-width `：`"),
    ("id: x\ntitle:Attention\nurl: y\n", (2, 1), "put a space after the key's colon"),
    ("id: x\ntitle Attention\nurl: y\n", (2, 1), "Fix the syntax at the position shown"),
    # Not a missing colon, but the same table: a LaTeX-like backslash inside double quotes.
    ('id: x\ntitle: "a \\( b"\n', (2, 12), "write it twice (`\\\\`), or put the value in single quotes"),
])
def test_line_without_a_colon_is_located_on_its_own_line(text, position, hint):
    """PyYAML notices a key without `: ` on the next line; the diagnostic points at the line
    itself, and says what to type when the cause is a full-width colon or a missing space."""
    for use_libyaml in (True, False):
        doc = load_yaml_text(text, LoadedDocument(path="x.yaml"), use_libyaml=use_libyaml)
        [d] = doc.diagnostics
        assert (d.code, d.line, d.column) == ("E-YAML-SYNTAX", *position)
        assert hint in d.hint
