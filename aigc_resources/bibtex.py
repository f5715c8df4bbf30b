"""BibTeX for the catalog's papers and surveys: stable citation keys and LaTeX-safe values.

Keys follow the common ``<first author's family name><year><first title word>`` pattern
(``vaswani2017attention``), in ASCII lower case (letters without an ASCII decomposition are
transliterated: ``Øster`` -> ``oster``, ``Straße`` -> ``strasse``). When several entries would
share a key they are ordered by entry id; the first keeps the key and the others get ``b``,
``c``, ... ``z``, ``aa``, ``ab``, ... appended, skipping any suffixed key that is another
entry's own key, so keys are unique, valid and never depend on file order or on the run.

Values: the LaTeX special characters ``\\ { } $ & # ^ _ % ~`` are escaped (The LaTeX Companion,
2nd ed., §7.2); letters with a diacritic that LaTeX has an accent macro for are written as that
macro in braces (``é`` -> ``{\\'e}``, ``ß`` -> ``{\\ss}``), which classic BibTeX sorts and
prints correctly; other characters (Chinese, symbols) are kept as UTF-8, which biber and
``bibtex8``/``bibtexu`` read. Titles are wrapped in an extra pair of braces so styles keep their
capitalisation.

arXiv papers get ``eprint`` and ``archivePrefix = {arXiv}`` (the fields biblatex and the arXiv
BibTeX export use). ``primaryClass`` is written only when known; the catalog does not record
arXiv categories, so it is not invented.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

from .schema import Resource

#: Entry types exported as BibTeX.
BIBTEX_TYPES = ("paper", "survey")
#: Words skipped when choosing the title word of a key.
STOPWORDS = frozenset("a an the on of in for and to with from by at is are via towards toward".split())

_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
}
#: Combining marks (after NFD decomposition) -> LaTeX accent commands.
_ACCENTS = {
    "\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
    "\u0306": "u", "\u0307": ".", "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0327": "c", "\u0328": "k",
}
_LETTERS = {"ß": r"\ss", "ø": r"\o", "Ø": r"\O", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE",
            "ł": r"\l", "Ł": r"\L", "ı": r"\i", "å": r"\aa", "Å": r"\AA"}
_DASHES = {"\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201c": "``", "\u201d": "''",
           "\u00a0": "~"}


def latex_escape(text: str) -> str:
    """``text`` as a BibTeX field value: LaTeX specials escaped, accented Latin letters as
    accent macros, typographic dashes and quotes as their TeX ligatures, the rest unchanged."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in _SPECIALS:
            out.append(_SPECIALS[char])
        elif char in _LETTERS:
            out.append("{" + _LETTERS[char] + "}")
        elif char in _DASHES:
            out.append(_DASHES[char])
        elif ord(char) < 128:
            out.append(char)
        else:
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[0], decomposed[1:]
            if base.isascii() and marks and all(m in _ACCENTS for m in marks):
                macro = base if base not in "ij" else "\\" + base  # dotless i/j under accents
                for mark in marks:
                    command = _ACCENTS[mark]
                    sep = " " if command.isalpha() else ""
                    macro = f"\\{command}{sep}{macro}"
                out.append("{" + macro + "}")
            else:
                out.append(char)
    return "".join(out)


#: Letters that NFKD does not reduce to ASCII, and their usual transliteration in keys.
_TRANSLITERATIONS = str.maketrans({"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE",
                                   "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th",
                                   "Þ": "Th", "ı": "i"})


def _ascii_words(text: str) -> list[str]:
    ascii_text = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATIONS)).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


#: Words that mark an author as an organisation (``Stability AI``, ``Qwen Team``, ``Google Research``).
ORGANISATION_WORDS = frozenset("ai team lab labs research inc inc. group institute university deepmind openai "
                               "google meta microsoft nvidia anthropic".split())


def is_organisation(author: str) -> bool:
    """True when ``author`` looks like an organisation rather than a person (a heuristic:
    a word of :data:`ORGANISATION_WORDS`, or a single word)."""
    words = author.lower().split()
    return len(words) <= 1 or any(w in ORGANISATION_WORDS for w in words)


