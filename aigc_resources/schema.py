"""The data model: one :class:`Resource` per entry file, and the :class:`Taxonomy`.

The models check structure only: field names (unknown keys are refused), types (strictly: a
number is not text), required fields, lengths and the forms of slugs, arXiv identifiers and
language tags. Rules that need the taxonomy, the file path or other entries (taxonomy values
exist, ``id`` equals the file name, URLs are unique...) live in :mod:`aigc_resources.rules`,
so they can report several problems per entry and point at the exact line.

Design reference: ``shared/DESIGN.md`` §4.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from .yamlio import ISO_DATE

#: Lower-case kebab-case identifier: ``attention-is-all-you-need``.
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
#: arXiv identifier, new style (``1706.03762``, ``2005.14165v2``) or old style (``cs/0112017``).
ARXIV_PATTERN = r"^(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
#: BCP 47 language tag, simplified: ``en``, ``zh``, ``zh-Hans``, ``pt-BR``.
LANGUAGE_PATTERN = r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$"

#: Length limits of text fields, in characters (Unicode code points).
DESCRIPTION_EN_LIMITS = (40, 400)
DESCRIPTION_ZH_LIMITS = (15, 300)
TITLE_LIMITS = (2, 200)
#: Length limits of a URL (``url`` and every ``links.*``), and of a person's or organisation's name.
URL_LIMITS = (8, 2000)
NAME_MAX = 120
#: Longest ``source.file`` and ``source.section`` of an imported entry.
SOURCE_FILE_MAX = 200
SOURCE_SECTION_MAX = 400
#: Longest ``source_note`` an import draft may carry, in characters.
SOURCE_NOTE_MAX = 4000

#: The first line of every entry file: editors that run yaml-language-server (VS Code's YAML
#: extension, Neovim, JetBrains) then complete and check the entry against the JSON Schema.
ENTRY_SCHEMA_COMMENT = "# yaml-language-server: $schema=../../../schema/resource.schema.json"

def _quoted_iso_date(value: Any) -> Any:
    """Accept a date written in quotes (``"2026-11-29"``), as JSON Schema's ``format: date`` does.

    Only the exact ``YYYY-MM-DD`` form of a real calendar date is converted; anything else is
    passed on unchanged for the strict date check to refuse."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


#: Text is stripped of surrounding whitespace before its length is checked, so a title of
#: spaces is too short rather than accepted.
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=80)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=TITLE_LIMITS[0], max_length=TITLE_LIMITS[1])]
Url = Annotated[str, StringConstraints(min_length=URL_LIMITS[0], max_length=URL_LIMITS[1]),
                Field(json_schema_extra={"format": "uri", "pattern": "^https?://"})]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
DescriptionEn = Annotated[str, StringConstraints(strip_whitespace=True, min_length=DESCRIPTION_EN_LIMITS[0],
                                                 max_length=DESCRIPTION_EN_LIMITS[1])]
DescriptionZh = Annotated[str, StringConstraints(strip_whitespace=True, min_length=DESCRIPTION_ZH_LIMITS[0],
                                                 max_length=DESCRIPTION_ZH_LIMITS[1])]
IsoDate = Annotated[dt.date, BeforeValidator(_quoted_iso_date)]


