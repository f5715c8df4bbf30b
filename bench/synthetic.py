"""Synthetic catalogs of any size, for benchmarks and for tests that need many entries.

:func:`write_synthetic_catalog` writes ``n`` valid entry files that use the real taxonomy
(``catalog/taxonomy.yaml``): the same YAML layout, field lengths and mix of types, levels,
topics, modalities and languages as real entries, so loading, validating, rendering and
building cost what they would for a real catalog of that size. Deterministic under ``seed``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
from pathlib import Path

import yaml

from aigc_resources.schema import ENTRY_SCHEMA_COMMENT

#: The taxonomy the synthetic entries use (the project's own).
TAXONOMY = Path(__file__).resolve().parent.parent / "catalog" / "taxonomy.yaml"

_EN_WORDS = ("model", "training", "generation", "sampling", "tutorial", "practical", "notebook",
             "explains", "from scratch", "step by step", "with code", "for beginners", "in depth",
             "benchmark", "open source", "lecture", "dataset", "evaluation", "deployment", "math")
_ZH_WORDS = ("模型", "训练", "生成", "采样", "教程", "实践", "笔记", "讲解", "从零开始", "循序渐进",
             "附代码", "入门", "深入", "评测", "开源", "课程", "数据集", "部署", "数学推导")
_LANGUAGES = (["en"], ["en"], ["en"], ["zh"], ["en", "zh"])
_ACCESS = ("free", "free", "free", "freemium", "paid")


def _sentence(rng: random.Random, words: tuple[str, ...], lead: str, size: int, sep: str) -> str:
    text = lead
    while len(text) < size:
        text += sep + rng.choice(words)
    return text


def synthetic_entries(n: int, *, seed: int = 0, taxonomy_path: Path = TAXONOMY,
                      today: dt.date = dt.date(2026, 11, 29)) -> list[dict]:
    """``n`` entry mappings (``id``, ``type``... as in an entry file), deterministic under ``seed``."""
    taxonomy = yaml.safe_load(taxonomy_path.read_text(encoding="utf-8"))
    rng = random.Random(seed)
    types = [t["id"] for t in taxonomy["types"]]
    levels = [t["id"] for t in taxonomy["levels"]]
    modalities = [t["id"] for t in taxonomy["modalities"]]
    topics = {t["id"]: t for t in taxonomy["topics"]}
    topic_ids = list(topics)
    entries = []
    for index in range(n):
        entry_id = f"synthetic-{index:05d}"
        kind = types[index % len(types)]
        chosen = rng.sample(topic_ids, rng.randint(1, 3))
        first = topics[chosen[0]]
        entry: dict = {
            "id": entry_id,
            "title": f"{first['name']} {rng.choice(_EN_WORDS)} {index}",
            "url": f"https://example.org/{kind}/{entry_id}",
            "type": kind,
            "modalities": rng.sample(modalities, rng.randint(0, 2)),
            "topics": chosen,
            "level": levels[rng.randrange(len(levels))],
            "languages": list(rng.choice(_LANGUAGES)),
            "access": rng.choice(_ACCESS),
        }
        if kind in ("paper", "survey"):
            entry["year"] = rng.randint(1995, today.year)
            entry["authors"] = [f"Author {n}" for n in rng.sample(range(1, 500), 2)]
        entry["description"] = _sentence(rng, _EN_WORDS, f"A {kind} about {first['name'].lower()}:", rng.randint(120, 320), " ")[:400] + "."
        if rng.random() < 0.9:
            entry["description_zh"] = _sentence(rng, _ZH_WORDS, f"关于{first['name_zh']}的{kind}：", rng.randint(40, 120), "，")[:299] + "。"
        entry["added"] = (today - dt.timedelta(days=rng.randint(0, 720))).isoformat()
        entries.append(entry)
    return entries


def entry_yaml(entry: dict) -> str:
    """The YAML text of one entry, in the field order of real entry files (strings quoted)."""
    lines = [ENTRY_SCHEMA_COMMENT]  # the first line of real entry files
    for key, value in entry.items():
        if isinstance(value, list):
            lines.append(f"{key}: [{', '.join(json.dumps(v, ensure_ascii=False) for v in value)}]")
        elif isinstance(value, int):
            lines.append(f"{key}: {value}")
        elif key == "added":
            lines.append(f"{key}: {value}")
        else:
            lines.append(f"{key}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def write_synthetic_catalog(root: Path, n: int, *, seed: int = 0, extra_dirs: tuple[str, ...] = ()) -> Path:
    """Write a catalog of ``n`` synthetic entries under ``root`` (replacing it) and return ``root``.

    The taxonomy is copied from the project; ``extra_dirs`` names sibling folders of
    ``catalog/`` to copy as well (``"concepts"``, ``"paths"``).
    """
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / "resources").mkdir(parents=True)
    shutil.copy(TAXONOMY, root / "taxonomy.yaml")
    for name in extra_dirs:
        source = TAXONOMY.parent / name
        if source.is_dir():
            shutil.copytree(source, root / name)
    for entry in synthetic_entries(n, seed=seed):
        folder = root / "resources" / entry["type"]
        folder.mkdir(exist_ok=True)
        (folder / f"{entry['id']}.yaml").write_text(entry_yaml(entry), encoding="utf-8")
    return root
