"""A denoising diffusion probabilistic model (DDPM) on the ring of eight Gaussians: noise in, data out.

Ho, Jain & Abbeel, "Denoising Diffusion Probabilistic Models" (NeurIPS 2020). A fixed
**forward process** adds Gaussian noise in T small steps with variances β_1..β_T (eq. 2):

    q(x_t | x_{t-1}) = N(x_t; √(1-β_t) x_{t-1}, β_t I).

With α_t = 1 - β_t and ᾱ_t = Π_{s≤t} α_s, any step can be reached in one jump (eq. 4):

    q(x_t | x_0) = N(x_t; √ᾱ_t x_0, (1 - ᾱ_t) I),  i.e.  x_t = √ᾱ_t x_0 + √(1-ᾱ_t) ε,  ε ~ N(0, I).

A network ε_θ(x_t, t) learns to predict the noise ε that was added, with the "simple"
objective (eq. 14, Algorithm 1):

    L_simple = E_{t, x_0, ε} ‖ε - ε_θ(√ᾱ_t x_0 + √(1-ᾱ_t) ε, t)‖².

The **reverse process** then starts from x_T ~ N(0, I) and removes the predicted noise step by
step (eq. 11, Algorithm 2):

    x_{t-1} = (1/√α_t) (x_t - β_t/√(1-ᾱ_t) · ε_θ(x_t, t)) + σ_t z,   z ~ N(0, I),

with σ_t² = β̃_t = (1-ᾱ_{t-1})/(1-ᾱ_t) · β_t, the variance of the true posterior
q(x_{t-1} | x_t, x_0) (eq. 7), and no noise on the last step.

The **noise schedule** is the cosine schedule of Nichol & Dhariwal ("Improved DDPM", ICML 2021,
eq. 17): ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2), s = 0.008, β_t clipped at
0.999. With only T = 100 steps, Ho et al.'s linear schedule (β from 10⁻⁴ to 0.02, rescaled
by 1000/T) left the samples blurry on some seeds (high-quality share 0.48-0.79 at the budget
used here, against 0.85-0.94 for cosine): its first steps are coarse, exactly where the
sharp σ = 0.1 modes are formed. The schedule figure shows both.

The data and the two scores are those of the GAN demo (:mod:`.toy2d`), so the two families
are compared on the same ring, the same sample count and the same numbers.

What is left out: the U-Net (a small MLP with a sinusoidal time embedding suffices in 2-D),
learned variances (Improved DDPM), DDIM's deterministic sampler, classifier(-free) guidance,
EMA of the weights, and latent diffusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .artifacts import figure
from .spec import Artifact, Demo, Threshold
from .toy2d import Ring, ring_quality, scatter_panels

DEMO = Demo(
    name="diffusion_2d",
    title="Diffusion model (DDPM) on a ring of eight Gaussians: learning to remove noise",
    title_zh="环形八高斯上的扩散模型（DDPM）：学会一步步去噪",
    summary=(
        "Adds Gaussian noise to points of the ring of eight Gaussians until nothing is left but noise, "
        "trains a small network to predict the noise that was added, and then generates new points by "
        "running the process backwards from pure noise (Ho et al. 2020). It uses the same data and the same "
        "two scores as the GAN demo (modes covered, share of high-quality points), so the two can be set "
        "side by side. Figures show the noise schedule, the forward noising and samples along the reverse "
        "chain."
    ),
    summary_zh=(
        "不断向环形八高斯的数据点加入高斯噪声，直到只剩噪声；训练一个小网络预测加入的噪声；再从纯噪声出发反向运行"
        "这一过程来生成新点（Ho 等，2020）。数据和两项评分（覆盖的模式数、高质量点占比）都与 GAN 演示相同，"
        "因此两者可以并排比较。图中展示噪声调度、前向加噪过程和反向链上的样本。"
    ),
    topics=("diffusion-models",),
    formula=(
        r"\begin{gathered}"
        r"q(x_t \mid x_0) = \mathcal{N}\big(\sqrt{\bar\alpha_t}\,x_0,\ (1-\bar\alpha_t)\,I\big),\quad"
        r"\bar\alpha_t = \prod_{s=1}^{t}(1-\beta_s)"
        r"\\[4pt]"
        r"\mathcal{L}_{\text{simple}} = \mathbb{E}_{t,x_0,\epsilon}\big\lVert \epsilon -"
        r" \epsilon_\theta\big(\sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\epsilon,\ t\big)\big\rVert^2"
        r"\\[4pt]"
        r"x_{t-1} = \frac{1}{\sqrt{\alpha_t}}\Big(x_t - \frac{\beta_t}{\sqrt{1-\bar\alpha_t}}\,"
        r"\epsilon_\theta(x_t, t)\Big) + \sigma_t z"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("schedule.png",
                 "The noise schedule: β_t and the signal kept, ᾱ_t, for the cosine schedule used here and Ho et "
                 "al.'s linear one, both with T = 100 steps.",
                 "噪声调度：本演示使用的余弦调度与 Ho 等人的线性调度（均为 T = 100 步）下的 β_t 与保留的信号比例 ᾱ_t。"),
        Artifact("forward.png", "The forward process q(x_t | x_0): the ring dissolves into a standard Gaussian.",
                 "前向过程 q(x_t | x_0)：环形数据逐渐化为标准高斯噪声。"),
        Artifact("reverse.png",
                 "The learned reverse process: 2,000 points from pure noise (t = T) to samples (t = 0), over the data "
                 "in grey.",
                 "学到的反向过程：2,000 个点从纯噪声（t = T）变为样本（t = 0），灰色为数据。"),
        Artifact("loss.png", "The training loss L_simple (moving mean).",
                 "训练损失 L_simple（滑动平均）。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # initial weights, the data stream, the time steps and all noise
    T: int = 100  # diffusion steps; Ho et al. use 1,000 for images, 100 suffices in 2-D and is 10x cheaper to sample
    schedule: str = "cosine"  # "cosine" (Nichol & Dhariwal) or "linear" (Ho et al.); see the module docstring
    steps: int = 2000  # optimiser steps: high-quality share 0.85-0.94 over seeds 0-4 (measured)
    batch_size: int = 512  # each step sees every mode at many noise levels; 256 was noisier across seeds
    hidden: int = 128  # ε_θ: MLP (2 + 16) -> 128 -> 128 -> 128 -> 2 with SiLU
    time_dim: int = 16  # size of the sinusoidal embedding of t
    lr: float = 2e-3  # Adam, decayed linearly to 0: the decay is what makes the last samples sharp
    eval_samples: int = 2000  # the GAN demo's sample count
    min_mode_count: int = 20  # the GAN demo's rule for a covered mode


#: The quick variant: a quarter of the steps and half the batch; the modes appear, still blurry.
FAST: dict[str, object] = {"steps": 500, "batch_size": 256}

THRESHOLDS = (
    Threshold("modes_covered", ">=", 7, "the GAN demo's bar; 8/8 measured on seeds 0-4",
              "与 GAN 演示相同的标准；种子 0-4 测得 8/8"),
    Threshold("hq_share", ">=", 0.75, "0.85-0.94 measured on seeds 0-4", "种子 0-4 测得 0.85-0.94"),
    Threshold("q_sample_max_error", "<=", 1e-5,
              "one jump q(x_t|x_0) equals t single steps q(x_t|x_{t-1}) driven by the same noise",
              "一步跳到 q(x_t|x_0) 与用同样的噪声走 t 个单步 q(x_t|x_{t-1}) 结果一致"),
    Threshold("alpha_bar_T", "<=", 1e-3, "x_T carries (almost) no signal: the chain can start from N(0, I)",
              "x_T 几乎不含信号：反向链可以从 N(0, I) 出发"),
)
FAST_THRESHOLDS = (
    Threshold("modes_covered", ">=", 6, "500 steps: 8/8 measured on seeds 0-2", "500 步：种子 0-2 测得 8/8"),
    Threshold("hq_share", ">=", 0.15, "500 steps: 0.20-0.26 measured on seeds 0-2 (pure noise: about 0.05)",
              "500 步：种子 0-2 测得 0.20-0.26（纯噪声约为 0.05）"),
    THRESHOLDS[2],
    THRESHOLDS[3],
)


# ----------------------------------------------------------------------------------------------
# The noise schedule and the forward process


@dataclass(frozen=True)
class NoiseSchedule:
    """β_t, α_t = 1 - β_t, ᾱ_t = Π α_s and the posterior variance β̃_t, each a float32 tensor of shape (T,).

    Index i holds step t = i + 1 (the papers count steps from 1).
    """

    beta: torch.Tensor
    alpha: torch.Tensor
    alpha_bar: torch.Tensor
    posterior_variance: torch.Tensor

    @classmethod
    def from_betas(cls, beta: torch.Tensor) -> NoiseSchedule:
        """Derive α_t, ᾱ_t and β̃_t = (1 - ᾱ_{t-1}) / (1 - ᾱ_t) · β_t (Ho et al. eq. 7), in float64, then cast."""
        beta = beta.double()
        alpha = 1.0 - beta
        alpha_bar = torch.cumprod(alpha, dim=0)
        alpha_bar_prev = torch.cat([torch.ones(1, dtype=torch.float64), alpha_bar[:-1]])
        posterior = (1.0 - alpha_bar_prev) / (1.0 - alpha_bar) * beta
        return cls(beta.float(), alpha.float(), alpha_bar.float(), posterior.float())

    @property
    def T(self) -> int:
        """The number of diffusion steps T."""
        return len(self.beta)


def linear_schedule(T: int) -> NoiseSchedule:
    """Ho et al. §4: β linear from 10⁻⁴ to 0.02 for T = 1000, rescaled by 1000/T for shorter chains."""
    scale = 1000.0 / T
    return NoiseSchedule.from_betas(torch.linspace(1e-4 * scale, 0.02 * scale, T, dtype=torch.float64))


def cosine_schedule(T: int, s: float = 0.008, max_beta: float = 0.999) -> NoiseSchedule:
    """Nichol & Dhariwal eq. 17: ᾱ_t = f(t)/f(0), f(t) = cos²((t/T + s)/(1 + s) · π/2); β_t = 1 - ᾱ_t/ᾱ_{t-1} ≤ 0.999."""
    t = torch.arange(T + 1, dtype=torch.float64) / T
    f = torch.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    alpha_bar = f / f[0]
    return NoiseSchedule.from_betas((1.0 - alpha_bar[1:] / alpha_bar[:-1]).clamp(max=max_beta))


SCHEDULES = {"linear": linear_schedule, "cosine": cosine_schedule}


def make_schedule(name: str, T: int) -> NoiseSchedule:
    """The schedule called ``name`` (``"linear"`` or ``"cosine"``) with T steps; ValueError otherwise."""
    if name not in SCHEDULES:
        raise ValueError(f"unknown noise schedule {name!r}; use one of {', '.join(SCHEDULES)}")
    return SCHEDULES[name](T)


def q_sample(x_0: torch.Tensor, t: torch.Tensor, eps: torch.Tensor, schedule: NoiseSchedule) -> torch.Tensor:
    """x_t = √ᾱ_t x_0 + √(1 - ᾱ_t) ε (eq. 4): the forward process in one jump.

    x_0 and ε have shape (B, D); t (B,) holds step indices 0..T-1 (index i is step i + 1).
    """
    alpha_bar = schedule.alpha_bar[t].unsqueeze(1)
    return alpha_bar.sqrt() * x_0 + (1.0 - alpha_bar).sqrt() * eps


def q_step(x_prev: torch.Tensor, i: int, eps: torch.Tensor, schedule: NoiseSchedule) -> torch.Tensor:
    """One forward step x_t = √(1 - β_t) x_{t-1} + √β_t ε (eq. 2), for step index i."""
    return schedule.alpha[i].sqrt() * x_prev + schedule.beta[i].sqrt() * eps


def q_sample_max_error(schedule: NoiseSchedule, seed: int, n: int = 256, dim: int = 2) -> float:
    """max |one jump - t single steps| when the jump's ε is the single steps' noises combined.

    Running q_step t times with noises ε_1..ε_t gives x_t = √ᾱ_t x_0 + Σ_s c_s ε_s with
    c_s = √β_s · √(ᾱ_t / ᾱ_s); Σ c_s² = 1 - ᾱ_t, so ε = Σ c_s ε_s / √(1 - ᾱ_t) is standard
    normal and :func:`q_sample` with that ε must land on exactly the same point.
    """
    generator = torch.Generator().manual_seed(seed)
    x_0 = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    beta, alpha_bar = schedule.beta.double(), schedule.alpha_bar.double()
    worst = 0.0
    for t in (1, schedule.T // 2, schedule.T):
        x, combined = x_0.clone(), torch.zeros_like(x_0)
        for i in range(t):
            eps_i = torch.randn(n, dim, generator=generator, dtype=torch.float64)
            x = (1.0 - beta[i]).sqrt() * x + beta[i].sqrt() * eps_i
            combined += beta[i].sqrt() * (alpha_bar[t - 1] / alpha_bar[i]).sqrt() * eps_i
        eps = combined / (1.0 - alpha_bar[t - 1]).sqrt()
        jump = alpha_bar[t - 1].sqrt() * x_0 + (1.0 - alpha_bar[t - 1]).sqrt() * eps
        worst = max(worst, float((jump - x).abs().max()))
    return worst


# ----------------------------------------------------------------------------------------------
# The noise predictor ε_θ(x_t, t)


def time_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoidal embedding of the step index t: (B,) integer steps -> (B, dim).

    The Transformer's positional encoding applied to t, in the layout of Ho et al.'s code: the
    dim/2 sines first, then the dim/2 cosines, at frequencies 1000^(-k/(dim/2)), k = 0..dim/2-1
    (base 1000 rather than the Transformer's 10000, since t < T = 100 here).
    """
    half = dim // 2
    frequencies = torch.exp(-math.log(1000.0) * torch.arange(half, dtype=torch.float32) / half)
    angles = t.float().unsqueeze(1) * frequencies.unsqueeze(0)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


