"""The site's ``catalog.json``: the public JSON export plus what only the site knows.

It is :func:`aigc_resources.exporters.catalog_to_json` (same ``schema_version``, same fields)
with fields added, which the export's versioning rule allows without a version change:

* each entry gets ``page`` (its page, relative to the site root of either language, e.g.
  ``resources/attention-is-all-you-need/``) and ``link_health`` (the last link-check status of
  its ``url``: ``ok``, ``redirected``, ``broken``, ``blocked``, ``transient``, ``invalid``,
  ``excluded``, or ``unchecked``);
* ``languages`` names every language code the entries use, in English and Chinese;
* ``site`` says which fields the site added (for readers of the file).

The Explore page filters this file in the browser; ``data.md`` documents it for everyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..catalog import Catalog
from ..exporters import catalog_to_json
from .i18n import language_name

#: Fields the site adds to every entry of the export.
SITE_ENTRY_FIELDS = {
    "page": "The entry's page, relative to the site root of either language (directory URL).",
    "link_health": "Last link-check status of the entry's `url`, or `unchecked`.",
}


def entry_page(entry_id: str) -> str:
    """The directory URL of an entry's page relative to a language root."""
    return f"resources/{entry_id}/"


def site_catalog_json(catalog: Catalog, health_status: Callable[[str], str]) -> dict[str, Any]:
    """The export of ``catalog`` with the site fields; ``health_status(url)`` gives a status name."""
    data = catalog_to_json(catalog)
    codes: set[str] = set()
    for entry in data["entries"]:
        entry["page"] = entry_page(entry["id"])
        entry["link_health"] = health_status(entry["url"])
        codes.update(entry["languages"])
    data["languages"] = {code: {"name": language_name(code, "en"), "name_zh": language_name(code, "zh")}
                         for code in sorted(codes)}
    data["site"] = {"entry_fields": SITE_ENTRY_FIELDS}
    return data