def family_name(author: str) -> str:
    """The family name of ``"Given Family"`` or ``"Family, Given"``; an organisation's first word."""
    author = author.strip()
    if "," in author:
        return author.split(",", 1)[0].strip()
    parts = author.split()
    if not parts:
        return author
    return parts[0] if is_organisation(author) else parts[-1]


def bibtex_name(author: str) -> str:
    """An author for the ``author`` field: organisations braced so BibTeX keeps them whole, and so
    is any name holding the word ``and`` (BibTeX splits the field on it: *Tame the BeaST* §4)."""
    escaped = latex_escape(author)
    whole = (is_organisation(author) and " " in author) or re.search(r"\band\b", author, re.I)
    return "{" + escaped + "}" if whole else escaped


def base_key(resource: Resource) -> str:
    """``<family name><year><title word>`` in ASCII lower case, before disambiguation."""
    name = ""
    if resource.authors:
        words = _ascii_words(family_name(resource.authors[0]))
        name = "".join(words)
    if not name:
        name = resource.id.split("-")[0]
    title_words = [w for w in _ascii_words(resource.title) if w not in STOPWORDS] or _ascii_words(resource.id)
    return f"{name}{resource.year or ''}{title_words[0] if title_words else ''}"


def key_suffix(index: int) -> str:
    """Letters for the ``index``-th entry sharing a key (1 -> ``b``, 25 -> ``z``, 26 -> ``aa``,
    27 -> ``ab``, ...): bijective base 26, so every index has its own suffix."""
    letters = ""
    while index >= 0:
        letters = chr(ord("a") + index % 26) + letters
        index = index // 26 - 1
    return letters


def citation_keys(resources: list[Resource]) -> dict[str, str]:
    """Entry id -> citation key for every resource, unique and independent of input order.

    Raises:
        ValueError: two resources have the same id (keys are per id).
    """
    groups: dict[str, list[str]] = defaultdict(list)
    for resource in resources:
        groups[base_key(resource)].append(resource.id)
    taken = set(groups)  # a suffixed key must not be another group's own key
    keys: dict[str, str] = {}
    for key in sorted(groups):
        ids = sorted(groups[key])
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate entry id among {ids}")
        keys[ids[0]] = key
        index = 0
        for entry_id in ids[1:]:
            index += 1
            while f"{key}{key_suffix(index)}" in taken:
                index += 1
            keys[entry_id] = f"{key}{key_suffix(index)}"
            taken.add(keys[entry_id])
    return keys


def bibtex_url(url: str) -> str:
    """``url`` for a ``url`` field or ``\\url{}``: braces and backslashes, which would unbalance
    or escape the BibTeX value, percent-encoded (RFC 3986 §2.1: they are not URL characters, so
    the encoded URL is the same address); ``%`` and ``#`` escaped for LaTeX."""
    url = url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
    return url.replace("%", r"\%").replace("#", r"\#")


def bibtex_entry(resource: Resource, key: str) -> str:
    """One ``@misc`` entry (papers have no venue field in the catalog, so ``@misc`` is the
    honest type), fields in a fixed order."""
    fields: list[tuple[str, str]] = [("title", "{" + latex_escape(resource.title) + "}")]
    if resource.authors:
        fields.append(("author", " and ".join(bibtex_name(a) for a in resource.authors)))
    if resource.year is not None:
        fields.append(("year", str(resource.year)))
    if resource.arxiv:
        fields += [("eprint", resource.arxiv), ("archivePrefix", "arXiv")]
    fields.append(("url", bibtex_url(resource.url)))
    if resource.links and resource.links.code:
        fields.append(("note", "Code: \\url{" + bibtex_url(resource.links.code) + "}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def catalog_to_bibtex(resources: list[Resource]) -> str:
    """BibTeX for the papers and surveys among ``resources``, sorted by citation key."""
    papers = [r for r in resources if r.type in BIBTEX_TYPES]
    keys = citation_keys(papers)
    ordered = sorted(papers, key=lambda r: keys[r.id])
    header = "% BibTeX of the aigc-resources catalog: papers and surveys. Generated; do not edit.\n\n"
    return header + "\n".join(bibtex_entry(r, keys[r.id]) for r in ordered)
