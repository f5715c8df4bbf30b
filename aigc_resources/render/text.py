"""Escaping catalog text for Markdown pages that MkDocs turns into HTML.

Entry text is data, never markup. The validator already refuses raw HTML and template syntax,
but the renderer does not rely on it (defence in depth): every value that reaches a page goes
through one of these filters.

* :func:`md_plain` for plain text (titles, names, authors): HTML special characters become
  entities and Markdown punctuation is backslash-escaped, so the text shows exactly as written.
* :func:`md_inline` for descriptions, which may use inline Markdown (emphasis, code spans,
  links): HTML is neutralised outside code spans, and links whose target is not http(s) are
  reduced to their text.

Markdown escapes: CommonMark §2.4 (backslash escapes) and Python-Markdown's ``ESCAPED_CHARS``.
"""

from __future__ import annotations

import html
import json
import re

from ..learning import INLINE_MATH, paragraphs

# Parentheses are left alone: without `[` they make no link, and `\(` would start inline maths
# (pymdownx.arithmatex's round syntax).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~>-])")
# `\(` and `\)` (not preceded by another backslash) mean a literal parenthesis in Markdown, and
# inline maths to arithmatex: entry text is never maths, so they become plain parentheses.
_ESCAPED_PAREN = re.compile(r"(?<!\\)((?:\\\\)*)\\([()])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_GAP = re.compile(f"(?<=[{_CJK}])\\s+(?=[{_CJK}])")


def normalize_space(text: object) -> str:
    """Fold runs of whitespace to one space, and drop the space YAML's folding puts between two
    Chinese characters (a line break inside Chinese text is not a word gap)."""
    return _CJK_GAP.sub("", " ".join(str(text).split()))


def md_plain(text: object) -> str:
    """Escape ``text`` so Markdown renders it literally (no HTML, no emphasis, no links)."""
    escaped = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def html_text(text: object) -> str:
    """Escape ``text`` for a raw HTML block (``<p class=...>``), where Markdown is not processed:
    HTML escaping only (Markdown backslash escapes would show), braces made inert."""
    escaped = html.escape(normalize_space(text), quote=False)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def md_attr(text: object) -> str:
    """Escape ``text`` for an HTML attribute value (MkDocs' templates do not autoescape)."""
    escaped = html.escape(normalize_space(text), quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def unmarkdown(text: object) -> str:
    """Plain text of inline Markdown, for meta descriptions: links become their labels,
    emphasis and code markers are dropped."""
    plain = _LINK.sub(lambda m: m.group(1), normalize_space(text))
    return re.sub(r"(\*\*|__|[*`])", "", plain)


def front_matter_value(text: object) -> str:
    """``text`` as a double-quoted YAML scalar for page front matter, HTML-escaped as by
    :func:`md_attr` (MkDocs puts ``title`` and ``description`` into the page's HTML unescaped).
    JSON string syntax is a subset of YAML's double-quoted style (YAML 1.2 §7.3.1)."""
    return json.dumps(md_attr(text), ensure_ascii=False)


def md_inline(text: object) -> str:
    """Keep inline Markdown in ``text`` but make raw HTML and unsafe links inert.

    Code spans are left untouched (Markdown escapes their content itself); elsewhere ``&``,
    ``<`` and ``>`` become entities. ``[label](target)`` links survive only when ``target`` is an
    absolute http(s) URL; any other link shows its label alone. Line breaks are folded to spaces.
    """
    source = normalize_space(text)
    out: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(source):
        out.append(_inline_outside_code(source[position:match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(_inline_outside_code(source[position:]))
    return "".join(out)


def _inline_outside_code(text: str) -> str:
    text = _ESCAPED_PAREN.sub(r"\1\2", html.escape(text, quote=False))

    def link(match: re.Match[str]) -> str:
        label, target = match.group(1), html.unescape(match.group(2))
        if re.match(r"^https?://[^\s/]+", target, re.I):
            return match.group(0)
        return label

    text = _LINK.sub(link, text)
    # A bare "{{" or "{%" never reaches a template engine here, but keep them inert for any
    # later Markdown extension that might interpret them.
    return text.replace("{", "&#123;").replace("}", "&#125;")


# A full stop ends a sentence unless it closes a common abbreviation (e.g., i.e., etc., vs., et al.).
_SENTENCE_END = re.compile(r"(.+?(?:(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)(?<!\bet al)[.!?](?=\s|$)|[。！？]))")


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of ``text`` (English or Chinese punctuation), cut at ``limit`` characters."""
    flat = normalize_space(text)
    match = _SENTENCE_END.search(flat)
    sentence = match.group(1) if match else flat
    if len(sentence) > limit:
        sentence = sentence[: limit - 1].rstrip() + "…"
    return sentence


def md_math_inline(text: object) -> str:
    """Inline Markdown with ``$...$`` maths (concept pages, paths): each maths span becomes
    ``\\(...\\)``, which ``pymdownx.arithmatex`` keeps verbatim (HTML-escaped) for KaTeX; the
    text between spans goes through :func:`md_inline`, and ``\\$`` shows a dollar sign."""
    source = normalize_space(text)
    out: list[str] = []
    position = 0
    for match in INLINE_MATH.finditer(source):
        out.append(_inline_segment(source[position:match.start()]))
        out.append("\\(" + match.group(1) + "\\)")
        position = match.end()
    out.append(_inline_segment(source[position:]))
    return "".join(out).strip()


def _inline_segment(segment: str) -> str:
    """:func:`md_inline` of the text between two maths spans, keeping the spaces at its edges."""
    if not segment.strip():
        return segment
    lead = " " if segment[0].isspace() else ""
    trail = " " if segment[-1].isspace() else ""
    return lead + md_inline(segment.replace("\\$", "$")) + trail


def md_prose(text: object) -> str:
    """Paragraphs (split at blank lines) of inline Markdown with maths, see :func:`md_math_inline`."""
    return "\n\n".join(md_math_inline(part) for part in paragraphs(str(text)))


def md_display_math(latex: object) -> str:
    """A display formula as an arithmatex block (``\\[`` ... ``\\]`` on lines of their own)."""
    body = "\n".join(line.rstrip() for line in str(latex).strip().splitlines() if line.strip())
    return f"\\[\n{body}\n\\]"
