"""Diagnostics: every problem the validator finds, located at file:line:column.

A :class:`Diagnostic` is one problem in one place. Each has a stable ``code`` taken from
:data:`RULES`, the one table that says, for every rule, its severity, what it means and how
to fix it. The contributor docs are generated from that table, so a rule without an entry
there cannot be raised (:func:`make` refuses unknown codes).

Severity is policy, not a property of the text: ``--strict`` promotes warnings to failures
(see :meth:`Severity.fails`).
"""

from __future__ import annotations

import enum
import dataclasses
from dataclasses import dataclass
from pathlib import Path


class Severity(str, enum.Enum):
    """How bad a diagnostic is. Errors always fail a run; warnings fail under ``--strict``."""

    ERROR = "error"
    WARNING = "warning"

    def fails(self, strict: bool) -> bool:
        """True when a diagnostic of this severity makes the run fail."""
        return self is Severity.ERROR or strict


@dataclass(frozen=True)
class Rule:
    """One validator rule: a stable code, its default severity, a summary and a fix."""

    code: str
    severity: Severity
    summary: str
    hint: str


def _rules(*rules: Rule) -> dict[str, Rule]:
    table: dict[str, Rule] = {}
    for rule in rules:
        if rule.code in table:
            raise ValueError(f"duplicate rule code {rule.code}")
        prefix = "E-" if rule.severity is Severity.ERROR else "W-"
        if not rule.code.startswith(prefix):
            raise ValueError(f"rule {rule.code}: {rule.severity.value} codes start with {prefix}")
        table[rule.code] = rule
    return table


E, W = Severity.ERROR, Severity.WARNING

