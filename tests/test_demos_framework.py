"""The demo framework: registry, static metadata, runner, metrics.json and the ``demo`` CLI.

These tests use the ``ngram`` demo (no torch) wherever a real run is needed.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sys
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


@pytest.mark.parametrize(("typed", "meant"), [("ngramm", "ngram"), ("NGRAM", "ngram"),
                                              ("Resume-Seq2Seq", "resume_seq2seq")])
def test_unknown_demo_suggests_the_closest_name(typed: str, meant: str) -> None:
    # Upper case and hyphens used to get no suggestion at all.
    with pytest.raises(UnknownDemo, match=f"did you mean '{meant}'"):
        get_demo(typed)


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


# -- robustness of `demo run`: seeds, output folders, interruptions, missing libraries -------------


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file directly in ``folder`` (hidden ones too) with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def seed_of_samples(folder: Path) -> int:
    """The seed ngram writes in the header of samples.txt."""
    header = (folder / "samples.txt").read_text(encoding="utf-8").splitlines()[0]
    return int(re.search(r"seed (\d+)", header).group(1))


@pytest.mark.parametrize("seed", [-1, runner.MAX_SEED + 1, 2**64, 1.5, True])
def test_run_rejects_seeds_the_generators_cannot_take(seed, tmp_path: Path) -> None:
    # -1 used to reach NumPy's SeedSequence and 2**64 torch.manual_seed, each with a traceback.
    with pytest.raises(runner.InvalidSeed, match="from 0 to 4294967295"):
        runner.run_demo("ngram", tmp_path / "out", seed=seed, fast=True)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", ["-1", "4294967296", "99999999999999999999999", "1.5", "abc", ""])
def test_cli_bad_seed_is_a_usage_error(seed: str, tmp_path: Path) -> None:
    result = invoke("run", "ngram", "--fast", "--seed", seed, "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.USAGE, result.output
    assert isinstance(result.exception, SystemExit)  # a message, no traceback
    assert "--seed" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_largest_seed_runs(tmp_path: Path) -> None:
    result = invoke("run", "ngram", "--fast", "--seed", str(runner.MAX_SEED), "--out", str(tmp_path))
    assert result.exit_code == ExitCode.OK, result.output


@pytest.mark.parametrize("out", ["", "   "])
def test_cli_empty_out_is_a_usage_error(out: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `--out "$UNSET"` used to mean the current folder and scatter the files there.
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "ngram", "--fast", "--out", out)
    assert result.exit_code == ExitCode.USAGE
    assert "'--out': is empty" in result.output
    assert list(tmp_path.iterdir()) == []


def test_out_below_a_file_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(runner.DemoOutputError, match="cannot write the demo's files to .*a-file/sub"):
        runner.run_demo("ngram", tmp_path / "a-file" / "sub", fast=True)
    result = invoke("run", "ngram", "--fast", "--out", str(tmp_path / "a-file" / "sub"))
    assert result.exit_code == ExitCode.USAGE and isinstance(result.exception, SystemExit)
    assert "pass --out a folder you can write to" in result.output


def test_cli_out_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    result = invoke("run", "ngram", "--fast", "--out", str(tmp_path / "a-file"))
    assert result.exit_code == ExitCode.USAGE and "is a file" in result.output


def test_read_only_out_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder the user may not write. Root (as in CI) writes through permission bits, so there
    the refusal the kernel would give an ordinary user is simulated where the runner meets it."""
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        real_mkdtemp = runner.tempfile.mkdtemp

        def refused(*args, **kwargs):
            if Path(kwargs.get("dir", "")) == folder:
                raise PermissionError(errno.EACCES, "Permission denied", str(folder))
            return real_mkdtemp(*args, **kwargs)

        monkeypatch.setattr(runner.tempfile, "mkdtemp", refused)
    try:
        result = invoke("run", "ngram", "--fast", "--out", str(folder))
    finally:
        folder.chmod(0o755)
    assert result.exit_code == ExitCode.USAGE and "cannot write" in result.output
    assert list(folder.iterdir()) == []


def test_a_full_disk_while_the_demo_writes_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(config, out_dir: Path) -> dict:
        raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / "next_letter.png"))

    monkeypatch.setattr(runner.load_module("ngram"), "run", full)
    with pytest.raises(runner.DemoOutputError, match="No space left"):
        runner.run_demo("ngram", tmp_path, fast=True)


