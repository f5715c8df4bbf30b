"""The types a demo module uses to describe itself: :class:`Demo`, :class:`Artifact`, :class:`Threshold`.

This module imports nothing heavy (no torch, no numpy): the registry, ``aigc-resources demo
list`` and the site renderer read demo metadata without importing the demo itself.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: The comparison operators a threshold may use, by their written form.
COMPARISONS: Mapping[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    "<": operator.lt,
    ">=": operator.ge,
    ">": operator.gt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Artifact:
    """One file a demo writes into its output folder, with a caption in both languages.

    ``file`` is a bare file name (no folders): ``"loss.png"`` or ``"samples.txt"``.
    """

    file: str
    caption: str
    caption_zh: str


@dataclass(frozen=True)
class Demo:
    """What the registry, the CLI and the site know about one demo.

    Declared once, at the top of the demo's module, as ``DEMO = Demo(...)`` with literal values
    only (strings, tuples, numbers and ``Artifact(...)``): the registry reads it from the source
    without importing the module, so listing demos and rendering their pages needs no torch.
    """

    name: str  # the module's file stem, also the CLI name and the artifact folder name
    title: str
    title_zh: str
    summary: str  # a few sentences of our own words: what the demo shows and how it is checked
    summary_zh: str
    topics: tuple[str, ...]  # topic ids from catalog/taxonomy.yaml
    formula: str  # LaTeX of the key equation(s), without the surrounding $$
    figures: tuple[Artifact, ...] = ()  # PNG files written by run(), shown on the page in this order
    samples: tuple[Artifact, ...] = ()  # UTF-8 text files written by run(), shown on the page
    module: str = field(default="", compare=False)  # dotted module path, filled in by the registry

    @property
    def artifacts(self) -> tuple[Artifact, ...]:
        """Every file the demo promises to write besides ``metrics.json``."""
        return self.figures + self.samples


@dataclass(frozen=True)
class Threshold:
    """An acceptance check on one metric: ``metrics[metric] <op> value``, with the reason for it."""

    metric: str
    op: str
    value: float
    why: str = ""  # shown on the English page
    why_zh: str = ""  # shown on the Chinese page

    def __post_init__(self) -> None:
        if self.op not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.op!r}; use one of {', '.join(COMPARISONS)}")

    def passes(self, actual: float) -> bool:
        """True when ``actual <op> value`` holds."""
        return bool(COMPARISONS[self.op](actual, self.value))

    def describe(self) -> str:
        """The check as written, e.g. ``heldout_nll_trigram <= 2.25``."""
        return f"{self.metric} {self.op} {self.value:g}"


@dataclass(frozen=True)
class CheckResult:
    """A threshold applied to the value a run produced (``None`` when the metric is missing)."""

    threshold: Threshold
    value: float | None

    @property
    def passed(self) -> bool:
        """True when the metric was reported and meets the threshold."""
        return self.value is not None and self.threshold.passes(self.value)

    def as_json(self) -> dict[str, object]:
        """The check as one entry of ``metrics.json``'s ``checks`` list."""
        return {
            "metric": self.threshold.metric,
            "op": self.threshold.op,
            "target": self.threshold.value,
            "value": self.value,
            "passed": self.passed,
            "why": self.threshold.why,
            "why_zh": self.threshold.why_zh,
        }
