"""Benchmark the site build on synthetic catalogs of 1,000 and 10,000 entries.

Usage::

    .venv/bin/python -m bench.build [--sizes 1000 10000] [--languages en zh] [--jobs N] [--keep DIR]

For each size it writes a synthetic catalog (bench/synthetic.py: the real taxonomy, concepts
and realistic entries), then times the stages of ``aigc-resources build`` separately:
validation (load_catalog), rendering both languages to Markdown, and the MkDocs builds (each
language rendered and built in its own worker process, both at once, as the real build runs
them). It prints wall seconds and seconds per 1,000 entries, the CPU seconds of this process
and of the build workers (``resource.getrusage``),
and the ratio of the end-to-end time to the bound of 60 s for 10,000 entries (issue 5).
Wall times depend on what else the machine runs; the CPU seconds are the steadier figure, and
the critical-path CPU (this process plus the slowest worker) estimates the wall time on an idle
machine with a core per language.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")

from aigc_resources.catalog import load_catalog  # noqa: E402
from aigc_resources.render.build import LANGUAGES, build_site  # noqa: E402

from .synthetic import write_synthetic_catalog  # noqa: E402

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The bound from issue 5: 10,000 entries built end to end in under 60 s.
BOUND_SECONDS = 60.0
BOUND_ENTRIES = 10_000


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(size: int, workdir: Path, languages: tuple[str, ...], jobs: int | None) -> dict[str, float]:
    """Build a site of ``size`` synthetic entries under ``workdir``; return the timings."""
    catalog_dir = write_synthetic_catalog(workdir / "catalog", size, seed=size, extra_dirs=("concepts",))
    cpu0, children0 = _cpu_self(), _cpu_children()
    started = time.perf_counter()
    report = load_catalog(catalog_dir)
    if report.failed() or report.catalog is None:
        raise SystemExit(f"synthetic catalog invalid: {report.summary()}")
    validated = time.perf_counter()
    result = build_site(PROJECT_ROOT, catalog_dir, workdir / "site", catalog=report.catalog,
                        docs_dir=workdir / "docs", languages=languages, jobs=jobs)
    done = time.perf_counter()
    return {
        "entries": len(report.catalog.entries),
        "pages": result.pages,
        "validate": validated - started,
        "render": result.seconds_render,
        "mkdocs": result.seconds_mkdocs,
        **{f"mkdocs_{lang}": seconds for lang, seconds in result.seconds_mkdocs_each.items()},
        **{f"render_{lang}": seconds for lang, seconds in result.seconds_render_each.items()},
        "cpu_worker_max": max(result.cpu_workers.values(), default=0.0),
        "total": done - started,
        "cpu_self": _cpu_self() - cpu0,
        "cpu_workers": _cpu_children() - children0,
    }


def report(size: int, t: dict[str, float], languages: tuple[str, ...]) -> str:
    per = 1000 / t["entries"]
    lines = [f"{t['entries']:,} entries, {t['pages']:,} pages ({' + '.join(languages)})"]
    for stage in ("validate", "render", "mkdocs", "total"):
        lines.append(f"  {stage:<9} {t[stage]:7.1f} s   {t[stage] * per:6.2f} s per 1,000 entries")
    each = ", ".join(f"{lang} {t.get(f'render_{lang}', 0):.1f} + {t[f'mkdocs_{lang}']:.1f} s"
                     for lang in languages if f"mkdocs_{lang}" in t)
    lines.append(f"  render + mkdocs per language: {each}")
    cpu = t["cpu_self"] + t["cpu_workers"]
    lines.append(f"  cpu       {cpu:7.1f} s   {cpu * per:6.2f} s per 1,000 entries "
                 f"({t['cpu_self']:.1f} s in this process + {t['cpu_workers']:.1f} s in build workers)")
    if t["cpu_worker_max"]:
        critical = t["cpu_self"] + t["cpu_worker_max"]
        lines.append(f"  critical path CPU {critical:.1f} s (this process + the slowest worker): about the wall time "
                     "on an idle machine with a core per language")
    projected = t["total"] * BOUND_ENTRIES / t["entries"]
    lines.append(f"  end to end vs bound: {t['total']:.1f} s / {BOUND_SECONDS * t['entries'] / BOUND_ENTRIES:.1f} s "
                 f"(linear share of {BOUND_SECONDS:.0f} s per {BOUND_ENTRIES:,}) = "
                 f"{t['total'] / (BOUND_SECONDS * t['entries'] / BOUND_ENTRIES):.2f}; "
                 f"projected to {BOUND_ENTRIES:,}: {projected:.0f} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=list(LANGUAGES))
    parser.add_argument("--jobs", type=int, default=None, help="languages built at once (default: CPUs)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the catalogs and sites under this folder")
    args = parser.parse_args(argv)
    languages = tuple(args.languages)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cpus available: {len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else os.cpu_count()}, "
          f"load average at start: {load:.1f}", flush=True)
    for size in args.sizes:
        workdir = Path(tempfile.mkdtemp(prefix=f"aigc-bench-{size}-", dir=args.keep))
        try:
            timings = run(size, workdir, languages, args.jobs)
            print(report(size, timings, languages), flush=True)
        finally:
            if args.keep is None:
                shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
