"""Render a :class:`~aigc_resources.catalog.Catalog` into the Markdown pages of the site.

:func:`render_site` is pure: catalog in, ``{relative path: text}`` out, no file access beyond
reading the package's own templates. The writer (:mod:`aigc_resources.render.writer`) puts the
pages on disk and MkDocs + Material turns them into HTML (:mod:`aigc_resources.render.build`).

Page layout (paths relative to the generated docs folder)::

    index.md                      home: counts, hubs, recently added
    about.md                      what the catalog is and how entries are chosen
    resources/<id>.md             one page per entry (kept out of the navigation)
    types/index.md, types/<type>.md
    topics/index.md, topics/<topic>.md
    modalities/index.md, modalities/<modality>.md
    levels/index.md, levels/<level>.md

:func:`site_nav` gives the navigation: hub pages only, never entry pages (a sidebar with
thousands of entries makes MkDocs builds ~20x slower; research/site.md §3.1).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from ..catalog import Catalog
from ..schema import Resource, Taxonomy, Term
from .contribute import NAV_TITLE, render_contribute_pages
from .i18n import language_name, translator
from .text import first_sentence, front_matter_value, unmarkdown, md_attr, md_inline, md_plain

#: How many entries the home page lists under "recently added".
RECENT_COUNT = 12
#: Hubs: URL folder, taxonomy axis, entry field, whether the field is a list.
HUBS: tuple[tuple[str, str, str, bool], ...] = (
    ("types", "types", "type", False),
    ("topics", "topics", "topics", True),
    ("modalities", "modalities", "modalities", True),
    ("levels", "levels", "level", False),
)
_HUB_TITLES = {"types": "Types", "topics": "Topics", "modalities": "Modalities", "levels": "Levels"}


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aigc_resources.render", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown output: every value is escaped explicitly by the filters below
    )
    env.filters.update(plain=md_plain, inline=md_inline, attr=md_attr, fm=front_matter_value, unmarkdown=unmarkdown, first_sentence=first_sentence,
                       language_name=language_name)
    return env


@dataclass(frozen=True)
class TermView:
    """A taxonomy value as pages show it: names in both languages and its hub page."""

    id: str
    name: str
    name_zh: str
    description: str
    description_zh: str
    hub: str  # path of its hub page, e.g. "topics/gan.md"

    def label(self, lang: str) -> str:
        """The name in ``lang`` with the other language's name beside it when they differ."""
        first, second = (self.name_zh, self.name) if lang == "zh" else (self.name, self.name_zh)
        return first if first == second else f"{first} / {second}"


class SiteModel:
    """Everything the templates need, computed once from the catalog (no logic in templates)."""

    def __init__(self, catalog: Catalog, lang: str) -> None:
        self.catalog = catalog
        self.lang = lang
        self.t = translator(lang)
        self.taxonomy: Taxonomy = catalog.taxonomy
        self.terms: dict[str, dict[str, TermView]] = {
            folder: {term.id: _term_view(term, folder) for term in getattr(self.taxonomy, axis)}
            for folder, axis, _, _ in HUBS
        }
        self.groups = {g.id: _term_view(g, "topics") for g in self.taxonomy.topic_groups}
        self.entries = catalog.resources
        self.members: dict[str, dict[str, list[Resource]]] = {folder: defaultdict(list) for folder, *_ in HUBS}
        level_rank = {term.id: index for index, term in enumerate(self.taxonomy.levels)}
        for resource in self.entries:
            for folder, _, field, many in HUBS:
                values = getattr(resource, field) if many else [getattr(resource, field)]
                for value in values:
                    self.members[folder][value].append(resource)
        for folder in self.members:
            for value, items in self.members[folder].items():
                # Within a hub: easiest first, then newest first, then by title.
                items.sort(key=lambda r: (level_rank.get(r.level, 99), -(r.year or 0), r.title.lower()))

    def entry_path(self, resource: Resource) -> str:
        return f"resources/{resource.id}.md"

    def related(self, resource: Resource) -> list[Resource]:
        """The entries ``resource`` lists in ``related`` (ids that resolve, in the order given)."""
        found = (self.catalog.get(other) for other in resource.related)
        return [entry.resource for entry in found if entry is not None]

    def counts(self, folder: str) -> list[tuple[TermView, int]]:
        """Each value of a hub with its number of entries, in taxonomy order."""
        return [(view, len(self.members[folder].get(term_id, []))) for term_id, view in self.terms[folder].items()]

    def recent(self) -> list[Resource]:
        return sorted(self.entries, key=lambda r: (r.added, r.id), reverse=True)[:RECENT_COUNT]

    def chinese_count(self) -> int:
        return sum(1 for r in self.entries if any(code.split("-")[0] == "zh" for code in r.languages))


def _term_view(term: Term, folder: str) -> TermView:
    return TermView(term.id, term.name, term.name_zh, term.description, term.description_zh, f"{folder}/{term.id}.md")


def render_site(catalog: Catalog, *, lang: str = "en") -> dict[str, str]:
    """Render every page of the site for ``lang``.

    Returns ``{relative path: Markdown text}``; paths use ``/`` and are relative to the docs
    folder MkDocs reads. Links between pages are relative ``.md`` links, which MkDocs checks
    under ``--strict``. Pure: the same catalog always gives the same pages.
    """
    model = SiteModel(catalog, lang)
    env = _environment()
    common: dict[str, Any] = {"m": model, "t": model.t, "lang": lang}
    pages: dict[str, str] = {}

    pages["index.md"] = env.get_template("home.md.j2").render(**common)
    pages["about.md"] = env.get_template("about.md.j2").render(**common)
    entry_template = env.get_template("entry.md.j2")
    for resource in model.entries:
        pages[model.entry_path(resource)] = entry_template.render(**common, r=resource, root="../")
    hub_index = env.get_template("hub_index.md.j2")
    hub = env.get_template("hub.md.j2")
    for folder, _, _, _ in HUBS:
        pages[f"{folder}/index.md"] = hub_index.render(**common, folder=folder, title=model.t(_HUB_TITLES[folder]))
        for term_id, view in model.terms[folder].items():
            pages[view.hub] = hub.render(**common, folder=folder, term=view,
                                         items=model.members[folder].get(term_id, []), root="../")
    pages.update(render_contribute_pages(catalog.taxonomy, lang))
    return pages


def site_nav(catalog: Catalog, *, lang: str = "en") -> list[Any]:
    """The MkDocs ``nav`` for ``lang``: home, the four hub sections (topics grouped), about."""
    model = SiteModel(catalog, lang)
    t = model.t
    nav: list[Any] = [{t("Home"): "index.md"}]
    for folder, _, _, _ in HUBS:
        section: list[Any] = [f"{folder}/index.md"]
        if folder == "topics":
            by_group: dict[str, list[Any]] = defaultdict(list)
            for topic in model.taxonomy.topics:
                view = model.terms["topics"][topic.id]
                by_group[topic.group].append({_name(view, lang): view.hub})
            section += [{_name(model.groups[g], lang): items} for g, items in by_group.items()]
        else:
            section += [{_name(view, lang): view.hub} for view in model.terms[folder].values()]
        nav.append({t(_HUB_TITLES[folder]): section})
    nav.append({t("About"): "about.md"})
    nav.append({NAV_TITLE[lang]: "contribute.md"})
    return nav


def _name(view: TermView, lang: str) -> str:
    return view.name_zh if lang == "zh" else view.name


def language_counts(catalog: Catalog) -> Counter[str]:
    """How many entries are in each language of the resource itself."""
    return Counter(code for r in catalog.resources for code in r.languages)
