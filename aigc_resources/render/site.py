"""Render a :class:`~aigc_resources.catalog.Catalog` into the pages of one language's site.

:func:`render_site` is pure: catalog (and optional :class:`~.extras.SiteExtras`) in,
``{relative path: text}`` out, no file access beyond reading the package's own templates. The
writer (:mod:`aigc_resources.render.writer`) puts the pages on disk and MkDocs + Material turns
them into HTML (:mod:`aigc_resources.render.build`). Both languages have the same set of
paths, so the language switch lands on the same page.

Page layout (paths relative to the generated docs folder of one language)::

    index.md                      home: counts, learning paths, hubs, recently added
    explore.md                    client-side facets over catalog.json (hub pages are the no-JS way)
    paths/index.md, paths/<id>.md learning paths, with progress kept in the browser
    topics/index.md               concepts, grouped
    topics/<topic>.md             concept page: explanation, formula, demo, resources by level
    resources/<id>.md             one page per entry (kept out of the navigation)
    types/, modalities/, levels/  hub pages: index.md and one page per value
    stats.md                      counts drawn as SVG figures
    health.md                     link-health dashboard
    data.md, about.md             the open data (catalog.json, feed) and the project
    contribute.md                 the contributor guide (render/contribute.py)
    catalog.json                  the public JSON export plus site fields (see catalog_json.py)
    feed.xml                      Atom feed of the newest entries

:func:`site_nav` gives the navigation: hub pages only, never entry pages (a sidebar with
thousands of entries makes MkDocs builds ~20x slower; research/site.md §3.1).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2

from ..catalog import Catalog
from ..errors import BuildError
from ..exporters import JSON_SCHEMA_VERSION
from ..schema import Concept, LearningPath, PathStep, Resource, Taxonomy, Term
from .catalog_json import site_catalog_json
from .charts import Bar, bar_chart, column_chart
from .contribute import NAV_TITLE, render_contribute_pages
from .extras import STATUSES, UNCHECKED, DemoRef, Health, SiteExtras
from .feed import FEED_SIZE, FeedItem, atom_feed
from .i18n import explore_strings, language_name, translator
from .inline import inline_html
from .prerendered import LIST_OPEN
from .text import (first_sentence, front_matter_value, html_text, md_attr, md_display_math, md_inline, md_math_inline,
                   md_plain, md_prose, unmarkdown)

#: How many entries the home page lists under "recently added".
RECENT_COUNT = 12
#: Hubs: URL folder, taxonomy axis, entry field, whether the field is a list.
HUBS: tuple[tuple[str, str, str, bool], ...] = (
    ("types", "types", "type", False),
    ("topics", "topics", "topics", True),
    ("modalities", "modalities", "modalities", True),
    ("levels", "levels", "level", False),
)
_HUB_TITLES = {"types": "Types", "topics": "Concepts", "modalities": "Modalities", "levels": "Levels"}
#: The site's own pages at the top of the docs folder (extra pages may not take these paths).
FIXED_PAGES = ("index.md", "explore.md", "stats.md", "health.md", "data.md", "about.md", "contribute.md",
               "catalog.json", "feed.xml")


def _new_environment(*, autoescape: bool, **filters: Any) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("aigc_resources.render", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=autoescape,
    )
    env.filters.update(filters)
    return env


@cache
def _html_environment() -> jinja2.Environment:
    """Templates that write HTML (``*.html.j2``): autoescaped, descriptions through inline_html."""
    return _new_environment(autoescape=True, inline=inline_html, first_sentence=first_sentence,
                            language_name=language_name)


@cache
def _environment() -> jinja2.Environment:
    """Templates that write Markdown: every value is escaped explicitly by these filters."""
    return _new_environment(autoescape=False, plain=md_plain, inline=md_inline, attr=md_attr, fm=front_matter_value,
                            unmarkdown=unmarkdown, first_sentence=first_sentence, language_name=language_name,
                            prose=md_prose, math_inline=md_math_inline, display_math=md_display_math, html=html_text)


@dataclass(frozen=True)
class TermView:
    """A taxonomy value as pages show it: names in both languages and its hub page."""

    id: str
    name: str
    name_zh: str
    description: str
    description_zh: str
    hub: str  # path of its hub page, e.g. "topics/gan.md"

    def name_in(self, lang: str) -> str:
        """The name in ``lang`` only."""
        return self.name_zh if lang == "zh" else self.name

    def description_in(self, lang: str) -> str:
        return self.description_zh if lang == "zh" else self.description


@dataclass(frozen=True)
class StepView:
    """One step of a learning path, resolved: its number, target page, titles and reason."""

    number: int
    key: str  # "entry:<id>" or "concept:<topic>", stable across reordering (progress storage)
    page: str
    title: str
    detail: str
    why: str


class SiteModel:
    """Everything the templates need, computed once from the catalog (no logic in templates)."""

    def __init__(self, catalog: Catalog, lang: str, extras: SiteExtras | None = None) -> None:
        self.catalog = catalog
        self.lang = lang
        self.t = translator(lang)
        self.extras = extras or SiteExtras()
        self.taxonomy: Taxonomy = catalog.taxonomy
        self.terms: dict[str, dict[str, TermView]] = {
            folder: {term.id: _term_view(term, folder) for term in getattr(self.taxonomy, axis)}
            for folder, axis, _, _ in HUBS
        }
        self.topic_terms = self.taxonomy.axis("topics")
        self.groups = {g.id: _term_view(g, "topics") for g in self.taxonomy.topic_groups}
        self.entries = catalog.resources
        self.level_rank = {term.id: index for index, term in enumerate(self.taxonomy.levels)}
        self.members: dict[str, dict[str, list[Resource]]] = {folder: defaultdict(list) for folder, *_ in HUBS}
        for resource in self.entries:
            for folder, _, field, many in HUBS:
                values = getattr(resource, field) if many else [getattr(resource, field)]
                for value in values:
                    self.members[folder][value].append(resource)
        for folder in self.members:
            for items in self.members[folder].values():
                items.sort(key=self.hub_order)
        self.paths: list[LearningPath] = list(catalog.paths)
        self._steps: dict[str, list[tuple[LearningPath, int]]] = defaultdict(list)
        for path in self.paths:
            for index, step in enumerate(path.steps):
                kind, target = step.target
                self._steps[f"{kind}:{target}"].append((path, index))
        self._health: dict[str, Health | None] = {}
        self._items: dict[tuple[str, str], str] = {}

    # -- entries ------------------------------------------------------------------------------
    def hub_order(self, resource: Resource) -> tuple[int, int, str]:
        """Within a hub: easiest first, then newest first, then by title."""
        return (self.level_rank.get(resource.level, 99), -(resource.year or 0), resource.title.lower())

    def entry_path(self, resource: Resource) -> str:
        return f"resources/{resource.id}.md"

    def entry_list(self, items: list[Resource], root: str) -> str:
        """HTML list of entries (title, facts, first sentence); ``root`` is the site root
        relative to the URL of the page it goes on (``"../../"`` for ``types/paper/``).

        Each entry appears on several lists (its type, level, concepts...); its item is
        rendered once per ``root`` and reused. ``data-search-exclude`` keeps the lists out of
        the search index: each entry is indexed once, on its own page.
        """
        macro = _html_environment().get_template("_items.html.j2").module.entry_item
        items_html = []
        for resource in items:
            key = (resource.id, root)
            if key not in self._items:
                self._items[key] = str(macro(self, resource, root))
            items_html.append(self._items[key])
        return LIST_OPEN + "\n" + "\n".join(items_html) + "\n</ul>"

    def heading(self, level: int, anchor: str, text: str) -> str:
        """An HTML heading with its permalink, as Material's toc extension writes them."""
        title = html_text(self.t("Permanent link"))
        return (f'<h{level} id="{anchor}">{html_text(text)}<a class="headerlink" href="#{anchor}" '
                f'title="{title}">&para;</a></h{level}>')

    def entry_body(self, resource: Resource) -> str:
        """The HTML body of an entry's page (its URL is ``resources/<id>/``)."""
        return _html_environment().get_template("entry.html.j2").render(m=self, r=resource, root="../../",
                                                                            t=self.t, lang=self.lang)

    def title(self, resource: Resource) -> str:
        """The entry's title in the site's language (the original title when none is given)."""
        return resource.title_zh if self.lang == "zh" and resource.title_zh else resource.title

    def other_title(self, resource: Resource) -> str | None:
        """The entry's title in the other language, when it differs from :meth:`title`."""
        other = resource.title if self.lang == "zh" else resource.title_zh
        return other if other and other != self.title(resource) else None

    def description(self, resource: Resource) -> str:
        """The description in the site's language, or the English one when Chinese is missing."""
        return resource.description_zh if self.lang == "zh" and resource.description_zh else resource.description

    def description_missing(self, resource: Resource) -> bool:
        """True when the Chinese site falls back to the English description."""
        return self.lang == "zh" and not resource.description_zh

    def related(self, resource: Resource) -> list[Resource]:
        """The entries ``resource`` lists in ``related`` (ids that resolve, in the order given)."""
        found = (self.catalog.get(other) for other in resource.related)
        return [entry.resource for entry in found if entry is not None]

    def health(self, url: str) -> Health | None:
        """Last known link health of ``url`` (``None``: not checked, or no history at all)."""
        if url not in self._health:
            self._health[url] = self.extras.health(url)
        return self._health[url]

    def health_status(self, url: str) -> str:
        found = self.health(url)
        return found.status if found else UNCHECKED

    def entry_paths(self, resource: Resource) -> list[tuple[LearningPath, int]]:
        """The learning paths that include the entry, with the step index."""
        return self._steps.get(f"entry:{resource.id}", [])

    # -- taxonomy, concepts, paths ----------------------------------------------------------------
    def counts(self, folder: str) -> list[tuple[TermView, int]]:
        """Each value of a hub with its number of entries, in taxonomy order."""
        return [(view, len(self.members[folder].get(term_id, []))) for term_id, view in self.terms[folder].items()]

    def topics_of_group(self, group_id: str) -> list[tuple[TermView, int]]:
        return [(view, count) for view, count in self.counts("topics") if self.topic_terms[view.id].group == group_id]

    def concept(self, topic_id: str) -> Concept | None:
        return self.catalog.concepts.get(topic_id)

    def demos(self, topic_id: str) -> list[DemoRef]:
        return list(self.extras.demos.get(topic_id, ()))

    def by_level(self, items: list[Resource]) -> list[tuple[TermView, list[Resource]]]:
        """``items`` grouped by level in taxonomy order (empty levels left out)."""
        groups: dict[str, list[Resource]] = defaultdict(list)
        for resource in items:
            groups[resource.level].append(resource)
        return [(view, groups[level]) for level, view in self.terms["levels"].items() if groups.get(level)]

    def concept_paths(self, topic_id: str) -> list[tuple[LearningPath, int]]:
        return self._steps.get(f"concept:{topic_id}", [])

    def path_title(self, path: LearningPath) -> str:
        return path.title_zh if self.lang == "zh" else path.title

    def path_summary(self, path: LearningPath) -> str:
        return path.summary_zh if self.lang == "zh" else path.summary

    def steps(self, path: LearningPath) -> list[StepView]:
        """The steps of ``path`` with their pages and titles in the site's language."""
        out = []
        for number, step in enumerate(path.steps, start=1):
            out.append(self._step_view(number, step))
        return out

    def _step_view(self, number: int, step: PathStep) -> StepView:
        kind, target = step.target
        why = step.why_zh if self.lang == "zh" else step.why
        if kind == "entry":
            resource = self.catalog.get(target).resource
            # The languages too: a learner on the Chinese site sees which steps are in English.
            languages = self.t("list separator").join(language_name(code, self.lang) for code in resource.languages)
            detail = " · ".join([self.terms["types"][resource.type].name_in(self.lang),
                                 self.terms["levels"][resource.level].name_in(self.lang),
                                 languages, self.access_label(resource)])
            return StepView(number, f"entry:{target}", self.entry_path(resource), self.title(resource), detail, why)
        view = self.terms["topics"][target]
        return StepView(number, f"concept:{target}", view.hub, view.name_in(self.lang), self.t("Concept"), why)

    def access_label(self, resource: Resource) -> str:
        return self.t(resource.access)

    # -- home, stats, health ------------------------------------------------------------------------
    def recent(self, count: int = RECENT_COUNT) -> list[Resource]:
        """The newest entries by ``added`` date; entries of the same day by title."""
        return sorted(self.entries, key=lambda r: (-r.added.toordinal(), r.title.lower(), r.id))[:count]

    def chinese_count(self) -> int:
        return sum(1 for r in self.entries if any(code.split("-")[0] == "zh" for code in r.languages))

    def chinese_filter(self) -> str:
        """The Explore query that shows the entries :meth:`chinese_count` counts: every Chinese
        language code the catalog uses (``language=zh,zh-Hant``), OR-ed by Explore's facet."""
        codes = sorted({code for r in self.entries for code in r.languages if code.split("-")[0] == "zh"})
        return "language=" + ",".join(codes)

    def language_counts(self) -> list[tuple[str, int]]:
        counts = Counter(code for r in self.entries for code in r.languages)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def chart(self, folder: str, root: str) -> str:
        """An SVG bar chart of the entries per value of a hub, labels linking to the hubs."""
        bars = [Bar(view.name_in(self.lang), count, f"{root}{folder}/{view.id}/") for view, count in self.counts(folder)]
        return bar_chart(f"chart-{folder}", self.t(_HUB_TITLES[folder]), bars, colon=self.t(": "))

    def language_chart(self) -> str:
        bars = [Bar(language_name(code, self.lang), count) for code, count in self.language_counts()]
        return bar_chart("chart-languages", self.t("Languages"), bars, colon=self.t(": "))

    def access_chart(self) -> str:
        counts = Counter(r.access for r in self.entries)
        bars = [Bar(self.t(kind), counts.get(kind, 0)) for kind in ("free", "freemium", "paid")]
        return bar_chart("chart-access", self.t("Access"), bars, colon=self.t(": "))

    def year_chart(self) -> str:
        years = Counter(r.year for r in self.entries if r.year)
        if not years:
            return ""
        span = range(min(years), max(years) + 1)
        bars = [Bar(str(year), years.get(year, 0)) for year in span]
        every = max(1, len(bars) // 12)
        return column_chart("chart-years", self.t("Year"), bars, label_every=every, colon=self.t(": "))

    def dated_count(self) -> int:
        return sum(1 for r in self.entries if r.year)

    def link_rows(self) -> list[tuple[Resource, str, str, Health | None]]:
        """Every URL of every entry: ``(entry, field, url, health)``, entries in id order."""
        return [(r, field, url, self.health(url)) for r in self.entries for field, url in r.all_urls()]

    def health_summary(self) -> list[tuple[str, int]]:
        counts = Counter(health.status if health else UNCHECKED for _, _, _, health in self.link_rows())
        return [(status, counts[status]) for status in (*STATUSES, UNCHECKED) if counts.get(status)]

    def health_table(self, status: str) -> list[tuple[Resource, str, str, Health]]:
        rows = [(r, field, url, h) for r, field, url, h in self.link_rows() if h is not None and h.status == status]
        return sorted(rows, key=lambda row: (row[3].broken_since or row[3].checked or row[0].added, row[0].id))

    def has_history(self) -> bool:
        return bool(self.extras.link_health)

    def health_text(self, health: Health | None) -> str:
        """One line saying what the last link check found (plain text, to be escaped)."""
        t = self.t
        if health is None:
            return t("Not checked yet")
        parts = [t(f"status:{health.status}")]
        if health.http_status:
            parts.append(f"HTTP {health.http_status}")
        if health.status == "broken" and health.broken_since:
            parts.append(t("broken since {date}").format(date=health.broken_since.isoformat()))
        if health.checked:
            parts.append(t("checked {date}").format(date=health.checked.isoformat()))
        return " · ".join(parts)

    def feed(self) -> str:
        items = []
        for resource in self.recent(FEED_SIZE):
            categories = [(resource.type, self.terms["types"][resource.type].name_in(self.lang))]
            categories += [(topic, self.terms["topics"][topic].name_in(self.lang)) for topic in resource.topics]
            items.append(FeedItem(resource.id, self.title(resource), unmarkdown(self.description(resource)),
                                  f"resources/{resource.id}/", resource.added, categories))
        return atom_feed(lang=self.lang, title=self.t("AIGC Resources"), subtitle=self.t("Newly added resources"),
                         author=self.t("aigc-resources contributors"), self_link="feed.xml", home_link="./", items=items)

    def explore_config(self) -> str:
        """The strings the Explore page's script shows, as JSON (escaped into an attribute)."""
        return json.dumps(explore_strings(self.lang), ensure_ascii=False, sort_keys=True)


def _term_view(term: Term, folder: str) -> TermView:
    return TermView(term.id, term.name, term.name_zh, term.description, term.description_zh, f"{folder}/{term.id}.md")


def render_site(catalog: Catalog, *, lang: str = "en", extras: SiteExtras | None = None) -> dict[str, str | bytes]:
    """Render every page of the site for ``lang`` (``"en"`` or ``"zh"``).

    Returns ``{relative path: text}``: Markdown pages, ``catalog.json`` and ``feed.xml`` (and the
    extras' assets as bytes); paths
    use ``/`` and are relative to the docs folder MkDocs reads. Links between pages are relative
    ``.md`` links, which MkDocs checks under ``--strict``. Pure: the same inputs always give the
    same pages. ``extras`` adds link health, demo links and extra pages (see
    :class:`~.extras.SiteExtras`).

    Raises:
        BuildError: an extra page (a demo page) would replace one of the site's own pages.
    """
    model = SiteModel(catalog, lang, extras)
    env = _environment()
    common: dict[str, Any] = {"m": model, "t": model.t, "lang": lang}
    pages: dict[str, str] = {}

    def render(template: str, **values: Any) -> str:
        return env.get_template(template).render(**common, **values)

    pages["index.md"] = render("home.md.j2", root="", url_root="")
    pages["about.md"] = render("about.md.j2", root="")
    pages["explore.md"] = render("explore.md.j2", root="")
    pages["stats.md"] = render("stats.md.j2", root="../")
    pages["health.md"] = render("health.md.j2", root="")
    pages["data.md"] = render("data.md.j2", root="", fields=_export_fields(), schema_version=JSON_SCHEMA_VERSION)
    entry_template = env.get_template("entry.md.j2")
    for resource in model.entries:
        pages[model.entry_path(resource)] = entry_template.render(**common, r=resource, body=model.entry_body(resource))
    for folder, _, _, _ in HUBS:
        pages[f"{folder}/index.md"] = render("hub_index.md.j2", folder=folder, title=model.t(_HUB_TITLES[folder]))
        template = env.get_template("concept.md.j2" if folder == "topics" else "hub.md.j2")
        for term_id, view in model.terms[folder].items():
            pages[view.hub] = template.render(**common, folder=folder, term=view, root="../", url_root="../../",
                                              items=model.members[folder].get(term_id, []),
                                              concept=model.concept(term_id) if folder == "topics" else None)
    pages["paths/index.md"] = render("path_index.md.j2", root="../")
    for path in model.paths:
        pages[f"paths/{path.id}.md"] = render("path.md.j2", path=path, root="../")
    pages["catalog.json"] = json.dumps(site_catalog_json(catalog, model.health_status), ensure_ascii=False,
                                       separators=(",", ":")) + "\n"
    pages["feed.xml"] = model.feed()
    pages.update(render_contribute_pages(catalog.taxonomy, lang))

    for path, text in model.extras.extra_pages(lang).items():
        if path in pages:
            raise BuildError(f"the extra page {path!r} ({lang}) would replace the site's own page of that name; "
                             "rename the extra page (demo pages live under demos/)")
        pages[path] = text
    return pages


def site_nav(catalog: Catalog, *, lang: str = "en", extras: SiteExtras | None = None) -> list[Any]:
    """The MkDocs ``nav`` for ``lang``: home, explore, paths, concepts (grouped), browse hubs,
    stats, link health, the extras' sections, about. Entry pages are never listed."""
    model = SiteModel(catalog, lang, extras)
    t = model.t
    nav: list[Any] = [{t("Home"): "index.md"}, {t("Explore"): "explore.md"}]
    nav.append({t("Learning paths"): ["paths/index.md"] + [{model.path_title(p): f"paths/{p.id}.md"} for p in model.paths]})
    concepts: list[Any] = ["topics/index.md"]
    by_group: dict[str, list[Any]] = defaultdict(list)
    for topic in model.taxonomy.topics:
        view = model.terms["topics"][topic.id]
        by_group[topic.group].append({view.name_in(lang): view.hub})
    concepts += [{model.groups[g].name_in(lang): items} for g, items in by_group.items()]
    nav.append({t("Concepts"): concepts})
    browse: list[Any] = []
    for folder in ("types", "modalities", "levels"):
        section: list[Any] = [f"{folder}/index.md"]
        section += [{view.name_in(lang): view.hub} for view in model.terms[folder].values()]
        browse.append({t(_HUB_TITLES[folder]): section})
    nav.append({t("Browse"): browse})
    for title, title_zh, paths in model.extras.nav:
        nav.append({title_zh if lang == "zh" else title: list(paths)})
    nav.append({t("Stats"): "stats.md"})
    nav.append({t("Link health"): "health.md"})
    nav.append({t("About"): ["about.md", "data.md"]})
    nav.append({NAV_TITLE[lang]: "contribute.md"})
    return nav


def _export_fields() -> list[tuple[str, str, str]]:
    """The fields of an entry in catalog.json: ``(name, JSON type, description)``, from the
    schema's JSON Schema (so the table follows the model)."""
    schema = Resource.model_json_schema()
    kinds = {"links": "object (link kind → URL)"}  # the export writes {} when an entry has none
    return [(name, kinds.get(name) or _json_type(prop, schema), prop.get("description", ""))
            for name, prop in schema["properties"].items()]


def _json_type(prop: dict[str, Any], schema: dict[str, Any]) -> str:
    """A short JSON type for a JSON Schema property: ``string``, ``array of string``, ``object or null``."""
    if "anyOf" in prop:
        return " or ".join(_json_type(option, schema) for option in prop["anyOf"])
    if "$ref" in prop:
        return "object"
    kind = prop.get("type", "any")
    if kind == "array":
        return f"array of {_json_type(prop.get('items', {}), schema)}"
    if kind == "string" and prop.get("format") == "date":
        return "string (YYYY-MM-DD)"
    if "enum" in prop:
        return " | ".join(json.dumps(v) for v in prop["enum"])
    return str(kind)
