"""Shared test fixtures and the one place that decides what happens when torch is missing.

Torch policy: a test module that needs torch starts with ``torch = pytest.importorskip("torch")``,
and the ``demo_run`` fixture skips a demo whose dependencies are missing. On a developer
machine without the ``demos`` extra those tests are skipped. When the
environment variable ``AIGC_REQUIRE_TORCH`` is set to anything but ``""`` or ``"0"`` (CI sets
it), a missing torch is an error: the whole run stops in :func:`pytest_configure` before any
skip can hide it.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path

import pytest

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
