"""Bar charts as inline SVG, drawn at build time (the stats page runs no script).

The SVG uses CSS classes (``aigc-chart__bar``...) styled in ``assets/aigc/site.css`` with the
theme's colours, so the figures follow the light and dark palettes. Every text is escaped;
labels link to the hub page of their value.
"""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass

#: Layout in pixels (the SVG scales to the page width through its viewBox).
ROW_HEIGHT = 24
BAR_HEIGHT = 16
FONT_SIZE = 13
LABEL_MAX = 230
WIDTH = 680
COLUMN_CHART_HEIGHT = 200


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value and the page its label links to (``None``: no link)."""

    label: str
    value: int
    href: str | None = None


def text_width(text: str, font_size: int = FONT_SIZE) -> float:
    """Estimated width of ``text`` in pixels: wide (CJK) characters count one em, others 0.55 em."""
    return sum(font_size if unicodedata.east_asian_width(ch) in "WF" else 0.55 * font_size for ch in text)


def _fit(text: str, limit: float) -> str:
    if text_width(text) <= limit:
        return text
    while text and text_width(text + "…") > limit:
        text = text[:-1]
    return text.rstrip() + "…"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _svg_open(chart_id: str, title: str, width: float, height: float) -> str:
    return (f'<svg class="aigc-chart" id="{_esc(chart_id)}" role="img" aria-labelledby="{_esc(chart_id)}-title" '
            f'viewBox="0 0 {width:.0f} {height:.0f}" width="100%" style="max-width:{width:.0f}px" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{_esc(chart_id)}-title">{_esc(title)}</title>')


def _tooltip(bar: Bar, colon: str) -> str:
    return f"<title>{_esc(bar.label)}{_esc(colon)}{bar.value}</title>"


def bar_chart(chart_id: str, title: str, bars: list[Bar], *, colon: str = ": ") -> str:
    """A horizontal bar chart, one row per bar in the given order, values written at bar ends.

    Each bar's tooltip reads label, ``colon``, value (``"："`` on the Chinese site)."""
    label_width = min(LABEL_MAX, max((text_width(b.label) for b in bars), default=0) + 8)
    top = max((b.value for b in bars), default=0) or 1
    value_room = text_width(str(top)) + 10
    plot = WIDTH - label_width - value_room
    height = ROW_HEIGHT * len(bars) + 4
    parts = [_svg_open(chart_id, title, WIDTH, height)]
    for row, bar in enumerate(bars):
        y = row * ROW_HEIGHT + 2
        middle = y + ROW_HEIGHT / 2
        label = _esc(_fit(bar.label, label_width - 8))
        text = (f'<text class="aigc-chart__label" x="{label_width - 8:.0f}" y="{middle:.1f}" '
                f'text-anchor="end" dominant-baseline="central" font-size="{FONT_SIZE}">{label}</text>')
        if bar.href:
            text = f'<a href="{_esc(bar.href)}">{text}</a>'
        length = plot * bar.value / top
        parts.append(
            f'<g>{_tooltip(bar, colon)}{text}'
            f'<rect class="aigc-chart__bar" x="{label_width:.0f}" y="{middle - BAR_HEIGHT / 2:.1f}" '
            f'width="{length:.1f}" height="{BAR_HEIGHT}" rx="2"/>'
            f'<text class="aigc-chart__value" x="{label_width + length + 5:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="central" font-size="{FONT_SIZE}">{bar.value}</text></g>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(chart_id: str, title: str, bars: list[Bar], *, label_every: int = 1, colon: str = ": ") -> str:
    """A vertical bar chart (e.g. entries per year); every ``label_every``-th label is written;
    tooltips as in :func:`bar_chart`."""
    count = max(len(bars), 1)
    top = max((b.value for b in bars), default=0) or 1
    left, bottom, head = 8, 22, 18
    slot = (WIDTH - 2 * left) / count
    plot_height = COLUMN_CHART_HEIGHT - bottom - head
    parts = [_svg_open(chart_id, title, WIDTH, COLUMN_CHART_HEIGHT)]
    for index, bar in enumerate(bars):
        x = left + index * slot
        h = plot_height * bar.value / top
        y = head + plot_height - h
        parts.append(f'<g>{_tooltip(bar, colon)}'
                     f'<rect class="aigc-chart__bar" x="{x + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{h:.1f}" rx="1"/>')
        if bar.value:
            parts.append(f'<text class="aigc-chart__value" x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" '
                         f'font-size="{FONT_SIZE - 2}">{bar.value}</text>')
        if index % label_every == 0 or index == count - 1:
            parts.append(f'<text class="aigc-chart__label" x="{x + slot / 2:.1f}" y="{COLUMN_CHART_HEIGHT - 6}" '
                         f'text-anchor="middle" font-size="{FONT_SIZE - 2}">{_esc(bar.label)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
