"""The contributor guide and the contribution flow: generated tables, their freshness, the
pre-commit hook, the issue templates and GitHub annotations."""

from __future__ import annotations

import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from aigc_resources.catalog import load_catalog, load_taxonomy
from aigc_resources.cli import main
from aigc_resources.diagnostics import RULES, github_annotation, make
from aigc_resources.errors import UserError
from aigc_resources.render.contribute import render_contribute_pages, update_contributing
from aigc_resources.render.site import render_site, site_nav
from aigc_resources.schema import Resource, Taxonomy

from .conftest import FIXTURES, PROJECT_ROOT

CATALOG = PROJECT_ROOT / "catalog"
HAN = re.compile(r"[\u4e00-\u9fff]")


def taxonomy() -> Taxonomy:
    loaded, _ = load_taxonomy(CATALOG)
    assert loaded is not None
    return loaded


def test_contributing_md_is_fresh():
    """Fails when a field, a rule or the taxonomy changed without `aigc-resources contributing`."""
    text = (PROJECT_ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert update_contributing(text, taxonomy()) == text, "run `aigc-resources contributing` and commit"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_lists_every_field_code_and_value(lang):
    page = render_contribute_pages(taxonomy(), lang)["contribute.md"]
    for name in Resource.model_fields:
        assert f"| `{name}` |" in page, name
    for code in RULES:
        assert f"| `{code}` |" in page, code
    for axis in Taxonomy.AXES:
        for term in getattr(taxonomy(), axis):
            assert f"| `{term.id}` |" in page, term.id
    assert page.startswith("---\ntitle: ")
    assert bool(HAN.search(page.split("## ")[1])) is (lang == "zh")  # the prose is in the page's language


def test_every_rule_and_field_speaks_chinese():
    for code, rule in RULES.items():
        assert HAN.search(rule.summary_zh) and rule.hint_zh, code
    for name, info in Resource.model_fields.items():
        assert HAN.search(info.json_schema_extra["x-description-zh"]), name


def test_cells_are_escaped():
    data = yaml.safe_load((FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8"))
    data["types"][0]["description"] = "Pipes | and <script>alert(1)</script> tags."
    page = render_contribute_pages(Taxonomy.model_validate(data), "en")["contribute.md"]
    row = next(line for line in page.splitlines() if line.startswith("| `paper` |"))
    assert "<script>" not in row and "&lt;script&gt;" in row and r"Pipes \| and" in row


def test_bad_language_and_missing_markers():
    with pytest.raises(ValueError):
        render_contribute_pages(taxonomy(), "fr")
    with pytest.raises(UserError, match="BEGIN GENERATED: codes"):
        update_contributing("<!-- BEGIN GENERATED: fields -->\n<!-- END GENERATED: fields -->\n", taxonomy())


def test_site_has_the_page_in_both_languages(tmp_catalog):
    catalog = load_catalog(tmp_catalog()).catalog
    for lang, title in (("en", "Contribute"), ("zh", "贡献")):
        assert render_site(catalog, lang=lang)["contribute.md"] == render_contribute_pages(catalog.taxonomy, lang)["contribute.md"]
        assert {title: "contribute.md"} in site_nav(catalog, lang=lang)


def test_contributing_command(tmp_path):
    target = tmp_path / "CONTRIBUTING.md"
    target.write_text("# x\n<!-- BEGIN GENERATED: fields -->\n<!-- END GENERATED: fields -->\n"
                      "<!-- BEGIN GENERATED: codes -->\nold\n<!-- END GENERATED: codes -->\n"
                      "<!-- BEGIN GENERATED: taxonomy -->\n<!-- END GENERATED: taxonomy -->\n", encoding="utf-8")
    args = ["contributing", "--catalog", str(CATALOG), "--file", str(target)]
    assert CliRunner().invoke(main, args + ["--check"]).exit_code == 2
    assert CliRunner().invoke(main, args).exit_code == 0
    assert "| `E-YAML-TAB` |" in target.read_text(encoding="utf-8") and "\nold\n" not in target.read_text(encoding="utf-8")
    assert CliRunner().invoke(main, args + ["--check"]).exit_code == 0


def test_issue_template_choices_follow_the_taxonomy():
    form = yaml.safe_load((PROJECT_ROOT / ".github" / "ISSUE_TEMPLATE" / "suggest-a-resource.yml").read_text(encoding="utf-8"))
    options = {item["id"]: item["attributes"]["options"] for item in form["body"] if item["type"] == "dropdown"}
    assert options["type"] == [t.id for t in taxonomy().types]
    assert options["level"] == [t.id for t in taxonomy().levels]


@pytest.mark.parametrize("config", [".pre-commit-hooks.yaml", ".pre-commit-config.yaml"])
def test_pre_commit_hooks_run_the_validator_on_changed_files(config, tmp_catalog, monkeypatch):
    """The hooks' entries are real commands: run them as pre-commit would, on matching files."""
    data = yaml.safe_load((PROJECT_ROOT / config).read_text(encoding="utf-8"))
    hooks = data if isinstance(data, list) else data["repos"][0]["hooks"]
    hook = next(h for h in hooks if h["id"] == "aigc-resources-validate")
    root = tmp_catalog({"paper/unknown-key.yaml": (FIXTURES / "bad" / "unknown-key.yaml").read_bytes()})
    monkeypatch.chdir(root.parent)
    changed = ["catalog/resources/paper/unknown-key.yaml", "catalog/resources/library/tiny-lib.yaml"]
    assert all(re.search(hook["files"], path) for path in changed)
    # Learning paths, concept pages and the coverage goals are validated too: they were not.
    assert all(re.search(hook["files"], path) for path in ("catalog/paths/start.yaml", "catalog/concepts/gan.yaml",
                                                         "catalog/coverage.yaml", "catalog/taxonomy.yaml"))
    assert not re.search(hook["files"], "docs/index.md")
    args = shlex.split(hook["entry"])[1:] + changed  # the program itself is aigc-resources
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert any(line.startswith("catalog/resources/paper/unknown-key.yaml:4:1: E-FIELD-UNKNOWN") for line in lines)
    assert not any("transformer-paper" in line for line in lines)  # not a changed file
    assert lines[-1].startswith("FAILED: 2 files, 2 entries (1 invalid), 1 error")


def test_validate_files_still_sees_the_whole_catalog(tmp_catalog, monkeypatch):
    dup = (FIXTURES / "bad" / "duplicate-url.yaml").read_bytes()
    root = tmp_catalog({"paper/duplicate-url.yaml": dup})
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["validate", "catalog/resources/paper/duplicate-url.yaml"])
    assert result.exit_code == 2
    assert "E-URL-DUPLICATE url: the same resource as https://arxiv.org/abs/1706.03762 in " \
           "catalog/resources/paper/transformer-paper.yaml:4" in result.output


def test_validate_files_refuses_a_file_outside_the_catalog(tmp_catalog, tmp_path, monkeypatch):
    """A draft outside the catalog was printed as "OK: 1 files, 1 entries (1 invalid)", exit 0,
    though no rule had read it; a learning path counted as an invalid entry."""
    root = tmp_catalog()
    draft = tmp_path / "drafts" / "paper" / "x.yaml"
    draft.parent.mkdir(parents=True)
    draft.write_text("id: x\n", encoding="utf-8")
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["validate", str(draft)])
    assert result.exit_code == 3 and "not in the catalog folder catalog, so not checked" in result.output
    (root / "paths").mkdir()
    (root / "paths" / "start.yaml").write_text("id: start\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "catalog/paths/start.yaml", "catalog/resources/library/tiny-lib.yaml"])
    assert result.output.splitlines()[-1].startswith("FAILED: 2 files, 1 entries, ")


def test_validate_files_shows_a_broken_taxonomy(tmp_catalog, monkeypatch):
    root = tmp_catalog(taxonomy=(FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8").replace("group: core, name: Attention", "group: cor, name: Attention"))
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["validate", "catalog/resources/library/tiny-lib.yaml"])
    assert result.exit_code == 2 and "taxonomy.yaml" in result.output and "E-TAXONOMY-INVALID" in result.output


def test_github_annotations(tmp_catalog, monkeypatch):
    root = tmp_catalog({"paper/unknown-key.yaml": (FIXTURES / "bad" / "unknown-key.yaml").read_bytes()})
    monkeypatch.chdir(root.parent)
    result = CliRunner().invoke(main, ["validate", "--format", "github", "--strict"])
    assert result.exit_code == 2
    assert ("::error file=catalog/resources/paper/unknown-key.yaml,line=4,col=1,title=E-FIELD-UNKNOWN::"
            "titel: unknown field `titel` (did you mean `title`?)") in result.output.splitlines()
    # warnings are errors under --strict, warnings otherwise
    assert "::error file=catalog/taxonomy.yaml" in result.output
    relaxed = CliRunner().invoke(main, ["validate", "--format", "github"])
    assert "::warning file=catalog/taxonomy.yaml" in relaxed.output


def test_annotation_escaping():
    d = make("E-TEXT-HTML", "a,b:c.yaml", 3, 4, field="description", message="100% <b>\nnext")
    assert github_annotation(d) == ("::error file=a%2Cb%3Ac.yaml,line=3,col=4,title=E-TEXT-HTML::"
                                    "description: 100%25 <b>%0Anext (Use plain text or inline Markdown.)")


def test_json_format(tmp_catalog):
    import json

    result = CliRunner().invoke(main, ["validate", "--format", "json", "--catalog", str(tmp_catalog())])
    data = json.loads(result.output)
    assert result.exit_code == 0 and data["failed"] is False and data["entries"] == 3
    assert {d["code"] for d in data["diagnostics"]} == {"W-THIN-TOPIC"}
