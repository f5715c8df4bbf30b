"""The ring of eight Gaussians: the 2-D data set and the two quality measures the GAN and DDPM demos share.

The data is a mixture of K = 8 isotropic Gaussians, each with standard deviation σ = 0.1, whose
centres sit evenly on a circle of radius 2:

    p(x) = (1/K) Σ_k N(x; c_k, σ² I),   c_k = 2 (cos 2πk/K, sin 2πk/K).

It became the standard stress test for mode collapse with Unrolled GANs (Metz et al., ICLR
2017, §3.1) and VEEGAN (Srivastava et al., NeurIPS 2017, §5.1), which score a generator with
two numbers computed from its samples:

- **high-quality share**: the fraction of samples lying within 3σ of their nearest centre;
- **modes covered**: how many centres have at least ``min_count`` high-quality samples
  nearest to them (a generator that collapses onto a few modes covers few).

Both demos use the same data, the same number of samples and the same two numbers, so their
pages and the "generative models side by side" page compare them directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Ring:
    """The mixture's parameters: ``modes`` centres on a circle of ``radius``, each with std ``sigma``."""

    modes: int = 8  # the benchmark's eight modes
    radius: float = 2.0  # centres 2 sin(π/8)·2 ≈ 1.53 apart: 15σ, so the modes never overlap
    sigma: float = 0.1  # narrow modes make a blurry generator visible in the quality share

    def centres(self) -> np.ndarray:
        """The K centres c_k = r (cos 2πk/K, sin 2πk/K), shape (K, 2)."""
        angle = 2 * np.pi * np.arange(self.modes) / self.modes
        return self.radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """n draws from the mixture: pick a centre uniformly, add N(0, σ² I) noise. Shape (n, 2), float32."""
        which = rng.integers(0, self.modes, n)
        return (self.centres()[which] + self.sigma * rng.standard_normal((n, 2))).astype(np.float32)


@dataclass(frozen=True)
class RingQuality:
    """The two benchmark numbers for one set of samples, and the per-mode counts behind them."""

    modes_covered: int  # centres with at least min_count high-quality samples
    hq_share: float  # fraction of samples within 3σ of their nearest centre
    counts: tuple[int, ...]  # high-quality samples nearest to each centre, length K


def ring_quality(samples: np.ndarray, ring: Ring, min_count: int = 20, radius_in_sigmas: float = 3.0) -> RingQuality:
    """Score samples (n, 2) against the ring (VEEGAN §5.1's protocol).

    A sample is high quality when its distance to the nearest centre is at most
    ``radius_in_sigmas`` · σ; a mode is covered when at least ``min_count`` high-quality samples
    are nearest to it. For n = 2000 samples from the true mixture, about 98.9 % are high quality
    (the mass of a 2-D Gaussian within 3σ is 1 - e^{-9/2}) and all modes are covered.
    """
    distances = np.linalg.norm(samples[:, None, :] - ring.centres()[None, :, :], axis=2)  # (n, K)
    nearest = distances.argmin(axis=1)
    good = distances.min(axis=1) <= radius_in_sigmas * ring.sigma
    counts = np.bincount(nearest[good], minlength=ring.modes)
    return RingQuality(int((counts >= min_count).sum()), float(good.mean()), tuple(int(c) for c in counts))


def scatter_panels(axes: np.ndarray, real: np.ndarray | None, panels: list[tuple[str, np.ndarray]], ring: Ring,
                   margin: float = 1.0) -> None:
    """Draw each panel's points (blue) on a row of matplotlib axes, over the real points (grey) and
    the centres (red) when ``real`` is given; every panel shows the square ±(radius + margin)."""
    limit = ring.radius + margin
    for ax, (title, points) in zip(np.atleast_1d(axes), panels):
        # small opaque markers: semi-transparent ones multiply the colours and the PNG size
        if real is not None:
            ax.scatter(real[:, 0], real[:, 1], s=1.5, c="0.75", linewidths=0, label="data")
        ax.scatter(points[:, 0], points[:, 1], s=1.5, c="tab:blue", linewidths=0, label="generated")
        if real is not None:
            ax.scatter(*ring.centres().T, marker="x", c="tab:red", s=25, label="centres")
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(title, fontsize=9)
