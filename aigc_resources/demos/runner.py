"""Run one demo: build its config, seed everything, call ``run``, check thresholds, write ``metrics.json``.

The module contract a demo fulfils (see the package docstring for the whole story):

- ``Config``: a dataclass with a ``seed: int`` field; defaults are the full run;
- ``FAST``: a dict of ``Config`` field overrides for the quick variant (``--fast``, unit tests);
- ``THRESHOLDS`` / ``FAST_THRESHOLDS``: tuples of :class:`~aigc_resources.demos.spec.Threshold`;
- ``run(config, out_dir) -> dict[str, float | int | str]``: trains or computes, writes the
  figures and samples its ``DEMO`` declares into ``out_dir``, and returns flat metrics.
"""

from __future__ import annotations

import dataclasses
import json
import math
import platform
import random
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from ..errors import UserError
from .registry import get_demo, load_module
from .spec import CheckResult, Demo, Threshold

METRICS_FILE = "metrics.json"

#: Libraries whose versions are recorded in metrics.json: a run is reproducible with these
#: (the data of ``names``; the optional library values of the metrics demo).
RECORDED_VERSIONS = ("torch", "numpy", "scipy", "scikit-learn", "matplotlib", "names", "sacrebleu", "rouge-score")

#: torch intra-op threads during a run. The demo models are tiny: a second thread costs more in
#: synchronisation than it saves (measured on a busy 2-core box: 20 LSTM batches took 0.37
#: CPU-s on 1 thread and 8.7 CPU-s on 2), and one thread keeps the arithmetic order fixed.
TORCH_THREADS = 1


class DemoDependencyMissing(UserError):
    """A demo needs a library that is not installed (the ``demos`` extra); exit code 3."""


@dataclass(frozen=True)
class DemoRun:
    """The outcome of one run: what was run, with which config, the metrics and the checks."""

    demo: Demo
    seed: int
    fast: bool
    config: dict[str, Any]
    metrics: dict[str, Any]
    checks: tuple[CheckResult, ...]
    out_dir: Path

    @property
    def passed(self) -> bool:
        """True when every threshold holds."""
        return all(check.passed for check in self.checks)

    @property
    def files(self) -> tuple[Path, ...]:
        """The files this run wrote: ``metrics.json`` and every declared artifact."""
        return (self.out_dir / METRICS_FILE,) + tuple(self.out_dir / a.file for a in self.demo.artifacts)


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and (when installed) torch's global generators.

    Demos also pass explicit generators (``np.random.default_rng(seed)``, ``torch.Generator``)
    to everything random; this is the safety net for library code that uses global state.
    """
    random.seed(seed)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with the demos extra
        pass
    else:
        np.random.seed(seed % 2**32)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def _rounded(value: Any) -> Any:
    """Round floats to 6 significant digits so metrics.json stays readable (checks use full values)."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    if not math.isfinite(value):
        return str(value)
    return float(f"{value:.6g}")


def _cpu() -> str:
    """The machine and the CPU instruction set torch dispatches to (``x86_64 AVX2``): two
    machines that differ here may round differently, so their runs are not compared bit for bit."""
    try:
        import torch

        capability = torch.backends.cpu.get_cpu_capability()
    except (ImportError, AttributeError):
        capability = "no-torch"
    return f"{platform.machine()} {capability}"


def _versions() -> dict[str, str]:
    found = {"python": platform.python_version(), "cpu": _cpu()}
    for dist in RECORDED_VERSIONS:
        try:
            found[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return found


def evaluate(thresholds: tuple[Threshold, ...], metrics: dict[str, Any]) -> tuple[CheckResult, ...]:
    """Apply every threshold to the metrics of a run."""
    results = []
    for threshold in thresholds:
        value = metrics.get(threshold.metric)
        results.append(CheckResult(threshold, None if value is None else float(value)))
    return tuple(results)


def make_config(module: Any, seed: int, fast: bool) -> Any:
    """The module's ``Config`` for this seed, with its ``FAST`` overrides when ``fast``."""
    overrides = dict(getattr(module, "FAST", {})) if fast else {}
    return dataclasses.replace(module.Config(), seed=seed, **overrides)


def _import(name: str) -> Any:
    try:
        return load_module(name)
    except ModuleNotFoundError as exc:
        raise DemoDependencyMissing(
            f"demo {name!r} needs {exc.name!r}, which is not installed; "
            "install the demos extra: pip install -e '.[demos]'") from exc


def run_demo(name: str, out_dir: Path, *, seed: int = 0, fast: bool = False) -> DemoRun:
    """Run demo ``name`` and write its artifacts and ``metrics.json`` into ``out_dir``.

    Files the demo declares (and an old ``metrics.json``) are removed first, so a folder never
    mixes two runs; nothing else in ``out_dir`` is touched. Same name, seed and ``fast`` on the
    same library versions give byte-identical ``metrics.json`` and text samples.
    """
    demo = get_demo(name)
    module = _import(name)
    config = make_config(module, seed, fast)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in (METRICS_FILE, *(a.file for a in demo.artifacts)):
        (out_dir / stale).unlink(missing_ok=True)

    seed_everything(seed)
    torch = sys.modules.get("torch")
    previous = (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()) if torch else None
    if torch:
        torch.use_deterministic_algorithms(True)
        torch.set_num_threads(TORCH_THREADS)
    try:
        metrics = dict(module.run(config, out_dir))
    finally:
        if torch:
            torch.use_deterministic_algorithms(previous[0])
            torch.set_num_threads(previous[1])

    missing = [a.file for a in demo.artifacts if not (out_dir / a.file).is_file()]
    if missing:
        raise RuntimeError(f"demo {name!r} did not write the artifacts it declares: {', '.join(missing)}")
    thresholds = tuple(getattr(module, "FAST_THRESHOLDS" if fast else "THRESHOLDS", ()))
    checks = evaluate(thresholds, metrics)
    result = DemoRun(demo, seed, fast, dataclasses.asdict(config), metrics, checks, out_dir)
    document = {
        "demo": name,
        "seed": seed,
        "fast": fast,
        "config": {key: _rounded(value) for key, value in result.config.items()},
        "metrics": {key: _rounded(value) for key, value in metrics.items()},
        "checks": [{**check.as_json(), "value": _rounded(check.value)} for check in checks],
        "versions": _versions(),
    }
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    (out_dir / METRICS_FILE).write_text(text, encoding="utf-8")
    return result
