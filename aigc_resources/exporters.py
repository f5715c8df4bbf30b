"""Exports of the catalog for other tools.

Formats: JSON (:func:`export_json`, schema in ``schema/catalog-export.schema.json``), CSV
(:func:`export_csv`), BibTeX (:func:`export_bibtex`) and an awesome-list README
(:func:`export_markdown`); :data:`EXPORT_FORMATS` maps ``--format`` names to them.

The JSON export is the public, versioned form of the catalog: the site's ``catalog.json`` and
``aigc-resources export --format json`` both come from :func:`catalog_to_json`. Bump
:data:`JSON_SCHEMA_VERSION` on any change a consumer could notice (a field removed, renamed or
retyped); adding a field is not a breaking change.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from .bibtex import catalog_to_bibtex
from .catalog import Catalog
from .schema import Links, Resource, Taxonomy

#: Version of the JSON export's shape (``schema_version`` in the output).
JSON_SCHEMA_VERSION = 1


def resource_to_json(resource) -> dict[str, Any]:
    """One entry as JSON-ready data: every field of :class:`~aigc_resources.schema.Resource`,
    unset optional fields as ``null``, dates as ``YYYY-MM-DD``, ``links`` without unset kinds."""
    data = resource.model_dump(mode="json")
    data["links"] = dict(resource.links.items()) if resource.links else {}
    return data


def catalog_to_json(catalog: Catalog) -> dict[str, Any]:
    """The whole catalog as JSON-ready data: ``{"schema_version", "taxonomy", "entries"}``.

    ``taxonomy`` maps each axis (types, modalities, levels, topic_groups, topics) to its terms;
    ``entries`` is the list of entries sorted by id (see :func:`resource_to_json`).
    """
    taxonomy = catalog.taxonomy.model_dump(mode="json")
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "taxonomy": {axis: taxonomy[axis] for axis in catalog.taxonomy.AXES},
        "entries": [resource_to_json(entry.resource) for entry in catalog.entries],
    }


def export_json(catalog: Catalog) -> str:
    """:func:`catalog_to_json` as UTF-8 JSON text, two-space indented, keys in model order."""
    return json.dumps(catalog_to_json(catalog), ensure_ascii=False, indent=2) + "\n"


def resources_from_json(data: dict[str, Any]) -> list[Resource]:
    """Read the ``entries`` of a JSON export back into :class:`Resource` models (the inverse of
    :func:`resource_to_json`: an empty ``links`` object is no links).

    Raises:
        ValueError: ``schema_version`` is not :data:`JSON_SCHEMA_VERSION`.
        pydantic.ValidationError: an entry does not fit the schema.
    """
    if data.get("schema_version") != JSON_SCHEMA_VERSION:
        raise ValueError(f"schema_version {data.get('schema_version')!r}; this reader knows {JSON_SCHEMA_VERSION}")
    resources = []
    for entry in data["entries"]:
        entry = dict(entry)
        entry["links"] = entry.get("links") or None
        resources.append(Resource.model_validate_json(json.dumps(entry)))
    return resources


def export_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of :func:`catalog_to_json`'s output, built from the models
    so it cannot drift from them; the committed copy is ``schema/catalog-export.schema.json``."""
    resource = Resource.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    taxonomy = Taxonomy.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    defs: dict[str, Any] = {**resource.pop("$defs", {}), **taxonomy.pop("$defs", {})}
    defs.pop("Links", None)
    resource["properties"]["links"] = {
        "type": "object", "additionalProperties": False,
        "description": "Typed extra links that are set (kind -> URL); empty when there are none.",
        "properties": {kind: {"type": "string", "description": info.description or kind}
                       for kind, info in Links.model_fields.items()},
    }
    resource["required"] = list(Resource.model_fields)  # every field is written, unset ones as null
    defs["Resource"] = resource
    axes = {axis: taxonomy["properties"][axis] for axis in Taxonomy.AXES}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://aigc-resources.invalid/schema/catalog-export.schema.json",
        "title": "aigc-resources catalog export",
        "description": "Output of `aigc-resources export --format json` and the site's catalog.json.",
        "type": "object",
        "additionalProperties": False,
        "required": ["schema_version", "taxonomy", "entries"],
        "properties": {
            "schema_version": {"const": JSON_SCHEMA_VERSION, "description": "Version of this shape; bumped on breaking changes."},
            "taxonomy": {"type": "object", "additionalProperties": False, "required": list(Taxonomy.AXES),
                         "properties": axes},
            "entries": {"type": "array", "items": {"$ref": "#/$defs/Resource"}, "description": "Entries sorted by id."},
        },
        "$defs": dict(sorted(defs.items())),
    }


