"""Reptile's pieces against PyTorch's own modules and optimiser, and the update rule θ ← θ + ε (W - θ)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from torch import nn  # noqa: E402

from aigc_resources.demos.reptile_sine import (  # noqa: E402
    Config, adapt, init_params, make_eval_tasks, mlp, random_task, reptile, task_points)


#: One held-out task for the meta-training curve (drawn from its own generator: training is unaffected).
VALIDATION = make_eval_tasks(1, Config(), np.random.default_rng(99))


def as_module(params: list[torch.Tensor]) -> nn.Sequential:
    hidden = params[0].shape[0]
    net = nn.Sequential(nn.Linear(1, hidden), nn.Tanh(), nn.Linear(hidden, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    with torch.no_grad():
        for target, source in zip(net.parameters(), params):
            target.copy_(source)
    return net


def test_mlp_equals_the_same_nn_sequential() -> None:
    params = init_params(16, torch.Generator().manual_seed(0))
    x = torch.linspace(-5, 5, 30).unsqueeze(1)
    assert torch.allclose(mlp(params, x), as_module(params)(x), atol=1e-6)


def test_adapt_equals_torch_sgd() -> None:
    params = init_params(16, torch.Generator().manual_seed(1))
    rng = np.random.default_rng(1)
    x, y = task_points(random_task(rng), 10, rng)
    net = as_module(params)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.02)
    for _ in range(5):
        loss = nn.functional.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    ours = adapt(params, x, y, 5, 0.02)
    assert len(ours) == 6
    assert all(torch.allclose(p, q, atol=1e-6) for p, q in zip(ours[-1], net.parameters()))


def test_tasks_lie_in_the_benchmark_ranges() -> None:
    rng = np.random.default_rng(2)
    tasks = [random_task(rng) for _ in range(500)]
    assert all(0.1 <= t.amplitude <= 5 and 0 <= t.phase <= math.pi for t in tasks)
    x, y = task_points(tasks[0], 10, rng)
    assert x.shape == y.shape == (10, 1) and float(x.abs().max()) <= 5


@pytest.mark.parametrize(("epsilon", "inner_steps", "seed"), [(1.0, 3, 3), (0.5, 2, 4)])
def test_one_meta_iteration_moves_theta_by_epsilon_towards_the_adapted_weights(
        epsilon: float, inner_steps: int, seed: int) -> None:
    """θ ← θ + ε (W - θ) on the first iteration (no annealing yet); ε = 1 lands on W, plain SGD on the task."""
    config = dataclasses.replace(Config(), meta_iterations=1, outer_step=epsilon, inner_steps=inner_steps, hidden=8,
                                 log_every=1)
    theta, _ = reptile(config, torch.Generator().manual_seed(seed), np.random.default_rng(seed), validation=VALIDATION)
    start = init_params(8, torch.Generator().manual_seed(seed))
    rng = np.random.default_rng(seed)
    x, y = task_points(random_task(rng), config.shots, rng)
    W = adapt(start, x, y, inner_steps, config.inner_lr)[-1]
    assert all(torch.allclose(t, s + epsilon * (w - s), atol=1e-6) for t, s, w in zip(theta, start, W))
