"""Shared helpers for the files demos write: matplotlib figures (Agg, small PNGs) and UTF-8 text.

Figures: ``with figure(out_dir / "loss.png", (6, 3.5)) as fig: ...`` creates a figure and saves
it on exit at a DPI that keeps PNGs well under 200 KB. Matplotlib runs on the Agg backend
(no display needed) and falls back to a CJK font for Chinese labels when one is installed
(Debian: ``fonts-noto-cjk``); without one, Chinese glyphs show as boxes, the numbers do not change.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

#: Dots per inch of every saved figure: sharp on screen, small on disk.
DPI = 100

#: CJK fonts tried, in order, as a fallback after DejaVu Sans.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans SC", "WenQuanYi Zen Hei", "Source Han Sans SC")


def pyplot() -> Any:
    """``matplotlib.pyplot`` on the Agg backend, with a CJK fallback font when one exists."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    installed = {font.name for font in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed][:1]
    plt.rcParams["font.family"] = ["DejaVu Sans", *cjk]
    plt.rcParams["axes.unicode_minus"] = False
    return plt


@contextlib.contextmanager
def figure(path: Path, size: tuple[float, float] = (6.0, 4.0), **subplots: Any) -> Iterator[Any]:
    """Yield ``(fig, axes)`` from ``plt.subplots(**subplots)``; save to ``path`` and close on exit."""
    plt = pyplot()
    fig, axes = plt.subplots(figsize=size, **subplots)
    try:
        yield fig, axes
        if fig.get_layout_engine() is None:
            fig.tight_layout()
        fig.savefig(path, dpi=DPI)
    finally:
        plt.close(fig)


def write_text(path: Path, lines: Iterable[str]) -> None:
    """Write lines as UTF-8 text with a final newline."""
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
