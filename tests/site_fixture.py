"""A small but complete site for build and browser tests: the real taxonomy and concepts,
synthetic entries, named entries the tests look for, a learning path, fake link health and a
fake demo, and one entry whose text carries markup injected past the validator.

The catalog is written as YAML and loaded with load_catalog (so it is valid as files), then
the markup is injected into the loaded entry, as an attacker who got past review would.
"""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

from aigc_resources.catalog import Catalog, load_catalog
from aigc_resources.render.extras import DemoRef, SiteExtras
from bench.synthetic import entry_yaml, synthetic_entries

from .conftest import PROJECT_ROOT

TODAY = dt.date(2026, 11, 29)
#: Markup that must show as text and never run (the description of XSS_ENTRY).
XSS_TEXT = 'Watch out: <img src=x onerror="window.__xss=1"> and <script>window.__xss=2</script> are text here.'
XSS_TEXT_ZH = '注意：<img src=x onerror="window.__xss=3"> 和 <script>window.__xss=4</script> 在这里只是文字。'
XSS_ENTRY = "markup-in-description"
DIFFUSION_ENTRIES = ("diffusion-from-scratch-course", "denoising-diffusion-paper")
SYNTHETIC_COUNT = 40

NAMED = {
    "course/diffusion-from-scratch-course.yaml": """\
        id: diffusion-from-scratch-course
        title: Diffusion From Scratch
        title_zh: 从零实现扩散模型
        url: https://example.org/course/diffusion-from-scratch
        type: course
        modalities: [image]
        topics: [diffusion-models, text-to-image]
        level: beginner
        languages: [en, zh]
        access: free
        description: >-
          A hands-on course that builds a small diffusion model step by step, from adding noise to
          sampling images, with notebooks that run on a laptop.
        description_zh: >-
          一门动手课程，一步步实现一个小型扩散模型，从加噪讲到采样生成图像，配套笔记本可在笔记本电脑上运行。
        added: 2026-11-20
        """,
    "paper/denoising-diffusion-paper.yaml": """\
        id: denoising-diffusion-paper
        title: Denoising Diffusion Probabilistic Models (fixture)
        url: https://example.org/paper/denoising-diffusion
        type: paper
        modalities: [image]
        topics: [diffusion-models]
        level: advanced
        languages: [en]
        access: free
        year: 2020
        description: >-
          The paper whose simple noise-prediction loss made diffusion models produce high-quality
          images.
        description_zh: >-
          这篇论文提出了简单的噪声预测损失，让扩散模型能够生成高质量图像。
        added: 2026-11-21
        """,
    f"tutorial/{XSS_ENTRY}.yaml": """\
        id: markup-in-description
        title: Markup In Description
        url: https://example.org/tutorial/markup
        type: tutorial
        topics: [prompt-engineering]
        level: beginner
        languages: [en]
        access: free
        description: >-
          This description is replaced by markup after loading, to test that the site escapes it.
        description_zh: >-
          加载后这段简介会被替换成标记，用来检验网站是否转义。
        added: 2026-11-22
        """,
    "tool/no-chinese-tool.yaml": """\
        id: no-chinese-tool
        title: Tool Without Chinese Text
        url: https://example.org/tool/no-chinese
        type: tool
        topics: [inference-deployment]
        level: beginner
        languages: [en]
        access: free
        description: >-
          A tool whose entry has no Chinese description yet, so the Chinese site shows this text.
        added: 2026-11-23
        """,
}

PATH = """\
    id: fixture-path
    title: Fixture path
    title_zh: 测试路径
    level: beginner
    summary: A short path through the fixture catalog, for the browser tests.
    summary_zh: 一条穿过测试目录的短路径，供浏览器测试使用。
    steps:
      - concept: diffusion-models
        why: Start with the idea before the course that implements it.
        why_zh: 先理解概念，再学实现它的课程。
      - entry: diffusion-from-scratch-course
        why: Build the model yourself, step by step.
        why_zh: 一步步亲手实现模型。
      - entry: denoising-diffusion-paper
        why: Then read the paper behind the loss you implemented.
        why_zh: 再读你实现的损失函数背后的论文。
    """


