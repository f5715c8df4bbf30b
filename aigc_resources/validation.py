"""Turn Pydantic's validation errors into located, friendly :class:`Diagnostic` objects.

Pydantic reports each error with a ``loc`` (the path into the data) and a ``type``. We follow
the ``loc`` back to the YAML node to get line and column (falling back to the parent mapping for
a missing field), choose our rule code by the error ``type`` (never by message text, which
changes between Pydantic versions), and add a hint: "did you mean `title`?" for a misspelt key,
"quote it" for a value YAML read as a number or a date.
"""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .yamlio import LoadedDocument, Loc

M = TypeVar("M", bound=BaseModel)

_LENGTH_TYPES = {"string_too_short", "string_too_long", "too_short", "too_long"}
_RANGE_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_KIND_NAMES = {"int": "a number", "float": "a number", "date": "a date", "bool": "a boolean", "null": "empty"}
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "bool_type": "`true` or `false`",
    "date_type": "a date written as YYYY-MM-DD", "list_type": "a list", "dict_type": "a mapping",
    "model_type": "a mapping of the fields below it", "model_attributes_type": "a mapping",
    "float_type": "a number", "date_from_datetime_parsing": "a date written as YYYY-MM-DD",
}


def did_you_mean(word: str, choices: list[str] | tuple[str, ...] | set[str]) -> str | None:
    """The closest of ``choices`` to ``word`` (difflib ratio >= 0.6), or ``None``."""
    matches = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def _model_at(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The nested model class that owns the last element of ``loc`` (for "did you mean")."""
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        if current is None or isinstance(part, int):
            continue
        info = current.model_fields.get(part)
        if info is None:
            return None
        nested = None
        for candidate in getattr(info.annotation, "__args__", ()) + (info.annotation,):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                nested = candidate
        current = nested
    return current


def validate_document(model: type[M], doc: LoadedDocument) -> M | None:
    """Validate ``doc.data`` against ``model``, appending located diagnostics to ``doc``.

    Returns the model instance when the data is valid, else ``None``. Errors at locations the
    YAML reader already explained (an unquoted ``no``, a duplicate key) are not repeated.
    """
    if doc.data is None:
        return None
    if not isinstance(doc.data, dict):
        doc.report("E-YAML-NOT-MAPPING", (), message=f"the document is {type(doc.data).__name__}, not a mapping")
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            _report(model, doc, error)
        return None


def _report(model: type[BaseModel], doc: LoadedDocument, error: dict[str, Any]) -> None:
    loc: Loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    if any(loc[: i + 1] in doc.reported for i in range(len(loc))):
        return
    kind = error["type"]
    field = loc[-1] if loc else ""
    ctx = error.get("ctx") or {}
    value = error.get("input")

    if kind == "extra_forbidden":
        owner = _model_at(model, loc)
        known = list(owner.model_fields) if owner else []
        guess = did_you_mean(str(field), known)
        hint = f"did you mean `{guess}`?" if guess else f"known fields: {', '.join(known)}"
        doc.report("E-FIELD-UNKNOWN", loc, at_key=True, message=f"unknown field `{field}`", hint=hint)
    elif kind == "missing":
        doc.report("E-FIELD-MISSING", loc, message=f"required field `{field}` is missing",
                   hint=f"add `{field}:` to the entry")
    elif kind in _EXPECTED:
        scalar = doc.scalars.get(loc)
        if kind == "string_type" and scalar and not scalar.quoted and scalar.kind in _KIND_NAMES:
            doc.report("E-YAML-COERCED", loc,
                       message=f"`{scalar.raw}` was read as {_KIND_NAMES[scalar.kind]}, but text is expected here",
                       hint=f"write it in quotes: \"{scalar.raw}\"")
        else:
            got = _KIND_NAMES.get(scalar.kind, "text") if scalar else type(value).__name__
            doc.report("E-FIELD-TYPE", loc, message=f"expected {_EXPECTED[kind]}, got {got} ({_short(value)})")
    elif kind in _LENGTH_TYPES:
        doc.report("E-FIELD-LENGTH", loc, message=_length_message(kind, ctx, value))
    elif kind == "string_pattern_mismatch":
        code = {"id": "E-ID-SLUG", "arxiv": "E-ARXIV-FORM"}.get(str(field), "E-ID-SLUG" if _is_slug_field(loc) else "E-FIELD-VALUE")
        doc.report(code, loc, message=f"{_short(value)} does not have the required form")
    elif kind in _RANGE_TYPES:
        doc.report("E-FIELD-VALUE", loc, message=f"{_short(value)}: {error['msg'].lower()}")
    elif kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        doc.report("E-FIELD-VALUE", loc, message=f"{_short(value)} is not allowed", hint=f"use one of {expected}")
    else:
        doc.report("E-FIELD-VALUE", loc, message=error["msg"])


def _is_slug_field(loc: Loc) -> bool:
    return bool(loc) and loc[0] in ("type", "modalities", "topics", "level", "related", "group", "parent")


def _length_message(kind: str, ctx: dict[str, Any], value: Any) -> str:
    size = len(value) if hasattr(value, "__len__") else "?"
    unit = "characters" if kind.startswith("string") else "items"
    if kind.endswith("short"):
        return f"has {size} {unit}; at least {ctx.get('min_length')} are required"
    return f"has {size} {unit}; at most {ctx.get('max_length')} are allowed"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