class EpsilonNet(nn.Module):
    """ε_θ(x_t, t): an MLP over [x_t, embedding(t)] -> predicted noise, shape (B, D) -> (B, D)."""

    def __init__(self, dim: int, hidden: int, time_dim: int) -> None:
        super().__init__()
        self.time_dim = time_dim
        self.net = nn.Sequential(
            nn.Linear(dim + time_dim, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, hidden), nn.SiLU(),
            nn.Linear(hidden, dim),
        )

    def forward(self, x_t: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """Predicted noise ε_θ(x_t, t) (B, D) for noisy points x_t (B, D) at step indices t (B,)."""
        return self.net(torch.cat([x_t, time_embedding(t, self.time_dim)], dim=1))


def simple_loss(model: nn.Module, x_0: torch.Tensor, schedule: NoiseSchedule,
                generator: torch.Generator) -> torch.Tensor:
    """L_simple (eq. 14): draw t uniformly and ε ~ N(0, I), noise x_0 in one jump, regress ε."""
    t = torch.randint(0, schedule.T, (len(x_0),), generator=generator)
    eps = torch.randn(x_0.shape, generator=generator)
    return ((eps - model(q_sample(x_0, t, eps, schedule), t)) ** 2).mean()


# ----------------------------------------------------------------------------------------------
# The reverse process


def p_sample(eps_pred: torch.Tensor, x_t: torch.Tensor, i: int, z: torch.Tensor,
             schedule: NoiseSchedule) -> torch.Tensor:
    """One reverse step (Algorithm 2, line 4) from step index i, given ε_θ(x_t, t) and fresh noise z.

    x_{t-1} = (x_t - β_t/√(1 - ᾱ_t) ε_θ) / √α_t + σ_t z with σ_t² = β̃_t; no noise on the last step.
    """
    mean = (x_t - schedule.beta[i] / (1.0 - schedule.alpha_bar[i]).sqrt() * eps_pred) / schedule.alpha[i].sqrt()
    if i == 0:
        return mean
    return mean + schedule.posterior_variance[i].sqrt() * z


@torch.no_grad()
def sample(model: nn.Module, n: int, dim: int, schedule: NoiseSchedule, generator: torch.Generator,
           keep: tuple[int, ...] = ()) -> tuple[torch.Tensor, dict[int, torch.Tensor]]:
    """Run the reverse chain from x_T ~ N(0, I) for n points of dimension ``dim``.

    Returns x_0 (n, dim) and the states x_t for every t in ``keep`` (t = T is the starting noise).
    ``model`` maps (x_t, step indices) to ε predictions; any callable with that signature works
    (the tests use the exact ε of a Gaussian data distribution).
    """
    x = torch.randn(n, dim, generator=generator)
    states = {schedule.T: x.clone()} if schedule.T in keep else {}
    for i in reversed(range(schedule.T)):
        eps_pred = model(x, torch.full((n,), i, dtype=torch.long))
        x = p_sample(eps_pred, x, i, torch.randn(n, dim, generator=generator), schedule)
        if i in keep:  # x is now x_{t-1} with t = i + 1, i.e. the state at step i
            states[i] = x.clone()
    return x, states


def train(model: nn.Module, data: Callable[[], torch.Tensor], schedule: NoiseSchedule, steps: int, lr: float,
          generator: torch.Generator) -> list[float]:
    """Algorithm 1 with Adam and a learning rate decayed linearly to 0; ``data()`` returns one batch x_0."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 - step / steps)
    losses = []
    for _ in range(steps):
        loss = simple_loss(model, data(), schedule, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        decay.step()
        losses.append(loss.item())
    return losses


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Train ε_θ on the ring, sample 2,000 points, score them like the GAN demo, and draw the figures."""
    ring = Ring()
    schedule = make_schedule(config.schedule, config.T)
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = EpsilonNet(2, config.hidden, config.time_dim)
    losses = train(model, lambda: torch.from_numpy(ring.sample(config.batch_size, rng)), schedule,
                   config.steps, config.lr, generator)

    keep = (config.T, int(config.T * 0.5), int(config.T * 0.25), int(config.T * 0.1), 0)
    samples, states = sample(model.eval(), config.eval_samples, 2, schedule, generator, keep)
    quality = ring_quality(samples.numpy(), ring, config.min_mode_count)
    real = ring.sample(config.eval_samples, np.random.default_rng(config.seed + 1))
    tail = max(1, config.steps // 10)
    metrics: dict[str, float | int | str] = {
        "modes_covered": quality.modes_covered,
        "hq_share": quality.hq_share,
        "min_hq_per_mode": min(quality.counts),
        "hq_share_real_data": ring_quality(real, ring, config.min_mode_count).hq_share,
        "hq_share_pure_noise": ring_quality(states[config.T].numpy(), ring, config.min_mode_count).hq_share,
        "loss_last_10pct": float(np.mean(losses[-tail:])),
        "q_sample_max_error": q_sample_max_error(schedule, config.seed),
        "alpha_bar_T": float(schedule.alpha_bar[-1]),
    }

    _plot_schedules(out_dir / "schedule.png", config.T, config.schedule)
    forward_steps = (0, int(config.T * 0.1), int(config.T * 0.25), int(config.T * 0.5), config.T)
    with figure(out_dir / "forward.png", (2.4 * len(forward_steps), 2.7), ncols=len(forward_steps)) as (fig, axes):
        x_0 = torch.from_numpy(real)
        eps = torch.randn(x_0.shape, generator=torch.Generator().manual_seed(config.seed + 2))
        panels = [("t = 0 (data)", real)]
        for t in forward_steps[1:]:
            x_t = q_sample(x_0, torch.full((len(x_0),), t - 1), eps, schedule)
            panels.append((f"t = {t}, ᾱ_t = {float(schedule.alpha_bar[t - 1]):.3f}", x_t.numpy()))
        scatter_panels(axes, None, panels, ring, margin=1.5)
    with figure(out_dir / "reverse.png", (2.4 * len(keep), 2.7), ncols=len(keep)) as (fig, axes):
        scatter_panels(axes, real, [(f"t = {t}" + (" (noise)" if t == config.T else ""), states[t].numpy())
                                    for t in keep], ring)
        axes[-1].set_title(f"t = 0: {quality.modes_covered}/8 modes, HQ {quality.hq_share:.2f}", fontsize=9)
    plot_loss(out_dir / "loss.png", losses)
    return metrics


def plot_loss(path: Path, losses: list[float]) -> None:
    """The training loss L_simple as a moving mean over 1/40 of the steps (single steps are very noisy)."""
    window = max(1, len(losses) // 40)
    with figure(path, (5.5, 3.2)) as (fig, ax):
        ax.plot(np.arange(window, len(losses) + 1), np.convolve(losses, np.ones(window) / window, "valid"))
        ax.set_xlabel("step")
        ax.set_ylabel(f"L_simple (moving mean of {window})")


def _plot_schedules(path: Path, T: int, chosen: str) -> None:
    steps = np.arange(1, T + 1)
    with figure(path, (9.0, 3.2), ncols=2) as (fig, (left, right)):
        for name, make in SCHEDULES.items():
            schedule = make(T)
            style = "-" if name == chosen else "--"
            label = f"{name}{' (used)' if name == chosen else ''}"
            left.plot(steps, schedule.beta.numpy(), style, label=label)
            right.plot(steps, schedule.alpha_bar.numpy(), style, label=label)
        left.set_yscale("log")
        left.set_xlabel("step t")
        left.set_ylabel("β_t (log scale)")
        left.legend(fontsize=8)
        right.set_xlabel("step t")
        right.set_ylabel("ᾱ_t (signal kept)")
        right.legend(fontsize=8)
