"""Rules that need the file system, the taxonomy or several entries, and the loader's two
composers agreeing on every position."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from aigc_resources.catalog import load_catalog
from aigc_resources.rules import check_taxonomy
from aigc_resources.schema import Taxonomy
from aigc_resources.urls import arxiv_id_problem
from aigc_resources.validation import validate_document
from aigc_resources.yamlio import LoadedDocument, load_yaml, load_yaml_text

from .conftest import FIXTURES

TODAY = dt.date(2026, 11, 29)
BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
GOOD = (FIXTURES / "good" / "tiny-lib.yaml").read_text(encoding="utf-8")


def codes(report, name: str) -> list[tuple[str, int, int]]:
    return sorted((d.code, d.line, d.column) for d in report.diagnostics if Path(d.path).name == name)


@pytest.mark.parametrize("path", BAD + sorted((FIXTURES / "good").glob("*.yaml")), ids=lambda p: p.stem)
def test_libyaml_and_python_composers_agree(path):
    """Both composers give the same data, positions, spans and diagnostics for every fixture."""
    import yaml

    if not yaml.__with_libyaml__:
        pytest.skip("PyYAML without libyaml: only the pure-Python composer exists here")
    doc = load_yaml(path)
    if doc.text == "":
        return  # refused before parsing (encoding, emptiness)
    fast = load_yaml_text(doc.text, LoadedDocument(path="x"), use_libyaml=True)
    slow = load_yaml_text(doc.text, LoadedDocument(path="x"), use_libyaml=False)
    assert [(d.code, d.line, d.column) for d in fast.diagnostics] == [(d.code, d.line, d.column) for d in slow.diagnostics]
    if slow.data is None and fast.data is not None:
        # The one known difference: libyaml accepts a tab after `key:` (YAML 1.2 allows tabs
        # as separators there), the pure-Python composer does not. Both report E-YAML-TAB.
        assert [d.code for d in fast.diagnostics] == ["E-YAML-TAB"]
        return
    assert fast.data == slow.data
    assert fast.positions == slow.positions and fast.key_positions == slow.key_positions
    assert fast.spans == slow.spans and fast.scalars == slow.scalars


def test_symlinked_entry_is_refused(tmp_catalog, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n", encoding="utf-8")
    root = tmp_catalog()
    os.symlink(secret, root / "resources" / "library" / "linked.yaml")
    report = load_catalog(root, today=TODAY)
    assert codes(report, "linked.yaml") == [("E-FILE-LINK", 1, 1)]
    assert not any("hunter2" in d.message for d in report.diagnostics)


def test_misplaced_files_are_reported(tmp_catalog):
    root = tmp_catalog()
    (root / "resourses" / "paper").mkdir(parents=True)
    (root / "resourses" / "paper" / "typo-folder.yaml").write_text(GOOD, encoding="utf-8")
    (root / "stray.yaml").write_text(GOOD, encoding="utf-8")
    (root / ".hidden.yaml").write_text("ignored: true\n", encoding="utf-8")
    (root / "paths").mkdir()
    (root / "paths" / "a-path.yaml").write_text("read: by the learning-path loader\n", encoding="utf-8")
    report = load_catalog(root, today=TODAY)
    place = {Path(d.path).name: d for d in report.diagnostics if d.code == "E-FILE-PLACE"}
    assert set(place) == {"typo-folder.yaml", "stray.yaml"}
    assert "did you mean `resources/`" in place["typo-folder.yaml"].hint
    assert report.failed()


@pytest.mark.parametrize("name, read", [
    ("Tiny_Lib.yaml", True), ("tiny-lib.yml", True), ("con.yaml", True), ("nul.yaml", True),
    ("notes.txt", False), ("tiny-lib.yaml.orig", False),
])
def test_entry_file_names(tmp_catalog, name, read):
    stem = name.split(".")[0]
    root = tmp_catalog({f"library/{name}": GOOD.replace("tiny-lib", stem)}, good=False)
    found = load_catalog(root, today=TODAY).diagnostics
    assert "E-FILE-NAME" in {d.code for d in found if Path(d.path).name == name}
    # A YAML file with a bad name is still read (its other problems show in the same run);
    # any other file is only named.
    others = {d.code for d in found if Path(d.path).name == name} - {"E-FILE-NAME", "E-ID-SLUG", "E-ID-MISMATCH"}
    assert (others == {"W-THIN-TOPIC"} or not others) or read


def test_windows_device_name_message(tmp_catalog):
    root = tmp_catalog({"library/aux.yaml": GOOD.replace("tiny-lib", "aux")}, good=False)
    [d] = [d for d in load_catalog(root, today=TODAY).diagnostics if d.code == "E-FILE-NAME"]
    assert "device name on Windows" in d.message


def test_unused_values_and_empty_groups_are_warnings(tmp_catalog):
    taxonomy = (FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8").replace(
        "topic_groups:\n", "topic_groups:\n  - {id: lonely, name: Lonely, name_zh: 孤单, "
                           "description: A group with no topic., description_zh: 没有主题的组。}\n")
    report = load_catalog(tmp_catalog(taxonomy=taxonomy), today=TODAY)
    unused = sorted(d.message for d in report.diagnostics if d.code == "W-UNUSED-VALUE")
    assert unused == ["no topic is in the group `lonely`"]
    assert not report.failed(strict=False) and report.failed(strict=True)


@pytest.mark.parametrize("change, message", [
    ("{id: text, name: Text,", "`text` appears twice in `modalities`"),
    ("aliases: [Transformers]}", "alias `Diffusion` also names `transformer` in `topics`"),
    ("{id: attention, group: core,", "parents form a cycle"),
    # An alias spelling another value's id was accepted: the importer could read it as either.
    ("aliases: [Transformers, attention]}", "alias `attention` is the id of `attention` in `topics`"),
    ("aliases: [Transformers, Diffusion Models]}", "alias `Diffusion Models` is the id of `diffusion-models` in `topics`"),
])
def test_taxonomy_consistency(change, message):
    text = (FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8")
    if change.startswith("{id: text"):
        text = text.replace("  - {id: image,", "  - {id: text, name: Text again, name_zh: 文本, description: Duplicate id., "
                                              "description_zh: 重复的值。}\n  - {id: image,")
    elif change == "aliases: [Transformers]}":
        text = text.replace("aliases: [Transformers]}", "aliases: [Transformers, Diffusion]}")
    elif change.startswith("aliases"):
        text = text.replace("aliases: [Transformers]}", change)
    else:
        text = text.replace("{id: transformer, group: core,", "{id: transformer, group: core, parent: attention,")
        text = text.replace("{id: attention, group: core,", "{id: attention, group: core, parent: transformer,")
    doc = load_yaml_text(text, LoadedDocument(path="taxonomy.yaml"))
    taxonomy = validate_document(Taxonomy, doc)
    check_taxonomy(taxonomy, doc)
    assert any(d.code == "E-TAXONOMY-INVALID" and message in d.message for d in doc.diagnostics), doc.diagnostics


def test_html_in_taxonomy_text_is_refused():
    text = (FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8").replace(
        "description: Written language.", "description: Written <b>language</b>.")
    doc = load_yaml_text(text, LoadedDocument(path="taxonomy.yaml"))
    check_taxonomy(validate_document(Taxonomy, doc), doc)
    assert [d.code for d in doc.diagnostics] == ["E-TEXT-HTML"]


def test_quoted_date_is_accepted(tmp_catalog):
    text = re.sub(r"added: (\S+)", r'added: "2026-01-01"', GOOD)
    report = load_catalog(tmp_catalog({"library/tiny-lib.yaml": text}), today=TODAY)
    assert report.catalog.get("tiny-lib").resource.added == dt.date(2026, 1, 1)


def test_misspelt_required_key_is_one_problem(tmp_catalog):
    text = GOOD.replace("title:", "titel:")
    report = load_catalog(tmp_catalog({"library/tiny-lib.yaml": text}), today=TODAY)
    assert [d.code for d in report.diagnostics if d.path.endswith("tiny-lib.yaml")] == ["E-FIELD-UNKNOWN"]


@pytest.mark.parametrize("identifier, ok", [
    ("1706.03762", True), ("1706.03762v5", True), ("1412.6980", True), ("cs/0112017", True),
    ("math.GT/0309136v2", True), ("1706.0376", False), ("1412.69801", False), ("1713.00001", False),
    ("0703.1234", False), ("3001.00001", False), ("cs/0712017", False), ("1706.03762v0", False),
])
def test_arxiv_identifiers(identifier, ok):
    assert (arxiv_id_problem(identifier, 2026) is None) is ok


def test_a_huge_file_is_not_read_into_memory(tmp_catalog):
    """A sparse 4 GiB file is refused after reading one byte past the limit."""
    root = tmp_catalog()
    with open(root / "resources" / "paper" / "huge.yaml", "wb") as handle:
        handle.truncate(4 * 2**30)
    report = load_catalog(root, today=TODAY)
    [d] = [d for d in report.diagnostics if d.path.endswith("huge.yaml")]
    assert d.code == "E-FILE-TOO-LARGE" and "4,294,967,296 bytes" in d.message


def test_a_fifo_does_not_hang_the_run(tmp_catalog):
    root = tmp_catalog()
    os.mkfifo(root / "resources" / "paper" / "pipe.yaml")
    report = load_catalog(root, today=TODAY)
    assert codes(report, "pipe.yaml") == [("E-FILE-READ", 0, 0)]
    assert report.valid == 3


def test_utf16_is_named(tmp_catalog):
    root = tmp_catalog({"paper/utf16.yaml": GOOD.replace("tiny-lib", "utf16").encode("utf-16")})
    [d] = [d for d in load_catalog(root, today=TODAY).diagnostics if d.path.endswith("utf16.yaml")]
    assert d.code == "E-FILE-ENCODING" and "UTF-16" in d.message


def test_validate_files_given_as_absolute_or_dotted_paths(tmp_catalog, monkeypatch):
    from click.testing import CliRunner

    from aigc_resources.cli import main

    root = tmp_catalog({"paper/unknown-key.yaml": (FIXTURES / "bad" / "unknown-key.yaml").read_bytes()})
    monkeypatch.chdir(root.parent)
    for given in (str(root / "resources" / "paper" / "unknown-key.yaml"), "./catalog/resources/paper/../paper/unknown-key.yaml"):
        result = CliRunner().invoke(main, ["validate", given])
        assert result.exit_code == 2 and "unknown-key.yaml:4:1: E-FIELD-UNKNOWN" in result.output, given


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_block_markdown_found_whatever_the_line_breaks(tmp_catalog, newline):
    """A list folded into a description is found at the same line and column with LF, CRLF
    or CR line breaks (the break normalisation runs only when the text has other breaks)."""
    text = (FIXTURES / "bad" / "folded-list.yaml").read_text(encoding="utf-8")
    root = tmp_catalog({"paper/folded-list.yaml": text.replace("\n", newline).encode("utf-8")})
    report = load_catalog(root, today=TODAY)
    assert ("E-TEXT-BLOCK-MARKDOWN", 15, 3) in codes(report, "folded-list.yaml")


def test_layout_of_the_wrong_kind_is_reported(tmp_catalog, tmp_path):
    """A file where the catalog expects a folder (or the reverse), a linked folder of entries and
    a folder inside concepts/ were skipped silently: no entries, no goals, no error."""
    root = tmp_catalog()
    (root / "paths").write_text("not a folder\n", encoding="utf-8")
    (root / "coverage.yaml").mkdir()
    (root / "concepts" / "sub").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "library").mkdir(parents=True)
    (elsewhere / "library" / "outside.yaml").write_text(GOOD, encoding="utf-8")
    os.symlink(elsewhere / "library", root / "resources" / "linked")
    report = load_catalog(root, today=TODAY)
    found = sorted((Path(d.path).name, d.code, d.line) for d in report.diagnostics if d.code.startswith("E-FILE"))
    assert found == [("coverage.yaml", "E-FILE-PLACE", 0), ("linked", "E-FILE-LINK", 1),
                     ("paths", "E-FILE-PLACE", 0), ("sub", "E-FILE-PLACE", 0)]
    assert report.failed() and report.catalog.get("outside") is None


def test_taxonomy_of_the_wrong_kind_is_named(tmp_path):
    from aigc_resources.errors import CatalogNotFound

    (tmp_path / "taxonomy.yaml").mkdir()
    with pytest.raises(CatalogNotFound, match="taxonomy.yaml is a folder, not a file"):
        load_catalog(tmp_path)
    (tmp_path / "taxonomy.yaml").rmdir()
    os.symlink(tmp_path / "missing.yaml", tmp_path / "taxonomy.yaml")
    with pytest.raises(CatalogNotFound, match="taxonomy.yaml is a symbolic link to a missing file"):
        load_catalog(tmp_path)
