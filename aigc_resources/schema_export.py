"""JSON Schemas for editors, generated from the Pydantic models (DESIGN §1: editor completion).

Each model in :data:`SCHEMAS` becomes ``schema/<name>.schema.json``. Editors that run
yaml-language-server (VS Code's YAML extension, Neovim, Helix, JetBrains) read the
``# yaml-language-server: $schema=...`` comment at the top of an entry and then complete field
names, show each field's help, and underline wrong types and values while the contributor types.

Fields marked with a taxonomy axis (``_field(..., taxonomy="topics")`` in :mod:`.schema`) get
the axis's ids from ``catalog/taxonomy.yaml`` as an ``enum``, with the English and Chinese
names as ``enumDescriptions`` (a VS Code JSON extension keyword that yaml-language-server
shows in completion). List fields whose values must be distinct get ``uniqueItems``. The
schema is therefore data-dependent: it is regenerated, and a test fails, when the taxonomy
changes. The validator stays the authority: it checks everything the schema says and more
(file names, URLs, cross-entry rules).

Spec: JSON Schema 2020-12 (json-schema.org/draft/2020-12), which Pydantic emits.
Adding a model (learning paths) is one :class:`SchemaSpec` line in :data:`SCHEMAS`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .schema import Resource, Taxonomy, taxonomy_fields

DIALECT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True)
class SchemaSpec:
    """One generated schema: ``schema/<name>.schema.json`` for ``model``.

    ``distinct`` names list fields whose items must be unique (``uniqueItems``)."""

    name: str
    model: type[BaseModel]
    title: str
    description: str
    distinct: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.schema.json"


#: Every schema the ``schema`` command writes, in order.
SCHEMAS: tuple[SchemaSpec, ...] = (
    SchemaSpec("resource", Resource, "aigc-resources entry",
               "One catalog entry: catalog/resources/<type>/<id>.yaml.",
               distinct=("modalities", "topics", "languages", "authors", "related")),
    SchemaSpec("taxonomy", Taxonomy, "aigc-resources taxonomy",
               "The controlled vocabulary: catalog/taxonomy.yaml."),
)


def json_schema(spec: SchemaSpec, taxonomy: Taxonomy | None) -> dict[str, Any]:
    """The JSON Schema of ``spec.model`` as a dict, with taxonomy enums when ``taxonomy`` is given.

    Pure: the same model and taxonomy always give the same dict (key order included)."""
    schema = copy.deepcopy(spec.model.model_json_schema(mode="validation"))
    schema = {"$schema": DIALECT, "title": spec.title, "description": spec.description,
              **{k: v for k, v in schema.items() if k not in ("title", "description")}}
    properties = schema.get("properties", {})
    if taxonomy is not None:
        for field, (axis, many) in taxonomy_fields(spec.model).items():
            target = properties[field]["items"] if many else properties[field]
            terms = getattr(taxonomy, axis)
            target.pop("pattern", None)
            target.pop("minLength", None)
            target.pop("maxLength", None)
            target["enum"] = [term.id for term in terms]
            target["enumDescriptions"] = [f"{term.name} / {term.name_zh}: {term.description}" for term in terms]
    for field in spec.distinct:
        properties[field]["uniqueItems"] = True
    return schema


def render_schema(spec: SchemaSpec, taxonomy: Taxonomy | None) -> str:
    """:func:`json_schema` as the text committed under ``schema/`` (2-space indent, UTF-8, LF)."""
    return json.dumps(json_schema(spec, taxonomy), indent=2, ensure_ascii=False) + "\n"


#: The JSON export's schema (``aigc-resources export --format json``, the site's catalog.json).
#: It describes output, not files an editor opens, so it takes no taxonomy enums.
EXPORT_SCHEMA_FILE = "catalog-export.schema.json"


def render_all(taxonomy: Taxonomy | None) -> dict[str, str]:
    """``{file name: text}`` for every schema of :data:`SCHEMAS` and the export schema."""
    from .exporters import export_json_schema

    files = {spec.filename: render_schema(spec, taxonomy) for spec in SCHEMAS}
    files[EXPORT_SCHEMA_FILE] = json.dumps(export_json_schema(), indent=2, ensure_ascii=False) + "\n"
    return files


def stale_files(out_dir: Path, taxonomy: Taxonomy | None) -> list[str]:
    """File names under ``out_dir`` that are missing or differ from what would be generated."""
    stale = []
    for name, text in render_all(taxonomy).items():
        path = out_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(name)
    return stale
