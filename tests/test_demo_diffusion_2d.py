"""DDPM pieces against closed forms (Ho et al. 2020): schedules, the one-jump forward process, the reverse step."""

from __future__ import annotations

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from aigc_resources.demos.diffusion_2d import (  # noqa: E402
    EpsilonNet, cosine_schedule, linear_schedule, make_schedule, q_sample, q_sample_max_error, sample,
    time_embedding)


@pytest.mark.parametrize("make", [linear_schedule, cosine_schedule])
def test_schedule_quantities_follow_their_definitions(make) -> None:
    s = make(100)
    beta = s.beta.double()
    assert torch.allclose(s.alpha.double(), 1 - beta, atol=1e-7)
    assert torch.allclose(s.alpha_bar.double(), torch.cumprod(1 - beta, 0), rtol=1e-4, atol=1e-7)  # float32
    alpha_bar_prev = torch.cat([torch.ones(1, dtype=torch.float64), s.alpha_bar.double()[:-1]])
    expected = (1 - alpha_bar_prev) / (1 - s.alpha_bar.double()) * beta
    assert torch.allclose(s.posterior_variance.double(), expected, rtol=1e-4, atol=1e-7)
    assert s.posterior_variance[0] == 0  # q(x_0 | x_1, x_0) has no spread
    assert bool((s.beta > 0).all()) and bool((s.beta <= 0.999).all())


def test_linear_schedule_rescales_hos_endpoints() -> None:
    s = linear_schedule(1000)
    assert s.beta[0].item() == pytest.approx(1e-4) and s.beta[-1].item() == pytest.approx(0.02)
    short = linear_schedule(100)
    assert short.beta[0].item() == pytest.approx(1e-3) and short.beta[-1].item() == pytest.approx(0.2)


def test_cosine_schedule_is_nichol_and_dhariwals_formula_before_clipping() -> None:
    T, s = 100, 0.008
    f = [math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2 for t in range(T + 1)]
    ours = cosine_schedule(T).alpha_bar
    for t in (1, 10, 50, 90):
        assert ours[t - 1].item() == pytest.approx(f[t] / f[0], rel=1e-5)


def test_unknown_schedule_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown noise schedule"):
        make_schedule("quadratic", 10)


@pytest.mark.parametrize("make", [linear_schedule, cosine_schedule])
def test_one_jump_equals_t_single_steps(make) -> None:
    assert q_sample_max_error(make(100), seed=3) < 1e-5


def test_q_sample_has_the_closed_form_mean_and_variance() -> None:
    s = linear_schedule(100)
    x_0 = torch.full((200_000, 2), 1.5)
    t = torch.full((200_000,), 29)
    x_t = q_sample(x_0, t, torch.randn(x_0.shape, generator=torch.Generator().manual_seed(0)), s)
    a = s.alpha_bar[29].item()
    assert x_t.mean().item() == pytest.approx(math.sqrt(a) * 1.5, abs=0.01)
    assert x_t.var().item() == pytest.approx(1 - a, rel=0.01)


def test_reverse_chain_with_the_exact_noise_predictor_recovers_the_data() -> None:
    """For x_0 ~ N(μ, s² I) the optimal ε_θ is known in closed form; Algorithm 2 driven by it must return N(μ, s² I).

    x_t = √ᾱ x_0 + √(1-ᾱ) ε is Gaussian with mean √ᾱ μ and variance ᾱ s² + 1 - ᾱ, and
    E[ε | x_t] = √(1-ᾱ) (x_t - √ᾱ μ) / (ᾱ s² + 1 - ᾱ). A wrong sign or coefficient in p_sample
    moves the samples' mean or spread. The chain is exact only as T grows (each step plugs in
    the point estimate E[x_0 | x_t], which loses a little spread: measured std 0.271 at T = 100,
    0.285 at 200, 0.297 at 1000 with the linear schedule), so this test uses T = 1000.
    """
    mu, spread = torch.tensor([1.0, -2.0]), 0.3
    schedule = cosine_schedule(1000)

    def exact_eps(x_t: torch.Tensor, i: torch.Tensor) -> torch.Tensor:
        a = schedule.alpha_bar[i].unsqueeze(1)
        return (1 - a).sqrt() * (x_t - a.sqrt() * mu) / (a * spread**2 + 1 - a)

    x, states = sample(exact_eps, 40_000, 2, schedule, torch.Generator().manual_seed(0), keep=(1000, 500, 0))
    assert torch.allclose(x.mean(0), mu, atol=0.01)
    assert x.std(0).numpy() == pytest.approx(np.full(2, spread), rel=0.03)
    assert set(states) == {1000, 500, 0} and torch.equal(states[0], x)
    assert states[1000].std().item() == pytest.approx(1.0, abs=0.02)  # the chain starts from N(0, I)


def test_noise_predictor_shapes() -> None:
    emb = time_embedding(torch.arange(5), 16)
    assert emb.shape == (5, 16) and emb.abs().max() <= 1
    net = EpsilonNet(2, 32, 16)
    assert net(torch.randn(5, 2), torch.arange(5)).shape == (5, 2)
