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
from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

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

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=2, max_length=80)]
Title = Annotated[str, StringConstraints(min_length=TITLE_LIMITS[0], max_length=TITLE_LIMITS[1])]
Url = Annotated[str, StringConstraints(min_length=8, max_length=2000)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Language = Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Links(_Strict):
    """Typed extra links of an entry; every one is link-checked like ``url``."""

    homepage: Url | None = Field(None, description="The project's or course's home page, when `url` points elsewhere.")
    code: Url | None = Field(None, description="Source code repository.")
    docs: Url | None = Field(None, description="Documentation.")
    paper: Url | None = Field(None, description="The paper that describes the resource.")
    demo: Url | None = Field(None, description="An interactive demo or playground.")
    video: Url | None = Field(None, description="A lecture or talk about the resource.")
    slides: Url | None = Field(None, description="Slides.")
    notebook: Url | None = Field(None, description="A runnable notebook (Colab, Jupyter).")
    weights: Url | None = Field(None, description="Model weights or model card.")
    dataset: Url | None = Field(None, description="Data set download or card.")

    def items(self) -> list[tuple[str, str]]:
        """The links that are set, as ``(kind, url)`` in field order."""
        return [(name, value) for name, value in self.model_dump().items() if value]


class Resource(_Strict):
    """One catalog entry: a paper, course, book, tool, library, model, dataset... (DESIGN §4).

    Text fields are our own words. ``type``, ``modalities``, ``topics`` and ``level`` take ids
    from ``catalog/taxonomy.yaml``; the catalog checks that they exist.
    """

    id: Slug = Field(description="Slug, equal to the file name without `.yaml`.")
    title: Title = Field(description="Title of the resource as its authors give it.")
    title_zh: Title | None = Field(None, description="Chinese title, where the resource has one or a common translation.")
    url: Url = Field(description="Canonical URL: the resource's own page (for papers: the arXiv abstract page where there is one).")
    type: Slug = Field(description="Resource type, from the taxonomy's `types`.")
    modalities: list[Slug] = Field(default_factory=list, description="What the resource generates or processes, from `modalities`; empty for modality-agnostic material.")
    topics: list[Slug] = Field(default_factory=list, description="Concepts the resource teaches or implements, from `topics`.")
    level: Slug = Field(description="Who it suits, from `levels`: beginner, intermediate or advanced.")
    languages: list[Language] = Field(min_length=1, description="Languages of the resource itself (BCP 47: `en`, `zh`...).")
    access: Literal["free", "freemium", "paid"] = Field(description="Cost to a learner: free, freemium or paid.")
    open_source: bool | None = Field(None, description="Whether the code (or content) is under an open licence.")
    authors: list[Name] = Field(default_factory=list, description="Authors or organisation, first authors first.")
    year: int | None = Field(None, description="Year of first publication; required for papers.")
    arxiv: str | None = Field(None, pattern=ARXIV_PATTERN, description="arXiv identifier, quoted, e.g. \"1706.03762\".")
    links: Links | None = Field(None, description="Extra typed links (code, docs, paper, demo, video...).")
    description: str = Field(min_length=DESCRIPTION_EN_LIMITS[0], max_length=DESCRIPTION_EN_LIMITS[1],
                             description="What it is and why a learner would use it, in English, our own words; inline Markdown only.")
    description_zh: str | None = Field(None, min_length=DESCRIPTION_ZH_LIMITS[0], max_length=DESCRIPTION_ZH_LIMITS[1],
                                       description="The same in Chinese, our own words.")
    related: list[Slug] = Field(default_factory=list, description="Ids of related entries.")
    added: dt.date = Field(description="Date the entry was added (YYYY-MM-DD).")

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
        """Terms of one axis by id, in file order."""
        return {term.id: term for term in getattr(self, name)}


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
