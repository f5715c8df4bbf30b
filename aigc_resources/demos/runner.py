"""Run one demo: build its config, seed everything, call ``run``, check thresholds, write ``metrics.json``.

The module contract a demo fulfils (see the package docstring for the whole story):

- ``Config``: a dataclass with a ``seed: int`` field; defaults are the full run;
- ``FAST``: a dict of ``Config`` field overrides for the quick variant (``--fast``, unit tests);
- ``THRESHOLDS`` / ``FAST_THRESHOLDS``: tuples of :class:`~aigc_resources.demos.spec.Threshold`;
- ``run(config, out_dir) -> dict[str, float | int | str]``: trains or computes, writes the
  figures and samples its ``DEMO`` declares into ``out_dir``, and returns flat metrics.

Output is all or nothing. ``run`` writes into a private staging folder ``DIR/.demo-run-*``; only
a run that completes (artifacts present, ``metrics.json`` written) moves its files into ``DIR``,
under an exclusive lock on ``DIR`` and with ``metrics.json`` last. So an interrupted or failed
run (Ctrl-C, a missing library, a bug) leaves ``DIR`` exactly as it was, and two runs into the
same ``DIR`` at once leave the complete output of the one that finished last, never a mix.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import json
import math
import os
import platform
import random
import shutil
import sys
import tempfile
from collections.abc import Iterator
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

#: Seeds run from 0 to 2**32 - 1: every generator the demos use accepts that range (NumPy's
#: legacy ``np.random.seed`` stops there; torch's generators reject negative seeds and stop at
#: 2**64 - 1, and demos add small offsets such as ``seed + 2`` for independent streams).
MAX_SEED = 2**32 - 1

#: Prefix of the staging folder a run writes into before its files are moved into ``out_dir``.
STAGING_PREFIX = ".demo-run-"

#: Import names whose pip distribution has another name, for the "not installed" message.
PIP_NAMES = {"sklearn": "scikit-learn", "PIL": "pillow", "yaml": "PyYAML"}


class DemoDependencyMissing(UserError):
    """A demo needs a library that is not installed (the ``demos`` extra); exit code 3."""


class InvalidSeed(UserError):
    """The seed is outside 0..:data:`MAX_SEED` (exit code 3)."""


class DemoOutputError(UserError):
    """The output folder cannot be created or written (a file in the way, no permission,
    disk full); exit code 3. Nothing in the folder is changed."""


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
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.manual_seed(seed)


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


@contextlib.contextmanager
def _missing_dependency_is_a_user_error(name: str) -> Iterator[None]:
    """Turn a ``ModuleNotFoundError`` for a third-party library into :class:`DemoDependencyMissing`.

    Demos import some libraries lazily (``names`` for the data, matplotlib for the figures), so
    this guards the run as well as the import. A missing module of this package is a bug and
    keeps its traceback.
    """
    try:
        yield
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if not missing or missing == __package__.split(".")[0]:
            raise
        pip_name = PIP_NAMES.get(missing, missing)
        raise DemoDependencyMissing(
            f"demo {name!r} needs {missing!r} (pip package {pip_name!r}), which is not installed; "
            "install the demos extra: pip install -e '.[demos]'") from exc


def check_seed(seed: int) -> int:
    """``seed`` when it is an integer in 0..:data:`MAX_SEED`; :class:`InvalidSeed` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise InvalidSeed(f"--seed must be an integer from 0 to {MAX_SEED}, got {seed!r}")
    return seed


