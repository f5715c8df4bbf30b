"""Inline Markdown of entry descriptions rendered straight to safe HTML.

Entry pages and entry lists are written as HTML by the renderer (see ``prerendered.py``): at
10,000 entries, running Python-Markdown on every one of them was the largest cost of a build.
Descriptions are one paragraph of inline Markdown (the validator refuses block syntax and raw
HTML), so this module renders the inline constructs they may use, following CommonMark's
spans (spec 0.31, §6): backslash escapes, code spans, links, strong and emphasis. Everything
else is text. All text is HTML-escaped first; link targets other than absolute http(s) URLs
are dropped (the label stays), as :func:`aigc_resources.render.text.md_inline` does.
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from .text import normalize_space

_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
# Link targets may hold one level of balanced parentheses, as CommonMark allows (§6.3).
_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)(?:\s+\"[^\"]*\")?\s*\)")
_STRONG_STAR = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
# Underscores only delimit at word boundaries (CommonMark §6.2, rules 2 and 6): snake_case and
# __dunder__ inside words stay text.
_STRONG_UNDERSCORE = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_ESCAPABLE = "\\`*_{}[]()#+-.!|~>"
_SAFE_URL = re.compile(r"^https?://[^\s/]+", re.I)


def _placeholder(index: int) -> str:
    return f"\x00{index}\x00"


def inline_html(text: object) -> Markup:
    """Render one paragraph of inline Markdown to HTML that is safe to insert in a page."""
    source = normalize_space(text)
    stash: list[str] = []

    def keep(fragment: str) -> str:
        stash.append(fragment)
        return _placeholder(len(stash) - 1)

    # Backslash escapes first, so an escaped character never starts a construct.
    source = re.sub(r"\\([" + re.escape(_ESCAPABLE) + "])", lambda m: keep(html.escape(m.group(1))), source)
    source = _CODE.sub(lambda m: keep(f"<code>{html.escape(m.group(2).strip())}</code>"), source)

    def link(match: re.Match[str]) -> str:
        label, target = match.group(1), html.unescape(match.group(2))
        inner = _emphasis(html.escape(label, quote=False))
        if _SAFE_URL.match(target):
            return keep(f'<a href="{html.escape(target, quote=True)}">{inner}</a>')
        return keep(inner)

    source = _LINK.sub(link, source)
    out = _emphasis(html.escape(source, quote=False))
    out = out.replace("{", "&#123;").replace("}", "&#125;")
    while "\x00" in out:
        out = re.sub(r"\x00(\d+)\x00", lambda m: stash[int(m.group(1))], out)
    return Markup(out)


def _emphasis(text: str) -> str:
    text = _STRONG_STAR.sub(lambda m: f"<strong>{m.group(1)}</strong>", text)
    text = _STRONG_UNDERSCORE.sub(lambda m: f"<strong>{m.group(1)}</strong>", text)
    text = _EM_STAR.sub(lambda m: f"<em>{m.group(1)}</em>", text)
    return _EM_UNDERSCORE.sub(lambda m: f"<em>{m.group(1)}</em>", text)
