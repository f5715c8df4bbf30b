"""Beam search against greedy and exhaustive search."""

from __future__ import annotations

import math

import pytest

from aigc_resources.demos.beam_search import (
    A, B, C, EOS, Hypothesis, RandomToyDecoder, beam_search, exhaustive_search, greedy_search, worked_example_step)


def test_worked_example_greedy_and_beam_two() -> None:
    greedy = greedy_search(worked_example_step, EOS, 4)
    beam = beam_search(worked_example_step, EOS, 2, 4)
    assert greedy.tokens == (A, B, C, EOS) and math.exp(greedy.log_prob) == pytest.approx(0.5 * 0.4 * 0.4 * 0.6)
    assert beam.tokens == (A, C, B, EOS) and math.exp(beam.log_prob) == pytest.approx(0.5 * 0.3 * 0.6 * 0.6)


def test_length_normalisation_undoes_the_bias_towards_short_outputs() -> None:
    raw, _ = exhaustive_search(worked_example_step, EOS, 4, 4)
    normalised, _ = exhaustive_search(worked_example_step, EOS, 4, 4, alpha=0.75)
    assert raw.tokens == (A, EOS) and math.exp(raw.log_prob) == pytest.approx(0.1)  # short and "most probable"
    assert normalised.tokens == (A, C, B, EOS)
    # by hand: log(0.1) / 2^0.75 = -1.369 < log(0.054) / 4^0.75 = -1.032
    assert Hypothesis((A, EOS), math.log(0.1), True).score(0.75) == pytest.approx(math.log(0.1) / 2 ** 0.75)
    assert normalised.score(0.75) == pytest.approx(math.log(0.054) / 4 ** 0.75)


@pytest.mark.parametrize(("vocab_size", "max_len"), [(3, 4), (4, 4), (5, 3)])
@pytest.mark.parametrize("alpha", [0.0, 0.75])
def test_full_width_equals_exhaustive_and_width_one_equals_greedy(vocab_size: int, max_len: int, alpha: float) -> None:
    eos, full = vocab_size - 1, vocab_size ** max_len
    for model_id in range(30):
        step = RandomToyDecoder(7, model_id, vocab_size, 1.5)
        best, count = exhaustive_search(step, eos, vocab_size, max_len, alpha)
        assert count == sum((vocab_size - 1) ** (n - 1) for n in range(1, max_len + 1)) + (vocab_size - 1) ** max_len
        found = beam_search(step, eos, full, max_len, alpha)
        assert found.tokens == best.tokens and found.score(alpha) == pytest.approx(best.score(alpha), abs=1e-9)
        assert beam_search(step, eos, 1, max_len, alpha) == greedy_search(step, eos, max_len)


def test_greedy_is_sometimes_beaten_and_eos_only_ends_a_sequence() -> None:
    beaten = 0
    for model_id in range(40):
        step = RandomToyDecoder(0, model_id, 4, 1.5)
        best, _ = exhaustive_search(step, 3, 4, 4)
        beaten += greedy_search(step, 3, 4).log_prob < best.log_prob - 1e-12
        for hypothesis in (best, beam_search(step, 3, 2, 4)):
            assert 3 not in hypothesis.tokens[:-1]
    assert beaten > 0


def test_toy_decoder_is_a_fixed_distribution() -> None:
    step = RandomToyDecoder(0, 1, 4, 1.5)
    first, again = step([(0, 1)]), step([(2,), (0, 1)])
    assert (first[0] == again[1]).all() and sum(math.exp(v) for v in first[0]) == pytest.approx(1.0)