def test_other_os_errors_of_a_demo_stay_bugs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(config, out_dir: Path) -> dict:
        raise FileNotFoundError(errno.ENOENT, "No such file", str(tmp_path / "elsewhere" / "data.csv"))

    monkeypatch.setattr(runner.load_module("ngram"), "run", broken)
    with pytest.raises(FileNotFoundError):
        runner.run_demo("ngram", tmp_path / "out", fast=True)


def test_paths_with_spaces_and_unicode_work(tmp_path: Path) -> None:
    out = tmp_path / "with space" / "简历 é"
    result = invoke("run", "ngram", "--fast", "--out", str(out))
    assert result.exit_code == ExitCode.OK, result.output
    assert {"metrics.json", "samples.txt", "nll_by_order.png", "next_letter.png"} <= set(snapshot(out))


@pytest.mark.parametrize("failure", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_or_failed_run_leaves_the_previous_run_intact(
        failure: type[BaseException], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The runner used to delete the old files first and write the new ones in place: Ctrl-C
    # mid-run left a folder with some new files, some missing, and no metrics.json.
    runner.run_demo("ngram", tmp_path, seed=1, fast=True)
    before = snapshot(tmp_path)
    module = runner.load_module("ngram")
    original = module.run

    def interrupted(config, out_dir: Path) -> dict:
        original(config, out_dir)  # every file written ...
        raise failure("stopped")  # ... then stopped before metrics.json

    monkeypatch.setattr(module, "run", interrupted)
    with pytest.raises(failure):
        runner.run_demo("ngram", tmp_path, seed=2, fast=True)
    assert snapshot(tmp_path) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(runner.STAGING_PREFIX)] == []


def test_overlapping_runs_into_one_folder_never_mix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run B starts and finishes while run A is training. The runner used to let B delete and
    # rewrite A's files, and A then wrote its metrics.json (seed 1) next to B's samples (seed 2).
    module = runner.load_module("ngram")
    original = module.run

    def run_a(config, out_dir: Path) -> dict:
        metrics = original(config, out_dir)
        monkeypatch.setattr(module, "run", original)
        runner.run_demo("ngram", tmp_path, seed=2, fast=True)  # run B, start to finish
        return metrics

    monkeypatch.setattr(module, "run", run_a)
    result = runner.run_demo("ngram", tmp_path, seed=1, fast=True)
    assert result.passed
    document = json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))
    assert document["seed"] == seed_of_samples(tmp_path) == 1  # A finished last: all of A
    assert {p.name for p in tmp_path.iterdir()} == {"metrics.json", *(a.file for a in get_demo("ngram").artifacts)}


def test_a_library_missing_at_run_time_is_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # ngram imports `names` only when it loads the data: that used to end in a traceback.
    monkeypatch.setitem(sys.modules, "names", None)
    with pytest.raises(runner.DemoDependencyMissing, match=r"needs 'names' \(pip package 'names'\)"):
        runner.run_demo("ngram", tmp_path / "out", fast=True)
    result = invoke("run", "ngram", "--fast", "--out", str(tmp_path / "out"))
    assert result.exit_code == ExitCode.USAGE and isinstance(result.exception, SystemExit)
    assert "pip install -e '.[demos]'" in result.output
    assert list((tmp_path / "out").iterdir()) == []  # nothing half-written


def test_a_missing_submodule_names_the_pip_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def needs_sklearn(config, out_dir: Path) -> dict:
        raise ModuleNotFoundError("No module named 'sklearn.datasets'", name="sklearn.datasets")

    monkeypatch.setattr(runner.load_module("ngram"), "run", needs_sklearn)
    with pytest.raises(runner.DemoDependencyMissing, match=r"needs 'sklearn' \(pip package 'scikit-learn'\)"):
        runner.run_demo("ngram", tmp_path, fast=True)


def test_a_missing_module_of_this_package_stays_a_bug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(config, out_dir: Path) -> dict:
        raise ModuleNotFoundError("No module named 'aigc_resources.demos.nope'", name="aigc_resources.demos.nope")

    monkeypatch.setattr(runner.load_module("ngram"), "run", broken)
    with pytest.raises(ModuleNotFoundError):
        runner.run_demo("ngram", tmp_path, fast=True)


