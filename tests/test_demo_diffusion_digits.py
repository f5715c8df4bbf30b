"""The digits DDPM: the pixel scaling of Ho et al. §4 and the reverse chain in 64 dimensions."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from aigc_resources.demos.diffusion_2d import linear_schedule, sample  # noqa: E402
from aigc_resources.demos.diffusion_digits import Config, to_model_space, to_pixels  # noqa: E402


def test_pixels_map_to_minus_one_one_and_back() -> None:
    pixels = np.linspace(0, 1, 64, dtype=np.float32)[None]
    x = to_model_space(pixels)
    assert x.min().item() == -1.0 and x.max().item() == 1.0
    assert np.allclose(to_pixels(x), pixels)
    assert to_pixels(torch.tensor([[-3.0, 3.0]])).tolist() == [[0.0, 1.0]]  # clipped


def test_the_digits_demo_uses_the_linear_schedule() -> None:
    assert Config().schedule == "linear"  # the cosine schedule blew up on 64 pixels (module docstring)


def test_reverse_chain_in_64_dimensions_with_the_exact_noise_predictor() -> None:
    """Data N(m, s² I) in 64-D: with the exact ε the chain's samples have mean m (the 2-D test, scaled up)."""
    schedule = linear_schedule(100)
    m = torch.linspace(-0.8, 0.8, 64)

    def exact_eps(x_t: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        a = schedule.alpha_bar[i].unsqueeze(1)
        return (1 - a).sqrt() * (x_t - a.sqrt() * m) / (a * 0.04 + 1 - a)

    x, _ = sample(exact_eps, 5000, 64, schedule, torch.Generator().manual_seed(0))
    assert x.shape == (5000, 64)
    assert (x.mean(0) - m).abs().max().item() < 0.02
