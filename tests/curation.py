"""A small catalog that meets every coverage goal, written entry by entry for the tests of
``stats``, ``validate --strict`` and the exporters (helpers, not tests)."""

from __future__ import annotations

from pathlib import Path

from .conftest import make_catalog

#: (id, type, topic, level, languages, year, extra YAML lines)
ENTRIES = [
    ("vaswani-attention", "paper", "transformer", "intermediate", "[en]", 2017,
     'authors: [Ashish Vaswani, Noam Shazeer]\narxiv: "1706.03762"\ntitle_x: Attention Is All You Need'),
    ("transformer-course", "course", "transformer", "beginner", "[en, zh]", 2023, "title_x: Transformers from Zero"),
    ("transformer-lib", "library", "transformer", "advanced", "[en]", 2019, "title_x: Transformer Toolkit"),
    ("bahdanau-alignment", "paper", "attention", "intermediate", "[en]", 2014,
     'authors: [Dzmitry Bahdanau, Kyunghyun Cho, Yoshua Bengio]\narxiv: "1409.0473"\n'
     "title_x: Neural Machine Translation by Jointly Learning to Align and Translate"),
    ("attention-course", "course", "attention", "beginner", "[zh]", 2022, "title_x: 注意力机制入门"),
    ("attention-lib", "library", "attention", "advanced", "[en]", 2021, "title_x: Attention Kernels"),
    ("jegou-diffusion", "paper", "diffusion-models", "advanced", "[en]", 2024,
     "authors: [Hervé Jégou, 王小明, Stability AI]\ntitle_x: \"Diffusion & Noise: 100% of {Everything} in $x_t$ ~ fast\""),
    ("jegou-diffusion-two", "paper", "diffusion-models", "advanced", "[en]", 2024,
     "authors: [Hervé Jégou]\ntitle_x: Diffusion Again, with (parentheses)"),
    ("diffusion-course", "course", "diffusion-models", "beginner", "[en]", 2024, "title_x: Diffusion for Everyone"),
]

COVERAGE = """version: 1
beginner_exempt: {}
min_chinese_entries: 2
recent:
  since: 2024
  min_per_topic: 1
  topics: [diffusion-models]
requirements:
  - {name: paper, types: [paper]}
  - {name: tutorial or course, types: [course]}
concepts:
  - {name: Transformer, topic: transformer}
  - {name: attention, topic: attention}
"""


SCHEMA_COMMENT = "# yaml-language-server: $schema=../../../schema/resource.schema.json"


def entry_text(entry_id: str, entry_type: str, topic: str, level: str, languages: str, year: int, extra: str) -> str:
    title = next(line.split(": ", 1)[1] for line in extra.splitlines() if line.startswith("title_x: "))
    extra = "\n".join(line for line in extra.splitlines() if not line.startswith("title_x: "))
    url = f"https://example.org/{entry_id}" if "arxiv" not in extra else \
        "https://arxiv.org/abs/" + extra.split('arxiv: "')[1].split('"')[0]
    modality = "image" if topic == "diffusion-models" else "text"  # every taxonomy value is used
    return (f"{SCHEMA_COMMENT}\nid: {entry_id}\ntitle: {title}\nurl: {url}\ntype: {entry_type}\n"
            f"modalities: [{modality}]\ntopics: [{topic}]\n"
            f"level: {level}\nlanguages: {languages}\naccess: free\nyear: {year}\n{extra}\n"
            f"description: A test entry about {topic}, written for the curation tests only.\n"
            f"description_zh: 仅用于测试的条目，主题是 {topic}。\nadded: 2026-01-0{1 + len(entry_id) % 9}\n")


def build(root: Path, *, drop: tuple[str, ...] = (), coverage: str | None = COVERAGE,
          replace: dict[str, str] | None = None) -> Path:
    """Write the curation catalog under ``root`` without the entries in ``drop``; ``replace``
    maps ``"old"`` to ``"new"`` text in every entry (to break one goal at a time)."""
    entries = {}
    for entry_id, entry_type, topic, level, languages, year, extra in ENTRIES:
        if entry_id in drop:
            continue
        text = entry_text(entry_id, entry_type, topic, level, languages, year, extra)
        for old, new in (replace or {}).items():
            text = text.replace(old, new)
        entries[f"{entry_type}/{entry_id}.yaml"] = text
    make_catalog(root, entries, good=False)
    if coverage is not None:
        (root / "coverage.yaml").write_text(coverage, encoding="utf-8")
    return root
