"""The same DDPM on 8x8 digits: from 64 numbers of pure noise to a handwritten digit in 100 steps.

Everything is the diffusion demo's (:mod:`.diffusion_2d`, Ho et al. 2020): the forward process
q(x_t | x_0) = N(√ᾱ_t x_0, (1 - ᾱ_t) I) (eq. 4), the noise-prediction objective L_simple
(eq. 14) and the reverse step of Algorithm 2. Only the data changes: each image is a vector of
64 pixel intensities, rescaled from [0, 1] to [-1, 1] as in the paper (§3.3: image data
"scaled linearly to [−1, 1]"), and the final samples are mapped back and clipped to [0, 1].

**Schedule.** Here Ho et al.'s linear schedule (β_t from 10⁻⁴ to 0.02, rescaled by 1000/T for
T = 100) works, and the cosine schedule that suits the ring does not: its last step has
β_T = 0.999, so the first reverse step divides by √α_T ≈ 0.03 and multiplies every error of
ε_θ by about 30. In 64 dimensions those errors no longer cancel; the samples blew up (pixel
values in the hundreds, FID about 270 against about 17 with the linear schedule, measured on
seeds 0-2 with this budget). The reference code of Ho et al. and of Improved DDPM avoids it
by clipping the predicted x_0 to [-1, 1] at every sampling step (``clip_denoised``), which is
not in the papers' Algorithm 2; we keep Algorithm 2 as written and choose the schedule instead.

Samples are scored like the VAE's (:mod:`.digit_images`): Inception Score and FID of 1,000
samples with the metrics demo's classifier, against the training digits.

What is left out: the U-Net with attention used for real images (a 3-layer MLP is enough for
64 pixels), class conditioning and guidance, and faster samplers (DDIM).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .artifacts import figure
from .diffusion_2d import EpsilonNet, make_schedule, plot_loss, q_sample, sample, train
from .digit_images import DigitScorer, load_split, show_grid
from .spec import Artifact, Demo, Threshold

DEMO = Demo(
    name="diffusion_digits",
    title="Diffusion model (DDPM) on 8x8 digits: generating images from noise",
    title_zh="8x8 手写数字上的扩散模型（DDPM）：从噪声生成图像",
    summary=(
        "Runs the diffusion demo's DDPM on scikit-learn's 8x8 digits: a network learns to predict the "
        "noise added to an image, and 100 reverse steps turn pure noise into new digits. The samples are "
        "scored with the metrics demo's classifier (Inception Score and FID), the same numbers as the VAE "
        "demo, so the two can be compared. Figures show the forward noising, the reverse chain and a grid "
        "of samples."
    ),
    summary_zh=(
        "把扩散演示中的 DDPM 用在 scikit-learn 的 8x8 手写数字上：网络学习预测加到图像上的噪声，100 步反向过程把"
        "纯噪声变成新的数字。样本用评估指标演示中的分类器打分（Inception Score 与 FID），与 VAE 演示使用相同的"
        "指标，因而可以直接比较。图中展示前向加噪、反向链和一组生成样本。"
    ),
    topics=("diffusion-models", "fid", "inception-score"),
    formula=(
        r"\begin{gathered}"
        r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon,\qquad"
        r"\mathcal{L}_{\text{simple}} = \mathbb{E}\,\big\lVert \epsilon - \epsilon_\theta(x_t, t)\big\rVert^2"
        r"\\[4pt]"
        r"x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,"
        r"\epsilon_\theta(x_t, t)\Big) + \sigma_t z,\qquad x_0 \in [-1, 1]^{64}"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("forward.png", "The forward process on eight training digits: by t = T nothing of the digit is left.",
                 "八个训练数字的前向加噪过程：到 t = T 时数字已完全被噪声淹没。"),
        Artifact("reverse.png", "The learned reverse process for eight samples, from pure noise (t = T) to digits (t = 0).",
                 "八个样本的反向过程：从纯噪声（t = T）到数字（t = 0）。"),
        Artifact("samples.png", "100 generated digits, with the label the metrics classifier gives each.",
                 "100 个生成的数字，以及评估分类器给出的标签。"),
        Artifact("loss.png", "The training loss L_simple (moving mean).", "训练损失 L_simple（滑动平均）。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the split, the weights, the time steps and all noise
    T: int = 100  # diffusion steps, as in the 2-D demo
    schedule: str = "linear"  # Ho et al.'s; the cosine schedule blows up here (see the module docstring)
    steps: int = 3000  # optimiser steps: IS 5.1-5.3 and FID 17-18 on seeds 0-2 (measured)
    batch_size: int = 128  # 1,500 training images: a batch is about a twelfth of them
    hidden: int = 256  # ε_θ: MLP (64 + 32) -> 256 -> 256 -> 256 -> 64
    time_dim: int = 32  # width of the sinusoidal embedding of t fed to ε_θ next to x_t
    lr: float = 1e-3  # Adam, decayed linearly to 0
    n_samples: int = 1000  # the VAE demo's sample count for IS and FID


#: The quick variant: a sixth of the steps and half the samples; blurrier digits.
FAST: dict[str, object] = {"steps": 500, "n_samples": 500}

THRESHOLDS = (
    Threshold("is_samples", ">=", 4.0, "5.1-5.3 measured on seeds 0-2 (real test digits: 8.7-8.9)",
              "种子 0-2 测得 5.1-5.3（真实测试数字：8.7-8.9）"),
    Threshold("fid_samples", "<=", 35.0, "17-18 measured on seeds 0-2 (real test digits: 2.5-2.9)",
              "种子 0-2 测得 17-18（真实测试数字：2.5-2.9）"),
    Threshold("loss_last_10pct", "<", 0.25, "the noise is predicted far better than by 0 (loss 1)",
              "噪声预测远好于全预测 0（损失为 1）"),
)
FAST_THRESHOLDS = (
    Threshold("is_samples", ">=", 3.0, "500 steps, 500 samples: 4.2-4.6 measured on seeds 0-2",
              "500 步、500 个样本：种子 0-2 测得 4.2-4.6"),
    Threshold("fid_samples", "<=", 80.0, "500 steps, 500 samples: 32-43 measured on seeds 0-2",
              "500 步、500 个样本：种子 0-2 测得 32-43"),
    Threshold("loss_last_10pct", "<", 0.3, "500 steps: 0.17 measured (predicting 0 scores 1)",
              "500 步：测得 0.17（全预测 0 时为 1）"),
)


def to_model_space(images: np.ndarray) -> torch.Tensor:
    """Pixel intensities in [0, 1] -> [-1, 1] (Ho et al. §4)."""
    return torch.from_numpy(np.asarray(images, dtype=np.float32)) * 2.0 - 1.0


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """Model space [-1, 1] -> intensities, clipped to [0, 1]."""
    return ((x + 1.0) / 2.0).clamp(0.0, 1.0).numpy()


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Train ε_θ on the training digits, sample, score with the digits classifier, draw the figures."""
    split = load_split(config.seed)
    X = to_model_space(split.X_train)
    schedule = make_schedule(config.schedule, config.T)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = EpsilonNet(64, config.hidden, config.time_dim)

    def batch() -> torch.Tensor:
        return X[torch.randint(0, len(X), (config.batch_size,), generator=generator)]

    losses = train(model, batch, schedule, config.steps, config.lr, generator)
    keep = (config.T, int(config.T * 0.75), int(config.T * 0.5), int(config.T * 0.25), int(config.T * 0.1),
            int(config.T * 0.05), 0)
    x_0, states = sample(model.eval(), config.n_samples, 64, schedule, generator, keep)
    samples = to_pixels(x_0)
    scorer = DigitScorer(split, config.seed)
    is_samples, fid_samples = scorer.score(samples)
    is_real, fid_real = scorer.score(split.X_test)
    tail = max(1, config.steps // 10)
    metrics: dict[str, float | int | str] = {
        "is_samples": is_samples,
        "fid_samples": fid_samples,
        "is_real_test": is_real,
        "fid_real_test": fid_real,
        "classifier_accuracy": scorer.accuracy,
        "loss_last_10pct": float(np.mean(losses[-tail:])),
        "share_pixels_clipped": float(((x_0 < -1.0) | (x_0 > 1.0)).float().mean()),
    }

    forward_steps = (0, int(config.T * 0.05), int(config.T * 0.1), int(config.T * 0.25), int(config.T * 0.5),
                     int(config.T * 0.75), config.T)
    eight = X[:8]
    eps = torch.randn(eight.shape, generator=torch.Generator().manual_seed(config.seed + 2))
    columns = [eight if t == 0 else q_sample(eight, torch.full((8,), t - 1), eps, schedule) for t in forward_steps]
    _plot_chain(out_dir / "forward.png", columns, forward_steps, "forward: q(x_t | x_0)")
    _plot_chain(out_dir / "reverse.png", [states[t][:8] for t in keep], keep, "reverse: p(x_{t-1} | x_t)")
    labels = scorer.predict(samples[:100])
    with figure(out_dir / "samples.png", (5.2, 5.6)) as (fig, ax):
        show_grid(ax, samples[:100], 10, 10, f"DDPM samples: IS {is_samples:.2f}, FID {fid_samples:.1f}\n"
                                             f"classifier labels, row by row: {''.join(map(str, labels[:10]))} ...")
    plot_loss(out_dir / "loss.png", losses)
    return metrics


def _plot_chain(path: Path, columns: list[torch.Tensor], steps: tuple[int, ...], title: str) -> None:
    """One row per step t, the same eight digits in every row (model space shown as [0, 1] intensities)."""
    images = np.concatenate([to_pixels(images) for images in columns])
    with figure(path, (4.2, 0.55 * len(steps) + 0.6)) as (fig, ax):
        show_grid(ax, images, len(steps), 8, title)
        ax.set_yticks([9 * row + 3.5 for row in range(len(steps))], [f"t = {t}" for t in steps], fontsize=8)
