"""A Gaussian mixture model fitted by expectation-maximisation, equal to scikit-learn, then sampled.

The source article (§4.1) lists the Gaussian mixture model (GMM) among the generative models
used to model data probabilistically and to sample from it. A GMM with K components has the
density

    p(x) = Σ_k π_k N(x | μ_k, Σ_k),   π_k ≥ 0, Σ_k π_k = 1.

Expectation-maximisation (Dempster, Laird & Rubin 1977; Bishop, *Pattern Recognition and
Machine Learning*, §9.2.2, eqs. 9.23-9.28) fits it by alternating two steps:

- **E-step**: the responsibility of component k for point n,
  γ_nk = π_k N(x_n | μ_k, Σ_k) / Σ_j π_j N(x_n | μ_j, Σ_j), computed in log space;
- **M-step**: with N_k = Σ_n γ_nk, set μ_k = (1/N_k) Σ_n γ_nk x_n,
  Σ_k = (1/N_k) Σ_n γ_nk (x_n - μ_k)(x_n - μ_k)ᵀ + λI and π_k = N_k / N.

Each iteration cannot decrease the log-likelihood Σ_n log p(x_n) (Dempster et al., Thm. 1;
Bishop §9.4); the run checks that on every iteration. λ = 10⁻⁶ is scikit-learn's
``reg_covar``, which keeps every Σ_k invertible. Started from the same parameters and stopped
by the same rule (the mean log-likelihood changes by less than ``tol``), our EM and
``sklearn.mixture.GaussianMixture`` reach the same parameters; the run measures the largest
difference.

A GMM is generative: to sample, pick a component k with probability π_k, then draw
x ~ N(μ_k, Σ_k). The run draws new points from the fitted model.

What is left out: choosing K (BIC, Dirichlet-process mixtures), diagonal and tied
covariances, k-means initialisation, and variational Bayesian GMMs.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import logsumexp

from .artifacts import figure
from .spec import Artifact, Demo, Threshold

DEMO = Demo(
    name="gmm_em",
    title="Gaussian mixture model and EM: fitting clusters, then sampling new points",
    title_zh="高斯混合模型与 EM 算法：拟合聚类，再采样新数据点",
    summary=(
        "Fits a three-component Gaussian mixture to 2-D data with expectation-maximisation written from "
        "the update equations: responsibilities in the E-step, weighted means, covariances and weights in "
        "the M-step. The log-likelihood is checked never to decrease, the result equals scikit-learn's "
        "GaussianMixture started from the same parameters, and new points are sampled from the fitted "
        "model."
    ),
    summary_zh=(
        "按更新公式实现期望最大化（EM）算法，用三个分量的高斯混合模型拟合二维数据：E 步计算责任度，M 步更新加权"
        "均值、协方差与权重。演示检查对数似然在每次迭代中都不下降，结果与从相同参数出发的 scikit-learn "
        "GaussianMixture 一致，最后从拟合好的模型中采样新的数据点。"
    ),
    topics=("gmm",),
    formula=(
        r"\begin{gathered}"
        r"p(x) = \sum_{k=1}^{K} \pi_k\,\mathcal{N}(x \mid \mu_k, \Sigma_k),\qquad"
        r"\gamma_{nk} = \frac{\pi_k\,\mathcal{N}(x_n \mid \mu_k, \Sigma_k)}{\sum_j \pi_j\,\mathcal{N}(x_n \mid \mu_j, \Sigma_j)}"
        r"\\[4pt]"
        r"N_k = \sum_n \gamma_{nk},\quad \mu_k = \frac{1}{N_k}\sum_n \gamma_{nk}\,x_n,\quad"
        r"\Sigma_k = \frac{1}{N_k}\sum_n \gamma_{nk}(x_n-\mu_k)(x_n-\mu_k)^\top,\quad \pi_k = \frac{N_k}{N}"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("em_steps.png",
                 "The mixture after several EM iterations: each ellipse is a component's 2-standard-deviation "
                 "contour; points are coloured by their most responsible component.",
                 "EM 迭代若干次后的混合模型：每个椭圆是一个分量的 2 倍标准差等高线；数据点按责任度最大的分量着色。"),
        Artifact("loglik.png", "Mean log-likelihood per point after each iteration: it never goes down.",
                 "每次迭代后每个点的平均对数似然：从不下降。"),
        Artifact("samples.png", "Data (left) and as many new points sampled from the fitted mixture (right).",
                 "数据（左）与从拟合好的混合模型中采样的同样数量的新点（右）。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the data, the initial means and the samples
    n_per_blob: int = 300  # 3 x 300 points: enough for EM to separate the blobs
    K: int = 3  # components, equal to the number of blobs that generated the data
    max_iter: int = 200  # EM converges in a few dozen iterations on this data
    tol: float = 1e-6  # stop when the mean log-likelihood changes by less (scikit-learn's rule, tighter)
    reg_covar: float = 1e-6  # λ added to each covariance's diagonal, scikit-learn's default


#: The quick variant: the same (the demo runs in well under a second).
FAST: dict[str, object] = {}

THRESHOLDS = (
    Threshold("min_loglik_increase", ">=", -1e-10, "EM never decreases the log-likelihood (Dempster et al. 1977)",
              "EM 不会降低对数似然（Dempster 等，1977）"),
    Threshold("max_param_diff_vs_sklearn", "<=", 1e-6, "same start, same stopping rule: same parameters as scikit-learn",
              "相同的初始值与停止规则：参数与 scikit-learn 相同"),
    Threshold("loglik_diff_vs_sklearn", "<=", 1e-6, "same mean log-likelihood as GaussianMixture.score",
              "平均对数似然与 GaussianMixture.score 相同"),
    Threshold("max_mean_error", "<=", 0.15, "the fitted means recover the true centres (up to relabelling)",
              "拟合出的均值找回了真实中心（允许重新编号）"),
    Threshold("sample_loglik_gap", "<=", 0.2, "new samples are as likely under the model as the data (nats per point)",
              "新样本在模型下的似然与数据相当（每个点的奈特数）"),
)
FAST_THRESHOLDS = THRESHOLDS


# ----------------------------------------------------------------------------------------------
# The data


@dataclass(frozen=True)
class Mixture:
    """GMM parameters: weights π (K,), means μ (K, D), covariances Σ (K, D, D)."""

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray


#: The three blobs that generate the data: centres and covariances (elongated, in different directions).
TRUE_MIXTURE = Mixture(
    weights=np.full(3, 1 / 3),
    means=np.array([[-2.0, 0.0], [2.0, 1.0], [0.0, 3.0]]),
    covariances=np.array([[[0.6, 0.3], [0.3, 0.4]], [[0.3, -0.2], [-0.2, 0.5]], [[0.8, 0.0], [0.0, 0.15]]]),
)


def blobs(n_per_blob: int, rng: np.random.Generator) -> np.ndarray:
    """n_per_blob points from each Gaussian of :data:`TRUE_MIXTURE`, shuffled: shape (3 n_per_blob, 2)."""
    parts = [rng.multivariate_normal(mu, cov, n_per_blob) for mu, cov in
             zip(TRUE_MIXTURE.means, TRUE_MIXTURE.covariances)]
    return rng.permutation(np.concatenate(parts))


# ----------------------------------------------------------------------------------------------
# EM


def log_gaussian(X: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """log N(x_n | μ, Σ) for every row of X (N, D), via the Cholesky factor L (Σ = L Lᵀ): shape (N,).

    log N = -½ (D log 2π + log|Σ| + ‖L⁻¹(x - μ)‖²), with log|Σ| = 2 Σ log L_ii.
    """
    L = np.linalg.cholesky(covariance)
    solved = np.linalg.solve(L, (X - mean).T)  # L⁻¹(x_n - μ) for every n: (D, N)
    D = X.shape[1]
    return -0.5 * (D * np.log(2 * np.pi) + 2 * np.log(np.diag(L)).sum() + (solved ** 2).sum(axis=0))


def e_step(X: np.ndarray, mixture: Mixture) -> tuple[np.ndarray, float]:
    """Responsibilities γ (N, K) and the mean log-likelihood (1/N) Σ_n log p(x_n) under ``mixture``."""
    weighted = np.stack([np.log(w) + log_gaussian(X, m, c) for w, m, c in
                         zip(mixture.weights, mixture.means, mixture.covariances)], axis=1)  # log π_k N(x_n|k)
    log_px = logsumexp(weighted, axis=1)  # log p(x_n)
    return np.exp(weighted - log_px[:, None]), float(log_px.mean())


def m_step(X: np.ndarray, gamma: np.ndarray, reg_covar: float) -> Mixture:
    """Bishop eqs. 9.24-9.27 from responsibilities γ (N, K), with λI added to each covariance."""
    N_k = gamma.sum(axis=0)  # effective number of points per component (K,)
    means = gamma.T @ X / N_k[:, None]
    covariances = np.empty((len(N_k), X.shape[1], X.shape[1]))
    for k in range(len(N_k)):
        centred = X - means[k]
        covariances[k] = (gamma[:, k, None] * centred).T @ centred / N_k[k] + reg_covar * np.eye(X.shape[1])
    return Mixture(N_k / len(X), means, covariances)


def fit_em(X: np.ndarray, start: Mixture, max_iter: int, tol: float, reg_covar: float
           ) -> tuple[Mixture, list[float], list[Mixture]]:
    """Alternate E and M steps from ``start`` until the mean log-likelihood changes by less than ``tol``.

    Returns the final mixture, the mean log-likelihood at each E-step (of the parameters before
    that iteration's M-step, as scikit-learn's ``lower_bound_``), and the mixture after every
    iteration (index 0 is ``start``).
    """
    mixture, history, path = start, [], [start]
    for _ in range(max_iter):
        gamma, loglik = e_step(X, mixture)
        mixture = m_step(X, gamma, reg_covar)
        path.append(mixture)
        converged = bool(history) and abs(loglik - history[-1]) < tol
        history.append(loglik)
        if converged:
            break
    return mixture, history, path


def initial_mixture(X: np.ndarray, K: int, rng: np.random.Generator) -> Mixture:
    """K distinct data points as means, each covariance the data's overall covariance, equal weights."""
    means = X[rng.choice(len(X), K, replace=False)]
    covariance = np.cov(X, rowvar=False)
    return Mixture(np.full(K, 1 / K), means.copy(), np.repeat(covariance[None], K, axis=0))