@contextlib.contextmanager
def _output_errors(out_dir: Path, inside: Path | None = None) -> Iterator[None]:
    """Report an ``OSError`` on the output folder as :class:`DemoOutputError` (no traceback).

    With ``inside``, only errors on a file under that folder are converted (a demo failing to
    write its figure because the disk is full); any other ``OSError`` is a bug and propagates.
    """
    try:
        yield
    except OSError as exc:
        if inside is not None and not (exc.filename and Path(os.fsdecode(exc.filename)).is_relative_to(inside)):
            raise
        where = exc.filename or out_dir
        raise DemoOutputError(
            f"cannot write the demo's files to {out_dir}: {exc.strerror or exc} ({where}); "
            "pass --out a folder you can write to") from exc


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` itself (no lock file is left behind).

    Without ``fcntl`` (Windows) the runs are not serialised; each publish is still a series of
    atomic renames with ``metrics.json`` last.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - POSIX only
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _previous_demo(out_dir: Path) -> Demo | None:
    """The registered demo whose run ``out_dir/metrics.json`` records, if it can be read."""
    try:
        name = json.loads((out_dir / METRICS_FILE).read_text(encoding="utf-8"))["demo"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(name, str):
        return None
    try:
        return get_demo(name)
    except UserError:
        return None


def _publish(staging: Path, out_dir: Path, files: tuple[str, ...]) -> None:
    """Move a finished run's ``files`` from ``staging`` into ``out_dir``, ``metrics.json`` last.

    The old ``metrics.json`` goes first, so at no moment does ``out_dir`` hold a
    ``metrics.json`` that describes other files than those next to it. When the old run was
    of another demo, that demo's declared files go too: the folder never mixes two demos.
    """
    with _locked(out_dir):
        for file in (*files, METRICS_FILE):  # fail before changing anything, naming the culprit
            if (out_dir / file).is_dir():
                raise IsADirectoryError(errno.EISDIR, "a folder is in the way of a result file", str(out_dir / file))
        previous = _previous_demo(out_dir)
        (out_dir / METRICS_FILE).unlink(missing_ok=True)
        for artifact in previous.artifacts if previous else ():
            if artifact.file not in files:
                (out_dir / artifact.file).unlink(missing_ok=True)
        for file in files:
            os.replace(staging / file, out_dir / file)
        os.replace(staging / METRICS_FILE, out_dir / METRICS_FILE)


def run_demo(name: str, out_dir: Path | str, *, seed: int = 0, fast: bool = False) -> DemoRun:
    """Run demo ``name`` and write its artifacts and ``metrics.json`` into ``out_dir``.

    The run writes into a staging folder inside ``out_dir`` and, once complete, replaces the
    files the demo declares and ``metrics.json``; nothing else in ``out_dir`` is touched, and a
    run that fails or is interrupted changes nothing (see the module docstring). Same name,
    seed and ``fast`` on the same library versions give byte-identical ``metrics.json`` and
    text samples.

    Raises :class:`~aigc_resources.demos.registry.UnknownDemo`, :class:`InvalidSeed`,
    :class:`DemoDependencyMissing` (a library of the ``demos`` extra is missing) and
    :class:`DemoOutputError` (``out_dir`` cannot be written), all user errors (exit code 3).
    """
    demo = get_demo(name)
    check_seed(seed)
    out_dir = Path(out_dir)
    with _missing_dependency_is_a_user_error(name):
        module = load_module(name)
    config = make_config(module, seed, fast)
    with _output_errors(out_dir):
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        result = _run_in(demo, module, config, fast, staging, out_dir)
        with _output_errors(out_dir):
            _publish(staging, out_dir, tuple(a.file for a in demo.artifacts))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return result


def _run_in(demo: Demo, module: Any, config: Any, fast: bool, staging: Path, out_dir: Path) -> DemoRun:
    """Run the demo with its files going to ``staging``; write ``staging/metrics.json``.

    The returned :class:`DemoRun` names ``out_dir``, where :func:`run_demo` moves the files.
    """
    name, seed = demo.name, config.seed
    seed_everything(seed)
    torch = sys.modules.get("torch")
    previous = (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads()) if torch else None
    if torch:
        torch.use_deterministic_algorithms(True)
        torch.set_num_threads(TORCH_THREADS)
    try:
        with _missing_dependency_is_a_user_error(name), _output_errors(out_dir, inside=staging):
            metrics = dict(module.run(config, staging))
    finally:
        if torch:
            torch.use_deterministic_algorithms(previous[0])
            torch.set_num_threads(previous[1])

    missing = [a.file for a in demo.artifacts if not (staging / a.file).is_file()]
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
    (staging / METRICS_FILE).write_text(text, encoding="utf-8")
    return result