def _field(description: str, description_zh: str, *, taxonomy: str | None = None, **kwargs: Any) -> Any:
    """A model field with its help in English and Chinese (the contributor guide shows both).

    ``taxonomy`` names the taxonomy axis the field takes its values from; the JSON Schema turns
    it into an ``enum`` and :mod:`aigc_resources.rules` checks the values against it."""
    extra: dict[str, Any] = {"x-description-zh": description_zh}
    if taxonomy:
        extra["x-taxonomy"] = taxonomy
    return Field(description=description, json_schema_extra=extra, **kwargs)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Links(_Strict):
    """Typed extra links of an entry; every one is link-checked like ``url``."""

    homepage: Url | None = _field("The project's or course's home page, when `url` points elsewhere.", "项目或课程主页（当 `url` 指向别处时）。", default=None)
    code: Url | None = _field("Source code repository.", "源代码仓库。", default=None)
    docs: Url | None = _field("Documentation.", "文档。", default=None)
    paper: Url | None = _field("The paper that describes the resource.", "介绍该资源的论文。", default=None)
    demo: Url | None = _field("An interactive demo or playground.", "在线演示或交互体验页面。", default=None)
    video: Url | None = _field("A lecture or talk about the resource.", "关于该资源的讲座或演讲视频。", default=None)
    slides: Url | None = _field("Slides.", "幻灯片。", default=None)
    notebook: Url | None = _field("A runnable notebook (Colab, Jupyter).", "可运行的笔记本（Colab、Jupyter）。", default=None)
    weights: Url | None = _field("Model weights or model card.", "模型权重或模型卡片。", default=None)
    dataset: Url | None = _field("Data set download or card.", "数据集下载页或数据集卡片。", default=None)

    def items(self) -> list[tuple[str, str]]:
        """The links that are set, as ``(kind, url)`` in field order."""
        return [(name, value) for name, value in self.model_dump().items() if value]


class Source(_Strict):
    """Where an imported entry was found: the list file, the line of its item, its section.

    Written by ``aigc-resources import``; kept in published entries as provenance (it holds
    no prose of the list, only a file name, a line number and the heading path).
    """

    file: Annotated[str, StringConstraints(min_length=1, max_length=SOURCE_FILE_MAX)] = Field(
        description="File name of the list the entry was imported from.")
    line: int = Field(ge=1, description="1-based line of the item in that file.")
    section: Annotated[str, StringConstraints(max_length=SOURCE_SECTION_MAX)] | None = Field(
        None, description="Heading path of the item, outermost first, joined with ` > `.")


class Resource(_Strict):
    """One catalog entry: a paper, course, book, tool, library, model, dataset... (DESIGN §4).

    Text fields are our own words. ``type``, ``modalities``, ``topics`` and ``level`` take ids
    from ``catalog/taxonomy.yaml``; the catalog checks that they exist.
    """

    id: Slug = _field("Slug, equal to the file name without `.yaml`.", "slug，与去掉 `.yaml` 的文件名相同。")
    title: Title = _field("Title of the resource as its authors give it.", "资源标题，按作者给出的原文。")
    title_zh: Title | None = _field("Chinese title, where the resource has one or a common translation.",
                                    "中文标题（资源本身有中文名或有通行译名时）。", default=None)
    url: Url = _field("Canonical URL: the resource's own page (for papers: the arXiv abstract page where there is one).",
                      "规范网址：资源自己的页面（论文优先用 arXiv 摘要页）。")
    type: Slug = _field("Resource type, from the taxonomy's `types`.", "资源类型，取自分类体系的 `types`。", taxonomy="types")
    modalities: list[Slug] = _field("What the resource generates or processes, from `modalities`; empty for modality-agnostic material.",
                                    "资源生成或处理的模态，取自 `modalities`；与模态无关的内容可留空。",
                                    taxonomy="modalities", default_factory=list)
    topics: list[Slug] = _field("Concepts the resource teaches or implements, from `topics`.",
                                "资源讲授或实现的概念，取自 `topics`。", taxonomy="topics", default_factory=list)
    level: Slug = _field("Who it suits, from `levels`: beginner, intermediate or advanced.",
                         "适合的读者水平，取自 `levels`：入门、进阶或高级。", taxonomy="levels")
    languages: list[Language] = _field("Languages of the resource itself (BCP 47: `en`, `zh`...).",
                                       "资源本身使用的语言（BCP 47：`en`、`zh`……）。", min_length=1)
    access: Literal["free", "freemium", "paid"] = _field("Cost to a learner: free, freemium or paid.",
                                                         "对学习者的费用：free（免费）、freemium（部分免费）或 paid（付费）。")
    open_source: bool | None = _field("Whether the code (or content) is under an open licence.",
                                      "代码（或内容）是否以开放许可证发布。", default=None)
    authors: list[Name] = _field("Authors or organisation, first authors first.", "作者或机构，按署名顺序。",
                                 default_factory=list)
    year: int | None = _field("Year of first publication; required for papers.", "首次发表年份；论文必填。", default=None)
    arxiv: str | None = _field("arXiv identifier, quoted, e.g. \"1706.03762\".", "arXiv 编号，加引号，例如 \"1706.03762\"。",
                               default=None, pattern=ARXIV_PATTERN)
    links: Links | None = _field("Extra typed links (code, docs, paper, demo, video...).",
                                 "其他分类链接（代码、文档、论文、演示、视频……）。", default=None)
    description: DescriptionEn = _field("What it is and why a learner would use it, in English, our own words; inline Markdown only.",
                                        "英文简介：它是什么、学习者为什么要用它，用自己的话写；只可用行内 Markdown。")
    description_zh: DescriptionZh | None = _field("The same in Chinese, our own words.", "同样内容的中文简介，用自己的话写。",
                                                  default=None)
    related: list[Slug] = _field("Ids of related entries.", "相关条目的 id。", default_factory=list)
    added: IsoDate = _field("Date the entry was added (YYYY-MM-DD).", "条目收录日期（YYYY-MM-DD）。")
    source: Source | None = _field("Where an imported entry was found (list file, line, section).",
                                   "导入条目的来源（列表文件、行号、章节）。", default=None)
    source_note: Annotated[str, StringConstraints(max_length=SOURCE_NOTE_MAX)] | None = _field(
        "Draft only: the imported list's own text about the resource, for the curator to read. "
        "Refused in the published catalog (`E-SOURCE-NOTE`): descriptions are our own words.",
        "仅用于草稿：导入来源列表对该资源的原文，供整理者参考。已发布的目录中不允许出现（`E-SOURCE-NOTE`）：简介必须是我们自己的话。",
        default=None)

    def all_urls(self) -> list[tuple[str, str]]:
        """Every URL of the entry as ``(field path, url)``: ``url`` first, then ``links.*``."""
        urls = [("url", self.url)]
        if self.links:
            urls += [(f"links.{kind}", value) for kind, value in self.links.items()]
        return urls