def sample_mixture(mixture: Mixture, n: int, rng: np.random.Generator) -> np.ndarray:
    """Ancestral sampling: k ~ Categorical(π), then x ~ N(μ_k, Σ_k). Shape (n, D)."""
    which = rng.choice(len(mixture.weights), size=n, p=mixture.weights)
    points = np.empty((n, mixture.means.shape[1]))
    for k in range(len(mixture.weights)):  # all draws of one component at once, in the order of ``which``
        rows = which == k
        points[rows] = rng.multivariate_normal(mixture.means[k], mixture.covariances[k], int(rows.sum()))
    return points


def sklearn_reference(X: np.ndarray, start: Mixture, config: Config) -> tuple[Mixture, float, int]:
    """``sklearn.mixture.GaussianMixture`` from the same start: (fitted mixture, score(X), n_iter_)."""
    from sklearn.mixture import GaussianMixture

    model = GaussianMixture(config.K, covariance_type="full", tol=config.tol, reg_covar=config.reg_covar,
                            max_iter=config.max_iter, weights_init=start.weights, means_init=start.means,
                            precisions_init=np.linalg.inv(start.covariances), init_params="random_from_data",
                            random_state=config.seed)
    model.fit(X)
    return Mixture(model.weights_, model.means_, model.covariances_), float(model.score(X)), int(model.n_iter_)


