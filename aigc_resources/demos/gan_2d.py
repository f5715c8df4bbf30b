"""A generative adversarial network on the ring of eight Gaussians: does the generator cover every mode?

A GAN (Goodfellow et al., NeurIPS 2014) trains two networks against each other. The
discriminator D(x) ∈ (0, 1) estimates the probability that x is real; the generator G(z) turns
noise z ~ p(z) = N(0, I) into samples. They play the minimax game of eq. 1:

    min_G max_D V(D, G) = E_{x~p_data}[log D(x)] + E_{z~p(z)}[log(1 - D(G(z)))].

For a fixed G the best discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Prop. 1),
and at that D the game value is -log 4 + 2·JSD(p_data ‖ p_g) (Thm. 1): the generator lowers
the Jensen-Shannon divergence between its distribution and the data's.

Training alternates one gradient step for each player (Algorithm 1, k = 1):

- D ascends log D(x) + log(1 - D(G(z))), i.e. minimises the binary cross-entropy with label 1
  for real and 0 for generated points;
- G uses the **non-saturating** loss of §3, -log D(G(z)) (binary cross-entropy with label 1 on
  its own samples), because log(1 - D(G(z))) has almost no gradient early on, when D rejects
  every sample with confidence.

The data is the ring of eight Gaussians (:mod:`.toy2d`), the classic test for **mode
collapse**: a generator that finds a few modes that fool D may stop there. The run scores
2,000 samples with the benchmark's two numbers (modes covered, share of high-quality samples),
after training and at several steps along the way, with the same fixed noise each time (the
``fixed_noise`` habit of the DCGAN example) so the pictures are comparable.

What is left out: convolutional networks (DCGAN), Wasserstein and gradient-penalty losses,
spectral normalisation, unrolled or minibatch-discrimination tricks against mode collapse,
and images (the VAE and diffusion demos generate digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .artifacts import figure
from .spec import Artifact, Demo, Threshold
from .toy2d import Ring, ring_quality, scatter_panels

DEMO = Demo(
    name="gan_2d",
    title="GAN on a ring of eight Gaussians: generator against discriminator",
    title_zh="环形八高斯上的 GAN：生成器与判别器的对抗",
    summary=(
        "Trains a small generator and discriminator against each other with the original GAN objective "
        "(non-saturating generator loss) on the ring of eight Gaussians, the standard test for mode "
        "collapse. Two numbers score 2,000 generated points: how many of the eight modes are covered and "
        "which share of points lies within three standard deviations of a mode. Scatter plots show the "
        "generator's points at several steps from the same fixed noise."
    ),
    summary_zh=(
        "用原始 GAN 目标（生成器使用非饱和损失）让一个小生成器和一个小判别器在环形八高斯数据上对抗训练，"
        "这是检验模式坍塌的标准数据。用两个数衡量 2,000 个生成点：八个模式覆盖了几个，以及落在某个模式三个标准差"
        "以内的点占多少。散点图用同一组固定噪声展示生成器在不同训练步数时的输出。"
    ),
    topics=("gan",),
    formula=(
        r"\begin{gathered}"
        r"\min_G \max_D V(D,G) = \mathbb{E}_{x\sim p_{\text{data}}}\big[\log D(x)\big]"
        r" + \mathbb{E}_{z\sim p(z)}\big[\log\big(1 - D(G(z))\big)\big]"
        r"\\[4pt]"
        r"\mathcal{L}_D = -\log D(x) - \log\big(1 - D(G(z))\big),\qquad"
        r"\mathcal{L}_G = -\log D(G(z))"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("scatter.png",
                 "Generated points (blue) over the data (grey) at several training steps, always from the same "
                 "fixed noise; red crosses mark the eight centres.",
                 "不同训练步数时的生成点（蓝色）与数据（灰色），每次都使用同一组固定噪声；红色叉号是八个中心。"),
        Artifact("losses.png",
                 "Left: discriminator and generator losses (a log 4 = 1.386 discriminator loss and log 2 = 0.693 "
                 "generator loss mean D cannot tell real from fake). Right: modes covered and high-quality share "
                 "during training.",
                 "左：判别器与生成器的损失（判别器损失为 log 4 = 1.386、生成器损失为 log 2 = 0.693 时，判别器已无法分辨"
                 "真假）。右：训练过程中覆盖的模式数与高质量样本占比。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # initial weights, the data stream and the noise
    steps: int = 2000  # 8/8 modes and a high-quality share of 0.80-0.91 at 2,000 steps
    batch_size: int = 256  # enough points per step for D to see all eight modes every time
    latent_dim: int = 2  # z ~ N(0, I_2): the data is 2-D, more noise dimensions do not help here
    hidden: int = 128  # G: 2-128-128-2, D: 2-128-128-1; smaller nets miss modes more often
    lr: float = 1e-3  # Adam; the DCGAN value 2e-4 needs several times more steps on this data
    beta1: float = 0.5  # Adam's first-moment decay lowered from 0.9, as in DCGAN: steadier adversarial updates
    eval_samples: int = 2000  # points scored against the ring (the benchmark's protocol)
    min_mode_count: int = 20  # a mode counts as covered with >= 20 of 2,000 high-quality points (1 %)
    snapshot_every: int = 250  # how often the quality is measured during training
    scatter_steps: tuple[int, ...] = (0, 250, 1000, 2000)  # panels of the scatter figure


#: The quick variant: a quarter of the steps and half the batch; the modes are found, the points still spread.
FAST: dict[str, object] = {"steps": 500, "batch_size": 128, "scatter_steps": (0, 250, 500)}

THRESHOLDS = (
    Threshold("modes_covered", ">=", 7, "8/8 measured on seeds 0-4",
              "种子 0-4 测得 8/8"),
    Threshold("hq_share", ">=", 0.70, "0.80-0.91 measured on seeds 0-4 after 2,000 steps",
              "训练 2,000 步后在种子 0-4 上测得 0.80-0.91"),
    Threshold("hq_share_gain", ">=", 0.5, "training must move the points onto the ring (untrained G: about 0)",
              "训练必须把点移到环上（未训练的生成器约为 0）"),
)
FAST_THRESHOLDS = (
    Threshold("modes_covered", ">=", 6, "500 steps: 8/8 measured on seeds 0-2", "500 步：种子 0-2 测得 8/8"),
    Threshold("hq_share", ">=", 0.35, "500 steps: 0.50-0.57 measured on seeds 0-2",
              "500 步：种子 0-2 测得 0.50-0.57"),
)


# ----------------------------------------------------------------------------------------------
# The two players


def mlp(n_in: int, hidden: int, n_out: int) -> nn.Sequential:
    """n_in-hidden-hidden-n_out with ReLU: the same shape for the generator and the discriminator."""
    return nn.Sequential(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, n_out))


def discriminator_loss(D: nn.Module, x_real: torch.Tensor, x_fake: torch.Tensor) -> torch.Tensor:
    """L_D = -log D(x) - log(1 - D(G(z))), averaged over the batch.

    D returns logits ℓ with D(x) = σ(ℓ); ``binary_cross_entropy_with_logits`` computes
    -log σ(ℓ) and -log(1 - σ(ℓ)) stably. x_fake must be detached so only D is updated.
    """
    real, fake = D(x_real), D(x_fake)
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))


def generator_loss(D: nn.Module, x_fake: torch.Tensor) -> torch.Tensor:
    """The non-saturating loss L_G = -log D(G(z)) (Goodfellow et al. 2014, §3)."""
    fake = D(x_fake)
    return F.binary_cross_entropy_with_logits(fake, torch.ones_like(fake))


# ----------------------------------------------------------------------------------------------
# Training


@dataclass
class Trace:
    """What the run records: losses every step, quality and D's outputs at every snapshot."""

    d_loss: list[float]
    g_loss: list[float]
    snapshot_steps: list[int]
    modes: list[int]
    hq: list[float]
    scatter: dict[int, np.ndarray]


