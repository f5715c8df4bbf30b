"""Loading a whole catalog: schema, rules, cross-entry checks, every problem in one run."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from aigc_resources.catalog import load_catalog
from aigc_resources.diagnostics import RULES, Severity

from .conftest import FIXTURES

BAD = sorted((FIXTURES / "bad").glob("*.yaml"))
TODAY = dt.date(2026, 11, 29)


def expectations(path: Path) -> tuple[str, list[tuple[str, int, int]]]:
    """Read ``# expect: CODE LINE:COL ...`` and ``# folder: NAME`` from a bad fixture's header."""
    text = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
    header = re.search(r"# expect: (.+)", text)
    assert header, f"{path.name} lacks an '# expect:' line"
    tokens = header.group(1).split()
    expected = [(tokens[i], *map(int, tokens[i + 1].split(":"))) for i in range(0, len(tokens), 2)]
    folder = re.search(r"# folder: (\S+)", text)
    return (folder.group(1) if folder else "paper"), expected


def test_good_fixtures_are_clean(tmp_catalog):
    report = load_catalog(tmp_catalog(), today=TODAY)
    # Three entries cannot fill three topics to 3 each, and the fixture catalog has no concept
    # pages: only thin-topic and missing-concept warnings remain.
    assert {(d.code, d.field) for d in report.diagnostics} == {
        (code, f"topics[{i}]") for code in ("W-THIN-TOPIC", "W-CONCEPT-MISSING") for i in range(3)}
    assert report.entries == 3 and report.files == 4
    assert not report.failed(strict=False)
    entry = report.catalog.get("transformer-paper")
    assert entry.resource.arxiv == "1706.03762"
    assert entry.line_of("links.code") == 15


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_fixture(tmp_catalog, path):
    folder, expected = expectations(path)
    root = tmp_catalog({f"{folder}/{path.name}": path.read_bytes()})
    report = load_catalog(root, today=TODAY)
    found = [(d.code, d.line, d.column) for d in report.diagnostics if d.path.endswith(path.name)]
    for item in expected:
        assert item in found, f"{path.name}: expected {item}, found {found}"
    assert all(code in RULES for code, *_ in found)
    # The good entries of the same run were still checked: each is loaded, or (when the bad
    # fixture duplicates it) carries its own diagnostic.
    loaded = {e.id for e in report.catalog.entries}
    for good in ("transformer-paper", "diffusion-course", "tiny-lib"):
        assert good in loaded or any(d.path.endswith(f"{good}.yaml") for d in report.diagnostics), good
    assert report.failed()


def test_all_bad_files_reported_in_one_run(tmp_catalog):
    entries = {}
    wanted = set()
    for path in BAD:
        folder, expected = expectations(path)
        entries[f"{folder}/{path.name}"] = path.read_bytes()
        wanted |= {(path.name, *item) for item in expected}
    report = load_catalog(tmp_catalog(entries), today=TODAY)
    found = {(Path(d.path).name, d.code, d.line, d.column) for d in report.diagnostics}
    assert wanted <= found
    assert len(BAD) >= 20
    # Output is sorted by file, then line.
    keys = [(d.path, d.line, d.column, d.code) for d in report.diagnostics]
    assert keys == sorted(keys)


def test_unknown_key_suggests_the_field(tmp_catalog):
    root = tmp_catalog({"paper/unknown-key.yaml": (FIXTURES / "bad" / "unknown-key.yaml").read_text()})
    [d] = [d for d in load_catalog(root, today=TODAY).diagnostics if d.code == "E-FIELD-UNKNOWN"]
    assert d.field == "titel" and "did you mean `title`" in d.hint


def test_unknown_topic_suggests_the_term(tmp_catalog):
    root = tmp_catalog({"paper/unknown-topic.yaml": (FIXTURES / "bad" / "unknown-topic.yaml").read_text()})
    [d] = [d for d in load_catalog(root, today=TODAY).diagnostics if d.code == "E-TAXONOMY-UNKNOWN"]
    assert d.field == "topics[1]" and "`transformer`" in d.hint


