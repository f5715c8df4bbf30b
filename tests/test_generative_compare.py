"""The "generative models side by side" page: every number from the committed runs, links and images resolvable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from aigc_resources.render.demo_pages import demo_page_assets, render_demo_pages
from aigc_resources.render.generative_compare import COMPARED_DEMOS, render_generative_comparison

RUNS = {
    "gan_2d": {"config": {"steps": 2000, "batch_size": 256},
               "metrics": {"modes_covered": 7, "hq_share": 0.8123, "min_hq_per_mode": 41, "hq_share_real_data": 0.9871}},
    "diffusion_2d": {"config": {"steps": 2000, "batch_size": 512, "T": 100},
                     "metrics": {"modes_covered": 8, "hq_share": 0.9311, "min_hq_per_mode": 205}},
    "vae_digits": {"config": {"epochs": 50},
                   "metrics": {"is_samples": 5.2549, "fid_samples": 28.4572, "is_real_test": 8.8023,
                               "fid_real_test": 2.8521}},
    "diffusion_digits": {"config": {"steps": 3000, "batch_size": 128, "T": 100},
                         "metrics": {"is_samples": 5.3413, "fid_samples": 18.3421}},
}


def write_runs(root: Path, names: tuple[str, ...], with_figures: bool = True) -> Path:
    for name in names:
        (root / name).mkdir(parents=True)
        (root / name / "metrics.json").write_text(json.dumps({"demo": name, "seed": 0, **RUNS[name]}), encoding="utf-8")
    if with_figures:
        for name, file in (("gan_2d", "scatter.png"), ("diffusion_digits", "samples.png")):
            if name in names:
                (root / name / file).write_bytes(b"\x89PNG fake")
    return root


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tables_show_the_committed_numbers(lang: str, tmp_path: Path) -> None:
    page = render_generative_comparison(lang, write_runs(tmp_path, COMPARED_DEMOS))
    assert "| [GAN](gan_2d.md) | 7 | 81.2 % | 41 | 1 |" in page
    assert "| 8 | 93.1 % | 205 | 100 |" in page  # DDPM: T = 100 network passes per sample
    assert "| [VAE](vae_digits.md) | 5.25 | 28.5 | 1 |" in page
    assert "| 5.34 | 18.3 | 100 |" in page
    assert "| 8.8 | 2.85 |" in page and "98.7 %" in page  # the references: real digits and ring data


def test_reading_sentences_quote_the_same_values(tmp_path: Path) -> None:
    page = render_generative_comparison("en", write_runs(tmp_path, COMPARED_DEMOS))
    assert "the GAN covers 7 of 8 modes with a high-quality share of 81.2 %" in page
    assert "the DDPM covers 8 with 93.1 %" in page
    assert "IS 5.25 and FID 28.5" in page and "IS 5.34 and FID 18.3" in page


def test_a_missing_run_shows_dashes_and_says_how_to_make_it(tmp_path: Path) -> None:
    page = render_generative_comparison("en", write_runs(tmp_path, ("gan_2d", "vae_digits", "diffusion_digits")))
    assert "| [Diffusion (DDPM)](diffusion_2d.md) | — | — | — | — | — |" in page
    assert "aigc-resources demo run diffusion_2d --out docs/demos/diffusion_2d" in page
    assert "the GAN covers" not in page  # no sentence built on a missing number


def test_images_exist_and_follow_the_demo_pages_contract(tmp_path: Path) -> None:
    root = write_runs(tmp_path, COMPARED_DEMOS)
    page = render_demo_pages("en", root)["demos/generative-models.md"]
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
    assert images == ["gan_2d/scatter.png", "diffusion_digits/samples.png"]  # only the ones that exist
    assets = demo_page_assets(root)
    assert all(f"demos/{image}" in assets for image in images)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_linked_from_the_index_and_the_compared_demos(lang: str, tmp_path: Path) -> None:
    pages = render_demo_pages(lang, write_runs(tmp_path, COMPARED_DEMOS))
    assert "](generative-models.md)" in pages["demos/index.md"]
    for name in COMPARED_DEMOS:
        assert "](generative-models.md)" in pages[f"demos/{name}.md"]
    assert "](generative-models.md)" not in pages["demos/ngram.md"]


def test_unknown_language_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        render_generative_comparison("fr", tmp_path)
