"""A variational autoencoder on 8x8 digits: the ELBO, the reparameterisation trick, and what it generates.

Kingma & Welling, "Auto-Encoding Variational Bayes" (ICLR 2014). A latent variable z ~ p(z) =
N(0, I) generates an image x through a decoder p_θ(x | z). The posterior p_θ(z | x) is
intractable, so an encoder q_φ(z | x) = N(μ_φ(x), diag σ²_φ(x)) approximates it, and both are
trained by maximising the evidence lower bound (ELBO, eq. 3):

    log p_θ(x) ≥ L(θ, φ; x) = E_{q_φ(z|x)}[log p_θ(x | z)] - KL(q_φ(z | x) ‖ p(z)).

- The KL term between two Gaussians has a closed form (Appendix B):
  -KL = ½ Σ_j (1 + log σ_j² - μ_j² - σ_j²).
- The expectation is estimated with one sample drawn by the **reparameterisation trick**
  (§2.4): z = μ + σ ⊙ ε with ε ~ N(0, I), so gradients flow through μ and σ.
- The decoder is Bernoulli (Appendix C.1): each pixel intensity in [0, 1] is the target of a
  binary cross-entropy with the decoder's logits, summed over the 64 pixels. The loss is
  -L in nats per image: reconstruction + KL. Strictly, a Bernoulli likelihood is defined
  for binary pixels; on grey levels the cross-entropy is not a normalised density
  (Loaiza-Ganem & Cunningham, "The continuous Bernoulli", NeurIPS 2019), so -L here is a
  training loss to compare runs of this demo, not a bound on a log-likelihood to compare with
  other models (pytorch/examples' MNIST VAE makes the same choice).

New images come from decoding z ~ N(0, I); a second model with a 2-D latent space draws the
map of where each digit class lives and what the decoder makes of a grid of z values (the
paper's Fig. 4). **Posterior collapse** (the decoder ignores z and the KL drops to 0) is
checked by the KL term and by the number of active latent units (Burda et al. 2016, §5.2: a
unit is active when Cov_x(E_q[z_j]) > 0.01).

Samples are scored with the metrics demo's digits classifier (:mod:`.digit_images`): the
Inception Score and the FID of 1,000 decoded samples (the decoder's mean images, not binary
draws) against the training digits.

What is left out: convolutional encoders and decoders, β-VAE and KL annealing, importance-
weighted bounds (IWAE), learned priors, and discrete latents (VQ-VAE).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from scipy.stats import norm
from torch import nn
from torch.nn import functional as F

from .artifacts import figure
from .digit_images import DigitScorer, load_split, show_grid
from .spec import Artifact, Demo, Threshold

DEMO = Demo(
    name="vae_digits",
    title="Variational autoencoder on 8x8 digits: ELBO, reparameterisation and samples",
    title_zh="8x8 手写数字上的变分自编码器：ELBO、重参数化与采样",
    summary=(
        "Trains a small VAE on scikit-learn's 8x8 digits by maximising the evidence lower bound: a "
        "reconstruction term plus the closed-form KL divergence to the N(0, I) prior, with the "
        "reparameterisation trick. The page shows the ELBO and KL curves (the KL stays well above zero: "
        "no posterior collapse), reconstructions, a grid of new digits decoded from random z, and the map "
        "of a 2-D latent space. New digits are scored with the metrics demo's classifier (Inception Score "
        "and FID)."
    ),
    summary_zh=(
        "在 scikit-learn 自带的 8x8 手写数字上训练一个小型 VAE，目标是最大化证据下界：重构项加上与 N(0, I) "
        "先验之间的闭式 KL 散度，并使用重参数化技巧。页面展示 ELBO 与 KL 曲线（KL 明显大于零，没有后验坍塌）、"
        "重构结果、由随机 z 解码出的新数字，以及二维隐空间的分布图。新数字用评估指标演示中的分类器打分"
        "（Inception Score 与 FID）。"
    ),
    topics=("vae", "fid", "inception-score"),
    formula=(
        r"\begin{gathered}"
        r"\log p_\theta(x) \ge \mathcal{L} = \mathbb{E}_{q_\phi(z\mid x)}\big[\log p_\theta(x\mid z)\big]"
        r" - \mathrm{KL}\big(q_\phi(z\mid x)\,\Vert\,\mathcal{N}(0, I)\big)"
        r"\\[4pt]"
        r"-\mathrm{KL} = \tfrac12\sum_j\big(1 + \log\sigma_j^2 - \mu_j^2 - \sigma_j^2\big),\qquad"
        r"z = \mu + \sigma\odot\epsilon,\ \ \epsilon\sim\mathcal{N}(0, I)"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("elbo.png",
                 "Held-out negative ELBO per image with its two parts, reconstruction and KL, after every epoch.",
                 "每轮训练后留出集每张图的负 ELBO 及其两部分：重构项与 KL 项。"),
        Artifact("reconstructions.png", "Held-out digits (top) and their reconstructions from the posterior mean (bottom).",
                 "留出集中的数字（上）及其由后验均值解码的重构（下）。"),
        Artifact("samples.png", "100 new digits decoded from z ~ N(0, I), with the label the metrics classifier gives each.",
                 "由 z ~ N(0, I) 解码出的 100 个新数字，以及评估分类器给出的标签。"),
        Artifact("latent_map.png",
                 "A VAE with a 2-D latent space. Left: posterior means of held-out digits, coloured by class. Right: "
                 "decoded images over a grid of z (through the inverse normal CDF, as in Kingma & Welling's Fig. 4).",
                 "隐空间为二维的 VAE。左：留出集数字的后验均值，按类别着色。右：在 z 的网格上解码出的图像"
                 "（经正态分布的逆累积分布函数映射，同 Kingma 与 Welling 论文图 4）。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the split, the weights, the batch order and every ε
    latent_dim: int = 8  # Z: KL about 2.9 nats, far from collapse
    hidden: int = 128  # encoder 64-128-(μ, log σ²), decoder Z-128-64
    epochs: int = 50  # held-out -ELBO 24.7 after 50 epochs (25.3 after 20)
    batch_size: int = 64  # 24 Adam updates per epoch on the 1,500 training digits
    lr: float = 1e-3  # Adam, as in the PyTorch VAE example
    map_epochs: int = 50  # the 2-D latent model for the map, trained the same way
    n_samples: int = 1000  # decoded samples scored by IS and FID


#: The quick variant: 20 epochs and a short 2-D model.
FAST: dict[str, object] = {"epochs": 20, "map_epochs": 5}

THRESHOLDS = (
    Threshold("neg_elbo_epoch_20", "<=", 28.0, "25.4-25.7 nats measured on seeds 0-2",
              "种子 0-2 测得 25.4-25.7 奈特"),
    Threshold("neg_elbo_improvement", ">=", 0.35, "at least 35 % below the untrained model (44.6 -> 24.7)",
              "比未训练的模型至少低 35 %（44.6 -> 24.7）"),
    Threshold("kl", ">=", 0.5, "no posterior collapse: the code carries information (2.87-3.02 nats measured)",
              "没有后验坍塌：隐变量携带信息（测得 2.87-3.02 奈特）"),
    Threshold("active_units", ">=", 3, "several latent dimensions are in use", "多个隐变量维度在起作用"),
    Threshold("recon_gain_over_mean_image", ">", 0.0,
              "reconstructions beat predicting the average digit for every image",
              "重构优于对每张图都预测平均数字"),
    Threshold("is_samples", ">=", 4.0, "5.09-5.30 measured on seeds 0-2", "种子 0-2 测得 5.09-5.30"),
    Threshold("fid_samples", "<=", 60.0, "23.6-28.5 measured on seeds 0-2 (real test digits: 2.4-2.9)",
              "种子 0-2 测得 23.6-28.5（真实测试数字：2.4-2.9）"),
)
FAST_THRESHOLDS = (
    Threshold("neg_elbo_final", "<=", 30.0, "20 epochs: 25.4-25.7 measured on seeds 0-2", "20 轮：种子 0-2 测得 25.4-25.7"),
    THRESHOLDS[2],
    THRESHOLDS[4],
    Threshold("is_samples", ">=", 3.0, "20 epochs: 3.91-4.10 measured on seeds 0-2", "20 轮：种子 0-2 测得 3.91-4.10"),
)


# ----------------------------------------------------------------------------------------------
# The model


class VAE(nn.Module):
    """Encoder q_φ(z|x) = N(μ, diag σ²) and Bernoulli decoder p_θ(x|z), both one-hidden-layer MLPs.

    Shapes: x (B, 64) in [0, 1]; μ, log σ² and z (B, Z); decoder logits (B, 64).
    """

    def __init__(self, latent_dim: int, hidden: int) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, hidden), nn.ReLU())
        self.to_mu = nn.Linear(hidden, latent_dim)
        self.to_logvar = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, 64))
        self.latent_dim = latent_dim

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """μ_φ(x) and log σ²_φ(x), each (B, Z)."""
        h = self.encoder(x)
        return self.to_mu(h), self.to_logvar(h)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Logits of p_θ(x | z), (B, 64); the mean image is their sigmoid."""
        return self.decoder(z)

    def forward(self, x: torch.Tensor, eps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per-image reconstruction term -log p_θ(x | z) and KL(q_φ(z|x) ‖ N(0, I)), each (B,), in nats.

        ``eps`` (B, Z) is the reparameterisation noise: z = μ + σ ⊙ ε.
        """
        mu, logvar = self.encode(x)
        z = reparameterise(mu, logvar, eps)
        return reconstruction_nll(self.decode(z), x), kl_to_standard_normal(mu, logvar)


def reparameterise(mu: torch.Tensor, logvar: torch.Tensor, eps: torch.Tensor) -> torch.Tensor:
    """z = μ + σ ⊙ ε with σ = exp(½ log σ²) (Kingma & Welling §2.4)."""
    return mu + torch.exp(0.5 * logvar) * eps


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = -½ Σ_j (1 + log σ_j² - μ_j² - σ_j²) (Appendix B), shape (B,)."""
    return -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum(dim=1)


def reconstruction_nll(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log p_θ(x | z) for a Bernoulli decoder: binary cross-entropy summed over the 64 pixels, shape (B,)."""
    return F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(dim=1)


# ----------------------------------------------------------------------------------------------
# Training and evaluation


@dataclass(frozen=True)
class Evaluation:
    """Held-out averages in nats per image: -ELBO = reconstruction + KL."""

    neg_elbo: float
    reconstruction: float
    kl: float


@torch.no_grad()
def evaluate(model: VAE, X: torch.Tensor, seed: int) -> Evaluation:
    """One-sample estimate of the held-out -ELBO, with the same ε at every epoch (comparable curves)."""
    eps = torch.randn(len(X), model.latent_dim, generator=torch.Generator().manual_seed(seed))
    reconstruction, kl = model(X, eps)
    return Evaluation(float((reconstruction + kl).mean()), float(reconstruction.mean()), float(kl.mean()))


def train(latent_dim: int, config: Config, X_train: torch.Tensor, X_test: torch.Tensor, epochs: int,
          generator: torch.Generator) -> tuple[VAE, list[Evaluation]]:
    """Minimise the mean -ELBO with Adam; return the model and the held-out evaluation before and after each epoch."""
    model = VAE(latent_dim, config.hidden)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    history = [evaluate(model, X_test, config.seed)]
    for _ in range(epochs):
        order = torch.randperm(len(X_train), generator=generator)
        for start in range(0, len(X_train), config.batch_size):
            x = X_train[order[start:start + config.batch_size]]
            reconstruction, kl = model(x, torch.randn(len(x), latent_dim, generator=generator))
            loss = (reconstruction + kl).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        history.append(evaluate(model, X_test, config.seed))
    return model, history


@torch.no_grad()
def active_units(model: VAE, X: torch.Tensor, threshold: float = 0.01) -> int:
    """Latent dimensions j with Cov_x(E_q[z_j | x]) > threshold (Burda et al. 2016, §5.2)."""
    mu, _ = model.encode(X)
    return int((mu.var(dim=0) > threshold).sum())


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Train the Z-dim VAE and the 2-D one, score samples with the digits classifier, draw the figures."""
    split = load_split(config.seed)
    X_train, X_test = torch.from_numpy(split.X_train), torch.from_numpy(split.X_test)
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model, history = train(config.latent_dim, config, X_train, X_test, config.epochs, generator)
    model.eval()

    mean_image = X_train.mean(0).clamp(1e-4, 1 - 1e-4)  # the best constant Bernoulli image
    baseline = float(F.binary_cross_entropy(mean_image.expand_as(X_test), X_test, reduction="none").sum(1).mean())
    with torch.no_grad():
        samples = torch.sigmoid(model.decode(torch.randn(config.n_samples, config.latent_dim, generator=generator)))
        mu_test, _ = model.encode(X_test)
        reconstructions = torch.sigmoid(model.decode(mu_test))
    scorer = DigitScorer(split, config.seed)
    is_samples, fid_samples = scorer.score(samples.numpy())
    is_real, fid_real = scorer.score(split.X_test)
    final = history[-1]
    metrics: dict[str, float | int | str] = {
        "neg_elbo_init": history[0].neg_elbo,
        "neg_elbo_epoch_1": history[min(1, config.epochs)].neg_elbo,
        "neg_elbo_epoch_20": history[min(20, config.epochs)].neg_elbo,
        "neg_elbo_final": final.neg_elbo,
        "neg_elbo_improvement": 1 - final.neg_elbo / history[0].neg_elbo,
        "reconstruction": final.reconstruction,
        "kl": final.kl,
        "active_units": active_units(model, X_test),
        "recon_nll_mean_image": baseline,
        "recon_gain_over_mean_image": baseline - final.reconstruction,
        "is_samples": is_samples,
        "fid_samples": fid_samples,
        "is_real_test": is_real,
        "fid_real_test": fid_real,
        "classifier_accuracy": scorer.accuracy,
    }

    map_model, map_history = train(2, config, X_train, X_test, config.map_epochs, generator)
    metrics["neg_elbo_final_2d"] = map_history[-1].neg_elbo

    _plot_elbo(out_dir / "elbo.png", history)
    with figure(out_dir / "reconstructions.png", (7.0, 2.0)) as (fig, ax):
        pairs = np.concatenate([split.X_test[:16], reconstructions[:16].numpy()])
        show_grid(ax, pairs, 2, 16, "held-out digits (top) and reconstructions (bottom)")
    labels = scorer.predict(samples[:100].numpy())
    with figure(out_dir / "samples.png", (5.2, 5.6)) as (fig, ax):
        show_grid(ax, samples[:100].numpy(), 10, 10,
                  f"z ~ N(0, I): IS {is_samples:.2f}, FID {fid_samples:.1f}\n"
                  f"classifier labels, row by row: {''.join(map(str, labels[:10]))} ...")
    _plot_latent_map(out_dir / "latent_map.png", map_model, X_test, split.y_test)
    return metrics


def _plot_elbo(path: Path, history: list[Evaluation]) -> None:
    epochs = np.arange(len(history))
    with figure(path, (9.0, 3.3), ncols=2) as (fig, (left, right)):
        left.plot(epochs, [h.neg_elbo for h in history], "o-", markersize=3, label="-ELBO")
        left.plot(epochs, [h.reconstruction for h in history], "s-", markersize=3, label="reconstruction")
        left.set_xlabel("epoch")
        left.set_ylabel("nats per image (held-out)")
        left.legend(fontsize=8)
        right.plot(epochs, [h.kl for h in history], "o-", markersize=3, color="tab:red")
        right.set_ylim(bottom=0)
        right.set_xlabel("epoch")
        right.set_ylabel("KL(q(z|x) || p(z)), nats")
        right.set_title("KL stays above 0: no posterior collapse", fontsize=9)


@torch.no_grad()
def _plot_latent_map(path: Path, model: VAE, X_test: torch.Tensor, y_test: np.ndarray) -> None:
    mu, _ = model.encode(X_test)
    side = 12
    quantiles = norm.ppf(np.linspace(0.05, 0.95, side))  # z grid evenly spaced in probability, as in Fig. 4
    grid = torch.tensor([[a, b] for b in quantiles[::-1] for a in quantiles], dtype=torch.float32)
    decoded = torch.sigmoid(model.decode(grid)).numpy()
    with figure(path, (10.0, 4.8), ncols=2) as (fig, (left, right)):
        points = left.scatter(mu[:, 0], mu[:, 1], c=y_test, cmap="tab10", s=10, vmin=-0.5, vmax=9.5)
        fig.colorbar(points, ax=left, ticks=range(10), label="digit")
        left.set_xlabel("μ_1")
        left.set_ylabel("μ_2")
        left.set_title("held-out digits in the 2-D latent space", fontsize=9)
        show_grid(right, decoded, side, side, "decoded z over a grid of normal quantiles")
