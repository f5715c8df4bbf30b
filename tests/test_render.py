"""render_site on a tiny catalog: pages, links between them, escaping; and the writer."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

import pytest

from aigc_resources.catalog import load_catalog
from aigc_resources.render import render_site, site_nav, write_pages
from aigc_resources.render.writer import MARKER

from .conftest import FIXTURES

TODAY = dt.date(2026, 11, 29)
LINK = re.compile(r"\]\(([^)\s]+?\.md)(#[^)]*)?\)")


@pytest.fixture
def catalog(tmp_catalog):
    return load_catalog(tmp_catalog(), today=TODAY).catalog


def test_pages_for_entries_and_hubs(catalog):
    pages = render_site(catalog)
    for entry in ("transformer-paper", "diffusion-course", "tiny-lib"):
        assert f"resources/{entry}.md" in pages
    for hub in ("types/paper.md", "types/course.md", "types/library.md", "topics/attention.md",
                "topics/diffusion-models.md", "modalities/image.md", "levels/beginner.md",
                "types/index.md", "topics/index.md", "modalities/index.md", "levels/index.md",
                "index.md", "about.md"):
        assert hub in pages, hub


def test_every_link_between_pages_resolves(catalog):
    pages = render_site(catalog)
    for path, text in pages.items():
        for target, _ in LINK.findall(text):
            resolved = PurePosixPath(path).parent / target
            normal = PurePosixPath(*[p for p in resolved.parts if p != "."])
            parts: list[str] = []
            for part in normal.parts:
                if part == "..":
                    parts.pop()
                else:
                    parts.append(part)
            assert "/".join(parts) in pages, f"{path} links to missing {target}"


def test_hubs_link_their_entries_sorted_by_level(catalog):
    pages = render_site(catalog)
    attention = pages["topics/attention.md"]
    assert 'href="../../resources/transformer-paper/"' in attention and 'href="../../resources/tiny-lib/"' in attention
    assert attention.index("transformer-paper") < attention.index("tiny-lib")  # intermediate before advanced
    assert "diffusion-course" not in attention
    assert 'href="../../resources/diffusion-course/"' in pages["levels/beginner.md"]


def test_entry_page_shows_facts_in_its_language(catalog):
    page = render_site(catalog)["resources/transformer-paper.md"]
    assert page.startswith('---\ntitle: "Attention Is All You Need"')
    assert '<a href="https://arxiv.org/abs/1706.03762">1706.03762</a>' in page
    assert "Introduces the Transformer" in page and "提出 Transformer" not in page
    assert '<a href="../../resources/diffusion-course/">Diffusion Models Course</a>' in page
    assert '<a href="https://github.com/tensorflow/tensor2tensor">Code</a>' in page
    zh = render_site(catalog, lang="zh")["resources/transformer-paper.md"]
    assert "提出 Transformer：只由注意力层和前馈层构成的编码器-解码器。" in zh
    assert '<a href="https://github.com/tensorflow/tensor2tensor">代码</a>' in zh and "<td>类型</td>" in zh


def test_markup_in_data_is_escaped(tmp_catalog):
    # Build a valid catalog, then inject markup past the validator to test the renderer alone.
    catalog = load_catalog(tmp_catalog(), today=TODAY).catalog
    entry = catalog.get("tiny-lib")
    evil = entry.resource.model_copy(update={
        "title": "<script>alert(1)</script> *x*",
        "description": "Hi <img src=x onerror=alert(1)> [click](javascript:alert(1)) {{ config }}",
    })
    object.__setattr__(entry, "resource", evil)
    page = render_site(catalog)["resources/tiny-lib.md"]
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "](javascript:" not in page and 'href="javascript' not in page
    assert "{{" not in page and "{%" not in page


def test_render_is_pure_and_deterministic(catalog):
    assert render_site(catalog) == render_site(catalog)


def test_nav_has_hubs_only(catalog):
    nav = site_nav(catalog)
    flat = repr(nav)
    assert "resources/" not in flat
    assert "types/paper.md" in flat and "topics/attention.md" in flat and "about.md" in flat


def test_writer_writes_if_changed_and_prunes(tmp_path):
    out = tmp_path / "gen"
    first = write_pages({"a.md": "A", "sub/b.md": "B", "c.png": b"\x89PNG"}, out)
    assert sorted(first.written) == ["a.md", "c.png", "sub/b.md"]
    mtime = (out / "a.md").stat().st_mtime_ns
    second = write_pages({"a.md": "A", "c.png": b"\x89PNG", "d.md": "D"}, out)
    assert second.written == ["d.md"] and sorted(second.unchanged) == ["a.md", "c.png"]
    assert second.removed == ["sub/b.md"] and not (out / "sub").exists()
    assert (out / "a.md").stat().st_mtime_ns == mtime
    assert (out / MARKER).exists()
    assert not [p for p in out.rglob("*.tmp")]


def test_writer_prunes_nested_folders_and_rewrites_changed_bytes(tmp_path):
    out = tmp_path / "gen"
    write_pages({"a/b/c.md": "C", "a/d.md": "D", "e/f.md": "F", "g.md": "G"}, out)
    result = write_pages({"a/d.md": "D2", "g.md": "G"}, out)
    assert result.written == ["a/d.md"] and result.unchanged == ["g.md"]
    assert result.removed == ["e/f.md", "a/b/c.md"]
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [MARKER, "a", "a/d.md", "g.md"]
    assert (out / "a" / "d.md").read_text() == "D2"


def test_writer_refuses_foreign_folder_and_escaping_paths(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep")
    with pytest.raises(FileExistsError):
        write_pages({"a.md": "A"}, foreign)
    assert (foreign / "precious.txt").read_text() == "keep"
    for bad in ("../x.md", "/abs.md", "a/../../x.md"):
        with pytest.raises(ValueError):
            write_pages({bad: "x"}, tmp_path / "gen")
