"""Map the headings and badges of an imported list onto taxonomy values.

Each taxonomy term lists ``aliases`` (``catalog/taxonomy.yaml``): other names the importer
recognises. A heading is cut into candidate phrases (the whole heading; its bilingual halves,
``微调 Fine-Tuning``; the words in and outside parentheses, ``Retrieval-Augmented Generation
(RAG)``; the parts of ``X and Y``, ``X, Y``, ``X / Y``, ``X、Y``), and each phrase is compared
whole, case- and punctuation-insensitively, with the ids, names, Chinese names and aliases of
every term. Phrases are never matched inside longer words or titles: ``Awesome AIGC Tutorials``
does not make every item a tutorial.

Precedence: a phrase that names a modality or a topic is not also read as a type, because
headings group by subject far more often than by format (``## Video`` lists video tools, not
lectures; ``## Evaluation`` lists evaluation tools, not benchmarks). Badges work the other way:
a ``视频``/``Video`` badge under an item names its format.

:data:`HEADING_MAP` is the small table for headings of the corpus lists that no alias covers
or that the rules above would read wrongly. Its keys are normalised with :func:`phrase_key`;
values name taxonomy ids, and ids the taxonomy lacks are ignored (a test checks that every id
exists in the project's taxonomy). Source: ``shared/research/taxonomy.md`` §5.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..schema import Taxonomy

_CJK = r"\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_SPLIT = re.compile(r"\s+(?:and|&|or)\s+|\s*[,/、，;；]\s*", re.I)
_PARENS = re.compile(r"[（(]([^()（）]*)[)）]")
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVX]+\.)\s+")
_PREFIXES = re.compile(r"^(?:inbox|interesting)\s*:?\s+", re.I)


def phrase_key(text: str) -> str:
    """Normalise a phrase for comparison: NFKC, lower case, symbols and emoji removed,
    ``-``/``_``/``.`` read as spaces, whitespace folded. ``Text-to-Speech`` -> ``text to speech``."""
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for char in text:
        category = unicodedata.category(char)
        if char in "-_.:'’" or category.startswith("Z"):
            out.append(" ")
        elif category[0] in "LN" or char == "+":
            out.append(char)
        elif category[0] == "P":
            out.append(" ")
        # symbols (emoji, marks, variation selectors, ZWJ) are dropped
    return " ".join("".join(out).split())


@dataclass(frozen=True)
class Match:
    """Taxonomy values read from one heading or badge: ids per axis, in first-seen order."""

    types: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.types or self.modalities or self.topics or self.levels)


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


#: Headings of the corpus lists that the aliases do not cover, or would read wrongly.
#: Key: the heading (any case and punctuation; see :func:`phrase_key`); value: taxonomy ids by
#: axis. An entry replaces alias matching for that heading.
HEADING_MAP: dict[str, dict[str, tuple[str, ...]]] = {
    # steven2358/awesome-generative-ai
    "Milestones": {"types": ("article",)},
    "Chatbots": {"types": ("service",), "topics": ("large-language-models",)},
    "Custom interfaces": {"types": ("tool",), "topics": ("large-language-models",)},
    "Search engines": {"types": ("service",), "topics": ("rag",)},
    "Local search engines": {"types": ("tool",), "topics": ("rag",)},
    "Writing assistants": {"types": ("service",)},
    "ChatGPT extensions": {"types": ("tool",)},
    "Productivity": {"types": ("service",)},
    "Meeting assistants": {"types": ("service",), "modalities": ("speech",), "topics": ("speech-recognition",)},
    "Academia": {"types": ("service",)},
    "Other text generators": {"types": ("service",)},
    "Coding Assistants": {"types": ("tool",), "modalities": ("code",)},
    "Playgrounds": {"types": ("service",)},
    "Local LLM Deployment": {"types": ("tool",), "topics": ("inference-deployment",)},
    "Custom assistants": {"types": ("service",), "topics": ("agents",)},
    "Graphic design": {"types": ("service",), "modalities": ("image",)},
    "Image libraries": {"types": ("library",), "modalities": ("image",)},
    "Model libraries": {"types": ("service",)},
    "Stable Diffusion resources": {"topics": ("diffusion-models", "text-to-image"), "modalities": ("image",)},
    "Avatars": {"types": ("service",), "modalities": ("video",)},
    "Text-to-speech": {"modalities": ("speech",), "topics": ("text-to-speech",)},
    "Speech-to-text": {"modalities": ("speech",), "topics": ("speech-recognition",)},
    "Lists on ChatGPT": {"types": ("list",), "topics": ("large-language-models",)},
    # filipecalegario/awesome-generative-ai
    "Generative AI history, timelines, maps, and definitions": {"types": ("article",)},
    "Ethics, Philosophical questions and Discussions about Generative AI": {"topics": ("ai-safety-ethics",)},
    "Critical Views about Generative AI": {"topics": ("ai-safety-ethics",)},
    "Generative AI Tools Directories": {"types": ("list",)},
    "Online Tools and Applications": {"types": ("service",)},
    "Vibe Coding": {"modalities": ("code",), "topics": ("agents",)},
    "AI-Powered Code Generation": {"modalities": ("code",)},
    "Small Language Models": {"modalities": ("text",), "topics": ("large-language-models",)},
    "Model Context Protocol": {"topics": ("agents",)},
    "Programming Frameworks for LLMs": {"types": ("library",), "topics": ("large-language-models",)},
    "Prompt Optimizers": {"topics": ("prompt-engineering",)},
    "Prompt Engineering for Text-to-text": {"topics": ("prompt-engineering",), "modalities": ("text",)},
    "Prompt Engineering for Text-to-image": {"topics": ("prompt-engineering", "text-to-image"), "modalities": ("image",)},
    "Running LLMs Locally": {"topics": ("inference-deployment",)},
    "GPTs and Assistant API": {"topics": ("agents",)},
    "Embeddings and Semantic Search": {"topics": ("embeddings", "rag")},
    "Autonomous LLM Agents": {"topics": ("agents",)},
    "Multi-agents": {"topics": ("agents",)},
    "LLMOps": {"topics": ("inference-deployment",)},
    "Attacks on LLMs": {"topics": ("ai-safety-ethics",)},
    "LangChain": {"topics": ("rag", "agents")},
    "Image Synthesis": {"modalities": ("image",), "topics": ("text-to-image",)},
    "Stable Diffusion Deployed Web Tools": {"types": ("service",), "topics": ("diffusion-models",)},
    "Web UI for Stable Diffusion via Google Colab": {"types": ("tutorial",), "topics": ("diffusion-models",)},
    "References Collection about Stable Diffusion": {"topics": ("diffusion-models",)},
    "ControlNet": {"modalities": ("image",), "topics": ("diffusion-models", "text-to-image")},
    "Textual Inversion": {"modalities": ("image",), "topics": ("diffusion-models", "fine-tuning")},
    "DreamBooth": {"modalities": ("image",), "topics": ("diffusion-models", "fine-tuning")},
    "Deforum": {"modalities": ("video",), "topics": ("diffusion-models",)},
    "Text-to-speech (TTS) and avatars": {"modalities": ("speech",), "topics": ("text-to-speech",)},
    "Speech-to-text (STT) and spoken content analysis": {"modalities": ("speech",), "topics": ("speech-recognition",)},
    "Podcast generators": {"types": ("service",), "modalities": ("speech",), "topics": ("text-to-speech",)},
    "Multimodal Embedding Space": {"modalities": ("multimodal",), "topics": ("multimodal-learning", "embeddings")},
    "Interesting Youtube Channels": {"types": ("video",)},
    "Interesting GitHub Repositories": {"types": ("library",)},
    "Related Awesome Lists": {"types": ("list",)},
    "Roadmaps, Tracks, Rails": {"types": ("tutorial",)},
    # luban-agi/Awesome-AIGC-Tutorials (Chinese edition)
    "入门": {"topics": ("machine-learning-basics",)},
    "大语言模型实践": {"topics": ("large-language-models",)},
    "大语言模型理论": {"topics": ("large-language-models",)},
    "艺术基础与AI绘画技巧": {"modalities": ("image",), "topics": ("text-to-image",)},
    "Stable Diffusion原理与应用": {"modalities": ("image",), "topics": ("diffusion-models", "text-to-image")},
    "深度学习": {"topics": ("deep-learning-basics",)},
    "AI系统": {"topics": ("inference-deployment",)},
    "友情链接": {"types": ("list",)},
    # WangRongsheng/awesome-LLM-resourses
    "数据 Data": {"types": ("library",), "topics": ("pre-training",)},
    "推理 Inference": {"types": ("library",), "topics": ("inference-deployment",)},
    "评估 Evaluation": {"types": ("library",), "topics": ("evaluation",)},
    "体验 Usage": {"types": ("service",), "topics": ("human-evaluation",)},
    "代码 Coding": {"types": ("tool",), "modalities": ("code",)},
    "视频 Video": {"modalities": ("video",), "topics": ("text-to-video",)},
    "训练": {"types": ("library",), "topics": ("fine-tuning",)},
    "搜索 Search": {"types": ("tool",), "topics": ("rag",)},
    "MCP": {"topics": ("agents",)},
    "Open o1": {"topics": ("large-language-models", "rlhf")},
    "Small Language Model": {"topics": ("large-language-models", "pre-training")},
    "Small Vision Language Model": {"modalities": ("multimodal",), "topics": ("multimodal-learning",)},
    "Tips": {"types": ("article",)},
    # mlabonne/llm-course
    "Notebooks": {"types": ("tutorial",), "topics": ("large-language-models",)},
    "Mathematics for Machine Learning": {"topics": ("machine-learning-basics",)},
    "Python for Machine Learning": {"topics": ("machine-learning-basics",)},
    "Natural Language Processing (NLP)": {"modalities": ("text",), "topics": ("embeddings",)},
    "The LLM Architecture": {"topics": ("transformer", "large-language-models")},
    "Pre-Training Models": {"topics": ("pre-training",)},
    "Post-Training Datasets": {"topics": ("fine-tuning",)},
    "Supervised Fine-Tuning": {"topics": ("fine-tuning",)},
    "Running LLMs": {"topics": ("inference-deployment", "prompt-engineering")},
    "Building a Vector Storage": {"topics": ("rag", "embeddings")},
    "Retrieval Augmented Generation": {"topics": ("rag",)},
    "Advanced RAG": {"topics": ("rag",)},
    "Inference optimization": {"topics": ("inference-deployment",)},
    "Deploying LLMs": {"topics": ("inference-deployment",)},
    "Securing LLMs": {"topics": ("ai-safety-ethics",)},
    "Evaluation": {"topics": ("evaluation",)},
    "Tools": {"types": ("tool",)},
}

#: Badge messages that name a format our taxonomy spells differently (luban-agi's ``Notebook``).
BADGE_MAP: dict[str, dict[str, tuple[str, ...]]] = {
    "Notebook": {"types": ("tutorial",)},
}


@dataclass
class TaxonomyMatcher:
    """Phrase index over a taxonomy, for headings and badges.

    ``index`` maps a :func:`phrase_key` to ``{axis: [ids]}`` built from every term's id, name,
    Chinese name and aliases; :data:`HEADING_MAP` and :data:`BADGE_MAP` entries whose ids the
    taxonomy lacks are dropped.
    """

    taxonomy: Taxonomy
    index: dict[str, dict[str, list[str]]] = field(init=False)
    heading_map: dict[str, Match] = field(init=False)
    badge_map: dict[str, Match] = field(init=False)

    AXES = {"types": "types", "modalities": "modalities", "topics": "topics", "levels": "levels"}

    def __post_init__(self) -> None:
        self.index = {}
        for axis in self.AXES:
            for term in getattr(self.taxonomy, axis):
                for name in (term.id, term.name, term.name_zh, *term.aliases):
                    key = phrase_key(name)
                    if key:
                        ids = self.index.setdefault(key, {}).setdefault(axis, [])
                        if term.id not in ids:
                            ids.append(term.id)
        self.heading_map = {phrase_key(k): self._known(v) for k, v in HEADING_MAP.items()}
        self.badge_map = {phrase_key(k): self._known(v) for k, v in BADGE_MAP.items()}

    def _known(self, values: dict[str, tuple[str, ...]]) -> Match:
        known = {axis: {t.id for t in getattr(self.taxonomy, axis)} for axis in self.AXES}
        return Match(**{axis: tuple(i for i in ids if i in known[axis]) for axis, ids in values.items()})

    def heading(self, text: str) -> Match:
        """Taxonomy values named by one heading (see the module docstring for the rules)."""
        cleaned = _PREFIXES.sub("", _NUMBERING.sub("", text)).strip()
        for key in (phrase_key(text), phrase_key(cleaned)):
            if key in self.heading_map:
                return self.heading_map[key]
        found: dict[str, list[str]] = {axis: [] for axis in self.AXES}
        for phrase in candidate_phrases(cleaned):
            hit = self.index.get(phrase_key(phrase), {})
            subject = bool(hit.get("modalities") or hit.get("topics"))
            for axis, ids in hit.items():
                if axis == "types" and subject:
                    continue
                if axis == "levels":
                    continue  # a heading named "Advanced" is a section, not a level claim
                found[axis] += ids
        return Match(**{axis: _unique(ids) for axis, ids in found.items()})

    def badge(self, label: str | None, message: str) -> Match:
        """Taxonomy values named by a badge: ``Level-简单`` -> level ``beginner``;
        ``视频`` / ``Video`` -> type ``video``; ``书籍`` / ``Book`` -> type ``book``."""
        key = phrase_key(message)
        if key in self.badge_map:
            return self.badge_map[key]
        hit = self.index.get(key, {})
        if label and phrase_key(label) in ("level", "difficulty", "难度"):
            return Match(levels=tuple(hit.get("levels", ())))
        if label is None:
            return Match(types=tuple(hit.get("types", ())))
        return Match()


def candidate_phrases(text: str) -> list[str]:
    """The phrases a heading is cut into, the whole heading first (see module docstring)."""
    text = " ".join(text.split())
    phrases = [text]
    inside = _PARENS.findall(text)
    outside = " ".join(_PARENS.sub(" ", text).split())
    phrases += inside + [outside]
    # Bilingual headings: "微调 Fine-Tuning" -> "微调", "Fine-Tuning".
    cjk = _CJK_RUN.findall(outside)
    if cjk:
        latin = " ".join(_CJK_RUN.sub(" ", outside).split())
        phrases += cjk + ([latin] if latin else [])
    for phrase in list(phrases):
        parts = [p.strip() for p in _SPLIT.split(phrase) if p and p.strip()]
        if len(parts) > 1:
            phrases += parts
    return list(dict.fromkeys(p for p in phrases if p))
