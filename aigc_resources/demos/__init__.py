"""Runnable, verified demos of the models the source article teaches; small enough for a laptop CPU.

The contract (the CLI, the site and every demo rely on it)
==========================================================

**A demo is one module** ``aigc_resources/demos/<name>.py``, written as a lecture, listed in
:data:`registry.DEMO_MODULES` (the order there is the order on the site). From top to bottom:

1. A docstring that states the equations and cites the paper, and says what the demo leaves out.
2. ``DEMO = Demo(...)``: the metadata, with **literal values only** (strings, tuples and
   ``Artifact(...)``), because the registry reads it with :mod:`ast` without importing the
   module (so ``demo list`` and the site build never import torch). Fields:
   ``name`` (= the file stem), ``title`` / ``title_zh``, ``summary`` / ``summary_zh`` (a few
   sentences of our own), ``topics`` (ids from ``catalog/taxonomy.yaml``), ``formula`` (LaTeX
   of the key equations, without ``$$``), ``figures`` (PNG files, each an
   ``Artifact(file, caption, caption_zh)``) and ``samples`` (UTF-8 text files, same form).
   ``module`` is filled in by the registry.
3. ``@dataclass(frozen=True) class Config`` with a ``seed: int = 0`` field; the defaults are the
   full run, and each field has a comment giving the reason for its value.
4. ``FAST = {...}``: ``Config`` overrides for the quick variant (``--fast``, the unit tests).
5. ``THRESHOLDS`` and ``FAST_THRESHOLDS``: tuples of :class:`spec.Threshold` (metric, op,
   value, why) that a full or fast run must meet; a failure makes ``demo run`` exit 2.
6. The model code, in dependency order, named after the math, with shapes and units in the
   docstrings.
7. ``run(config, out_dir) -> dict[str, float | int | str]``: computes or trains, writes every
   file the ``DEMO`` declares into ``out_dir`` (use :mod:`artifacts` for figures and text), and
   returns flat metrics. It must be deterministic under ``config.seed``: use explicit generators
   (``np.random.default_rng(seed)``, ``torch.Generator().manual_seed(seed)``); no download.

**Running** (:func:`runner.run_demo`, or ``aigc-resources demo run NAME [--seed S] [--fast]
[--out DIR]``) seeds Python, NumPy and torch, turns on torch's deterministic algorithms, calls
``run`` and writes ``DIR/metrics.json``::

    {"demo": NAME, "seed": S, "fast": false, "config": {...}, "metrics": {...},
     "checks": [{"metric", "op", "target", "value", "passed", "why"}, ...], "versions": {...}}

Floats in the file are rounded to 6 significant digits; the checks use the exact values.
The same seed on the same library versions gives identical ``metrics.json`` and samples.
Seeds run from 0 to ``runner.MAX_SEED`` (2**32 - 1). ``run`` receives a private staging folder
inside ``DIR``, not ``DIR`` itself: the runner moves the files into ``DIR`` only when the run
completes, so an interrupted run changes nothing (see :mod:`runner`).

**Artifacts**: one full run per demo is committed in ``docs/demos/<name>/`` (``metrics.json``,
the PNGs, the samples), produced with ``aigc-resources demo run NAME --out docs/demos/NAME``.
Each PNG stays under 200 KB.

**Pages**: :func:`aigc_resources.render.demo_pages.render_demo_pages` turns the metadata, the
committed artifacts and the module source into one Markdown page per demo and an index, in
English or Chinese; its docstring gives the path contract for the images.

**Timing** lives in ``bench/demos.py`` (CPU-seconds and wall seconds per demo), never in tests.
The runner uses one torch thread: these models are tiny and a second thread only adds
synchronisation cost (and would change the order of floating-point sums).

Checklist for a new demo
------------------------
1. Write ``aigc_resources/demos/<name>.py`` as above; append ``"<name>"`` to ``DEMO_MODULES``.
2. ``aigc-resources demo run <name> --fast`` then without ``--fast``; calibrate the thresholds
   over a few seeds and write the measured values in each ``Threshold.why`` / ``why_zh``.
3. ``aigc-resources demo run <name> --out docs/demos/<name>`` (or ``make demos``) and commit it.
4. Add ``tests/test_demo_<name>.py`` with the reference checks (a module that needs torch
   starts with ``torch = pytest.importorskip("torch")``; ``tests/conftest.py`` turns that skip
   into an error under ``AIGC_REQUIRE_TORCH=1``). The shared tests then cover the rest by
   themselves: ``tests/test_demo_runs.py`` (fast thresholds, determinism, the full run's
   thresholds, the committed run not stale), ``tests/test_demo_artifacts.py`` (the committed
   run is complete and passing, PNGs < 200 KB) and ``tests/test_demo_pages.py`` (the pages).
5. Time it with ``python bench/demos.py --only <name>`` (target: <= 60 CPU-seconds).
"""

from __future__ import annotations

from .registry import DEMO_MODULES, all_demos, demos_for_topic, get_demo, source_path
from .spec import Artifact, Demo, Threshold

__all__ = [
    "DEMO_MODULES",
    "Artifact",
    "Demo",
    "Threshold",
    "all_demos",
    "demos_for_topic",
    "get_demo",
    "source_path",
]