def test_duplicate_url_names_the_other_location(tmp_catalog):
    root = tmp_catalog({"paper/duplicate-url.yaml": (FIXTURES / "bad" / "duplicate-url.yaml").read_text()})
    found = {Path(d.path).name: d for d in load_catalog(root, today=TODAY).diagnostics if d.code == "E-URL-DUPLICATE"}
    assert set(found) == {"duplicate-url.yaml", "transformer-paper.yaml"}
    assert "transformer-paper.yaml:4" in found["duplicate-url.yaml"].message
    assert "duplicate-url.yaml:4" in found["transformer-paper.yaml"].message


def test_duplicate_ids_across_folders(tmp_catalog):
    text = (FIXTURES / "good" / "tiny-lib.yaml").read_text().replace("type: library", "type: course")
    report = load_catalog(tmp_catalog({"course/tiny-lib.yaml": text.replace("example.org/tiny-lib", "example.org/other")}), today=TODAY)
    found = sorted((d for d in report.diagnostics if d.code == "E-ID-DUPLICATE"), key=lambda d: d.path)
    assert [d.line for d in found] == [1, 1]
    assert "library/tiny-lib.yaml:1" in found[0].message and "course/tiny-lib.yaml:1" in found[1].message


def test_warnings_fail_only_under_strict(tmp_catalog):
    text = (FIXTURES / "good" / "tiny-lib.yaml").read_text()
    text = "\n".join(line for line in text.splitlines() if not line.startswith("description_zh")) + "\n"
    report = load_catalog(tmp_catalog({"library/tiny-lib.yaml": text}), today=TODAY)
    codes = {d.code for d in report.diagnostics}
    assert "W-MISSING-ZH" in codes and "W-THIN-TOPIC" in codes
    assert all(d.severity is Severity.WARNING for d in report.diagnostics)
    assert not report.failed(strict=False)
    assert report.failed(strict=True)
    assert report.catalog.get("tiny-lib") is not None


def test_bad_taxonomy_is_reported_and_stops_entries(tmp_catalog):
    taxonomy = (FIXTURES / "taxonomy.yaml").read_text().replace("group: core, name: Attention", "group: cor, name: Attention")
    report = load_catalog(tmp_catalog(taxonomy=taxonomy), today=TODAY)
    [d] = [d for d in report.diagnostics if d.code == "E-TAXONOMY-INVALID"]
    assert d.path.endswith("taxonomy.yaml") and "did you mean `core`" in d.hint
    assert report.catalog is None and report.failed()


def test_missing_catalog_is_a_usage_error(tmp_path):
    from aigc_resources.errors import CatalogNotFound

    with pytest.raises(CatalogNotFound):
        load_catalog(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogNotFound):
        load_catalog(tmp_path / "empty")


def test_file_name_must_be_slug_yaml(tmp_catalog):
    text = (FIXTURES / "good" / "tiny-lib.yaml").read_text()
    report = load_catalog(tmp_catalog({"library/Tiny_Lib.yml": text}, good=False), today=TODAY)
    assert "E-FILE-NAME" in {d.code for d in report.diagnostics}


def test_real_catalog_is_valid():
    """The committed catalog has no errors and at least 100 entries."""
    root = Path(__file__).resolve().parent.parent / "catalog"
    report = load_catalog(root)
    errors = [d.format() for d in report.diagnostics if d.severity is Severity.ERROR]
    assert errors == []
    assert report.entries >= 100


def test_every_rule_has_a_summary_and_hint():
    for code, rule in RULES.items():
        assert re.fullmatch(r"[EW]-[A-Z0-9]+(-[A-Z0-9]+)*", code), code
        assert rule.summary.endswith(".") and rule.hint, code