@dataclass(frozen=True)
class FakeHealth:
    """A link-health record as the link checker's history gives it (see extras.LinkHealthRecord)."""

    status: str
    http_status: int | None
    last_checked: float | None
    broken_since: float | None = None
    final_url: str | None = None


def write_site_catalog(root: Path) -> Path:
    """Write the fixture catalog under ``root`` and return it."""
    if root.exists():
        shutil.rmtree(root)
    (root / "resources").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "catalog" / "taxonomy.yaml", root / "taxonomy.yaml")
    shutil.copytree(PROJECT_ROOT / "catalog" / "concepts", root / "concepts")
    (root / "paths").mkdir()
    (root / "paths" / "fixture-path.yaml").write_text(textwrap.dedent(PATH), encoding="utf-8")
    for entry in synthetic_entries(SYNTHETIC_COUNT, seed=7, today=TODAY):
        folder = root / "resources" / entry["type"]
        folder.mkdir(exist_ok=True)
        (folder / f"{entry['id']}.yaml").write_text(entry_yaml(entry), encoding="utf-8")
    for rel, text in NAMED.items():
        target = root / "resources" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def load_site_catalog(root: Path) -> Catalog:
    """Load the fixture catalog (it must be valid) and inject the markup into XSS_ENTRY."""
    report = load_catalog(root, today=TODAY)
    errors = [d.format() for d in report.diagnostics if d.severity.value == "error"]
    assert not errors, errors
    catalog = report.catalog
    entry = catalog.get(XSS_ENTRY)
    object.__setattr__(entry, "resource", entry.resource.model_copy(update={
        "title": "Markup <b>In</b> Description",
        "description": XSS_TEXT,
        "description_zh": XSS_TEXT_ZH,
    }))
    return catalog


def tiny_png() -> bytes:
    """A valid 2x2 PNG (PNG spec: signature, IHDR, IDAT with zlib data, IEND)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x3f\x51\xb5" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def fake_extras(catalog: Catalog) -> SiteExtras:
    """Link health for a few entries and one demo page, as the lead will wire the real ones."""
    day = dt.datetime(2026, 11, 28, 12, tzinfo=dt.timezone.utc).timestamp()
    week_ago = day - 7 * 86400
    health = {
        catalog.get("diffusion-from-scratch-course").resource.url: FakeHealth("ok", 200, day),
        catalog.get("denoising-diffusion-paper").resource.url: FakeHealth("broken", 404, day, broken_since=week_ago),
        catalog.get("no-chinese-tool").resource.url: FakeHealth("redirected", 200, day,
                                                                final_url="https://example.org/tool/moved"),
        catalog.get("synthetic-00000").resource.url: FakeHealth("blocked", 403, day),
    }
    # As render_demo_pages writes them: a $$ formula block and a figure next to the page.
    formula = "$$\nP(w_n \\mid w_{n-1}) = \\frac{C(w_{n-1}, w_n)}{C(w_{n-1})}\n$$\n"
    pages = {
        "en": {"demos/index.md": "# Demos\n\n- [N-gram demo](ngram.md)\n",
               "demos/ngram.md": f"# N-gram demo\n\nCounts and a formula:\n\n{formula}\n![Counts](ngram/counts.png)\n"},
        "zh": {"demos/index.md": "# 演示\n\n- [N-gram 演示](ngram.md)\n",
               "demos/ngram.md": f"# N-gram 演示\n\n计数与公式：\n\n{formula}\n![计数](ngram/counts.png)\n"},
    }
    for lang in pages:
        pages[lang]["demos/ngram/counts.png"] = tiny_png()
    return SiteExtras(
        link_health=health,
        demos={"ngram-language-model": [DemoRef("demos/ngram.md", "N-gram demo", "N-gram 演示")]},
        pages=lambda lang: pages[lang],
        nav=[("Demos", "演示", ["demos/index.md", "demos/ngram.md"])],
    )
