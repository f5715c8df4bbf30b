"""HMM algorithms against hmmlearn and brute force; our Viterbi against jieba's own."""

from __future__ import annotations

import numpy as np
import pytest
from hmmlearn.hmm import CategoricalHMM

from aigc_resources.demos.hmm import (
    HMM, SENTENCES, backward, bmes_viterbi, brute_force, cut_by_tags, forward, hmm_viterbi, jieba_reference,
    path_probability, posteriors, random_hmm, sample)


def reference(hmm: HMM) -> CategoricalHMM:
    """hmmlearn's model holding exactly our parameters (no fitting, no initialisation)."""
    model = CategoricalHMM(n_components=len(hmm.start), init_params="", params="")
    model.n_features = hmm.emission.shape[1]
    model.startprob_, model.transmat_, model.emissionprob_ = hmm.start, hmm.transition, hmm.emission
    return model


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_forward_backward_viterbi_equal_hmmlearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hmm = random_hmm(4, 5, rng)
    _, obs = sample(hmm, 40, rng)
    model = reference(hmm)
    column = np.array(obs).reshape(-1, 1)
    assert forward(hmm, obs)[2] == pytest.approx(model.score(column), abs=1e-9)
    assert np.allclose(posteriors(hmm, obs), model.predict_proba(column), atol=1e-9)
    best, path = hmm_viterbi(hmm, obs)
    their_best, their_path = model.decode(column, algorithm="viterbi")
    assert best == pytest.approx(their_best, abs=1e-9)
    # equal paths, or (on an exact tie) a path with the same probability
    assert list(their_path) == path or np.log(path_probability(hmm, obs, list(their_path))) == pytest.approx(best)


@pytest.mark.parametrize("seed", [4, 5])
def test_forward_and_viterbi_equal_brute_force_over_all_paths(seed: int) -> None:
    rng = np.random.default_rng(seed)
    hmm = random_hmm(3, 4, rng)
    obs = [int(o) for o in rng.integers(0, 4, 6)]
    loglik, best, _ = brute_force(hmm, obs)
    assert forward(hmm, obs)[2] == pytest.approx(loglik, abs=1e-12)
    assert hmm_viterbi(hmm, obs)[0] == pytest.approx(best, abs=1e-12)


def test_scaled_alpha_beta_give_p_of_o_at_every_t() -> None:
    rng = np.random.default_rng(6)
    hmm = random_hmm(3, 4, rng)
    _, obs = sample(hmm, 12, rng)
    alpha, scale, _ = forward(hmm, obs)
    assert np.allclose((alpha * backward(hmm, obs, scale)).sum(1), 1.0)
    assert np.allclose(alpha.sum(1), 1.0)


def test_scaling_survives_where_the_unscaled_recursion_underflows() -> None:
    rng = np.random.default_rng(7)
    hmm = random_hmm(3, 4, rng)
    _, obs = sample(hmm, 2000, rng)
    a = hmm.start * hmm.emission[:, obs[0]]
    for o in obs[1:]:
        a = (a @ hmm.transition) * hmm.emission[:, o]
    assert a.sum() == 0.0  # plain α underflows float64 long before 2,000 steps
    assert np.isfinite(forward(hmm, obs)[2])


def test_exact_viterbi_ties_exist_which_is_why_paths_are_compared_by_probability() -> None:
    hmm = random_hmm(3, 4, np.random.default_rng(2))
    obs = [0, 0, 0, 0, 3, 3]
    assert path_probability(hmm, obs, [1, 0, 1, 1, 2, 0]) == pytest.approx(path_probability(hmm, obs, [1, 1, 0, 1, 2, 0]))


def test_sampled_transitions_recover_the_matrix() -> None:
    rng = np.random.default_rng(8)
    hmm = random_hmm(3, 4, rng)
    states, _ = sample(hmm, 20_000, rng)
    counts = np.zeros((3, 3))
    np.add.at(counts, (states[:-1], states[1:]), 1)
    assert np.abs(counts / counts.sum(1, keepdims=True) - hmm.transition).max() < 0.03


@pytest.mark.parametrize("sentence", SENTENCES)
def test_our_viterbi_returns_jiebas_path(sentence: str) -> None:
    ours_score, ours_tags = bmes_viterbi(sentence)
    ref_score, ref_tags = jieba_reference(sentence)
    assert ours_tags == ref_tags and ours_score == pytest.approx(ref_score, rel=1e-12)


def test_the_article_term_is_cut_by_the_hmm_alone_as_measured() -> None:
    _, tags = bmes_viterbi("生成式人工智能")
    assert tags == "BMESBME" and cut_by_tags("生成式人工智能", tags) == ["生成式", "人", "工智能"]
    assert len(SENTENCES) >= 20 and len(set(SENTENCES)) == len(SENTENCES)


def test_cut_by_tags_keeps_a_trailing_unfinished_word() -> None:
    assert cut_by_tags("abcd", "SBEB") == ["a", "bc", "d"]
