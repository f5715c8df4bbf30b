"""Concept files and learning paths: loaded by load_catalog, every problem located."""

from __future__ import annotations

import datetime as dt
import shutil
import textwrap

import pytest

from aigc_resources.catalog import load_catalog
from aigc_resources.diagnostics import RULES
from aigc_resources.learning import math_problems, paragraphs

from .conftest import PROJECT_ROOT

TODAY = dt.date(2026, 11, 29)

EXPLANATION = ("Attention lets each position of a sequence look at every other position and take a weighted "
               "average of what it finds there. The weights come from comparing a query with keys, "
               "$\\alpha_{ij} = \\mathrm{softmax}_j(q_i \\cdot k_j)$, so relevant positions count more.\n\n"
               "It replaced the fixed-size bottleneck of recurrent encoders and is the core of the Transformer.")
EXPLANATION_ZH = ("注意力让序列中的每个位置都能查看所有其他位置，并按相关程度加权平均。权重来自查询与键的比较，"
                  "相关的位置权重更大。它取代了循环编码器的定长瓶颈，是 Transformer 的核心部件，也是今天大语言模型的基础。")

GOOD_CONCEPT = f"""\
id: attention
explanation: {EXPLANATION!r}
explanation_zh: {EXPLANATION_ZH}
prerequisites: [transformer]
formulas:
  - latex: '\\mathrm{{Attention}}(Q,K,V) = \\mathrm{{softmax}}\\left(\\frac{{QK^\\top}}{{\\sqrt{{d_k}}}}\\right)V'
    caption: Scaled dot-product attention; $d_k$ is the key dimension.
    caption_zh: 缩放点积注意力，$d_k$ 为键向量的维度。
    source: Vaswani et al. 2017, Eq. 1
"""

GOOD_PATH = """\
id: start
title: Start here
title_zh: 从这里开始
summary: A first route through the fixture catalog for a newcomer.
summary_zh: 面向新手的第一条学习路线，从注意力讲到代码。
level: beginner
steps:
  - concept: attention
    why: Attention is the idea every later step builds on.
    why_zh: 后面的每一步都建立在注意力之上。
  - entry: transformer-paper
    why: The paper shows attention at work in a whole model.
    why_zh: 这篇论文展示了注意力在完整模型中的作用。
  - entry: tiny-lib
    why: A small library to try the idea in code.
    why_zh: 用一个小库在代码里试一试。
"""


def write(root, rel, text):
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def catalog_root(tmp_catalog):
    root = tmp_catalog()
    write(root, "concepts/attention.yaml", GOOD_CONCEPT)
    write(root, "paths/start.yaml", GOOD_PATH)
    return root


def codes_for(report, name):
    return [(d.code, d.line, d.field) for d in report.diagnostics if d.path.endswith(name)]


def test_good_concept_and_path_load(catalog_root):
    report = load_catalog(catalog_root, today=TODAY)
    assert not report.failed()
    catalog = report.catalog
    assert set(catalog.concepts) == {"attention"}
    assert catalog.concepts["attention"].formulas[0].source == "Vaswani et al. 2017, Eq. 1"
    assert [p.id for p in catalog.paths] == ["start"]
    assert [s.target for s in catalog.paths[0].steps] == [
        ("concept", "attention"), ("entry", "transformer-paper"), ("entry", "tiny-lib")]
    missing = {d.field for d in report.diagnostics if d.code == "W-CONCEPT-MISSING"}
    assert missing == {"topics[0]", "topics[2]"}  # transformer and diffusion-models have no concept
    shutil.rmtree(catalog_root / "concepts")  # no concepts/ folder: the catalog has no concept pages
    assert not any(d.code == "W-CONCEPT-MISSING" for d in load_catalog(catalog_root, today=TODAY).diagnostics)
    assert report.files == 6


def test_path_steps_must_resolve(catalog_root):
    write(catalog_root, "paths/start.yaml", GOOD_PATH.replace("entry: tiny-lib", "entry: tiny-libb")
          .replace("concept: attention", "concept: atention"))
    report = load_catalog(catalog_root, today=TODAY)
    found = codes_for(report, "start.yaml")
    assert ("E-PATH-ENTRY-UNKNOWN", 14, "steps[2].entry") in found
    assert ("E-CONCEPT-TOPIC", 8, "steps[0].concept") in found
    hints = [d.hint for d in report.diagnostics if d.code == "E-PATH-ENTRY-UNKNOWN"]
    assert hints == ["did you mean `tiny-lib`?"]
    assert report.failed() and report.catalog.paths == []


