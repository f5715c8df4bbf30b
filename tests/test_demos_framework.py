"""The demo framework: registry, static metadata, runner, metrics.json and the ``demo`` CLI.

These tests use the ``ngram`` demo (no torch) wherever a real run is needed.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from aigc_resources.cli import main
from aigc_resources.demos import registry, runner
from aigc_resources.demos.registry import (
    DEMO_MODULES, DemoDeclarationError, UnknownDemo, all_demos, demos_for_topic, get_demo, read_declaration)
from aigc_resources.demos.spec import Artifact, Demo, Threshold
from aigc_resources.errors import ExitCode

CJK = re.compile(r"[\u4e00-\u9fff]")


def taxonomy_topics(repo_root: Path) -> set[str]:
    data = yaml.safe_load((repo_root / "catalog" / "taxonomy.yaml").read_text(encoding="utf-8"))
    return {topic["id"] for topic in data["topics"]}


# -- registry and metadata ---------------------------------------------------------------------


def test_every_registered_module_declares_complete_metadata(repo_root: Path) -> None:
    known_topics = taxonomy_topics(repo_root)
    demos = all_demos()
    assert [d.name for d in demos] == list(DEMO_MODULES)
    for demo in demos:
        assert demo.module == f"aigc_resources.demos.{demo.name}"
        assert demo.title and demo.summary.count(".") >= 2, demo.name
        assert CJK.search(demo.title_zh) and CJK.search(demo.summary_zh), demo.name
        assert demo.topics and set(demo.topics) <= known_topics, (demo.name, set(demo.topics) - known_topics)
        assert demo.formula.strip() and "$$" not in demo.formula
        assert all(f.file.endswith(".png") and "/" not in f.file for f in demo.figures), demo.name
        assert all(s.file.endswith(".txt") and "/" not in s.file for s in demo.samples), demo.name
        assert all(a.caption and CJK.search(a.caption_zh) for a in demo.artifacts), demo.name


def test_static_metadata_equals_the_imported_module() -> None:
    from aigc_resources.demos import ngram

    assert get_demo("ngram") == ngram.DEMO


def test_declaration_must_be_literal(tmp_path: Path) -> None:
    path = tmp_path / "toy.py"
    path.write_text("TITLE = 'x'\nDEMO = Demo(name='toy', title=TITLE)\n", encoding="utf-8")
    with pytest.raises(DemoDeclarationError, match="literals"):
        read_declaration(path, "toy")


def test_declaration_name_must_equal_file_stem(tmp_path: Path) -> None:
    path = tmp_path / "toy.py"
    path.write_text(
        "DEMO = Demo(name='other', title='t', title_zh='t', summary='s', summary_zh='s', topics=('x',),\n"
        "            formula='x', figures=(Artifact('a.png', 'c', 'c'),))\n", encoding="utf-8")
    with pytest.raises(DemoDeclarationError, match="file stem"):
        read_declaration(path, "toy")


def test_declaration_is_read_with_artifacts(tmp_path: Path) -> None:
    path = tmp_path / "toy.py"
    path.write_text(
        "import torch\nDEMO = Demo(name='toy', title='t', title_zh='t', summary='s', summary_zh='s',\n"
        "            topics=('x',), formula=r'\\frac{a}{b}', figures=(Artifact('a.png', 'c', 'c2'),))\n",
        encoding="utf-8")
    demo = read_declaration(path, "pkg.toy")
    assert demo == Demo("toy", "t", "t", "s", "s", ("x",), r"\frac{a}{b}", (Artifact("a.png", "c", "c2"),))
    assert demo.module == "pkg.toy"


def test_missing_declaration_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "toy.py"
    path.write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(DemoDeclarationError, match="no module-level DEMO"):
        read_declaration(path, "toy")


def test_unknown_demo_suggests_the_closest_name() -> None:
    with pytest.raises(UnknownDemo, match="did you mean 'ngram'"):
        get_demo("ngramm")


def test_demos_for_topic() -> None:
    assert [d.name for d in demos_for_topic("ngram-language-model")] == ["ngram"]
    assert demos_for_topic("no-such-topic") == ()


@pytest.mark.parametrize(("op", "value", "expected"), [("<=", 2.0, True), ("<", 2.0, False), (">=", 2.0, True),
                                                       (">", 1.0, True), ("==", 2.0, True), ("==", 2.5, False)])
def test_threshold_comparisons(op: str, value: float, expected: bool) -> None:
    assert Threshold("m", op, value).passes(2.0) is expected


def test_threshold_rejects_unknown_operator() -> None:
    with pytest.raises(ValueError, match="unknown comparison"):
        Threshold("m", "=<", 1.0)


# -- runner --------------------------------------------------------------------------------------


def test_run_writes_metrics_json_and_declared_artifacts(demo_run) -> None:
    result = demo_run("ngram", fast=True)
    document = json.loads((result.out_dir / "metrics.json").read_text(encoding="utf-8"))
    assert document["demo"] == "ngram" and document["seed"] == 0 and document["fast"] is True
    assert document["config"]["seed"] == 0 and document["config"]["max_order"] == 3  # the FAST override
    assert set(document["metrics"]) == set(result.metrics)
    assert [c["metric"] for c in document["checks"]] == [t.metric for t in runner.load_module("ngram").FAST_THRESHOLDS]
    assert all(c["passed"] for c in document["checks"])
    assert "python" in document["versions"]
    for path in result.files:
        assert path.is_file() and path.stat().st_size > 0


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    first = runner.run_demo("ngram", tmp_path / "a", seed=3, fast=True)
    second = runner.run_demo("ngram", tmp_path / "b", seed=3, fast=True)
    for a, b in zip(first.files, second.files):
        if a.suffix != ".png":  # matplotlib output is compared by the demo tests' image checks
            assert a.read_bytes() == b.read_bytes(), a.name
    other = runner.run_demo("ngram", tmp_path / "c", seed=4, fast=True)
    assert other.metrics != first.metrics


def test_run_removes_stale_artifacts_but_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "samples.txt").write_text("stale\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("mine\n", encoding="utf-8")
    runner.run_demo("ngram", tmp_path, fast=True)
    assert "stale" not in (tmp_path / "samples.txt").read_text(encoding="utf-8")
    assert (tmp_path / "notes.md").read_text(encoding="utf-8") == "mine\n"


def test_a_demo_that_skips_a_declared_artifact_is_a_bug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = runner.load_module("ngram")
    monkeypatch.setattr(module, "run", lambda config, out_dir: {"x": 1.0})
    with pytest.raises(RuntimeError, match="did not write"):
        runner.run_demo("ngram", tmp_path, fast=True)


def test_missing_dependency_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise ModuleNotFoundError("No module named 'torch'", name="torch")

    monkeypatch.setattr(runner, "load_module", missing)
    with pytest.raises(runner.DemoDependencyMissing, match=r"needs 'torch'.*\[demos\]"):
        runner.run_demo("ngram", tmp_path)


# -- CLI -------------------------------------------------------------------------------------------


def invoke(*args: str):
    return CliRunner().invoke(main, ["demo", *args])


def test_cli_list_shows_every_demo() -> None:
    result = invoke("list")
    assert result.exit_code == ExitCode.OK
    assert [line.split()[0] for line in result.output.splitlines()] == list(DEMO_MODULES)


def test_cli_run_prints_metrics_and_checks(tmp_path: Path) -> None:
    result = invoke("run", "ngram", "--fast", "--seed", "1", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.OK, result.output
    assert "heldout_nll_add_k_n3" in result.output and "ok   heldout_nll_add_k_n3 <= 2.25" in result.output
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["seed"] == 1


def test_cli_run_exits_2_when_a_threshold_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = runner.load_module("ngram")
    monkeypatch.setattr(module, "FAST_THRESHOLDS", (Threshold("heldout_nll_add_k_n3", "<=", 0.5),))
    result = invoke("run", "ngram", "--fast", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.FAILURES
    assert "FAIL heldout_nll_add_k_n3 <= 0.5" in result.output


def test_cli_unknown_demo_is_a_usage_error() -> None:
    result = invoke("run", "ngramm")
    assert result.exit_code == ExitCode.USAGE
    assert "did you mean 'ngram'" in result.output


def test_registry_module_list_has_no_duplicates() -> None:
    assert len(set(registry.DEMO_MODULES)) == len(registry.DEMO_MODULES)
