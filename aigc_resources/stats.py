"""Coverage of the catalog: counts by topic, level, language and type, and the gaps.

The goals are data, in ``<catalog>/coverage.yaml`` (:class:`CoveragePolicy`): the concepts of
the source article that need a paper and a tutorial or course, the topics where a beginner
entry is not expected, the number of Chinese-language entries wanted, and the fast-moving topics
that need recent entries. :func:`compute_coverage` measures a catalog against it;
:func:`coverage_diagnostics` turns the gaps into validator warnings (so ``validate --strict``
fails on them); ``aigc-resources stats`` prints the same report as text, JSON or Markdown.

Without a ``coverage.yaml`` only the rule every catalog has applies: a topic needs
:data:`~aigc_resources.rules.MIN_TOPIC_ENTRIES` entries (``W-THIN-TOPIC``, raised by
:func:`aigc_resources.rules.check_cross`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .catalog import Catalog, display_path
from .diagnostics import Diagnostic, make
from .rules import MIN_TOPIC_ENTRIES
from .schema import Resource, Slug
from .validation import did_you_mean, validate_document
from .yamlio import LoadedDocument, load_yaml

COVERAGE_FILE = "coverage.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Concept(_Strict):
    """A concept the catalog must teach: its name and the taxonomy topic that holds it."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    topic: Slug


class Requirement(_Strict):
    """What each concept needs: at least one entry of one of ``types`` (e.g. a paper)."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    types: list[Slug] = Field(min_length=1)


class Recency(_Strict):
    """Fast-moving topics need entries published from ``since`` on (by the entry's ``year``)."""

    since: int = Field(ge=1900)
    min_per_topic: int = Field(ge=1)
    topics: list[Slug] = Field(min_length=1)


class CoveragePolicy(_Strict):
    """``<catalog>/coverage.yaml``: the catalog's coverage goals."""

    version: int = Field(ge=1)
    beginner_exempt: dict[Slug, Annotated[str, StringConstraints(min_length=3)]] = Field(
        default_factory=dict, description="Topics where no beginner entry is expected, each with the reason.")
    min_chinese_entries: int = Field(0, ge=0)
    recent: Recency | None = None
    requirements: list[Requirement] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)


@dataclass
class TopicCoverage:
    """One topic: entries in total, by level and by type."""

    id: str
    name: str
    group: str
    entries: int
    levels: dict[str, int]
    types: dict[str, int]
    recent: int


@dataclass(frozen=True)
class Gap:
    """One coverage gap: ``kind`` (``thin-topic``, ``no-beginner``, ``concept``, ``chinese``,
    ``recent``), the subject (a topic id or concept name) and a sentence saying what is missing."""

    kind: str
    subject: str
    message: str


