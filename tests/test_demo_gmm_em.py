"""EM for Gaussian mixtures against scipy and scikit-learn (Bishop §9.2.2)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp
from scipy.stats import multivariate_normal
from sklearn.mixture import GaussianMixture

from aigc_resources.demos.gmm_em import (
    TRUE_MIXTURE, Config, Mixture, blobs, e_step, fit_em, initial_mixture, log_gaussian, m_step,
    match_components, sample_mixture, sklearn_reference)


def test_log_gaussian_equals_scipy() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    for mean, cov in zip(TRUE_MIXTURE.means, TRUE_MIXTURE.covariances):
        assert np.allclose(log_gaussian(X, mean, cov), multivariate_normal(mean, cov).logpdf(X), atol=1e-12)


def test_e_step_gives_normalised_responsibilities_and_the_mixture_log_likelihood() -> None:
    X = blobs(50, np.random.default_rng(1))
    gamma, loglik = e_step(X, TRUE_MIXTURE)
    assert np.allclose(gamma.sum(1), 1.0)
    dens = np.stack([np.log(w) + multivariate_normal(m, c).logpdf(X) for w, m, c in
                     zip(TRUE_MIXTURE.weights, TRUE_MIXTURE.means, TRUE_MIXTURE.covariances)], 1)
    assert loglik == pytest.approx(logsumexp(dens, axis=1).mean(), abs=1e-12)


def test_m_step_with_hard_assignments_is_per_cluster_statistics() -> None:
    X = blobs(40, np.random.default_rng(2))
    labels = np.arange(len(X)) % 3
    gamma = np.eye(3)[labels]
    mixture = m_step(X, gamma, reg_covar=0.0)
    for k in range(3):
        assert np.allclose(mixture.means[k], X[labels == k].mean(0))
        assert np.allclose(mixture.covariances[k], np.cov(X[labels == k], rowvar=False, bias=True))
    assert np.allclose(mixture.weights, [1 / 3] * 3)


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_em_equals_sklearn_from_the_same_start_and_never_decreases(seed: int) -> None:
    config = Config(seed=seed)
    rng = np.random.default_rng(seed)
    X = blobs(200, rng)
    start = initial_mixture(X, 3, rng)
    ours, history, _ = fit_em(X, start, config.max_iter, config.tol, config.reg_covar)
    theirs, score, n_iter = sklearn_reference(X, start, config)
    assert len(history) == n_iter
    for field in ("weights", "means", "covariances"):
        assert np.allclose(getattr(ours, field), getattr(theirs, field), atol=1e-8)
    assert e_step(X, ours)[1] == pytest.approx(score, abs=1e-10)
    assert min(np.diff(history)) >= -1e-12


def test_sklearn_score_matches_our_log_likelihood_for_given_parameters() -> None:
    X = blobs(30, np.random.default_rng(3))
    gm = GaussianMixture(3).fit(X)  # only to get a fitted object whose parameters we overwrite
    gm.weights_, gm.means_ = TRUE_MIXTURE.weights, TRUE_MIXTURE.means
    gm.covariances_ = TRUE_MIXTURE.covariances
    gm.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(TRUE_MIXTURE.covariances))
    assert gm.score(X) == pytest.approx(e_step(X, TRUE_MIXTURE)[1], abs=1e-10)


def test_sampling_reproduces_the_mixture_moments() -> None:
    points = sample_mixture(TRUE_MIXTURE, 30_000, np.random.default_rng(4))
    mean = TRUE_MIXTURE.weights @ TRUE_MIXTURE.means
    assert np.allclose(points.mean(0), mean, atol=0.03)


def test_components_are_matched_up_to_relabelling() -> None:
    shuffled = TRUE_MIXTURE.means[[2, 0, 1]] + 0.01
    order = match_components(shuffled, TRUE_MIXTURE.means)
    assert np.allclose(shuffled[list(order)], TRUE_MIXTURE.means + 0.01)
    assert isinstance(Mixture(np.ones(1), np.zeros((1, 2)), np.eye(2)[None]), Mixture)
