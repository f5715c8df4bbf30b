"""The demo pages: one per demo and language, with formula, figures, metrics, command and code."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aigc_resources.demos.registry import all_demos, source_path
from aigc_resources.render.demo_pages import demo_page_assets, render_demo_pages

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)]+)\)")


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory: pytest.TempPathFactory, demo_run) -> Path:
    """An artifacts root holding a real (fast) ngram run and nothing for the other demos."""
    root = tmp_path_factory.mktemp("artifacts")
    result = demo_run("ngram", fast=True)
    (root / "ngram").mkdir()
    for path in result.files:
        (root / "ngram" / path.name).write_bytes(path.read_bytes())
    return root


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_demo_has_a_page_with_formula_command_and_code(lang: str, artifacts: Path) -> None:
    pages = render_demo_pages(lang, artifacts)
    assert set(pages) == {"demos/index.md", "demos/generative-models.md"} | {f"demos/{d.name}.md" for d in all_demos()}
    for demo in all_demos():
        page = pages[f"demos/{demo.name}.md"]
        assert page.startswith(f"# {demo.title_zh if lang == 'zh' else demo.title}\n")
        assert f"$$\n{demo.formula}\n$$" in page
        assert f"aigc-resources demo run {demo.name} " in page
        assert source_path(demo.name).read_text(encoding="utf-8").rstrip() in page
        assert f"[{demo.title_zh if lang == 'zh' else demo.title}]({demo.name}.md)" in pages["demos/index.md"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_images_referenced_exist_under_the_path_contract(lang: str, artifacts: Path) -> None:
    pages = render_demo_pages(lang, artifacts)
    assets = demo_page_assets(artifacts)
    page = pages["demos/ngram.md"]
    images = IMAGE.findall(page)
    assert images == [f"ngram/{f.file}" for f in all_demos()[0].figures]
    for image in images:
        # the page is demos/ngram.md, so the image sits at demos/<image> in the docs folder
        assert assets[f"demos/{image}"] == artifacts / image
        assert (artifacts / image).is_file()


def test_metrics_and_checks_come_from_metrics_json(artifacts: Path) -> None:
    run = json.loads((artifacts / "ngram" / "metrics.json").read_text(encoding="utf-8"))
    en = render_demo_pages("en", artifacts)["demos/ngram.md"]
    zh = render_demo_pages("zh", artifacts)["demos/ngram.md"]
    for key, value in run["metrics"].items():
        assert f"| `{key}` | {value:.4g} |" in en if isinstance(value, float) else f"| `{key}` | {value} |" in en
    assert run["checks"][0]["why"] in en and run["checks"][0]["why_zh"] in zh
    samples = (artifacts / "ngram" / "samples.txt").read_text(encoding="utf-8").splitlines()
    assert samples[1] in en


def test_a_demo_without_a_committed_run_says_so(artifacts: Path) -> None:
    page = render_demo_pages("en", artifacts)["demos/lstm.md"]
    assert "No committed run yet" in page and not IMAGE.findall(page)
    assert "没有已提交的运行结果" in render_demo_pages("zh", artifacts)["demos/lstm.md"]


def test_topic_links_are_relative_to_the_demo_folder(artifacts: Path) -> None:
    pages = render_demo_pages("en", artifacts, {"ngram-language-model": ("N-gram models", "topics/ngram.md")})
    assert "[N-gram models](../topics/ngram.md)" in pages["demos/ngram.md"]
    assert "`lstm`" in pages["demos/lstm.md"]  # topics without a page stay plain


def test_demo_index_names_and_links_the_concepts_in_the_page_language(artifacts: Path) -> None:
    """The index listed raw topic ids (`ngram-language-model`) under "Topics" in both languages,
    where the rest of the site says Concepts / 概念 and links the concept pages."""
    topics = {"ngram-language-model": ("N-gram 语言模型", "topics/ngram-language-model.md"),
              "lstm": ("长短期记忆网络", "topics/lstm.md"), "rnn": ("循环神经网络", "topics/rnn.md")}
    index = render_demo_pages("zh", artifacts, topics)["demos/index.md"]
    assert "| 演示 | 概念 |" in index
    assert "[N-gram 语言模型](../topics/ngram-language-model.md)" in index
    assert "[长短期记忆网络](../topics/lstm.md)、[循环神经网络](../topics/rnn.md)" in index
    assert "`ngram-language-model`" not in index
    assert "**概念：** [N-gram 语言模型]" in render_demo_pages("zh", artifacts, topics)["demos/ngram.md"]


#: A fenced code block (the included sources): text that only looks like a link, e.g. ``TABLE[name](T)``.
FENCED = re.compile(r"^(`{3,})[^\n]*\n.*?^\1$", re.DOTALL | re.MULTILINE)


def test_internal_links_resolve(artifacts: Path) -> None:
    pages = render_demo_pages("en", artifacts)
    for path, page in pages.items():
        for target in LINK.findall(FENCED.sub("", page)):
            assert str(Path(path).parent / target) in pages, (path, target)


def test_unknown_language_is_refused(artifacts: Path) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        render_demo_pages("fr", artifacts)


def test_code_fence_outgrows_backticks_in_the_source(artifacts: Path) -> None:
    from aigc_resources.render.demo_pages import _fence

    assert _fence("a ```` b", "python").startswith("`````python\n")


def test_site_demo_parts_wire_every_demo_into_the_site(repo_root):
    """What the site build takes from the demos: every page in the navigation, every figure
    as bytes next to its page, and each topic's demo links."""
    from aigc_resources.catalog import load_catalog
    from aigc_resources.demos.registry import all_demos
    from aigc_resources.render.demo_pages import demo_page_assets, site_demo_parts

    taxonomy = load_catalog(repo_root / "catalog").catalog.taxonomy
    artifacts = repo_root / "docs" / "demos"
    refs, pages, nav = site_demo_parts(artifacts, taxonomy)
    [(title, title_zh, paths)] = nav
    assert (title, title_zh) == ("Demos", "演示")
    for lang in ("en", "zh"):
        files = pages(lang)
        assert set(paths) <= set(files)
        assert {p for p in files if p.endswith(".md")} == set(paths)
        for path, source in demo_page_assets(artifacts).items():
            assert files[path] == source.read_bytes()
        assert "](../topics/lstm.md)" in files["demos/lstm.md"]  # topics link their concept pages
    for demo in all_demos():
        for topic in demo.topics:
            assert f"demos/{demo.name}.md" in [ref.path for ref in refs[topic]]
            assert topic in {t.id for t in taxonomy.topics}