#: Every rule the validator enforces, keyed by code. Codes are stable: never reuse or rename one.
RULES: dict[str, Rule] = _rules(
    # -- files and YAML syntax ----------------------------------------------------------------
    Rule("E-FILE-READ", E, "The file cannot be read.", "Check that the path exists and is readable."),
    Rule("E-FILE-EMPTY", E, "The file is empty.", "Write the entry's fields, or delete the file."),
    Rule("E-FILE-TOO-LARGE", E, "The file is larger than the size limit.",
         "An entry is a few hundred bytes; split or shorten it."),
    Rule("E-FILE-ENCODING", E, "The file is not valid UTF-8.", "Save the file as UTF-8."),
    Rule("E-FILE-BOM", E, "The file starts with a byte-order mark (BOM).",
         "Save the file as UTF-8 without BOM."),
    Rule("E-FILE-NAME", E, "The file name is not `<slug>.yaml`.",
         "Name entry files after their id, lower-case kebab-case, with the `.yaml` extension."),
    Rule("E-YAML-SYNTAX", E, "The YAML cannot be parsed.",
         "Fix the syntax at the position shown; quote values that contain `: ` or start with a special character."),
    Rule("E-YAML-TAB", E, "A tab character is in the file.", "Indent with spaces and replace tabs in values with spaces."),
    Rule("E-YAML-DUPLICATE-KEY", E, "A key appears twice in one mapping (YAML would silently keep the last).",
         "Remove one of the two keys."),
    Rule("E-YAML-MULTIPLE-DOCUMENTS", E, "The file holds more than one YAML document.",
         "Keep one entry per file; remove the `---` separator and what follows."),
    Rule("E-YAML-ALIAS", E, "YAML anchors and aliases are not allowed in entries.",
         "Write the value out in full instead of using `&anchor` / `*alias`."),
    Rule("E-YAML-TAG", E, "An explicit YAML tag (`!!python/...`, `!foo`) is not allowed.",
         "Remove the tag; write a plain value."),
    Rule("E-YAML-NOT-MAPPING", E, "The document is not a mapping of field names to values.",
         "Write the entry as `key: value` lines."),
    Rule("E-YAML-AMBIGUOUS-BOOL", E, "A YAML 1.1 boolean word (`yes`, `no`, `on`, `off`, `y`, `n`) was written unquoted.",
         "Write `true` or `false` for a flag, or quote the word if it is text."),
    Rule("E-YAML-COERCED", E, "An unquoted value was read as a number or a date where text is expected.",
         "Quote the value so it stays exactly as written, e.g. \"1706.03762\"."),
    # -- fields ---------------------------------------------------------------------------------
    Rule("E-FIELD-UNKNOWN", E, "The field is not part of the schema.",
         "Remove it or fix its spelling; see the field table in the contributor guide."),
    Rule("E-FIELD-MISSING", E, "A required field is missing.", "Add the field."),
    Rule("E-FIELD-TYPE", E, "The value has the wrong type.", "Use the type shown in the field table."),
    Rule("E-FIELD-VALUE", E, "The value is not allowed for this field.", "Use one of the allowed values or forms."),
    Rule("E-FIELD-LENGTH", E, "The value is too short or too long.", "Keep it within the limits shown."),
    Rule("E-ID-SLUG", E, "The id is not a slug.",
         "Use lower-case letters, digits and single hyphens, like `attention-is-all-you-need`."),
    Rule("E-ID-MISMATCH", E, "The id differs from the file name.", "Rename the file or change the id so they agree."),
    Rule("E-ID-DUPLICATE", E, "Two entries have the same id.", "Give one of them a different id (and file name)."),
    Rule("E-TYPE-FOLDER", E, "The entry sits in a folder that does not match its type.",
         "Move the file to `catalog/resources/<type>/`."),
    Rule("E-PAPER-YEAR", E, "A paper has no year.", "Add `year:` with the year of first publication."),
    Rule("E-YEAR-RANGE", E, "The year is outside the plausible range.", "Use the four-digit year of publication."),
    Rule("E-ADDED-FUTURE", E, "The `added` date is in the future.", "Use today's date or an earlier one."),
    Rule("E-ARXIV-FORM", E, "The arXiv identifier is not well formed.",
         "Write the bare identifier, quoted, like \"1706.03762\" (no `arXiv:` prefix, no URL)."),
    # -- URLs -----------------------------------------------------------------------------------
    Rule("E-URL-INVALID", E, "The URL is not an absolute http(s) URL with a host.",
         "Write the full address, starting with https://."),
    Rule("E-URL-SCHEME", E, "The URL scheme is not http or https.", "Link to an http(s) page."),
    Rule("E-URL-CREDENTIALS", E, "The URL carries a user name or password.", "Remove `user:password@` from the URL."),
    Rule("E-URL-WHITESPACE", E, "The URL contains whitespace.", "Remove the spaces or encode them as %20."),
    Rule("E-URL-TRACKING", E, "The URL carries tracking parameters (`utm_*` and the like).",
         "Remove the tracking parameters from the query string."),
    Rule("E-URL-DUPLICATE", E, "The same resource URL appears in two entries (after canonicalisation).",
         "Keep one entry, or link the other with `related:`."),
    # -- taxonomy and cross-references ------------------------------------------------------------
    Rule("E-TAXONOMY-UNKNOWN", E, "The value is not in the taxonomy.",
         "Use a value listed in `catalog/taxonomy.yaml`, or add it there first."),
    Rule("E-TAXONOMY-DUPLICATE", E, "A value is listed twice.", "Remove the repeated value."),
    Rule("E-TAXONOMY-INVALID", E, "The taxonomy file itself is inconsistent.", "Fix `catalog/taxonomy.yaml` as described."),
    Rule("E-RELATED-UNKNOWN", E, "A `related` id names no entry.", "Use the id of an existing entry."),
    Rule("E-RELATED-SELF", E, "An entry lists itself in `related`.", "Remove the entry's own id from `related`."),
    # -- text -------------------------------------------------------------------------------------
    Rule("E-TEXT-HTML", E, "Raw HTML is not allowed in text fields.", "Use plain text or inline Markdown."),
    Rule("E-TEXT-TEMPLATE", E, "Template syntax (`{{ }}`, `{% %}`) is not allowed in text fields.",
         "Remove the braces; write plain text."),
    Rule("E-TEXT-BLOCK-MARKDOWN", E, "Block-level Markdown (headings, lists, tables, code blocks) is not allowed in a description.",
         "Keep descriptions to one paragraph of inline Markdown."),
    # -- concepts and learning paths --------------------------------------------------------------
    Rule("E-CONCEPT-TOPIC", E, "The concept names no topic of the taxonomy.",
         "Use a topic id from `topics` in `catalog/taxonomy.yaml` (the concept file is named after it)."),
    Rule("E-PATH-STEP-TARGET", E, "A learning-path step must name exactly one of `entry` or `concept`.",
         "Write `entry: <entry id>` or `concept: <topic id>` in the step, not both."),
    Rule("E-PATH-ENTRY-UNKNOWN", E, "A learning-path step names no catalog entry.",
         "Use the id of an existing entry (its file name under `catalog/resources/`)."),
    Rule("E-MATH-FORM", E, "The maths is not well formed.",
         "Pair every `$`, balance `{}` and keep display formulas on lines without `$` and without blank lines."),
    # -- warnings -----------------------------------------------------------------------------------
    Rule("W-MISSING-ZH", W, "The entry has no Chinese description (`description_zh`).",
         "Add `description_zh:` with a description in Chinese, written in your own words."),
    Rule("W-NO-TOPIC", W, "The entry has no topic.", "Add at least one topic from the taxonomy."),
    Rule("W-CONCEPT-MISSING", W, "A topic has no concept page.",
         "Add `catalog/concepts/<topic>.yaml` explaining the idea in English and Chinese."),
    Rule("W-PATH-REPEATED-STEP", W, "A learning path visits the same entry or concept twice.",
         "Remove the repeated step, or merge the two reasons into one step."),
    Rule("W-THIN-TOPIC", W, "A topic has fewer than 3 entries.", "Add entries for the topic, or merge it into a wider one."),
)


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the catalog.

    ``line`` and ``column`` are 1-based (0 when the problem concerns a whole file with no
    position). ``field`` is a dotted path into the entry (``links.code``, ``topics[2]``) or ``""``.
    """

    path: str
    line: int
    column: int
    code: str
    field: str = ""
    message: str = ""
    hint: str = ""
    severity: Severity = dataclasses.field(default=Severity.ERROR, compare=False)

    def format(self) -> str:
        """Render as ``PATH:LINE:COL: CODE field: message (hint)``, the form editors and CI parse."""
        where = f"{self.path}:{self.line}:{self.column}"
        subject = f" {self.field}:" if self.field else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}: {self.code}{subject} {self.message}{hint}"


def make(code: str, path: str | Path, line: int = 0, column: int = 0, field: str = "",
         message: str | None = None, hint: str | None = None) -> Diagnostic:
    """Build a :class:`Diagnostic` for a rule of :data:`RULES`.

    ``message`` and ``hint`` default to the rule's summary and fix; pass them to be specific
    (name the bad value, suggest the near miss).

    Raises:
        KeyError: ``code`` is not in :data:`RULES` (a programming error).
    """
    rule = RULES[code]
    return Diagnostic(
        path=str(path), line=line, column=column, code=code, field=field,
        message=message if message is not None else rule.summary,
        hint=hint if hint is not None else rule.hint,
        severity=rule.severity,
    )


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Order diagnostics by file, then line, column and code (stable, reproducible output)."""
    return (d.path, d.line, d.column, d.code)
