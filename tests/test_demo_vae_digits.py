"""The VAE's ELBO terms against torch.distributions, and the digits scorer shared by the generative demos."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from torch.distributions import Normal, kl_divergence  # noqa: E402

from aigc_resources.demos.digit_images import DigitScorer, image_grid, load_split  # noqa: E402
from aigc_resources.demos.vae_digits import (  # noqa: E402
    VAE, active_units, kl_to_standard_normal, reconstruction_nll, reparameterise)


def test_closed_form_kl_equals_torch_distributions() -> None:
    g = torch.Generator().manual_seed(0)
    mu, logvar = torch.randn(6, 4, generator=g), torch.randn(6, 4, generator=g)
    expected = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(1)
    assert torch.allclose(kl_to_standard_normal(mu, logvar), expected, atol=1e-5)
    assert torch.equal(kl_to_standard_normal(torch.zeros(2, 3), torch.zeros(2, 3)), torch.zeros(2))


def test_reconstruction_term_is_the_bernoulli_negative_log_likelihood() -> None:
    g = torch.Generator().manual_seed(1)
    logits, x = torch.randn(3, 64, generator=g), torch.rand(3, 64, generator=g)
    p = torch.sigmoid(logits).double()
    expected = -(x * p.log() + (1 - x) * (1 - p).log()).sum(1)
    assert torch.allclose(reconstruction_nll(logits, x).double(), expected, atol=1e-4)


def test_reparameterisation_has_the_right_moments_and_gradients() -> None:
    mu = torch.tensor([1.0, -2.0], requires_grad=True)
    logvar = torch.tensor([0.0, 2 * np.log(0.5)], requires_grad=True)
    eps = torch.randn(100_000, 2, generator=torch.Generator().manual_seed(2))
    z = reparameterise(mu, logvar, eps)
    assert z.mean(0).detach().numpy() == pytest.approx([1.0, -2.0], abs=0.01)
    assert z.std(0).detach().numpy() == pytest.approx([1.0, 0.5], rel=0.01)
    z.sum().backward()  # gradients reach μ and log σ²: the point of the trick
    assert mu.grad is not None and logvar.grad is not None and bool((logvar.grad != 0).all())


def test_forward_returns_per_image_terms_and_active_units_counts_used_dimensions() -> None:
    torch.manual_seed(0)
    model = VAE(latent_dim=3, hidden=16)
    x = torch.rand(5, 64)
    reconstruction, kl = model(x, torch.zeros(5, 3))
    assert reconstruction.shape == kl.shape == (5,)
    with torch.no_grad():  # a decoder-ignored code: every μ equal -> no active unit
        model.to_mu.weight.zero_()
    assert active_units(model, x) == 0


def test_image_grid_places_images_row_by_row_with_gaps() -> None:
    images = np.stack([np.full(64, k + 1, dtype=np.float32) for k in range(5)])
    grid = image_grid(images, 2, 3)
    assert grid.shape == (2 * 9 - 1, 3 * 9 - 1)
    assert grid[0, 0] == 1 and grid[0, 9] == 2 and grid[9, 0] == 4 and grid[9, 18] == 0  # 6th slot blank
    assert grid[8, :].max() == 0 and grid[:, 8].max() == 0  # the gaps
    assert image_grid(images, 2, 3, fill=0.5)[8, 0] == 0.5


def test_digit_scorer_rates_real_digits_high_and_one_class_low() -> None:
    split = load_split(0)
    scorer = DigitScorer(split, seed=0)
    is_real, fid_real = scorer.score(split.X_test)
    one_class = np.resize(split.X_test[split.y_test == 3], (200, 64))
    is_one, fid_one = scorer.score(one_class)
    assert scorer.accuracy > 0.95 and is_real > 8.0 and fid_real < 5.0
    assert is_one < 1.5 and fid_one > 50 * fid_real
