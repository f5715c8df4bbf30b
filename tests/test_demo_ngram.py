"""The n-gram demo against hand counts and nltk.lm."""

from __future__ import annotations

import math

import pytest
from nltk.lm import MLE, Laplace
from nltk.lm.preprocessing import padded_everygram_pipeline

from aigc_resources.demos.ngram import BOS, EOS, NGramLM, load_first_names, ngrams, pad, split_names

TOY = ["abab", "abba", "baab"]


@pytest.fixture(scope="module")
def nltk_models():
    """nltk's MLE and Laplace trigrams on the toy corpus (nltk pads n-1 marks on both ends)."""
    models = {}
    for cls in (MLE, Laplace):
        train, vocab = padded_everygram_pipeline(3, [list(w) for w in TOY])
        model = cls(3)
        model.fit(train, vocab)
        models[cls.__name__] = model
    return models


def toy_model(smoothing: str, nltk_vocab) -> NGramLM:
    """Our trigram with nltk's conventions: n-1 end marks and nltk's vocabulary (with <UNK>)."""
    return NGramLM(TOY, 3, smoothing=smoothing, k=1.0, vocab=list(nltk_vocab), pad_right=2)


def test_hand_counts(nltk_models) -> None:
    model = toy_model("mle", nltk_models["MLE"].vocab)
    # C(a, b, .) over the padded toy corpus: a once (abab), b once (abba), </s> twice (abab, baab)
    assert dict(model.count[("a", "b")]) == {"a": 1, "b": 1, EOS: 2}
    assert model.mle("a", ("a", "b")) == 0.25
    assert model.mle("a", (BOS, BOS)) == pytest.approx(2 / 3, abs=1e-15)
    assert model.add_k("a", ("a", "b")) == pytest.approx(2 / 9, abs=1e-15)  # (1 + 1) / (4 + |V| = 5)


def test_mle_and_laplace_equal_nltk_for_every_context_and_symbol(nltk_models) -> None:
    for smoothing, name in (("mle", "MLE"), ("add_k", "Laplace")):
        reference = nltk_models[name]
        model = toy_model(smoothing, reference.vocab)
        assert len(model.vocab) == len(reference.vocab) == 5  # a, b, <s>, </s>, <UNK>
        for h in model.contexts():
            for w in model.vocab:
                assert model.prob(w, h) == pytest.approx(reference.score(w, list(h)), abs=1e-12), (name, h, w)


def test_perplexity_equals_nltk(nltk_models) -> None:
    reference = nltk_models["MLE"]
    model = toy_model("mle", reference.vocab)
    grams = list(ngrams(pad("abab", 3, pad_right=2), 3))
    ours = math.exp(-sum(math.log(model.prob(g[-1], g[:-1])) for g in grams) / len(grams))
    assert ours == pytest.approx(reference.perplexity(grams), abs=1e-12)
    assert ours == pytest.approx(1.81712, abs=1e-5)  # the value measured in our calibration run


def test_kneser_ney_bigram_by_hand() -> None:
    model = NGramLM(TOY, 2, smoothing="kneser_ney", discount=0.75)
    # Bigrams after b: (b,a) x3, (b,</s>) x2, (b,b) x1, so c(b) = 6 and N1+(b .) = 3.
    # Continuation counts: a follows <s>, a, b (3); b follows <s>, a, b (3); </s> follows a, b (2): 8 in all.
    # P(a) = (3 - .75)/8 + .75 * 3/8 * 1/3 = 0.375;  P(a|b) = (3 - .75)/6 + .75 * 3/6 * 0.375 = 0.515625
    assert model.prob("a", ["b"]) == pytest.approx(0.515625, abs=1e-15)


@pytest.mark.parametrize("smoothing", ["mle", "add_k", "kneser_ney"])
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_every_conditional_distribution_sums_to_one(smoothing: str, n: int) -> None:
    train, _ = split_names(0, 500)
    model = NGramLM(train[:800], n, smoothing=smoothing)
    contexts = model.contexts()
    if smoothing != "mle":  # smoothed models are defined on unseen contexts too
        contexts += [tuple("zq"[: n - 1])]
    for h in contexts:
        assert sum(model.distribution(h).values()) == pytest.approx(1.0, abs=1e-9), h


def test_unseen_pair_has_zero_mle_but_positive_smoothed_probability() -> None:
    train, _ = split_names(0, 500)
    mle, smoothed = NGramLM(train, 2, smoothing="mle"), NGramLM(train, 2, smoothing="kneser_ney")
    assert mle.prob("q", ["q"]) == 0.0 and smoothed.prob("q", ["q"]) > 0.0


def test_names_data_is_offline_and_split_disjointly() -> None:
    names = load_first_names()
    assert len(names) == 5163 and all(n.isalpha() and n.islower() for n in names)
    train, heldout = split_names(0, 500)
    assert len(heldout) == 500 and not set(train) & set(heldout)
    assert split_names(0, 500) == (train, heldout) and split_names(1, 500)[1] != heldout