def test_path_step_needs_exactly_one_target(catalog_root):
    text = GOOD_PATH.replace("  - entry: transformer-paper\n", "  - entry: transformer-paper\n    concept: attention\n")
    text = text.replace("  - entry: tiny-lib\n", "  - concept: attention\n")
    write(catalog_root, "paths/start.yaml", text)
    report = load_catalog(catalog_root, today=TODAY)
    found = codes_for(report, "start.yaml")
    assert ("E-PATH-STEP-TARGET", 11, "steps[1]") in found
    assert ("W-PATH-REPEATED-STEP", 12, "steps[1].concept") in found
    assert ("W-PATH-REPEATED-STEP", 15, "steps[2].concept") in found


def test_path_id_and_level_checked(catalog_root):
    write(catalog_root, "paths/other.yaml", GOOD_PATH.replace("level: beginner", "level: beginer"))
    report = load_catalog(catalog_root, today=TODAY)
    found = codes_for(report, "other.yaml")
    assert ("E-ID-MISMATCH", 1, "id") in found
    assert ("E-TAXONOMY-UNKNOWN", 6, "level") in found


def test_concept_problems_are_located(catalog_root):
    bad = (GOOD_CONCEPT.replace("id: attention", "id: atention")
           .replace("prerequisites: [transformer]", "prerequisites: [transformers]")
           .replace("$d_k$ is", "$d_k is")
           .replace("{d_k}}", "{d_k}"))
    write(catalog_root, "concepts/atention.yaml", bad)
    report = load_catalog(catalog_root, today=TODAY)
    found = codes_for(report, "atention.yaml")
    assert ("E-CONCEPT-TOPIC", 1, "id") in found
    assert ("E-CONCEPT-TOPIC", 4, "prerequisites[0]") in found
    assert ("E-MATH-FORM", 6, "formulas[0].latex") in found
    assert ("E-MATH-FORM", 7, "formulas[0].caption") in found
    assert all(code in RULES for code, *_ in found)


def test_concept_text_refuses_html_and_block_markdown(catalog_root):
    text = GOOD_CONCEPT.replace("explanation: 'Attention", "explanation: '<img src=x onerror=alert(1)> Attention")
    text = text.replace("explanation_zh: ", "explanation_zh: |\n  # 标题\n\n  ")
    write(catalog_root, "concepts/attention.yaml", text)
    report = load_catalog(catalog_root, today=TODAY)
    found = {(code, field) for code, _, field in codes_for(report, "attention.yaml")}
    assert ("E-TEXT-HTML", "explanation") in found
    assert ("E-TEXT-BLOCK-MARKDOWN", "explanation_zh") in found


@pytest.mark.parametrize("target", ["http://localhost:8000/notes", "http://10.0.0.5/", "http://wiki.internal/x"])
def test_concept_links_to_private_hosts_are_refused(catalog_root, target):
    text = GOOD_CONCEPT.replace("It replaced the fixed-size", f"See [my notes]({target}). It replaced the fixed-size")
    write(catalog_root, "concepts/attention.yaml", text)
    report = load_catalog(catalog_root, today=TODAY)
    found = [d for d in report.diagnostics if d.path.endswith("attention.yaml") and d.code == "E-TEXT-LINK"]
    assert [d.field for d in found] == ["explanation"]
    assert "address" in found[0].message or "special-use" in found[0].message


@pytest.mark.parametrize(("text", "display", "ok"), [
    ("plain text costs \\$5", False, True),
    ("$x_1$ and $y^{2}$", False, True),
    ("an unpaired $x", False, False),
    ("$\\frac{a}{b$", False, False),
    ("\\frac{a}{b}", True, True),
    ("a $ b", True, False),
    ("a \\] b", True, False),
    ("a\n\nb", True, False),
    ("\\{ x \\}", True, True),
    # An unescaped `%` is a TeX comment: KaTeX drops the rest of the line (and `{% if %}` looks balanced).
    ("p = 50\\% of n", True, True),
    ("p = 50% of n", True, False),
    ("{{ x }} {% if y %} z", True, False),
    ("a rate $r = 5\\%$ per step", False, True),
    ("a rate $r = 5%$ per step", False, False),
    ("a 5% rate outside maths", False, True),
])
def test_math_problems(text, display, ok):
    assert (math_problems(text, display=display) == []) is ok


def test_paragraphs_split_at_blank_lines():
    assert paragraphs("a\nb\n\n  \nc\n") == ["a\nb", "c"]