@dataclass
class CoverageReport:
    """Counts of a catalog and its gaps against a policy (see :func:`compute_coverage`)."""

    entries: int
    by_type: dict[str, int]
    by_level: dict[str, int]
    by_language: dict[str, int]
    by_modality: dict[str, int]
    chinese_entries: int
    recent_entries: int
    recent_since: int | None
    topics: list[TopicCoverage]
    concepts: dict[str, dict[str, int]] = field(default_factory=dict)  # name -> requirement -> count
    gaps: list[Gap] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-ready data (``aigc-resources stats --format json``)."""
        return asdict(self)


def is_chinese(resource: Resource) -> bool:
    """True when the resource itself is (also) in Chinese: a ``zh`` language tag."""
    return any(code.split("-")[0] == "zh" for code in resource.languages)


def load_policy(root: Path) -> tuple[CoveragePolicy | None, LoadedDocument | None]:
    """Read ``<root>/coverage.yaml``; ``(None, None)`` when the catalog has none."""
    path = root / COVERAGE_FILE
    if not path.is_file():
        return None, None
    doc = load_yaml(path, display_path=display_path(path))
    return validate_document(CoveragePolicy, doc), doc


def compute_coverage(catalog: Catalog, policy: CoveragePolicy | None) -> CoverageReport:
    """Measure ``catalog`` against ``policy`` (``None``: the thin-topic rule only)."""
    resources = catalog.resources
    taxonomy = catalog.taxonomy
    since = policy.recent.since if policy and policy.recent else None
    recent = [r for r in resources if since is not None and r.year is not None and r.year >= since]
    topics: list[TopicCoverage] = []
    for topic in taxonomy.topics:
        members = [r for r in resources if topic.id in r.topics]
        topics.append(TopicCoverage(
            id=topic.id, name=topic.name, group=topic.group, entries=len(members),
            levels={level.id: sum(1 for r in members if r.level == level.id) for level in taxonomy.levels},
            types=dict(sorted(Counter(r.type for r in members).items())),
            recent=sum(1 for r in recent if topic.id in r.topics),
        ))
    report = CoverageReport(
        entries=len(resources),
        by_type={t.id: sum(1 for r in resources if r.type == t.id) for t in taxonomy.types},
        by_level={level.id: sum(1 for r in resources if r.level == level.id) for level in taxonomy.levels},
        by_language=dict(sorted(Counter(c for r in resources for c in r.languages).items(), key=lambda kv: (-kv[1], kv[0]))),
        by_modality={m.id: sum(1 for r in resources if m.id in r.modalities) for m in taxonomy.modalities},
        chinese_entries=sum(1 for r in resources if is_chinese(r)),
        recent_entries=len(recent),
        recent_since=since,
        topics=topics,
    )
    report.gaps = _gaps(report, catalog, policy)
    return report


def _gaps(report: CoverageReport, catalog: Catalog, policy: CoveragePolicy | None) -> list[Gap]:
    gaps: list[Gap] = []
    by_topic = {t.id: t for t in report.topics}
    for topic in report.topics:
        if topic.entries < MIN_TOPIC_ENTRIES:
            gaps.append(Gap("thin-topic", topic.id, f"topic `{topic.id}` has {topic.entries} entries; "
                                                     f"at least {MIN_TOPIC_ENTRIES} are expected"))
    if policy is None:
        return gaps
    for topic in report.topics:
        if topic.id not in policy.beginner_exempt and not topic.levels.get("beginner"):
            gaps.append(Gap("no-beginner", topic.id, f"topic `{topic.id}` has no beginner entry"))
    for concept in policy.concepts:
        counts = {}
        for requirement in policy.requirements:
            counts[requirement.name] = sum(1 for r in catalog.resources
                                           if concept.topic in r.topics and r.type in requirement.types)
            if not counts[requirement.name]:
                gaps.append(Gap("concept", concept.name,
                                f"concept `{concept.name}` (topic `{concept.topic}`) has no {requirement.name} "
                                f"(an entry of type {' or '.join(requirement.types)})"))
        report.concepts[concept.name] = counts
    if report.chinese_entries < policy.min_chinese_entries:
        gaps.append(Gap("chinese", "zh", f"{report.chinese_entries} entries are in Chinese; "
                                         f"at least {policy.min_chinese_entries} are wanted"))
    if policy.recent:
        for topic_id in policy.recent.topics:
            count = by_topic[topic_id].recent if topic_id in by_topic else 0
            if count < policy.recent.min_per_topic:
                gaps.append(Gap("recent", topic_id, f"fast-moving topic `{topic_id}` has {count} entries from "
                                                    f"{policy.recent.since} on; at least {policy.recent.min_per_topic} are wanted"))
    return gaps


def check_policy(policy: CoveragePolicy, doc: LoadedDocument, catalog: Catalog) -> None:
    """Report ids in ``coverage.yaml`` that the taxonomy lacks (``E-TAXONOMY-UNKNOWN``)."""
    topics = [t.id for t in catalog.taxonomy.topics]
    types = [t.id for t in catalog.taxonomy.types]
    places: list[tuple[tuple, str, list[str]]] = []
    places += [(("beginner_exempt", topic), topic, topics) for topic in policy.beginner_exempt]
    places += [(("concepts", i, "topic"), c.topic, topics) for i, c in enumerate(policy.concepts)]
    places += [(("requirements", i, "types", j), t, types) for i, r in enumerate(policy.requirements)
               for j, t in enumerate(r.types)]
    if policy.recent:
        places += [(("recent", "topics", i), t, topics) for i, t in enumerate(policy.recent.topics)]
    for loc, value, known in places:
        if value not in known:
            guess = did_you_mean(value, known)
            doc.report("E-TAXONOMY-UNKNOWN", loc, message=f"`{value}` is not in the taxonomy",
                       hint=f"did you mean `{guess}`?" if guess else "use an id from catalog/taxonomy.yaml")


#: Gap kind -> validator rule code (thin topics are reported by ``check_cross`` already).
GAP_CODES = {"no-beginner": "W-TOPIC-NO-BEGINNER", "concept": "W-CONCEPT-GAP", "chinese": "W-FEW-CHINESE",
             "recent": "W-TOPIC-NOT-RECENT"}


def coverage_diagnostics(catalog: Catalog) -> list[Diagnostic]:
    """Diagnostics for ``<catalog>/coverage.yaml``: its own problems, and one warning per gap
    (except thin topics), located at the line of ``coverage.yaml`` or ``taxonomy.yaml`` that
    states the goal. Empty when the catalog has no ``coverage.yaml``."""
    policy, doc = load_policy(catalog.root)
    if doc is None:
        return []
    if policy is not None:
        check_policy(policy, doc, catalog)
    out = list(doc.diagnostics)
    if policy is None or any(d.severity.value == "error" for d in out):
        return out
    taxonomy_doc = load_yaml(catalog.root / "taxonomy.yaml", display_path=display_path(catalog.root / "taxonomy.yaml"))
    topic_index = {t.id: i for i, t in enumerate(catalog.taxonomy.topics)}
    concept_index = {c.name: i for i, c in enumerate(policy.concepts)}
    recent_index = {t: i for i, t in enumerate(policy.recent.topics)} if policy.recent else {}
    for gap in compute_coverage(catalog, policy).gaps:
        code = GAP_CODES.get(gap.kind)
        if code is None:
            continue
        if gap.kind == "no-beginner":
            path, (line, column) = taxonomy_doc.path, taxonomy_doc.locate(("topics", topic_index[gap.subject], "id"))
            field_name = f"topics[{topic_index[gap.subject]}]"
        elif gap.kind == "concept":
            path, (line, column) = doc.path, doc.locate(("concepts", concept_index[gap.subject]))
            field_name = f"concepts[{concept_index[gap.subject]}]"
        elif gap.kind == "chinese":
            path, (line, column) = doc.path, doc.locate(("min_chinese_entries",))
            field_name = "min_chinese_entries"
        else:
            path, (line, column) = doc.path, doc.locate(("recent", "topics", recent_index[gap.subject]))
            field_name = f"recent.topics[{recent_index[gap.subject]}]"
        out.append(make(code, path, line, column, field=field_name, message=gap.message))
    return out


# -- output ---------------------------------------------------------------------------------------

def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return [line(headers), line(["-" * w for w in widths])] + [line(row) for row in rows]


def _sections(report: CoverageReport) -> list[tuple[str, list[str], list[list[object]]]]:
    levels = list(report.by_level)
    sections = [
        ("Entries by type", ["type", "entries"], [[k, v] for k, v in report.by_type.items()]),
        ("Entries by level", ["level", "entries"], [[k, v] for k, v in report.by_level.items()]),
        ("Entries by language", ["language", "entries"], [[k, v] for k, v in report.by_language.items()]),
        ("Entries by modality", ["modality", "entries"], [[k, v] for k, v in report.by_modality.items()]),
        ("Topics", ["topic", "group", "entries", *levels, "recent"],
         [[t.id, t.group, t.entries, *[t.levels[level] for level in levels], t.recent] for t in report.topics]),
    ]
    if report.concepts:
        names = list(next(iter(report.concepts.values())))
        sections.append(("Concepts of the source article", ["concept", *names],
                         [[name, *counts.values()] for name, counts in report.concepts.items()]))
    return sections


def _summary(report: CoverageReport) -> str:
    since = f", {report.recent_entries} from {report.recent_since} on" if report.recent_since else ""
    return (f"{report.entries} entries, {report.chinese_entries} in Chinese{since}; "
            f"{len(report.gaps)} gap{'s' * (len(report.gaps) != 1)}")


def format_text(report: CoverageReport) -> str:
    """Plain-text tables, one per axis, then the gaps (``stats --format text``)."""
    lines = [_summary(report), ""]
    for title, headers, rows in _sections(report):
        lines += [title, *_table(headers, rows), ""]
    lines.append("Gaps" if report.gaps else "Gaps: none")
    lines += [f"- [{gap.kind}] {gap.message}" for gap in report.gaps]
    return "\n".join(lines) + "\n"


def _md_cell(value: object) -> str:
    """A table cell's text with ``|`` escaped, so a name holding one cannot split the row (GFM tables)."""
    return str(value).replace("|", "\\|")


def format_markdown(report: CoverageReport) -> str:
    """GitHub-flavoured Markdown tables and a gap list (``stats --format markdown``)."""
    lines = ["# Catalog coverage", "", _summary(report) + ".", ""]
    for title, headers, rows in _sections(report):
        lines += [f"## {title}", "", "| " + " | ".join(headers) + " |",
                  "|" + "|".join(" --- " for _ in headers) + "|"]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
    lines += ["## Gaps", ""]
    lines += [f"- **{gap.kind}**: {gap.message}" for gap in report.gaps] or ["None."]
    return "\n".join(lines) + "\n"


def format_json(report: CoverageReport) -> str:
    """The report as indented JSON (``stats --format json``)."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


STATS_FORMATS = {"text": format_text, "json": format_json, "markdown": format_markdown}
