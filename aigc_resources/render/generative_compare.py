"""The "generative models side by side" page: GAN, VAE and diffusion on the same data and the same numbers.

:func:`render_generative_comparison` is pure, like :mod:`.demo_pages`: it reads the committed
runs (``<artifacts_root>/<demo>/metrics.json``) of four demos and returns one Markdown page.

- On the **ring of eight Gaussians** (2,000 samples each): ``gan_2d`` against ``diffusion_2d``,
  scored by modes covered and the share of high-quality samples (:mod:`aigc_resources.demos.toy2d`).
- On **8x8 digits** (1,000 samples each): ``vae_digits`` against ``diffusion_digits``, scored by
  the Inception Score and FID with the metrics demo's classifier
  (:mod:`aigc_resources.demos.digit_images`), next to real held-out digits scored the same way.

Every number on the page comes from a metrics.json; a demo without a committed run shows a
dash and a note. The page sits at ``demos/generative-models.md`` and refers to the demos'
figures as ``<name>/<file>.png``, the path contract of :func:`.demo_pages.render_demo_pages`,
so :func:`.demo_pages.demo_page_assets` already copies every image it uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..demos.registry import get_demo

#: File name of the page inside the demos folder.
COMPARISON_PAGE = "generative-models.md"

#: (demo, family in English, family in Chinese) per table, in row order.
RING_ROWS = (("gan_2d", "GAN", "GAN"), ("diffusion_2d", "Diffusion (DDPM)", "扩散模型（DDPM）"))
DIGIT_ROWS = (("vae_digits", "VAE", "VAE"), ("diffusion_digits", "Diffusion (DDPM)", "扩散模型（DDPM）"))

#: Demos whose pages link to the comparison.
COMPARED_DEMOS = tuple(name for name, _, _ in RING_ROWS + DIGIT_ROWS)

#: Figures shown side by side: (demo, file) for the ring, then for the digits.
RING_FIGURES = (("gan_2d", "scatter.png"), ("diffusion_2d", "reverse.png"))
DIGIT_FIGURES = (("vae_digits", "samples.png"), ("diffusion_digits", "samples.png"))

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Generative models side by side: GAN, VAE and diffusion",
        "intro": (
            "The GAN, VAE and diffusion demos generate from the same data and are scored with the same numbers, so "
            "their committed runs (seed 0) can be read in one table. Each row links to its demo, where the formula, "
            "the code, the thresholds and the figures are. Numbers from one seed on tiny models: they show how the "
            "families behave here, not a ranking for large models."
        ),
        "ring": "Ring of eight Gaussians (2,000 samples each)",
        "ring_text": (
            "A point is high quality when it lies within 3 standard deviations of a mode; a mode is covered when at "
            "least 20 high-quality points are nearest to it. Higher is better for both; the last row is 2,000 points "
            "of the data itself."
        ),
        "digits": "8x8 digits (1,000 samples each)",
        "digits_text": (
            "Inception Score (higher is better, at most 10) and FID against the training digits (lower is better), "
            "both computed with the metrics demo's digits classifier; the last row scores the real held-out digits "
            "the same way. No GAN is trained on digits here: an MLP GAN on these images collapsed early and needed "
            "several times the budget in the research measurements, so it is left out."
        ),
        "col_family": "Model", "col_modes": "Modes covered", "col_hq": "High-quality share",
        "col_min": "Fewest HQ points in a mode", "col_passes": "Network passes per sample",
        "col_is": "Inception Score", "col_fid": "FID", "col_train": "Training",
        "data": "Data (reference)", "real": "Real held-out digits (reference)",
        "steps": "{steps} steps x {batch}", "epochs": "{epochs} epochs",
        "no_run": "No committed run of `{name}` yet: run `aigc-resources demo run {name} --out docs/demos/{name}`.",
        "reading": "Reading the numbers",
        "ring_sentence": (
            "On the ring, the GAN covers {gan_modes} of 8 modes with a high-quality share of {gan_hq}, and the DDPM "
            "covers {ddpm_modes} with {ddpm_hq}; the data itself scores {data_hq}. The GAN makes a sample in one "
            "network pass, the DDPM in {ddpm_passes}."
        ),
        "digit_sentence": (
            "On digits, the VAE's samples reach IS {vae_is} and FID {vae_fid}, the DDPM's IS {ddpm_is} and FID "
            "{ddpm_fid}; real held-out digits score IS {real_is} and FID {real_fid}. The VAE decodes a sample in one "
            "pass, the DDPM needs {ddpm_passes}."
        ),
        "figures": "Samples side by side",
        "families": "How the three families differ",
        "families_rows": (
            "| | GAN | VAE | Diffusion (DDPM) |\n| --- | --- | --- | --- |\n"
            "| What is trained | a generator against a discriminator (a minimax game) | an encoder and a decoder "
            "that maximise a lower bound on log p(x) | a network that predicts the noise added to the data |\n"
            "| Likelihood | none | a lower bound (the ELBO) | a lower bound (the variational bound; trained with "
            "its simplified form) |\n"
            "| Sampling | one pass of the generator | one pass of the decoder | T passes, one per reverse step |\n"
            "| Typical failure | mode collapse, unstable training | blurry samples (the likelihood averages) | "
            "slow sampling |"
        ),
        "back": "All demos",
    },
    "zh": {
        "title": "生成模型并排比较：GAN、VAE 与扩散模型",
        "intro": (
            "GAN、VAE 与扩散模型的演示在相同的数据上生成，并用相同的指标打分，因此可以把它们已提交的运行结果（随机种子 0）"
            "放在同一张表里比较。每一行都链接到对应的演示页面，那里有公式、代码、阈值和图。这些数字来自一个随机种子和很小的"
            "模型：它们说明各类模型在这里的表现，而不是大模型的排名。"
        ),
        "ring": "环形八高斯（每个模型 2,000 个样本）",
        "ring_text": (
            "落在某个模式 3 倍标准差以内的点算作高质量点；若某个模式最近的高质量点不少于 20 个，则该模式被覆盖。两项都是越高越好；"
            "最后一行是数据本身的 2,000 个点。"
        ),
        "digits": "8x8 手写数字（每个模型 1,000 个样本）",
        "digits_text": (
            "Inception Score（越高越好，最高为 10）与相对训练数字的 FID（越低越好），都用评估指标演示中的手写数字分类器计算；"
            "最后一行用同样方法给真实的留出数字打分。这里没有在数字上训练 GAN：在研究测量中，这些图像上的 MLP GAN 很早就发生"
            "坍塌，需要数倍的计算预算，因此略去。"
        ),
        "col_family": "模型", "col_modes": "覆盖的模式数", "col_hq": "高质量样本占比",
        "col_min": "单个模式中最少的高质量点数", "col_passes": "每个样本的网络前向次数",
        "col_is": "Inception Score", "col_fid": "FID", "col_train": "训练量",
        "data": "数据（参照）", "real": "真实留出数字（参照）",
        "steps": "{steps} 步 x {batch}", "epochs": "{epochs} 轮",
        "no_run": "`{name}` 还没有已提交的运行结果：运行 `aigc-resources demo run {name} --out docs/demos/{name}`。",
        "reading": "如何解读这些数字",
        "ring_sentence": (
            "在环形数据上，GAN 覆盖了 8 个模式中的 {gan_modes} 个，高质量样本占比为 {gan_hq}；DDPM 覆盖了 {ddpm_modes} 个，"
            "占比为 {ddpm_hq}；数据本身为 {data_hq}。GAN 生成一个样本只需一次网络前向计算，DDPM 需要 {ddpm_passes} 次。"
        ),
        "digit_sentence": (
            "在手写数字上，VAE 样本的 IS 为 {vae_is}、FID 为 {vae_fid}；DDPM 样本的 IS 为 {ddpm_is}、FID 为 {ddpm_fid}；"
            "真实留出数字的 IS 为 {real_is}、FID 为 {real_fid}。VAE 解码一个样本只需一次前向计算，DDPM 需要 {ddpm_passes} 次。"
        ),
        "figures": "样本并排展示",
        "families": "三类模型的区别",
        "families_rows": (
            "| | GAN | VAE | 扩散模型（DDPM） |\n| --- | --- | --- | --- |\n"
            "| 训练什么 | 生成器与判别器相互对抗（极小极大博弈） | 编码器与解码器，最大化 log p(x) 的下界 | "
            "一个预测加入数据的噪声的网络 |\n"
            "| 似然 | 没有 | 一个下界（ELBO） | 一个下界（变分界；训练时用其简化形式） |\n"
            "| 采样 | 生成器前向一次 | 解码器前向一次 | T 次前向，每个反向步一次 |\n"
            "| 典型问题 | 模式坍塌、训练不稳定 | 样本模糊（似然取平均） | 采样慢 |"
        ),
        "back": "全部演示",
    },
}

_DASH = "—"


def _metrics(artifacts_root: Path, name: str) -> dict[str, Any] | None:
    path = artifacts_root / name / "metrics.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _get(run: dict[str, Any] | None, section: str, key: str) -> Any:
    if run is None:
        return None
    return run.get(section, {}).get(key)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return _DASH
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


def _share(value: Any) -> str:
    return _DASH if value is None else f"{100 * float(value):.1f} %"


def _training(run: dict[str, Any] | None, t: dict[str, str]) -> str:
    config = (run or {}).get("config", {})
    if "steps" in config:
        return t["steps"].format(steps=config["steps"], batch=config.get("batch_size", "?"))
    if "epochs" in config:
        return t["epochs"].format(epochs=config["epochs"])
    return _DASH


def _passes(run: dict[str, Any] | None) -> str:
    """Network evaluations per sample: T for a DDPM run, 1 for one-shot generators."""
    if run is None:
        return _DASH
    return str(run.get("config", {}).get("T", 1))


def render_generative_comparison(lang: str, artifacts_root: Path) -> str:
    """The comparison page in ``lang`` ("en" or "zh") from the committed runs under ``artifacts_root``.

    ValueError for an unknown language.
    """
    if lang not in _TEXT:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(_TEXT)}")
    t = _TEXT[lang]
    runs = {name: _metrics(artifacts_root, name) for name in COMPARED_DEMOS}
    family = {name: (zh if lang == "zh" else en) for name, en, zh in RING_ROWS + DIGIT_ROWS}

    def link(name: str) -> str:
        return f"[{family[name]}]({name}.md)"

    out = [f"# {t['title']}", "", t["intro"], ""]

    out += [f"## {t['ring']}", "", t["ring_text"], "",
            f"| {t['col_family']} | {t['col_modes']} | {t['col_hq']} | {t['col_min']} | {t['col_passes']} | "
            f"{t['col_train']} |", "| --- | ---: | ---: | ---: | ---: | --- |"]
    for name, _, _ in RING_ROWS:
        run = runs[name]
        out.append(f"| {link(name)} | {_fmt(_get(run, 'metrics', 'modes_covered'))} | "
                   f"{_share(_get(run, 'metrics', 'hq_share'))} | {_fmt(_get(run, 'metrics', 'min_hq_per_mode'))} | "
                   f"{_passes(run)} | {_training(run, t)} |")
    data_hq = _get(runs["gan_2d"], "metrics", "hq_share_real_data") or _get(runs["diffusion_2d"], "metrics",
                                                                           "hq_share_real_data")
    out += [f"| {t['data']} | 8 | {_share(data_hq)} | {_DASH} | {_DASH} | {_DASH} |", ""]

    out += [f"## {t['digits']}", "", t["digits_text"], "",
            f"| {t['col_family']} | {t['col_is']} | {t['col_fid']} | {t['col_passes']} | {t['col_train']} |",
            "| --- | ---: | ---: | ---: | --- |"]
    for name, _, _ in DIGIT_ROWS:
        run = runs[name]
        out.append(f"| {link(name)} | {_fmt(_get(run, 'metrics', 'is_samples'))} | "
                   f"{_fmt(_get(run, 'metrics', 'fid_samples'))} | {_passes(run)} | {_training(run, t)} |")
    reference = runs["vae_digits"] or runs["diffusion_digits"]
    real_is, real_fid = _get(reference, "metrics", "is_real_test"), _get(reference, "metrics", "fid_real_test")
    out += [f"| {t['real']} | {_fmt(real_is)} | {_fmt(real_fid)} | {_DASH} | {_DASH} |", ""]

    missing = [name for name in COMPARED_DEMOS if runs[name] is None]
    out += [f"> {t['no_run'].format(name=name)}" for name in missing]
    if missing:
        out.append("")

    out += [f"## {t['reading']}", ""]
    if runs["gan_2d"] and runs["diffusion_2d"]:
        out += [t["ring_sentence"].format(
            gan_modes=_fmt(_get(runs["gan_2d"], "metrics", "modes_covered")),
            gan_hq=_share(_get(runs["gan_2d"], "metrics", "hq_share")),
            ddpm_modes=_fmt(_get(runs["diffusion_2d"], "metrics", "modes_covered")),
            ddpm_hq=_share(_get(runs["diffusion_2d"], "metrics", "hq_share")),
            data_hq=_share(data_hq), ddpm_passes=_passes(runs["diffusion_2d"])), ""]
    if runs["vae_digits"] and runs["diffusion_digits"]:
        out += [t["digit_sentence"].format(
            vae_is=_fmt(_get(runs["vae_digits"], "metrics", "is_samples")),
            vae_fid=_fmt(_get(runs["vae_digits"], "metrics", "fid_samples")),
            ddpm_is=_fmt(_get(runs["diffusion_digits"], "metrics", "is_samples")),
            ddpm_fid=_fmt(_get(runs["diffusion_digits"], "metrics", "fid_samples")),
            real_is=_fmt(real_is), real_fid=_fmt(real_fid), ddpm_passes=_passes(runs["diffusion_digits"])), ""]
    out += [t["families_rows"], ""]

    figures = [(name, file) for name, file in RING_FIGURES + DIGIT_FIGURES if (artifacts_root / name / file).is_file()]
    if figures:
        out += [f"## {t['figures']}", ""]
        for name, file in figures:
            title = get_demo(name).title_zh if lang == "zh" else get_demo(name).title
            out += [f"**{link(name)}**: {title}", "", f"![{family[name]}: {name}]({name}/{file})", ""]
    out += [f"[{t['back']}](index.md)", ""]
    return "\n".join(out)
