"""Compare two built sites: the same files, and the same bytes up to build timestamps.

Usage::

    .venv/bin/python -m bench.site_diff SITE_BEFORE SITE_AFTER

For checking that a speed-up of the build changes nothing a reader gets: build the real
catalog before and after the change (``aigc-resources build --site-dir DIR``) and compare.
Build dates (``sitemap.xml``'s ``<lastmod>``, the gzip header of ``sitemap.xml.gz``) are
compared with the date masked. Prints each difference and exits 1 when there is any.
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def normalised(path: Path) -> bytes:
    """The bytes of a built file with its build timestamps masked."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    if path.name.startswith("sitemap.xml"):
        data = _LASTMOD.sub(b"<lastmod>-</lastmod>", data)
    return data


def site_differences(before: Path, after: Path) -> list[str]:
    """Human-readable differences between two site folders (empty: the same site)."""
    files = {side: {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
             for side, root in (("before", before), ("after", after))}
    out = [f"only in {side}: {name}" for side in files for name in sorted(files[side] - files[
        "after" if side == "before" else "before"])]
    for name in sorted(files["before"] & files["after"]):
        if normalised(before / name) != normalised(after / name):
            out.append(f"differs: {name}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 3
    before, after = Path(args[0]), Path(args[1])
    differences = site_differences(before, after)
    for line in differences:
        print(line)
    count = sum(1 for p in before.rglob("*") if p.is_file())
    print(f"{count} files in {before}; {len(differences)} differences", file=sys.stderr)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
