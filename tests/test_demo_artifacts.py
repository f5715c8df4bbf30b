"""The committed runs in docs/demos/: one full run per demo, complete, passing, small, and rendered."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aigc_resources.demos.registry import all_demos
from aigc_resources.render.demo_pages import demo_page_assets, render_demo_pages

MAX_PNG_BYTES = 200_000


@pytest.fixture(scope="module")
def artifacts_root(repo_root: Path) -> Path:
    return repo_root / "docs" / "demos"


@pytest.mark.parametrize("demo", all_demos(), ids=lambda d: d.name)
def test_each_demo_has_a_committed_full_run_that_passed(demo, artifacts_root: Path) -> None:
    folder = artifacts_root / demo.name
    run = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert run["demo"] == demo.name and run["fast"] is False and run["seed"] == 0
    assert run["checks"] and all(check["passed"] for check in run["checks"]), [
        c for c in run["checks"] if not c["passed"]]
    for artifact in demo.artifacts:
        assert (folder / artifact.file).is_file(), artifact.file
    for png in folder.glob("*.png"):
        assert png.stat().st_size < MAX_PNG_BYTES, png.name
    declared = {"metrics.json", *(a.file for a in demo.artifacts)}
    assert {p.name for p in folder.iterdir()} == declared, "stale or undeclared files in the committed run"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_of_the_committed_runs_reference_existing_images(lang: str, artifacts_root: Path) -> None:
    pages = render_demo_pages(lang, artifacts_root)
    assets = demo_page_assets(artifacts_root)
    for demo in all_demos():
        page = pages[f"demos/{demo.name}.md"]
        images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
        assert images == [f"{demo.name}/{f.file}" for f in demo.figures]
        assert all(assets[f"demos/{image}"].is_file() for image in images)
        assert "$$\n" in page and "## " in page