def test_every_public_function_and_class_of_the_demos_has_a_docstring() -> None:
    # The demos are lectures: every public name says what it computes (shapes, units, source).
    import ast

    missing = []
    for path in sorted(registry.DEMOS_DIR.glob("*.py")):
        def visit(nodes, prefix: str = "") -> None:
            for node in nodes:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    if not node.name.startswith("_") and ast.get_docstring(node) is None:
                        missing.append(f"{path.name}:{node.lineno} {prefix}{node.name}")
                    if isinstance(node, ast.ClassDef):
                        visit(node.body, f"{prefix}{node.name}.")

        visit(ast.parse(path.read_text(encoding="utf-8")).body)
    assert not missing, "public names without a docstring:\n" + "\n".join(missing)


def test_a_run_replaces_another_demos_run_in_the_same_folder(tmp_path: Path) -> None:
    # `--out` reused for a second demo used to leave the first demo's figures next to the
    # second demo's metrics.json.
    (tmp_path / "metrics.json").write_text(json.dumps({"demo": "lstm"}), encoding="utf-8")
    for name in ("gates.png", "loss.png", "samples.txt"):
        (tmp_path / name).write_bytes(b"old lstm run")
    (tmp_path / "notes.md").write_text("mine\n", encoding="utf-8")
    runner.run_demo("ngram", tmp_path, fast=True)
    expected = {"metrics.json", "notes.md", *(a.file for a in get_demo("ngram").artifacts)}
    assert {p.name for p in tmp_path.iterdir()} == expected


@pytest.mark.parametrize("old", ["not json", '{"demo": "no-such-demo"}', '["a list"]', '{"demo": 3}'])
def test_an_unreadable_old_metrics_json_is_simply_replaced(old: str, tmp_path: Path) -> None:
    (tmp_path / "metrics.json").write_text(old, encoding="utf-8")
    runner.run_demo("ngram", tmp_path, fast=True)
    assert json.loads((tmp_path / "metrics.json").read_text(encoding="utf-8"))["demo"] == "ngram"


def test_cli_ctrl_c_says_the_folder_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Ctrl-C used to print click's bare "Aborted!", which does not say whether the output is usable.
    def interrupted(config, out_dir: Path) -> dict:
        (out_dir / "samples.txt").write_text("half\n", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.load_module("ngram"), "run", interrupted)
    result = invoke("run", "ngram", "--fast", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.USAGE and isinstance(result.exception, SystemExit)
    assert f"interrupted (Ctrl-C): {tmp_path} keeps what it held before this run" in result.output
    assert list(tmp_path.iterdir()) == []


def test_every_config_field_of_a_demo_gives_its_reason() -> None:
    # The package contract: "each field has a comment giving the reason for its value".
    import ast

    bare = []
    for path in sorted(registry.DEMOS_DIR.glob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.parse("\n".join(lines)).body:
            if isinstance(node, ast.ClassDef) and node.name == "Config":
                for field in node.body:
                    if isinstance(field, ast.AnnAssign):
                        own = "\n".join(lines[field.lineno - 1:field.end_lineno])
                        above = lines[field.lineno - 2].strip()
                        if "#" not in own and not above.startswith("#"):
                            bare.append(f"{path.name}:{field.lineno} {lines[field.lineno - 1].strip()}")
    assert not bare, "Config fields without a reason:\n" + "\n".join(bare)


@pytest.mark.parametrize("blocked", ["nll_by_order.png", "metrics.json"])
def test_a_folder_in_the_way_of_a_result_file_changes_nothing(blocked: str, tmp_path: Path) -> None:
    # The publish step used to remove metrics.json and move some new files in before failing on
    # the folder, leaving a mix of two runs; the message named the staging path.
    runner.run_demo("ngram", tmp_path, seed=1, fast=True)
    (tmp_path / blocked).unlink()
    (tmp_path / blocked).mkdir()
    before = snapshot(tmp_path)
    result = invoke("run", "ngram", "--fast", "--seed", "2", "--out", str(tmp_path))
    assert result.exit_code == ExitCode.USAGE and isinstance(result.exception, SystemExit)
    assert f"({tmp_path / blocked})" in result.output
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [blocked]  # no staging folder left


def test_run_demo_takes_a_string_folder(tmp_path: Path) -> None:
    result = runner.run_demo("ngram", str(tmp_path / "as-string"), fast=True)
    assert result.out_dir == tmp_path / "as-string" and (result.out_dir / "metrics.json").is_file()