def match_components(found: np.ndarray, truth: np.ndarray) -> tuple[int, ...]:
    """The relabelling of found components that minimises the largest mean error (K! permutations)."""
    return min(itertools.permutations(range(len(truth))),
               key=lambda p: max(np.linalg.norm(found[list(p)] - truth, axis=1)))


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Fit by EM, compare with scikit-learn and the true mixture, sample, and draw the figures."""
    rng = np.random.default_rng(config.seed)
    X = blobs(config.n_per_blob, rng)
    start = initial_mixture(X, config.K, rng)
    fitted, history, path = fit_em(X, start, config.max_iter, config.tol, config.reg_covar)
    final_loglik = e_step(X, fitted)[1]
    reference, reference_loglik, reference_iters = sklearn_reference(X, start, config)
    param_diff = max(float(np.abs(getattr(fitted, f) - getattr(reference, f)).max())
                     for f in ("weights", "means", "covariances"))
    order = match_components(fitted.means, TRUE_MIXTURE.means)
    new_points = sample_mixture(fitted, len(X), rng)
    metrics: dict[str, float | int | str] = {
        "n_points": len(X),
        "iterations": len(history),
        "sklearn_iterations": reference_iters,
        "loglik_start": history[0],
        "loglik_final": final_loglik,
        "min_loglik_increase": float(np.min(np.diff(history + [final_loglik]))),
        "max_param_diff_vs_sklearn": param_diff,
        "loglik_diff_vs_sklearn": abs(final_loglik - reference_loglik),
        "max_mean_error": float(np.linalg.norm(fitted.means[list(order)] - TRUE_MIXTURE.means, axis=1).max()),
        "loglik_true_mixture": e_step(X, TRUE_MIXTURE)[1],
        "sample_loglik": e_step(new_points, fitted)[1],
    }
    metrics["sample_loglik_gap"] = abs(metrics["sample_loglik"] - final_loglik)

    shown = sorted({0, 1, 3, 10, len(path) - 1})
    with figure(out_dir / "em_steps.png", (2.6 * len(shown), 2.9), ncols=len(shown)) as (fig, axes):
        for ax, i in zip(axes, shown):
            _draw_mixture(ax, X, path[i], f"iteration {i}" if i < len(path) - 1 else f"converged ({i})")
    with figure(out_dir / "loglik.png", (5.0, 3.0)) as (fig, ax):
        ax.plot(np.arange(1, len(history) + 1), history, "o-", markersize=3, label="our EM")
        ax.axhline(metrics["loglik_true_mixture"], color="grey", linestyle="--", label="true mixture")
        ax.set_xlabel("iteration")
        ax.set_ylabel("mean log-likelihood (nats)")
        ax.legend(fontsize=8)
    with figure(out_dir / "samples.png", (7.0, 3.3), ncols=2, sharex=True, sharey=True) as (fig, axes):
        for ax, points, title in ((axes[0], X, "data"), (axes[1], new_points, "sampled from the fitted GMM")):
            ax.scatter(points[:, 0], points[:, 1], s=2, linewidths=0)
            ax.set_title(title, fontsize=9)
            ax.set_aspect("equal")
    return metrics


def _draw_mixture(ax: object, X: np.ndarray, mixture: Mixture, title: str) -> None:
    gamma, _ = e_step(X, mixture)
    colours = np.array(["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"])
    ax.scatter(X[:, 0], X[:, 1], s=1.5, c=colours[gamma.argmax(1) % len(colours)], linewidths=0)
    angle = np.linspace(0, 2 * np.pi, 100)
    circle = np.stack([np.cos(angle), np.sin(angle)])
    for k, (mean, covariance) in enumerate(zip(mixture.means, mixture.covariances)):
        ellipse = mean[:, None] + 2 * np.linalg.cholesky(covariance) @ circle  # the 2σ contour
        ax.plot(ellipse[0], ellipse[1], color=colours[k % len(colours)], linewidth=1.5)
        ax.plot(*mean, "k+", markersize=8)
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5  # the same window in every panel
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_title(title, fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_aspect("equal")
