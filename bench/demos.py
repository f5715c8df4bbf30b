"""Time every demo: CPU-seconds and wall seconds of one full run each, against the issue's targets.

Usage::

    .venv/bin/python bench/demos.py                 # every registered demo, full runs, seed 0
    .venv/bin/python bench/demos.py --only lstm ngram --fast
    .venv/bin/python bench/demos.py --check         # exit 1 when a target is missed

Each demo runs in a fresh subprocess through the real CLI (``aigc-resources demo run``), so
the figures include Python start-up and imports, as a learner would experience them.
CPU-seconds are the child's user + system time (``getrusage(RUSAGE_CHILDREN)``); the runner
uses one torch thread, so they are the stable cost figure. Wall seconds depend on what else
the machine is doing. Targets (issues 6 and 7): each demo <= 60 CPU-s; issue 6's demos
together <= 180 s wall on 2 cores. ``--only`` also takes a group: ``issue6`` or ``issue7``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aigc_resources.demos.registry import DEMO_MODULES  # noqa: E402

CPU_TARGET = 60.0  # CPU-seconds per demo
WALL_TARGET = 180.0  # wall seconds for all of issue 6's demos together
ISSUE_6 = ("ngram", "lstm", "transformer_parts", "beam_search", "resume_seq2seq", "metrics")
ISSUE_7 = ("gan_2d", "diffusion_2d", "vae_digits", "diffusion_digits", "gmm_em", "hmm", "bayes", "multitask",
           "reptile_sine")
GROUPS = {"issue6": ISSUE_6, "issue7": ISSUE_7}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_demo(name: str, seed: int, fast: bool, out_root: Path) -> tuple[float, float, int]:
    """(CPU-seconds, wall seconds, exit code) of one ``aigc-resources demo run``."""
    command = [sys.executable, "-m", "aigc_resources.cli", "demo", "run", name, "--seed", str(seed),
               "--out", str(out_root / name)] + (["--fast"] if fast else [])
    cpu, wall = children_cpu(), time.perf_counter()
    completed = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    if completed.returncode not in (0, 2):
        sys.stderr.write(completed.stderr)
    return children_cpu() - cpu, time.perf_counter() - wall, completed.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=[*DEMO_MODULES, *GROUPS],
                        help="demos or groups (issue6, issue7) to time (default: all)")
    parser.add_argument("--fast", action="store_true", help="time the quick variants instead")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed or a demo fails")
    args = parser.parse_args(argv)

    names = [n for item in args.only for n in GROUPS.get(item, (item,))] if args.only else list(DEMO_MODULES)
    print(f"{'demo':<20} {'CPU-s':>8} {'wall-s':>8}  result")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-demos-") as tmp:
        for name in names:
            cpu, wall, code = time_demo(name, args.seed, args.fast, Path(tmp))
            verdict = {0: "ok", 2: "thresholds FAILED"}.get(code, f"error (exit {code})")
            over = "" if cpu <= CPU_TARGET else f", over {CPU_TARGET:.0f} CPU-s"
            print(f"{name:<20} {cpu:8.1f} {wall:8.1f}  {verdict}{over}", flush=True)
            rows.append((name, cpu, wall, code))
    issue6_wall = sum(wall for name, _, wall, _ in rows if name in ISSUE_6)
    print(f"{'total':<20} {sum(r[1] for r in rows):8.1f} {sum(r[2] for r in rows):8.1f}")
    if set(ISSUE_6) <= set(names):
        print(f"issue 6 demos: {issue6_wall:.1f} s wall (target <= {WALL_TARGET:.0f} s)")
    if set(ISSUE_7) <= set(names):
        issue7 = [r for r in rows if r[0] in ISSUE_7]
        print(f"issue 7 demos: {sum(r[1] for r in issue7):.1f} CPU-s, {sum(r[2] for r in issue7):.1f} s wall "
              f"(target: each <= {CPU_TARGET:.0f} CPU-s)")
    missed = [r for r in rows if r[3] != 0 or r[1] > CPU_TARGET]
    if set(ISSUE_6) <= set(names) and issue6_wall > WALL_TARGET and not args.fast:
        missed.append(("issue 6 wall", 0.0, issue6_wall, 0))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