#: CSV columns, in order. Lists are joined with ``;``; ``links`` as ``kind=url`` pairs.
CSV_COLUMNS = ("id", "title", "title_zh", "url", "type", "modalities", "topics", "level", "languages", "access",
               "open_source", "authors", "year", "arxiv", "links", "description", "description_zh", "related",
               "added")
#: Separator of list values inside one CSV cell.
CSV_LIST_SEPARATOR = ";"
#: First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """``value`` made inert for spreadsheets: a cell starting with one of
    :data:`CSV_FORMULA_STARTS` gets a leading ``'`` (OWASP's recommendation), which Excel,
    LibreOffice and Google Sheets show as text instead of running ``=HYPERLINK(...)``."""
    return "'" + value if value.startswith(CSV_FORMULA_STARTS) else value


def export_csv(catalog: Catalog) -> str:
    """One row per entry (sorted by id) under a header of :data:`CSV_COLUMNS` (RFC 4180 quoting,
    CRLF line ends as the RFC specifies). Booleans are ``true``/``false``, unset values empty;
    cells a spreadsheet would run as a formula are prefixed with ``'`` (:func:`csv_cell`).

    Raises:
        ValueError: a list value contains the separator ``;`` (it could not be split back).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for resource in catalog.resources:
        row = []
        for column in CSV_COLUMNS:
            value = getattr(resource, column)
            if column == "links":
                value = [f"{kind}={url}" for kind, url in value.items()] if value else []
            if isinstance(value, list):
                for item in value:
                    if CSV_LIST_SEPARATOR in item:
                        raise ValueError(f"{resource.id}: `{column}` value {item!r} contains {CSV_LIST_SEPARATOR!r}")
                value = CSV_LIST_SEPARATOR.join(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            elif value is None:
                value = ""
            row.append(csv_cell(str(value)))
        writer.writerow(row)
    return buffer.getvalue()


def export_bibtex(catalog: Catalog) -> str:
    """BibTeX of the catalog's papers and surveys (:mod:`aigc_resources.bibtex`)."""
    return catalog_to_bibtex(catalog.resources)


def export_markdown(catalog: Catalog) -> str:
    """An awesome-list style README of the whole catalog, generated so it reads on a code host.

    One section per type (taxonomy order) with a contents list; each entry is
    ``- [Title](url) `level` - English description`` followed by its Chinese title and
    description on an indented line. Text goes through the site's Markdown escaping
    (:mod:`aigc_resources.render.text`), so entry text never becomes markup.
    """
    from .render.text import md_inline, md_plain

    by_type: dict[str, list[Resource]] = {}
    for resource in catalog.resources:
        by_type.setdefault(resource.type, []).append(resource)
    types = [t for t in catalog.taxonomy.types if t.id in by_type]
    levels = {t.id: t for t in catalog.taxonomy.levels}
    lines = [
        "# AIGC Resources · AIGC 学习资源",
        "",
        "A curated, bilingual catalog of resources for learning and building generative AI.",
        "中英双语的生成式人工智能学习与实践资源目录。",
        "",
        f"{len(catalog.entries)} entries. Generated from `catalog/` by `aigc-resources export --format markdown`; "
        "edit the YAML entries, not this file.",
        "",
        "## Contents · 目录",
        "",
    ]
    lines += [f"- [{md_plain(t.name)} · {md_plain(t.name_zh)}](#{t.id}) ({len(by_type[t.id])})" for t in types]
    for term in types:
        lines += ["", f'<a id="{term.id}"></a>', "", f"## {md_plain(term.name)} · {md_plain(term.name_zh)}", ""]
        for r in sorted(by_type[term.id], key=lambda r: (r.title.casefold(), r.id)):
            level = levels.get(r.level)
            badge = f" `{level.name} · {level.name_zh}`" if level else ""
            lines.append(f"- [{md_plain(r.title)}]({_md_url(r.url)}){badge} - {md_inline(r.description)}")
            zh_title = f"{md_plain(r.title_zh)}：" if r.title_zh else ""
            if r.description_zh or r.title_zh:
                lines.append(f"  {zh_title}{md_inline(r.description_zh or '')}".rstrip())
    return "\n".join(lines) + "\n"


def _md_url(url: str) -> str:
    """A URL as a Markdown link destination that CommonMark reads back as exactly this URL
    (§6.3): as written when it is plain, else in angle brackets with ``\\``, ``<`` and ``>``
    backslash-escaped, so spaces, parentheses, angle brackets and backslashes (which the
    validator accepts) neither end the link early nor vanish as escapes."""
    if not re.search(r"[\s()<>\\]", url):
        return url
    return "<" + re.sub(r"([\\<>])", r"\\\1", url) + ">"


#: ``--format`` choices of ``aigc-resources export`` -> function of the catalog returning text.
EXPORT_FORMATS = {
    "json": export_json,
    "csv": export_csv,
    "bibtex": export_bibtex,
    "markdown": export_markdown,
}
