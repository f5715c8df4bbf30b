"""Every registered demo, run for real: fast variant (thresholds, determinism) and full run (thresholds).

The full runs are marked ``demo_full``; they are the slow part of the suite (``-m "not
demo_full"`` leaves them out). Issue-7 demos get these tests by being registered.
"""

from __future__ import annotations

from pathlib import Path

import json

import pytest
from PIL import Image

from aigc_resources.demos.registry import DEMO_MODULES, get_demo, load_module
from aigc_resources.demos.runner import run_demo

MAX_PNG_BYTES = 200_000


def assert_artifacts_look_right(result) -> None:
    for fig in result.demo.figures:
        path = result.out_dir / fig.file
        assert 0 < path.stat().st_size < MAX_PNG_BYTES, (fig.file, path.stat().st_size)
        with Image.open(path) as image:
            low, high = image.convert("L").getextrema()
            assert high > low, f"{fig.file} is a constant image"
    for sample in result.demo.samples:
        lines = (result.out_dir / sample.file).read_text(encoding="utf-8").splitlines()
        assert sum(bool(line.strip()) for line in lines) >= 2, sample.file


def failed_checks(result) -> list[str]:
    return [f"{c.threshold.describe()} (got {c.value})" for c in result.checks if not c.passed]


@pytest.mark.parametrize("name", DEMO_MODULES)
def test_fast_run_meets_its_thresholds(name: str, demo_run) -> None:
    result = demo_run(name, fast=True)
    assert load_module(name).DEMO == get_demo(name)  # what the registry read statically is what runs
    assert result.checks, f"{name} declares no FAST_THRESHOLDS"
    assert not failed_checks(result)
    assert_artifacts_look_right(result)


@pytest.mark.parametrize("name", DEMO_MODULES)
def test_fast_run_is_deterministic_under_its_seed(name: str, demo_run, tmp_path: Path) -> None:
    first = demo_run(name, fast=True)
    again = run_demo(name, tmp_path, seed=0, fast=True)
    assert again.metrics == first.metrics
    for path in first.files:
        if path.suffix != ".png":
            assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


@pytest.mark.demo_full
@pytest.mark.parametrize("name", DEMO_MODULES)
def test_full_run_meets_its_thresholds(name: str, demo_run, repo_root: Path) -> None:
    result = demo_run(name)
    assert result.checks, f"{name} declares no THRESHOLDS"
    assert not failed_checks(result)
    assert_artifacts_look_right(result)
    # The committed run must be what the current code produces. Runs are compared bit for bit
    # only on the same library versions and the same CPU instruction set (``versions.cpu``):
    # elsewhere floating-point rounding may differ, and the thresholds above are the check.
    committed_dir = repo_root / "docs" / "demos" / name
    committed = json.loads((committed_dir / "metrics.json").read_text(encoding="utf-8"))
    fresh = json.loads((result.out_dir / "metrics.json").read_text(encoding="utf-8"))
    if committed["versions"] == fresh["versions"]:
        assert committed == fresh, f"docs/demos/{name} is stale: run `make demos` and commit"
        for sample in result.demo.samples:
            assert (committed_dir / sample.file).read_bytes() == (result.out_dir / sample.file).read_bytes()
