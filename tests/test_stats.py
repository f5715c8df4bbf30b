"""Coverage: `stats` counts and gaps, and `validate --strict` on the coverage goals."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from aigc_resources.catalog import load_catalog
from aigc_resources.cli import main
from aigc_resources.stats import compute_coverage, load_policy

from . import curation


@pytest.fixture
def catalog_dir(tmp_path):
    return curation.build(tmp_path / "catalog")


def test_strict_passes_on_a_catalog_that_meets_the_goals(catalog_dir):
    report = load_catalog(catalog_dir)
    assert report.diagnostics == [] and report.entries == len(curation.ENTRIES)
    result = CliRunner().invoke(main, ["validate", "--strict", "--catalog", str(catalog_dir)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("drop, replace, code, subject", [
    (("diffusion-course",), {}, "W-THIN-TOPIC", "diffusion-models"),
    ((), {"level: beginner\nlanguages: [zh]": "level: intermediate\nlanguages: [zh]"}, "W-TOPIC-NO-BEGINNER", "attention"),
    (("bahdanau-alignment",), {}, "W-CONCEPT-GAP", "attention"),
    ((), {"languages: [zh]": "languages: [en]"}, "W-FEW-CHINESE", "2 are wanted"),
    ((), {"year: 2024": "year: 2023"}, "W-TOPIC-NOT-RECENT", "diffusion-models"),
])
def test_each_gap_fails_strict_only(tmp_path, drop, replace, code, subject):
    root = curation.build(tmp_path / "catalog", drop=drop, replace=replace)
    report = load_catalog(root)
    found = [d for d in report.diagnostics if d.code == code]
    assert found and subject in found[0].message, [d.format() for d in report.diagnostics]
    assert found[0].line > 0 and found[0].path.endswith(("coverage.yaml", "taxonomy.yaml"))
    assert not report.failed(strict=False) and report.failed(strict=True)
    result = CliRunner().invoke(main, ["validate", "--strict", "--catalog", str(root)])
    assert result.exit_code == 2 and code in result.output


def test_policy_names_unknown_topics(tmp_path):
    root = curation.build(tmp_path / "catalog", coverage=curation.COVERAGE.replace("topic: attention", "topic: atention"))
    [d] = [d for d in load_catalog(root).diagnostics if d.code == "E-TAXONOMY-UNKNOWN"]
    assert d.path.endswith("coverage.yaml") and "did you mean `attention`" in d.hint


def test_without_a_policy_only_thin_topics_count(tmp_path):
    root = curation.build(tmp_path / "catalog", coverage=None, drop=("vaswani-attention", "transformer-course"))
    report = load_catalog(root)
    assert {d.code for d in report.diagnostics} == {"W-THIN-TOPIC"}
    policy, doc = load_policy(root)
    assert policy is None and doc is None
    coverage = compute_coverage(report.catalog, None)
    assert [(g.kind, g.subject) for g in coverage.gaps] == [("thin-topic", "transformer")]


def test_counts(catalog_dir):
    catalog = load_catalog(catalog_dir).catalog
    policy, _ = load_policy(catalog_dir)
    coverage = compute_coverage(catalog, policy)
    assert coverage.entries == 9 and coverage.gaps == []
    assert coverage.by_type == {"paper": 4, "course": 3, "library": 2}
    assert coverage.by_level == {"beginner": 3, "intermediate": 2, "advanced": 4}
    assert coverage.by_language == {"en": 8, "zh": 2}
    assert coverage.chinese_entries == 2 and coverage.recent_entries == 3
    topics = {t.id: t for t in coverage.topics}
    assert (topics["diffusion-models"].entries, topics["diffusion-models"].recent) == (3, 3)
    assert topics["attention"].levels == {"beginner": 1, "intermediate": 1, "advanced": 1}
    assert coverage.concepts == {"Transformer": {"paper": 1, "tutorial or course": 1},
                                 "attention": {"paper": 1, "tutorial or course": 1}}


def test_cli_formats_and_fail_on_gaps(tmp_path, catalog_dir):
    runner = CliRunner()
    text = runner.invoke(main, ["stats", "--catalog", str(catalog_dir)])
    assert text.exit_code == 0 and text.output.startswith("9 entries, 2 in Chinese, 3 from 2024 on; 0 gaps")
    assert "Gaps: none" in text.output
    data = json.loads(runner.invoke(main, ["stats", "--catalog", str(catalog_dir), "--format", "json"]).output)
    assert data["by_type"]["paper"] == 4 and data["gaps"] == []
    markdown = runner.invoke(main, ["stats", "--catalog", str(catalog_dir), "--format", "markdown"]).output
    assert "| topic | group | entries | beginner | intermediate | advanced | recent |" in markdown
    assert runner.invoke(main, ["stats", "--catalog", str(catalog_dir), "--fail-on-gaps"]).exit_code == 0
    gappy = curation.build(tmp_path / "gappy", drop=("diffusion-course",))
    result = runner.invoke(main, ["stats", "--catalog", str(gappy), "--fail-on-gaps"])
    assert result.exit_code == 2 and "[thin-topic] topic `diffusion-models` has 2 entries" in result.output
    assert runner.invoke(main, ["stats", "--catalog", str(gappy)]).exit_code == 0


def test_real_catalog_policy_is_valid():
    """The committed coverage.yaml loads and names only real taxonomy ids."""
    from .conftest import PROJECT_ROOT

    report = load_catalog(PROJECT_ROOT / "catalog")
    assert not [d.format() for d in report.diagnostics if d.path.endswith("coverage.yaml") and d.code.startswith("E-")]
    policy, _ = load_policy(PROJECT_ROOT / "catalog")
    assert policy is not None and len(policy.concepts) == 18


def test_cli_stats_refuses_unknown_ids_in_the_policy(tmp_path):
    """`stats` used to print `concept X (topic nonexistent) has no paper` and exit 0 for a typo in
    coverage.yaml, while `validate` reported the typo: the goals now hold the same rule in both."""
    root = curation.build(tmp_path / "catalog", coverage=curation.COVERAGE.replace(
        "{name: attention, topic: attention}", "{name: attention, topic: atention}"))
    result = CliRunner().invoke(main, ["stats", "--catalog", str(root)])
    assert result.exit_code == 3, result.output
    assert "E-TAXONOMY-UNKNOWN" in result.output and "`atention` is not in the taxonomy" in result.output
    assert "did you mean `attention`?" in result.output and "has no paper" not in result.output


def test_markdown_table_cells_escape_pipes():
    from aigc_resources.stats import CoverageReport, format_markdown

    report = CoverageReport(entries=1, by_type={"a|b": 1}, by_level={}, by_language={}, by_modality={},
                            chinese_entries=0, recent_entries=0, recent_since=None, topics=[])
    assert "| a\\|b | 1 |" in format_markdown(report)
