"""Shared fixtures: tiny catalogs built inline, and the policy for optional tools.

Tests that need an optional tool (a browser, torch) call :func:`require` instead of skipping
on their own: on a developer machine without the tool they skip with the reason, but when CI
sets the variable named (``AIGC_REQUIRE_BROWSER=1``, ``AIGC_REQUIRE_TORCH=1``) a missing tool
fails the test instead, so CI can never pass by skipping.

Torch: a test module that needs torch starts with ``torch = pytest.importorskip("torch")``,
and the ``demo_run`` fixture skips a demo whose dependencies are missing. When
``AIGC_REQUIRE_TORCH`` is set to anything but ``""`` or ``"0"`` (CI sets it), a missing torch
stops the whole run in :func:`pytest_configure`, before any skip can hide it.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def require(available: bool, reason: str, env_var: str) -> None:
    """Skip the calling test when ``available`` is false, unless ``env_var`` is set: then fail."""
    if available:
        return
    if os.environ.get(env_var):
        pytest.fail(f"{reason}, and {env_var} is set: this test must run here")
    pytest.skip(f"{reason} (set {env_var}=1 to make this a failure)")


def make_catalog(root: Path, entries: dict[str, str] | None = None, *, taxonomy: str | None = None,
                 good: bool = True) -> Path:
    """Write a catalog under ``root``: the test taxonomy, the good fixture entries (unless
    ``good=False``) and ``entries`` (``{"<type>/<id>.yaml": text}``). Returns ``root``."""
    (root / "resources").mkdir(parents=True, exist_ok=True)
    (root / "taxonomy.yaml").write_text(taxonomy or (FIXTURES / "taxonomy.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    if good:
        folders = {"transformer-paper": "paper", "diffusion-course": "course", "tiny-lib": "library"}
        for stem, folder in folders.items():
            target = root / "resources" / folder / f"{stem}.yaml"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(FIXTURES / "good" / f"{stem}.yaml", target)
    for rel, text in (entries or {}).items():
        target = root / "resources" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tmp_catalog(tmp_path: Path):
    """A function ``tmp_catalog(entries=None, **kw) -> Path`` building a catalog in tmp_path."""

    def build(entries: dict[str, str] | None = None, **kwargs) -> Path:
        return make_catalog(tmp_path / "catalog", entries, **kwargs)

    return build


REQUIRE_TORCH = os.environ.get("AIGC_REQUIRE_TORCH", "") not in ("", "0")


def _torch_error() -> str | None:
    """Why torch cannot be imported, or None when it can."""
    try:
        importlib.import_module("torch")
    except ImportError as exc:
        return str(exc)
    return None


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_TORCH:
        error = _torch_error()
        if error is not None:
            raise pytest.UsageError(
                f"AIGC_REQUIRE_TORCH is set but torch cannot be imported ({error}); "
                "install the demos extra: pip install -e '.[dev,demos]'")


@pytest.fixture(autouse=True, scope="session")
def _torch_on_one_thread() -> None:
    """Tests train small models outside the runner too: use the runner's thread count for them.

    On the shared 2-core machines two intra-op threads made a 1-second classifier training take
    over a minute under load (synchronisation between the threads).
    """
    if _torch_error() is None:
        import torch

        from aigc_resources.demos.runner import TORCH_THREADS

        torch.set_num_threads(TORCH_THREADS)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., object]:
    """``demo_run(name, fast=False, seed=0)``: run a demo once per session and share the result.

    Full runs are the expensive part of the suite, so every test of one demo's full run reads
    the same :class:`~aigc_resources.demos.runner.DemoRun` and its files.
    """
    from aigc_resources.demos.runner import DemoDependencyMissing, run_demo

    cache: dict[tuple[str, bool, int], object] = {}

    def run(name: str, fast: bool = False, seed: int = 0) -> object:
        key = (name, fast, seed)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{name}-{'fast' if fast else 'full'}-{seed}")
            try:
                cache[key] = run_demo(name, out, seed=seed, fast=fast)
            except DemoDependencyMissing as exc:  # only reachable without AIGC_REQUIRE_TORCH
                pytest.skip(str(exc))
        return cache[key]

    return run


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The fixture site of ``tests/site_fixture.py`` built once per session in both languages:
    ``(catalog, BuildResult)``; ``result.site_dir`` holds ``index.html`` and ``zh/index.html``."""
    from aigc_resources.render.build import build_site

    from .site_fixture import fake_extras, load_site_catalog, write_site_catalog

    tmp = tmp_path_factory.mktemp("site")
    root = write_site_catalog(tmp / "catalog")
    catalog = load_site_catalog(root)
    result = build_site(PROJECT_ROOT, root, tmp / "site", catalog=catalog, docs_dir=tmp / "docs",
                        extras=fake_extras(catalog))
    return catalog, result