class Term(_Strict):
    """One value of a taxonomy axis, with its names and one-line descriptions in both languages."""

    id: Slug
    name: Name
    name_zh: Name
    description: Annotated[str, StringConstraints(min_length=10, max_length=300)]
    description_zh: Annotated[str, StringConstraints(min_length=4, max_length=200)]
    aliases: list[Name] = Field(default_factory=list, description="Other names, used by the importer to map headings.")
    parent: Slug | None = Field(None, description="A wider value on the same axis (e.g. speech -> audio).")


class Topic(Term):
    """A concept or technique; ``group`` places it in a topic group for navigation."""

    group: Slug


class Taxonomy(_Strict):
    """The controlled vocabulary: ``catalog/taxonomy.yaml``."""

    version: int = Field(ge=1)
    types: list[Term] = Field(min_length=1)
    modalities: list[Term] = Field(min_length=1)
    levels: list[Term] = Field(min_length=1)
    topic_groups: list[Term] = Field(min_length=1)
    topics: list[Topic] = Field(min_length=1)

    AXES: ClassVar[tuple[str, ...]] = ("types", "modalities", "levels", "topic_groups", "topics")

    def axis(self, name: str) -> dict[str, Term]:
        """Terms of one axis by id, in file order (computed once per taxonomy)."""
        return self._axes[name]

    @functools.cached_property
    def _axes(self) -> dict[str, dict[str, Term]]:
        return {axis: {term.id: term for term in getattr(self, axis)} for axis in self.AXES}


def taxonomy_fields(model: type[BaseModel]) -> dict[str, tuple[str, bool]]:
    """Fields of ``model`` that take taxonomy values: ``{field: (axis, is a list)}``.

    Read from the ``taxonomy=`` marker of each field (see :func:`_field`), so the rules, the
    JSON Schema and the contributor guide all follow the model."""
    found: dict[str, tuple[str, bool]] = {}
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        axis = extra.get("x-taxonomy")
        if axis:
            found[name] = (str(axis), typing.get_origin(info.annotation) is list)
    return found


