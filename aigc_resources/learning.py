"""Concept pages and learning paths: loading ``catalog/concepts/`` and ``catalog/paths/`` with rules.

Layout (DESIGN §2)::

    <catalog>/concepts/<topic>.yaml   one explanation per taxonomy topic (schema.Concept)
    <catalog>/paths/<id>.yaml         one learning path per file (schema.LearningPath)

Both are read with the same position-keeping YAML reader as entries, validated against their
Pydantic model, then checked against the taxonomy and the entries; every problem becomes a
located :class:`~aigc_resources.diagnostics.Diagnostic` and one bad file never hides another.

Maths in texts uses ``$...$`` inline and plain LaTeX in ``formulas[].latex``; the site renders
it with KaTeX. :func:`math_problems` refuses what would break that rendering (an unpaired
``$``, unbalanced braces, delimiters inside a display formula).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from .diagnostics import RULES, Diagnostic, Severity, make
from .rules import _LINK, _check_distinct, _check_text, check_reserved_slug
from .urls import private_host_problem, url_problems
from .schema import Concept, LearningPath, Taxonomy
from .validation import did_you_mean, validate_document
from .yamlio import LoadedDocument, Loc, load_yaml

#: Unescaped ``$...$`` spans of inline maths (no newline inside, as in Pandoc's tex_math_dollars).
INLINE_MATH = re.compile(r"(?<![\\$])\$(?=\S)([^$\n]+?)(?<![\s\\])\$(?!\$)")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
#: A `%` after an even number of backslashes: in TeX (and KaTeX) it comments out the rest of the line.
_LATEX_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%")
M = TypeVar("M", bound=BaseModel)


def _braces_balanced(latex: str) -> bool:
    depth = 0
    for match in re.finditer(r"\\[{}]|[{}]", latex):
        token = match.group(0)
        if token in ("\\{", "\\}"):
            continue
        depth += 1 if token == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def math_problems(text: str, *, display: bool = False) -> list[str]:
    """What would break the maths of ``text`` when rendered; ``[]`` when it is fine.

    ``display=True`` checks a display formula (``formulas[].latex``): no ``$``, no ``\\[``/``\\]``,
    no blank line, balanced braces. Otherwise ``text`` is prose whose ``$...$`` spans are
    inline maths: every ``$`` must be paired and each span's braces balanced.
    """
    problems: list[str] = []
    if display:
        if _LATEX_COMMENT.search(text):
            problems.append("an unescaped `%` starts a LaTeX comment, which hides the rest of the line (write `\\%`)")
        if "$" in text:
            problems.append("a display formula must not contain `$`")
        if "\\[" in text or "\\]" in text:
            problems.append("a display formula must not contain `\\[` or `\\]`")
        if _PARAGRAPH_BREAK.search(text):
            problems.append("a display formula must not contain a blank line")
        if not _braces_balanced(text):
            problems.append("the braces `{}` are not balanced")
        return problems
    spans = [m.group(1) for m in INLINE_MATH.finditer(text)]
    rest = INLINE_MATH.sub("", text).replace("\\$", "")
    if "$" in rest:
        problems.append("a `$` is not paired (write `\\$` for a dollar sign)")
    for span in spans:
        if _LATEX_COMMENT.search(span):
            problems.append(f"`${span}$`: an unescaped `%` starts a LaTeX comment (write `\\%`)")
        if "\\(" in span or "\\)" in span:
            problems.append(f"`${span}$` must not contain `\\(` or `\\)`")
        if not _braces_balanced(span):
            problems.append(f"the braces in `${span}$` are not balanced")
    return problems


def without_math(text: str) -> str:
    """``text`` with its ``$...$`` spans removed (for the HTML and template rules)."""
    return INLINE_MATH.sub(" ", text)


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a multi-paragraph text (split at blank lines), stripped."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text.strip()) if p.strip()]


#: Block-level Markdown at the start of a line of a paragraph: headings, list items, quotes,
#: tables, fences (a concept's explanation is paragraphs of inline Markdown only).
_BLOCK_LINE = re.compile(r"^[ \t]*(#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s|>|\||```|~~~)", re.M)


def _check_prose(doc: LoadedDocument, loc: Loc, text: object, *, multi_paragraph: bool) -> None:
    """Text rules (no HTML or template syntax, inline Markdown only, http(s) links, no images)
    and maths rules, for texts that may hold ``$...$`` maths and, if ``multi_paragraph``,
    several paragraphs separated by blank lines."""
    if not isinstance(text, str) or loc in doc.reported:
        return
    for problem in math_problems(text):
        doc.report("E-MATH-FORM", loc, message=problem)
    prose = without_math(text)
    _check_text(doc, loc, prose, markdown=False)
    if loc in doc.reported:
        return
    parts = paragraphs(prose) if multi_paragraph else [prose]
    for part in parts:
        found = _BLOCK_LINE.search(part) or (None if multi_paragraph else _PARAGRAPH_BREAK.search(part))
        if found:
            doc.report("E-TEXT-BLOCK-MARKDOWN", loc, at_text=found.group(0).strip() or None,
                       message=f"block-level Markdown {found.group(0).strip()!r}" if found.group(0).strip()
                       else "a blank line (a second paragraph)")
            return
    for match in _LINK.finditer(prose):
        if match["image"]:
            doc.report("E-TEXT-IMAGE", loc, at_text=match.group(0), message=f"image {match.group(0)!r}")
        elif not match["target"] or url_problems(match["target"]):
            doc.report("E-TEXT-LINK", loc, at_text=match.group(0), message=f"link {match.group(0)!r} is not an http(s) URL")
        elif private := private_host_problem(match["target"]):
            doc.report("E-TEXT-LINK", loc, at_text=match.group(0), message=f"link {match.group(0)!r}: {private}",
                       hint=RULES["E-URL-PRIVATE-HOST"].hint)


def _yaml_files(folder: Path) -> Iterator[Path]:
    """Everything in ``folder`` but hidden names, sorted: files, links and folders (the last two
    are refused by :func:`_documents`, so nothing put there is skipped silently)."""
    if folder.is_dir() and not folder.is_symlink():  # a linked folder: catalog.misplaced_files
        for path in sorted(folder.iterdir()):
            if not path.name.startswith("."):
                yield path


def _documents(folder: Path, model: type[M], display_path) -> Iterator[tuple[LoadedDocument, M | None, dict]]:
    """Each YAML file of ``folder``: ``(document, validated model or None, raw mapping)``, with
    the id checked against the file name. A sub-folder gets ``E-FILE-PLACE`` (it is not read)
    and a symbolic link ``E-FILE-LINK``."""
    for path in _yaml_files(folder):
        if path.is_dir() and not path.is_symlink():
            doc = LoadedDocument(path=display_path(path))
            doc.diagnostics.append(make("E-FILE-PLACE", doc.path,
                                        message=f"`{folder.name}/{path.name}/` is a folder; files in it are not read",
                                        hint=f"put `<id>.yaml` files directly in `{folder.name}/`"))
            yield doc, None, {}
            continue
        doc = load_yaml(path, display_path=display_path(path))
        if path.is_symlink():
            yield doc, None, {}
            continue
        instance = validate_document(model, doc)
        _check_id(doc, path)
        yield doc, instance, doc.data if isinstance(doc.data, dict) else {}


def _check_id(doc: LoadedDocument, path: Path) -> None:
    data = doc.data if isinstance(doc.data, dict) else {}
    value = data.get("id")
    check_reserved_slug(doc, ("id",), value)
    if path.suffix != ".yaml":
        doc.report("E-FILE-NAME", (), message=f"`{path.name}` is not `<slug>.yaml`")
    if isinstance(value, str) and value != path.stem and ("id",) not in doc.reported:
        doc.report("E-ID-MISMATCH", ("id",), message=f"id `{value}` differs from the file name `{path.name}`",
                   hint=f"rename the file to `{value}.yaml` or set `id: {path.stem}`")


def _check_topic(doc: LoadedDocument, loc: Loc, value: object, taxonomy: Taxonomy | None) -> None:
    if taxonomy is None or not isinstance(value, str) or loc in doc.reported:
        return
    topics = taxonomy.axis("topics")
    if value not in topics:
        guess = did_you_mean(value, list(topics))
        doc.report("E-CONCEPT-TOPIC", loc, message=f"`{value}` is not one of the taxonomy's topics",
                   hint=f"did you mean `{guess}`?" if guess else None)


def load_concepts(root: Path, taxonomy: Taxonomy | None, taxonomy_doc: LoadedDocument | None,
                  display_path=str) -> tuple[dict[str, Concept], list[Diagnostic], int]:
    """Load ``<root>/concepts/*.yaml``: ``(concepts by topic id, diagnostics, files read)``.

    When the folder exists, a topic of the taxonomy without a concept file gets
    ``W-CONCEPT-MISSING`` at its line in ``taxonomy.yaml``.
    """
    concepts: dict[str, Concept] = {}
    diagnostics: list[Diagnostic] = []
    files = 0
    loaded: list[tuple[LoadedDocument, Concept | None]] = []
    needs: dict[str, tuple[LoadedDocument, list[object]]] = {}  # concept id -> (its file, its prerequisites)
    for doc, concept, data in _documents(root / "concepts", Concept, display_path):
        files += 1
        _check_topic(doc, ("id",), data.get("id"), taxonomy)
        prerequisites = data.get("prerequisites")
        if isinstance(prerequisites, list):
            for index, topic in enumerate(prerequisites):
                _check_topic(doc, ("prerequisites", index), topic, taxonomy)
            _check_distinct(doc, "prerequisites", prerequisites)
            if isinstance(data.get("id"), str):
                needs.setdefault(data["id"], (doc, prerequisites))
        for field in ("explanation", "explanation_zh"):
            _check_prose(doc, (field,), data.get(field), multi_paragraph=True)
        formulas = data.get("formulas")
        if isinstance(formulas, list):
            for index, formula in enumerate(formulas):
                if not isinstance(formula, dict):
                    continue
                latex = formula.get("latex")
                if isinstance(latex, str) and ("formulas", index, "latex") not in doc.reported:
                    for problem in math_problems(latex, display=True):
                        doc.report("E-MATH-FORM", ("formulas", index, "latex"), message=problem)
                for field in ("caption", "caption_zh", "source"):
                    _check_prose(doc, ("formulas", index, field), formula.get(field), multi_paragraph=False)
        loaded.append((doc, concept))
    _check_prerequisite_cycles(needs)
    for doc, concept in loaded:
        diagnostics += doc.diagnostics
        if concept is not None and not any(d.severity is Severity.ERROR for d in doc.diagnostics):
            concepts[concept.id] = concept
    # A catalog without a concepts/ folder has opted out of concept pages (the site then says
    # so on each topic page); once the folder exists, every topic should have its page.
    if taxonomy is not None and taxonomy_doc is not None and (root / "concepts").is_dir():
        for index, topic in enumerate(taxonomy.topics):
            if topic.id not in concepts and not (root / "concepts" / f"{topic.id}.yaml").exists():
                line, column = taxonomy_doc.locate(("topics", index, "id"))
                diagnostics.append(make("W-CONCEPT-MISSING", taxonomy_doc.path, line, column, field=f"topics[{index}]",
                                        message=f"topic `{topic.id}` has no concept page (`concepts/{topic.id}.yaml`)"))
    return concepts, diagnostics, files


def _check_prerequisite_cycles(needs: dict[str, tuple[LoadedDocument, list[object]]]) -> None:
    """``E-CONCEPT-PREREQUISITE`` on every prerequisite that leads back to its own concept (the
    concept itself, or one that needs it first): such a chain has no first step. Reported in
    each file of the cycle, at the prerequisite that closes it, naming the whole chain."""
    def path_back(start: str, goal: str) -> list[str] | None:
        """The shortest chain of prerequisites from ``start`` to ``goal``, or ``None``."""
        previous: dict[str, str] = {start: start}
        queue = [start]
        for current in queue:  # breadth first; grows while it is read, bounded by len(needs)
            if current == goal:
                chain = [current]
                while chain[-1] != start:
                    chain.append(previous[chain[-1]])
                return chain[::-1]
            for nxt in needs.get(current, (None, []))[1]:
                if isinstance(nxt, str) and nxt not in previous:
                    previous[nxt] = current
                    queue.append(nxt)
        return None

    for concept_id, (doc, prerequisites) in needs.items():
        for index, prerequisite in enumerate(prerequisites):
            loc: Loc = ("prerequisites", index)
            if not isinstance(prerequisite, str) or loc in doc.reported:
                continue
            if prerequisite == concept_id:
                doc.report("E-CONCEPT-PREREQUISITE", loc, message=f"`{concept_id}` lists itself as a prerequisite")
                continue
            chain = path_back(prerequisite, concept_id)
            if chain:
                doc.report("E-CONCEPT-PREREQUISITE", loc,
                           message=f"`{prerequisite}` needs `{concept_id}` first, a cycle: "
                                   + " -> ".join([concept_id, *chain]))


def load_paths(root: Path, taxonomy: Taxonomy | None, entry_ids: Iterable[str],
               display_path=str) -> tuple[list[LearningPath], list[Diagnostic], int]:
    """Load ``<root>/paths/*.yaml``: ``(paths sorted by order then id, diagnostics, files read)``.

    Every step must name exactly one target; entry ids must be in ``entry_ids`` and concept ids
    must be taxonomy topics.
    """
    known_entries = set(entry_ids)
    paths: list[LearningPath] = []
    diagnostics: list[Diagnostic] = []
    files = 0
    for doc, learning_path, data in _documents(root / "paths", LearningPath, display_path):
        files += 1
        level = data.get("level")
        if taxonomy is not None and isinstance(level, str) and level not in taxonomy.axis("levels") \
                and ("level",) not in doc.reported:
            doc.report("E-TAXONOMY-UNKNOWN", ("level",), message=f"`{level}` is not one of the taxonomy's levels",
                       hint=f"use one of {', '.join(taxonomy.axis('levels'))}")
        for field in ("title", "title_zh"):
            if isinstance(data.get(field), str) and (field,) not in doc.reported:
                _check_text(doc, (field,), data[field], markdown=False, one_line=True)
        for field in ("summary", "summary_zh"):
            _check_prose(doc, (field,), data.get(field), multi_paragraph=False)
        steps = data.get("steps")
        seen: dict[tuple[str, str], int] = {}
        for index, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict):
                continue
            loc: Loc = ("steps", index)
            targets = [(kind, step[kind]) for kind in ("entry", "concept") if step.get(kind) is not None]
            if len(targets) != 1:
                doc.report("E-PATH-STEP-TARGET", loc,
                           message="the step names both `entry` and `concept`" if targets else "the step names neither `entry` nor `concept`")
            for kind, value in targets:
                if not isinstance(value, str):
                    continue
                if kind == "entry" and value not in known_entries and (loc + ("entry",)) not in doc.reported:
                    guess = did_you_mean(value, known_entries)
                    doc.report("E-PATH-ENTRY-UNKNOWN", loc + ("entry",), message=f"no entry has the id `{value}`",
                               hint=f"did you mean `{guess}`?" if guess else None)
                if kind == "concept":
                    _check_topic(doc, loc + ("concept",), value, taxonomy)
                if (kind, value) in seen:
                    doc.report("W-PATH-REPEATED-STEP", loc + (kind,),
                               message=f"{kind} `{value}` is already step {seen[(kind, value)] + 1}")
                seen.setdefault((kind, value), index)
            for field in ("why", "why_zh"):
                _check_prose(doc, loc + (field,), step.get(field), multi_paragraph=False)
        diagnostics += doc.diagnostics
        if learning_path is not None and not any(d.severity is Severity.ERROR for d in doc.diagnostics):
            paths.append(learning_path)
    paths.sort(key=lambda p: (p.order, p.id))
    return paths, diagnostics, files
