"""The ring benchmark's two numbers and the GAN losses, against their definitions (Goodfellow et al. 2014)."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from torch import nn  # noqa: E402

from aigc_resources.demos.gan_2d import discriminator_loss, generator_loss, mlp  # noqa: E402
from aigc_resources.demos.toy2d import Ring, ring_quality  # noqa: E402


def test_true_mixture_scores_as_the_gaussian_mass_within_three_sigma() -> None:
    ring = Ring()
    quality = ring_quality(ring.sample(40_000, np.random.default_rng(0)), ring)
    assert quality.modes_covered == 8
    assert quality.hq_share == pytest.approx(1 - math.exp(-4.5), abs=0.003)  # 2-D Gaussian mass within 3σ
    assert sum(quality.counts) == pytest.approx(quality.hq_share * 40_000)


def test_mode_collapse_covers_one_mode() -> None:
    ring = Ring()
    collapsed = ring.centres()[3] + 0.05 * np.random.default_rng(1).standard_normal((2000, 2))
    quality = ring_quality(collapsed, ring)
    assert quality.modes_covered == 1 and quality.hq_share == 1.0 and quality.counts[3] == 2000


def test_points_between_modes_are_not_high_quality() -> None:
    ring = Ring()
    angles = 2 * np.pi * (np.arange(8) + 0.5) / 8  # halfway between neighbouring centres
    between = np.repeat(ring.radius * np.stack([np.cos(angles), np.sin(angles)], 1), 10, axis=0)
    quality = ring_quality(np.concatenate([between, np.zeros((20, 2))]), ring)
    assert quality.hq_share == 0.0 and quality.modes_covered == 0


def test_a_mode_needs_min_count_high_quality_points() -> None:
    ring = Ring()
    points = np.repeat(ring.centres(), [20, 19, 20, 20, 20, 20, 20, 20], axis=0)
    assert ring_quality(points, ring, min_count=20).modes_covered == 7


def test_losses_are_the_papers_cross_entropies() -> None:
    torch.manual_seed(0)
    D = mlp(2, 8, 1)
    x_real, x_fake = torch.randn(5, 2), torch.randn(7, 2)
    d_real, d_fake = torch.sigmoid(D(x_real)), torch.sigmoid(D(x_fake))
    expected_D = -torch.log(d_real).mean() - torch.log(1 - d_fake).mean()
    assert discriminator_loss(D, x_real, x_fake).item() == pytest.approx(expected_D.item(), rel=1e-6)
    assert generator_loss(D, x_fake).item() == pytest.approx(-torch.log(d_fake).mean().item(), rel=1e-6)


def test_at_the_equilibrium_the_losses_are_log4_and_log2() -> None:
    """D(x) = 1/2 everywhere (p_g = p_data, Prop. 1): L_D = log 4 and L_G = log 2."""
    D = nn.Linear(2, 1)
    nn.init.zeros_(D.weight)
    nn.init.zeros_(D.bias)
    x = torch.randn(10, 2)
    assert discriminator_loss(D, x, x).item() == pytest.approx(math.log(4))
    assert generator_loss(D, x).item() == pytest.approx(math.log(2))
