"""What the site shows besides the catalog: link health, demos and pages made elsewhere.

The site build works with none of these (``SiteExtras()``): every entry then reads "not
checked yet", concept pages have no demo link, and no extra pages are added. Other parts of
the project plug in here without the renderer importing them:

* link health: any mapping ``{url: record}`` whose records have the attributes of
  :class:`LinkHealthRecord`; ``aigc_resources.linkcheck.history.link_health(db_path)`` gives
  one keyed by ``aigc_resources.urls.fetch_key(url)`` (:func:`project_extras` wires it);
* demos: ``{topic id: [DemoRef, ...]}``, built from the demo registry
  (``aigc_resources.demos.registry``), one :class:`DemoRef` per demo page;
* extra pages: a function ``lang -> {path: Markdown text, or bytes for an asset}`` (the demo
  pages of ``render_demo_pages(lang, artifacts_root)`` and their figures); their paths must
  not collide with the site's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

#: Link statuses, as the link checker names them (DESIGN §5), in the order the site lists them.
STATUSES = ("broken", "redirected", "blocked", "transient", "invalid", "excluded", "ok")
#: The status shown for a URL that has no record in the history.
UNCHECKED = "unchecked"


class LinkHealthRecord(Protocol):
    """The attributes the site reads from a link-health record (one per URL).

    ``status`` is a status name or an enum whose ``value`` is one (``"ok"``, ``"broken"``...);
    ``last_checked`` and ``broken_since`` are datetimes or seconds since the Unix epoch (UTC),
    or ``None``; ``http_status`` the last HTTP status code; ``final_url`` where redirects led.
    :class:`aigc_resources.linkcheck.history.LinkHealth` is such a record.
    """

    status: Any
    http_status: int | None
    last_checked: Any
    broken_since: Any
    final_url: str | None


def _utc_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.timezone.utc) if value.tzinfo else value).date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(float(value), dt.timezone.utc).date() if value > 0 else None
    if isinstance(value, str):
        return dt.date.fromisoformat(value[:10])
    raise TypeError(f"cannot read a date from {value!r}")


@dataclass(frozen=True)
class Health:
    """The last known state of one URL, as the site shows it (dates in UTC)."""

    status: str
    http_status: int | None = None
    checked: dt.date | None = None
    broken_since: dt.date | None = None
    final_url: str | None = None

    @classmethod
    def of(cls, record: LinkHealthRecord) -> "Health":
        """Read a record of the link-check history (see :class:`LinkHealthRecord`).

        A :class:`Health` is returned as it is (:func:`portable` stores them as records).

        Raises:
            ValueError: the status is not one of :data:`STATUSES`.
        """
        if isinstance(record, Health):
            return record
        status = getattr(record.status, "value", record.status)
        status = str(status).lower()
        if status not in STATUSES:
            raise ValueError(f"unknown link status {status!r}; expected one of {', '.join(STATUSES)}")
        return cls(status=status, http_status=getattr(record, "http_status", None),
                   checked=_utc_date(getattr(record, "last_checked", None)),
                   broken_since=_utc_date(getattr(record, "broken_since", None)),
                   final_url=getattr(record, "final_url", None) or None)


@dataclass(frozen=True)
class DemoRef:
    """A demo page that teaches a topic: its page path in the docs folder and its titles."""

    path: str  # e.g. "demos/ngram.md", a page the extra pages provide
    title: str
    title_zh: str

    def label(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title


@dataclass(frozen=True)
class SiteExtras:
    """Optional inputs of :func:`~aigc_resources.render.site.render_site` (all default to none).

    ``link_health`` maps URLs to records (:class:`LinkHealthRecord`); a URL is looked up as
    written, then as ``link_key(url)`` when ``link_key`` is given (the checker's own key, e.g.
    ``aigc_resources.urls.fetch_key``). ``demos`` maps topic ids to demo pages. ``pages`` gives
    extra pages per language; ``nav`` places some of them in the navigation as
    ``(English title, Chinese title, [page paths])`` sections, after the site's own sections.
    """

    link_health: Mapping[str, LinkHealthRecord] = field(default_factory=dict)
    link_key: Callable[[str], str] | None = None
    demos: Mapping[str, Sequence[DemoRef]] = field(default_factory=dict)
    pages: Callable[[str], Mapping[str, str | bytes]] | None = None
    nav: Sequence[tuple[str, str, Sequence[str]]] = ()

    def health(self, url: str) -> Health | None:
        """The health of ``url``, or ``None`` when the history has no record of it."""
        record = self.link_health.get(url)
        if record is None and self.link_key is not None:
            record = self.link_health.get(self.link_key(url))
        return Health.of(record) if record is not None else None

    def extra_pages(self, lang: str) -> dict[str, str | bytes]:
        """The extra files of ``lang``: Markdown pages (text) and their assets (bytes)."""
        return dict(self.pages(lang)) if self.pages is not None else {}


#: Committed demo runs (metrics.json, figures), relative to the project root.
DEMO_ARTIFACTS = Path("docs/demos")


def project_extras(project_root: Path, history: Path | None = None, taxonomy: Any = None) -> SiteExtras:
    """What the project itself provides to its site: the link-check history and the demos.

    ``history`` is the SQLite file of ``aigc-resources check-links`` (default: the
    ``history`` setting of ``[tool.aigc-resources.linkcheck]`` in ``pyproject.toml``,
    ``.linkcheck/history.sqlite``), read-only; a missing file gives no link health.
    The demo pages come from the demo registry and the committed runs in
    ``<project_root>/docs/demos`` (:func:`aigc_resources.render.demo_pages.site_demo_parts`);
    ``taxonomy`` (the catalog's) lets them link their concept pages.

    Raises:
        UserError: the link checker's settings in ``pyproject.toml`` are invalid.
    """
    from ..linkcheck.config import load_settings
    from ..linkcheck.history import link_health
    from ..urls import fetch_key

    if history is None:
        pyproject = project_root / "pyproject.toml"
        settings = load_settings(pyproject if pyproject.is_file() else None)
        history = Path(settings.history)
        if not history.is_absolute():
            history = project_root / history
    from .demo_pages import site_demo_parts

    demos, pages, nav = site_demo_parts(project_root / DEMO_ARTIFACTS, taxonomy)
    return SiteExtras(link_health=link_health(history), link_key=fetch_key, demos=demos, pages=pages, nav=nav)


@dataclass(frozen=True)
class StaticPages:
    """Extra pages computed beforehand: ``{lang: {path: text or bytes}}``, called like
    :attr:`SiteExtras.pages` (a language without pages gives none)."""

    by_lang: Mapping[str, Mapping[str, str | bytes]]

    def __call__(self, lang: str) -> Mapping[str, str | bytes]:
        return self.by_lang.get(lang, {})


def portable(extras: SiteExtras, languages: Sequence[str]) -> SiteExtras:
    """``extras`` in a form that pickles (for a build worker process), same site output.

    Link-health records become the :class:`Health` the site reads from them
    (:meth:`Health.of`); the extra pages of
    ``languages`` are computed now (:class:`StaticPages`). ``link_key`` is kept as it is and
    must be a module-level function to pickle (``aigc_resources.urls.fetch_key`` is).

    Raises:
        ValueError: a link-health record has an unknown status (as :meth:`Health.of`).
    """
    return SiteExtras(link_health={key: Health.of(record) for key, record in extras.link_health.items()},
                      link_key=extras.link_key,
                      demos={topic: list(refs) for topic, refs in extras.demos.items()},
                      pages=StaticPages({lang: extras.extra_pages(lang) for lang in languages}),
                      nav=[(title, title_zh, list(paths)) for title, title_zh, paths in extras.nav])