#: Length limits of concept and learning-path texts, in characters.
EXPLANATION_EN_LIMITS = (300, 3000)
EXPLANATION_ZH_LIMITS = (100, 1500)
WHY_EN_LIMITS = (20, 400)
WHY_ZH_LIMITS = (8, 250)


class Formula(_Strict):
    """A key formula of a concept: display LaTeX, what it says, and where it comes from."""

    latex: Annotated[str, StringConstraints(min_length=3, max_length=2000)] = Field(
        description="LaTeX of the formula for display (KaTeX subset), without `$` or `\\[ \\]` delimiters; no blank lines.")
    caption: Annotated[str, StringConstraints(min_length=20, max_length=600)] = Field(
        description="What the formula says and what its symbols mean, in English; inline Markdown and `$...$` maths.")
    caption_zh: Annotated[str, StringConstraints(min_length=8, max_length=400)] = Field(
        description="The same in Chinese.")
    source: Annotated[str, StringConstraints(min_length=5, max_length=300)] = Field(
        description="Where the formula is from: the paper (authors, year) and, if it is there, the source article's section.")


class Concept(_Strict):
    """The explanation of one taxonomy topic, shown on its concept page (``catalog/concepts/<topic>.yaml``).

    Texts are our own words: a few paragraphs (separated by blank lines) of inline Markdown with
    ``$...$`` for inline maths.
    """

    id: Slug = Field(description="The topic id from the taxonomy's `topics`, equal to the file name.")
    explanation: Annotated[str, StringConstraints(min_length=EXPLANATION_EN_LIMITS[0], max_length=EXPLANATION_EN_LIMITS[1])] = Field(
        description="What the idea is and why it matters, in English: paragraphs of inline Markdown, `$...$` maths.")
    explanation_zh: Annotated[str, StringConstraints(min_length=EXPLANATION_ZH_LIMITS[0], max_length=EXPLANATION_ZH_LIMITS[1])] = Field(
        description="The same in Chinese.")
    prerequisites: list[Slug] = Field(default_factory=list, description="Topics to learn first (topic ids).")
    formulas: list[Formula] = Field(default_factory=list, description="Key formulas, most important first.")


class PathStep(_Strict):
    """One step of a learning path: an entry or a concept page, and why it comes at this point."""

    entry: Slug | None = Field(None, description="Id of a catalog entry (give `entry` or `concept`, not both).")
    concept: Slug | None = Field(None, description="Id of a topic whose concept page is the step.")
    why: Annotated[str, StringConstraints(min_length=WHY_EN_LIMITS[0], max_length=WHY_EN_LIMITS[1])] = Field(
        description="Why this step comes next, in English, our own words; inline Markdown.")
    why_zh: Annotated[str, StringConstraints(min_length=WHY_ZH_LIMITS[0], max_length=WHY_ZH_LIMITS[1])] = Field(
        description="The same in Chinese.")

    @property
    def target(self) -> tuple[str, str]:
        """``("entry", id)`` or ``("concept", topic id)``; ``("", "")`` when neither is set."""
        if self.entry:
            return ("entry", self.entry)
        if self.concept:
            return ("concept", self.concept)
        return ("", "")


class LearningPath(_Strict):
    """An ordered route through entries and concept pages (``catalog/paths/<id>.yaml``)."""

    id: Slug = Field(description="Slug, equal to the file name without `.yaml`.")
    title: Title = Field(description="Name of the path in English.")
    title_zh: Title = Field(description="Name of the path in Chinese.")
    summary: Annotated[str, StringConstraints(min_length=40, max_length=500)] = Field(
        description="Who the path is for and where it leads, in English.")
    summary_zh: Annotated[str, StringConstraints(min_length=15, max_length=300)] = Field(
        description="The same in Chinese.")
    level: Slug = Field(description="The level the path starts at, from the taxonomy's `levels`.")
    order: int = Field(100, ge=0, le=1000, description="Position among the paths on the site (smaller first).")
    steps: list[PathStep] = Field(min_length=3, max_length=40, description="The steps, in order.")
