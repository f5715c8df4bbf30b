"""Turn Pydantic's validation errors into located, friendly :class:`Diagnostic` objects.

Pydantic reports each error with a ``loc`` (the path into the data) and a ``type``. We follow
the ``loc`` back to the YAML node to get line and column (falling back to the parent mapping for
a missing field), choose our rule code by the error ``type`` (never by message text, which
changes between Pydantic versions), and add a hint: "did you mean `title`?" for a misspelt key,
"quote it" for a value YAML read as a number or a date.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .yamlio import ISO_DATE, LoadedDocument, Loc

M = TypeVar("M", bound=BaseModel)

_DATE_TYPES = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_INT = re.compile(r"[-+]?[0-9]+")
_TYPE_NAMES = {"str": "text", "int": "a number", "float": "a number", "bool": "a boolean", "dict": "a mapping",
               "list": "a list", "NoneType": "empty", "date": "a date"}
_LENGTH_TYPES = {"string_too_short", "string_too_long", "too_short", "too_long"}
_RANGE_TYPES = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_KIND_NAMES = {"int": "a number", "float": "a number", "date": "a date", "bool": "a boolean", "null": "empty"}
_EXPECTED = {
    "string_type": "text", "int_type": "a whole number", "bool_type": "`true` or `false`",
    "date_type": "a date written as YYYY-MM-DD", "list_type": "a list", "dict_type": "a mapping",
    "model_type": "a mapping of the fields below it", "model_attributes_type": "a mapping",
    "float_type": "a number",
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
        errors = exc.errors(include_url=False)
    # A misspelt required key is one mistake: "unknown `titel` (did you mean `title`?)" says it
    # all, so the "missing `title`" it causes is not reported as well.
    explained: set[Loc] = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            owner = _model_at(model, loc)
            guess = did_you_mean(str(loc[-1]), list(owner.model_fields)) if owner else None
            if guess:
                explained.add(loc[:-1] + (guess,))
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in explained:
            continue
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
    elif kind in _EXPECTED or kind in _DATE_TYPES:
        scalar = doc.scalars.get(loc)
        expected = _EXPECTED.get(kind, "a date written as YYYY-MM-DD")
        if scalar and scalar.kind == "null":
            doc.report("E-FIELD-EMPTY", loc, message=f"`{field}` has no value; {expected} is expected",
                       hint=f"write {expected} after `{field}:`, or remove the line if the field is optional")
        elif kind == "string_type" and scalar and not scalar.quoted and scalar.kind in _KIND_NAMES:
            doc.report("E-YAML-COERCED", loc,
                       message=f"`{scalar.raw}` was read as {_KIND_NAMES[scalar.kind]}, but text is expected here",
                       hint=f"write it in quotes: \"{scalar.raw}\"")
        elif kind in _DATE_TYPES and isinstance(value, str) and ISO_DATE.fullmatch(value.strip()):
            doc.report("E-FIELD-VALUE", loc, message=f"{value} is not a calendar date",
                       hint="check the month (01-12) and the day of the month")
        elif kind == "int_type" and scalar and scalar.kind == "int":
            doc.report("E-FIELD-VALUE", loc, message=f"the number {_short(scalar.raw)} is far too large")
        elif kind == "int_type" and scalar and scalar.quoted and _INT.fullmatch(scalar.raw.strip()):
            doc.report("E-FIELD-TYPE", loc, message=f"expected a whole number, got text ({_short(value)})",
                       hint=f"remove the quotes: {scalar.raw.strip()}")
        elif kind == "bool_type" and scalar and scalar.quoted and scalar.raw.strip().lower() in ("true", "false"):
            doc.report("E-FIELD-TYPE", loc, message=f"expected `true` or `false`, got text ({_short(value)})",
                       hint=f"remove the quotes: {scalar.raw.strip().lower()}")
        elif kind == "list_type" and isinstance(value, (str, int, float)):
            doc.report("E-FIELD-TYPE", loc, message=f"expected a list, got a single value ({_short(value)})",
                       hint=f"write it as a list: [{value}]")
        else:
            got = _KIND_NAMES.get(scalar.kind, "text") if scalar else _TYPE_NAMES.get(type(value).__name__, type(value).__name__)
            doc.report("E-FIELD-TYPE", loc, message=f"expected {expected}, got {got} ({_short(value)})")
    elif kind in _LENGTH_TYPES:
        doc.report("E-FIELD-LENGTH", loc, message=_length_message(kind, ctx, value))
    elif kind == "string_pattern_mismatch" and _checked_by_rules(model, loc):
        return  # not a slug, so certainly not a known value: the rules say so with "did you mean"
    elif kind == "string_pattern_mismatch":
        code = {"id": "E-ID-SLUG", "arxiv": "E-ARXIV-FORM"}.get(str(field), "E-ID-SLUG" if _is_slug_field(loc) else "E-FIELD-VALUE")
        doc.report(code, loc, message=f"{_short(value)} does not have the required form")
    elif kind in _RANGE_TYPES:
        doc.report("E-FIELD-VALUE", loc, message=f"{_short(value)}: {error['msg'].lower()}")
    elif kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        allowed = re.findall(r"'([^']*)'", expected)
        guess = did_you_mean(str(value).lower(), allowed) if isinstance(value, str) else None
        hint = f"did you mean `{guess}`? (allowed: {expected})" if guess else f"use one of {expected}"
        doc.report("E-FIELD-VALUE", loc, message=f"{_short(value)} is not allowed", hint=hint)
    else:
        doc.report("E-FIELD-VALUE", loc, message=error["msg"])


def _checked_by_rules(model: type[BaseModel], loc: Loc) -> bool:
    """Whether the value at ``loc`` names a taxonomy value or an entry id, which
    :mod:`aigc_resources.rules` checks against the taxonomy or the catalog."""
    from .schema import taxonomy_fields

    return len(loc) <= 2 and isinstance(loc[0], str) and (loc[0] in taxonomy_fields(model)
                                                          or (loc[0] == "related" and "related" in model.model_fields))


def _is_slug_field(loc: Loc) -> bool:
    return bool(loc) and loc[0] in ("type", "modalities", "topics", "level", "related", "group", "parent")


def _length_message(kind: str, ctx: dict[str, Any], value: Any) -> str:
    if isinstance(value, str):
        value = value.strip()  # text is stripped before its length is checked (schema.py)
    size = len(value) if hasattr(value, "__len__") else "?"
    unit = "characters" if kind.startswith("string") else "items"
    if kind.endswith("short"):
        return f"has {size} {unit}; at least {ctx.get('min_length')} are required"
    return f"has {size} {unit}; at most {ctx.get('max_length')} are allowed"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
