"""The JSON Schemas for editors: generated from the models, committed, fresh, and in agreement
with the validator on real and broken entries."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
from click.testing import CliRunner

from aigc_resources.catalog import entry_files, load_taxonomy
from aigc_resources.cli import main
from aigc_resources.schema import ENTRY_SCHEMA_COMMENT
from aigc_resources.schema_export import SCHEMAS, json_schema, render_all, stale_files
from aigc_resources.yamlio import load_yaml

from .conftest import FIXTURES, PROJECT_ROOT

CATALOG = PROJECT_ROOT / "catalog"
SCHEMA_DIR = PROJECT_ROOT / "schema"


def taxonomy():
    loaded, _ = load_taxonomy(CATALOG)
    assert loaded is not None
    return loaded


def as_editor_sees(data):
    """Our loader's values as a YAML 1.2 editor sees them: dates are plain strings."""
    if isinstance(data, dict):
        return {k: as_editor_sees(v) for k, v in data.items()}
    if isinstance(data, list):
        return [as_editor_sees(v) for v in data]
    return data.isoformat() if isinstance(data, dt.date) else data


def validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def test_committed_schemas_are_fresh():
    """Fails when a model or the taxonomy changed without `aigc-resources schema` being run."""
    assert stale_files(SCHEMA_DIR, taxonomy()) == [], "run `aigc-resources schema` and commit schema/"
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json")) == sorted(render_all(taxonomy()))


def test_taxonomy_values_are_enums():
    schema = json_schema(SCHEMAS[0], taxonomy())
    topics = schema["properties"]["topics"]["items"]["enum"]
    assert topics == [t.id for t in taxonomy().topics]
    assert schema["properties"]["type"]["enum"] == [t.id for t in taxonomy().types]
    assert schema["properties"]["topics"]["uniqueItems"] is True
    assert len(schema["properties"]["level"]["enumDescriptions"]) == len(taxonomy().levels)


@pytest.mark.parametrize("path", sorted(entry_files(CATALOG))[:12], ids=lambda p: p.stem)
def test_real_entries_validate_against_the_schema(path):
    doc = load_yaml(path)
    assert doc.data is not None
    errors = [e.message for e in validator("resource").iter_errors(as_editor_sees(doc.data))]
    assert errors == []


def test_real_taxonomy_validates_against_its_schema():
    doc = load_yaml(CATALOG / "taxonomy.yaml")
    assert [e.message for e in validator("taxonomy").iter_errors(doc.data)] == []


@pytest.mark.parametrize("change, word", [
    (lambda d: d.update(titel="x"), "Additional properties"),
    (lambda d: d.update(topics=["attention", "transfomer"]), "is not one of"),
    (lambda d: d.update(access="Free"), "is not one of"),
    (lambda d: d.update(url="javascript:alert(1)"), "does not match"),
    (lambda d: d.update(arxiv=1706.03762), "is not valid under any of the given schemas"),
    (lambda d: d.update(added="2026-02-30"), "is not a 'date'"),
    (lambda d: d.update(topics=["attention", "attention"]), "non-unique"),
    (lambda d: d.pop("url"), "is a required property"),
])
def test_schema_refuses_what_the_validator_refuses(change, word):
    data = as_editor_sees(load_yaml(CATALOG / "resources" / "paper" / "attention-is-all-you-need.yaml").data)
    change(data)
    messages = [e.message for e in validator("resource").iter_errors(data)]
    assert any(word in m for m in messages), messages


def test_every_entry_starts_with_the_schema_comment():
    paths = list(entry_files(CATALOG))
    assert paths
    wrong = [str(p) for p in paths if p.read_text(encoding="utf-8").split("\n", 1)[0] != ENTRY_SCHEMA_COMMENT]
    assert wrong == []
    # ... and the path in it resolves to the committed schema from the entry's folder.
    target = (paths[0].parent / ENTRY_SCHEMA_COMMENT.split("$schema=")[1]).resolve()
    assert target == (SCHEMA_DIR / "resource.schema.json").resolve() and target.is_file()


def test_schema_command_writes_and_checks(tmp_path):
    out = tmp_path / "schema"
    runner = CliRunner()
    args = ["schema", "--catalog", str(CATALOG), "--out", str(out)]
    assert runner.invoke(main, args + ["--check"]).exit_code == 2
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["catalog-export.schema.json", "resource.schema.json", "taxonomy.schema.json"]
    assert runner.invoke(main, args + ["--check"]).exit_code == 0
    assert "unchanged" in runner.invoke(main, args).output
    (out / "resource.schema.json").write_text("{}", encoding="utf-8")
    check = runner.invoke(main, args + ["--check"])
    assert check.exit_code == 2 and "resource.schema.json: stale" in check.output


def test_schema_command_refuses_a_broken_taxonomy(tmp_catalog):
    root = tmp_catalog(taxonomy=(FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8").replace("version: 1", "version: 0"))
    result = CliRunner().invoke(main, ["schema", "--catalog", str(root), "--out", str(root / "s")])
    assert result.exit_code == 2 and not (root / "s").exists()