def test_real_concepts_cover_every_topic():
    """Every topic of the real taxonomy has a concept page in both languages, and the source
    article's formulas are there."""
    report = load_catalog(PROJECT_ROOT / "catalog", today=TODAY)
    concept_problems = [d.format() for d in report.diagnostics if "/concepts/" in d.path or d.code == "W-CONCEPT-MISSING"]
    assert concept_problems == []
    catalog = report.catalog
    assert set(catalog.concepts) == {t.id for t in catalog.taxonomy.topics}
    formulas = {topic: " ".join(f.latex for f in c.formulas) for topic, c in catalog.concepts.items()}
    assert "w_{n-N+1}" in formulas["ngram-language-model"]          # the Markov window
    for gate in ("f_t", "i_t", "o_t", "\\tilde{C}_t"):
        assert gate in formulas["lstm"]
    assert "\\sqrt{d_k}" in formulas["attention"]
    assert "\\min_G \\max_D" in formulas["gan"]
    assert "D_{\\mathrm{KL}}" in formulas["vae"]
    assert "\\mathrm{BP}" in formulas["bleu"]


def test_real_paths_resolve():
    """Every step of every real learning path names an existing entry or topic (the rule
    E-PATH-ENTRY-UNKNOWN would fire otherwise), and the three required paths exist."""
    report = load_catalog(PROJECT_ROOT / "catalog", today=TODAY)
    path_problems = [d.format() for d in report.diagnostics if "/paths/" in d.path]
    assert path_problems == []
    catalog = report.catalog
    ids = {e.id for e in catalog.entries}
    topics = {t.id for t in catalog.taxonomy.topics}
    assert len(catalog.paths) >= 3
    for path in catalog.paths:
        for step in path.steps:
            kind, target = step.target
            assert target in (ids if kind == "entry" else topics), (path.id, target)
    titles = {p.title_zh for p in catalog.paths}
    assert "零基础入门" in " ".join(titles)


def test_path_titles_are_checked_like_entry_titles(catalog_root):
    """A path's titles are headings and links on the site: no HTML, no template syntax, one line."""
    text = GOOD_PATH.replace("title: Start here", "title: Start <b>here</b> {{ now }}")
    text = text.replace("title_zh: 从这里开始", "title_zh: |\n  从这里\n  开始")
    write(catalog_root, "paths/start.yaml", text)
    report = load_catalog(catalog_root, today=TODAY)
    found = [(d.code, d.line, d.column, d.field) for d in report.diagnostics if d.path.endswith("start.yaml")]
    assert found == [("E-TEXT-HTML", 2, 14, "title"), ("E-TEXT-TEMPLATE", 2, 26, "title"),
                     ("E-TEXT-LINE-BREAK", 3, 11, "title_zh")]
    assert report.failed() and report.catalog.paths == []


def test_prerequisites_never_lead_back_to_the_concept(catalog_root):
    """A concept needing itself, directly or through others, or listing a prerequisite twice."""
    write(catalog_root, "concepts/attention.yaml",
          GOOD_CONCEPT.replace("prerequisites: [transformer]", "prerequisites: [attention, transformer, transformer]"))
    report = load_catalog(catalog_root, today=TODAY)
    assert [(d.code, d.line, d.column, d.field) for d in report.diagnostics if d.path.endswith("attention.yaml")] == [
        ("E-CONCEPT-PREREQUISITE", 4, 17, "prerequisites[0]"), ("E-LIST-DUPLICATE", 4, 41, "prerequisites[2]")]

    write(catalog_root, "concepts/attention.yaml", GOOD_CONCEPT)  # attention needs transformer ...
    transformer = (GOOD_CONCEPT.replace("id: attention", "id: transformer")  # ... which needs diffusion-models
                   .replace("prerequisites: [transformer]", "prerequisites: [diffusion-models]"))
    diffusion = (GOOD_CONCEPT.replace("id: attention", "id: diffusion-models")  # ... which needs attention
                 .replace("prerequisites: [transformer]", "prerequisites: [attention]"))
    write(catalog_root, "concepts/transformer.yaml", transformer)
    write(catalog_root, "concepts/diffusion-models.yaml", diffusion)
    report = load_catalog(catalog_root, today=TODAY)
    cycle = sorted((d.path.rsplit("/", 1)[-1], d.line, d.message) for d in report.diagnostics
                   if d.code == "E-CONCEPT-PREREQUISITE")
    assert cycle == [
        ("attention.yaml", 4, "`transformer` needs `attention` first, a cycle: attention -> transformer -> diffusion-models -> attention"),
        ("diffusion-models.yaml", 4, "`attention` needs `diffusion-models` first, a cycle: diffusion-models -> attention -> transformer -> diffusion-models"),
        ("transformer.yaml", 4, "`diffusion-models` needs `transformer` first, a cycle: transformer -> diffusion-models -> attention -> transformer"),
    ]
    assert report.failed() and report.catalog.concepts == {}


def test_a_path_may_not_be_called_index(catalog_root):
    """paths/index.yaml would become the learning-paths hub page itself."""
    write(catalog_root, "paths/index.yaml", GOOD_PATH.replace("id: start", "id: index"))
    report = load_catalog(catalog_root, today=TODAY)
    assert ("E-ID-SLUG", 1, "id") in codes_for(report, "index.yaml")