def train(config: Config, ring: Ring) -> tuple[nn.Module, nn.Module, Trace]:
    """Algorithm 1 of Goodfellow et al. with k = 1 and Adam, scoring fixed noise at every snapshot."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    noise = torch.Generator().manual_seed(config.seed)
    G = mlp(config.latent_dim, config.hidden, 2)
    D = mlp(2, config.hidden, 1)
    opt_G = torch.optim.Adam(G.parameters(), lr=config.lr, betas=(config.beta1, 0.999))
    opt_D = torch.optim.Adam(D.parameters(), lr=config.lr, betas=(config.beta1, 0.999))
    fixed_z = torch.randn(config.eval_samples, config.latent_dim, generator=noise)
    trace = Trace([], [], [], [], [], {})

    def snapshot(step: int) -> None:
        with torch.no_grad():
            points = G(fixed_z).numpy()
        quality = ring_quality(points, ring, config.min_mode_count)
        trace.snapshot_steps.append(step)
        trace.modes.append(quality.modes_covered)
        trace.hq.append(quality.hq_share)
        if step in config.scatter_steps or step == config.steps:
            trace.scatter[step] = points

    snapshot(0)
    for step in range(1, config.steps + 1):
        x_real = torch.from_numpy(ring.sample(config.batch_size, rng))
        x_fake = G(torch.randn(config.batch_size, config.latent_dim, generator=noise))
        # the discriminator's step: real -> 1, generated -> 0
        loss_D = discriminator_loss(D, x_real, x_fake.detach())
        opt_D.zero_grad()
        loss_D.backward()
        opt_D.step()
        # the generator's step, against the discriminator just updated
        loss_G = generator_loss(D, x_fake)
        opt_G.zero_grad()
        loss_G.backward()
        opt_G.step()
        trace.d_loss.append(loss_D.item())
        trace.g_loss.append(loss_G.item())
        if step % config.snapshot_every == 0 or step == config.steps:
            snapshot(step)
    return G, D, trace


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Train, score the final generator on fixed noise, and draw the scatter and loss figures."""
    ring = Ring()
    G, D, trace = train(config, ring)
    real = ring.sample(config.eval_samples, np.random.default_rng(config.seed + 1))
    final = ring_quality(trace.scatter[config.steps], ring, config.min_mode_count)
    with torch.no_grad():
        d_real = torch.sigmoid(D(torch.from_numpy(real))).mean().item()
        d_fake = torch.sigmoid(D(torch.from_numpy(trace.scatter[config.steps]))).mean().item()
    tail = max(1, len(trace.d_loss) // 10)
    metrics: dict[str, float | int | str] = {
        "modes_covered": final.modes_covered,
        "hq_share": final.hq_share,
        "hq_share_gain": final.hq_share - trace.hq[0],
        "min_hq_per_mode": min(final.counts),
        "hq_share_real_data": ring_quality(real, ring, config.min_mode_count).hq_share,
        "d_loss_last_10pct": float(np.mean(trace.d_loss[-tail:])),
        "g_loss_last_10pct": float(np.mean(trace.g_loss[-tail:])),
        "mean_D_real": d_real,
        "mean_D_fake": d_fake,
    }
    for step, modes, hq in zip(trace.snapshot_steps, trace.modes, trace.hq):
        if step in config.scatter_steps and step not in (0, config.steps):
            metrics[f"modes_covered_step_{step}"] = modes
            metrics[f"hq_share_step_{step}"] = hq

    with figure(out_dir / "scatter.png", (2.6 * len(config.scatter_steps), 2.9),
                ncols=len(config.scatter_steps)) as (fig, axes):
        panels = []
        for step in config.scatter_steps:
            index = trace.snapshot_steps.index(step)
            panels.append((f"step {step}: {trace.modes[index]}/8 modes, HQ {trace.hq[index]:.2f}",
                           trace.scatter[step]))
        scatter_panels(axes, real, panels, ring)
        axes[0].legend(loc="lower left", fontsize=7, markerscale=3)
    _plot_losses(out_dir / "losses.png", trace, config)
    return metrics


def _plot_losses(path: Path, trace: Trace, config: Config) -> None:
    window = max(1, config.steps // 50)
    kernel = np.ones(window) / window
    steps = np.arange(window, len(trace.d_loss) + 1)
    with figure(path, (9.0, 3.4), ncols=2) as (fig, (left, right)):
        left.plot(steps, np.convolve(trace.d_loss, kernel, "valid"), label="discriminator $L_D$")
        left.plot(steps, np.convolve(trace.g_loss, kernel, "valid"), label="generator $L_G$")
        left.axhline(np.log(4), color="grey", linestyle="--", linewidth=0.8)
        left.axhline(np.log(2), color="grey", linestyle=":", linewidth=0.8)
        left.set_xlabel("step")
        left.set_ylabel(f"loss (moving mean of {window})")
        left.legend(fontsize=8)
        right.plot(trace.snapshot_steps, trace.hq, "o-", color="tab:green", label="high-quality share")
        right.set_ylim(0, 1)
        right.set_xlabel("step")
        right.set_ylabel("high-quality share")
        twin = right.twinx()
        twin.plot(trace.snapshot_steps, trace.modes, "s--", color="tab:purple", label="modes covered")
        twin.set_ylim(0, 8.5)
        twin.set_ylabel("modes covered")
        right.legend(loc="lower right", fontsize=8)
        twin.legend(loc="center right", fontsize=8)
