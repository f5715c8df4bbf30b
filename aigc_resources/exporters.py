"""Exports of the catalog for other tools.

The JSON export is the public, versioned form of the catalog: the site's ``catalog.json`` and
``aigc-resources export --format json`` both come from :func:`catalog_to_json`. Bump
:data:`JSON_SCHEMA_VERSION` on any change a consumer could notice (a field removed, renamed or
retyped); adding a field is not a breaking change.
"""

from __future__ import annotations

from typing import Any

from .catalog import Catalog

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
