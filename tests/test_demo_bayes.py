"""Naive Bayes against scikit-learn; the Beta posterior against scipy and a grid."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta as beta_distribution
from sklearn.datasets import load_iris
from sklearn.naive_bayes import BernoulliNB, GaussianNB

from aigc_resources.demos.bayes import (
    BernoulliNaiveBayes, Config, GaussianNaiveBayes, beta_posterior, credible_interval, grid_posterior_mean,
    interval_coverage)


def test_gaussian_naive_bayes_equals_sklearn_on_iris() -> None:
    X, y = load_iris(return_X_y=True)
    ours = GaussianNaiveBayes.fit(X, y, var_smoothing=1e-9)
    theirs = GaussianNB().fit(X, y)
    assert np.allclose(ours.theta, theirs.theta_, atol=1e-14) and np.allclose(ours.var, theirs.var_, atol=1e-14)
    assert np.allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-12)


@pytest.mark.parametrize("alpha", [1.0, 0.3])
def test_bernoulli_naive_bayes_equals_sklearn(alpha: float) -> None:
    rng = np.random.default_rng(0)
    B, y = (rng.random((120, 9)) < 0.4).astype(float), rng.integers(0, 3, 120)
    ours = BernoulliNaiveBayes.fit(B, y, alpha)
    theirs = BernoulliNB(alpha=alpha).fit(B, y)
    assert np.allclose(np.log(ours.feature_prob), theirs.feature_log_prob_, atol=1e-12)
    assert np.allclose(ours.predict_proba(B), theirs.predict_proba(B), atol=1e-12)


def test_samples_follow_the_class_pixel_probabilities() -> None:
    model = BernoulliNaiveBayes(np.array([0.5, 0.5]), np.array([[0.1, 0.9], [0.5, 0.5]]))
    drawn = model.sample(0, 50_000, np.random.default_rng(1))
    assert drawn.mean(0) == pytest.approx([0.1, 0.9], abs=0.01)


def test_posterior_mean_closed_form_equals_grid_demos_value() -> None:
    """Beta(2, 2) prior, 41 heads in 50 flips: posterior mean 43/54 = 0.796296."""
    a, b = beta_posterior(2, 2, 41, 50)
    assert (a, b) == (43, 11) and a / (a + b) == pytest.approx(0.796296, abs=1e-6)
    assert grid_posterior_mean(2, 2, 41, 50, 20_001) == pytest.approx(a / (a + b), abs=1e-7)


def test_credible_interval_is_scipys_equal_tailed_interval() -> None:
    low, high = credible_interval(43, 11)
    assert (low, high) == pytest.approx(beta_distribution.interval(0.95, 43, 11))
    assert beta_distribution.cdf(high, 43, 11) - beta_distribution.cdf(low, 43, 11) == pytest.approx(0.95)


def test_intervals_are_calibrated_when_theta_comes_from_the_prior() -> None:
    coverage = interval_coverage(Config(calibration_experiments=20_000), np.random.default_rng(2))
    assert coverage == pytest.approx(0.95, abs=0.006)
