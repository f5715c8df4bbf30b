"""Metrics against sacreBLEU, nltk, rouge-score, torchmetrics, scikit-learn and closed forms."""

from __future__ import annotations

import numpy as np
import pytest
import sacrebleu
from nltk.translate import bleu_score as nltk_bleu
from rouge_score import rouge_scorer
from sacrebleu.tokenizers.tokenizer_zh import TokenizerZh
from sklearn.metrics import cohen_kappa_score

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from aigc_resources.demos import metrics as m  # noqa: E402

EN_HYPS = [h for h, _ in m.ENGLISH_PAIRS]
EN_REFS = [r for _, r in m.ENGLISH_PAIRS]


def test_corpus_bleu_equals_sacrebleu_and_nltk() -> None:
    ours = m.corpus_bleu([h.split() for h in EN_HYPS], [r.split() for r in EN_REFS])
    # sacreBLEU signature: nrefs:1|case:mixed|eff:no|tok:none|smooth:none
    theirs = sacrebleu.corpus_bleu(EN_HYPS, [EN_REFS], smooth_method="none", tokenize="none", force=True)
    assert ours.score == pytest.approx(theirs.score, abs=1e-9)
    assert list(ours.counts) == theirs.counts and list(ours.totals) == theirs.totals
    assert ours.bp == pytest.approx(theirs.bp) and (ours.sys_len, ours.ref_len) == (theirs.sys_len, theirs.ref_len)
    nltk_value = nltk_bleu.corpus_bleu([[r.split()] for r in EN_REFS], [h.split() for h in EN_HYPS])
    assert ours.score == pytest.approx(100 * nltk_value, abs=1e-9)


@pytest.mark.parametrize(("hyp", "ref"), [
    ("the cat sat on a mat today", "the cat sat on the mat"),
    ("completely different words here", "the cat sat on the mat"),
    ("a mat", "the cat sat on a mat"),
])
def test_sentence_bleu_with_exp_smoothing_equals_sacrebleu_and_nltk_method3(hyp: str, ref: str) -> None:
    ours = m.sentence_bleu(hyp.split(), ref.split())
    assert ours == pytest.approx(sacrebleu.sentence_bleu(hyp, [ref], tokenize="none").score, abs=1e-9)
    if len(hyp.split()) >= 4:  # nltk has no effective order: equal only when all four orders exist
        method3 = nltk_bleu.SmoothingFunction().method3
        assert ours == pytest.approx(100 * nltk_bleu.sentence_bleu([ref.split()], hyp.split(),
                                                                   smoothing_function=method3), abs=1e-9)


@pytest.mark.parametrize("text", [hyp for pair in m.CHINESE_PAIRS for hyp in pair] + [
    "他会C++、Java/Go等语言(3.5年)，score: 9-10。", "  Hello, world. 你好！ 1,000 x-ray  "])
def test_zh_tokenizer_equals_sacrebleu(text: str) -> None:
    assert " ".join(m.tokenize_zh(text)) == TokenizerZh()(text)


def test_chinese_bleu_needs_zh_tokenisation() -> None:
    hyps, refs = zip(*m.CHINESE_PAIRS)
    ours = m.corpus_bleu([m.tokenize_zh(h) for h in hyps], [m.tokenize_zh(r) for r in refs])
    assert ours.score == pytest.approx(sacrebleu.corpus_bleu(list(hyps), [list(refs)], tokenize="zh").score, abs=1e-9)
    assert sacrebleu.corpus_bleu(list(hyps), [list(refs)], tokenize="13a").score < 1.0  # unsegmented: near 0


def test_rouge_equals_rouge_score_in_english() -> None:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    for hyp, ref in m.ENGLISH_PAIRS + (("The Cat, the HAT!", "the cat in the hat"),):
        theirs = scorer.score(ref, hyp)  # rouge-score takes the reference first
        r, h = m.tokenize_rouge(ref), m.tokenize_rouge(hyp)
        for ours, key in ((m.rouge_n(r, h, 1), "rouge1"), (m.rouge_n(r, h, 2), "rouge2"), (m.rouge_l(r, h), "rougeL")):
            assert (ours.precision, ours.recall, ours.fmeasure) == pytest.approx(tuple(theirs[key]), abs=1e-12)


class CharTokenizer:
    def tokenize(self, text: str) -> list[str]:
        return m.tokenize_chars(text)


def test_rouge_in_chinese_needs_a_character_tokenizer() -> None:
    ref, hyp = "他是一位软件工程师", "他是一名软件工程师"
    assert rouge_scorer.RougeScorer(["rouge1"]).score(ref, hyp)["rouge1"].fmeasure == 0.0  # default drops CJK
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], tokenizer=CharTokenizer())
    theirs = scorer.score(ref, hyp)
    r, h = m.tokenize_chars(ref), m.tokenize_chars(hyp)
    assert m.rouge_n(r, h, 1).fmeasure == pytest.approx(theirs["rouge1"].fmeasure) == pytest.approx(8 / 9)
    assert m.rouge_n(r, h, 2).fmeasure == pytest.approx(theirs["rouge2"].fmeasure) == pytest.approx(0.75)
    assert m.rouge_l(r, h).fmeasure == pytest.approx(theirs["rougeL"].fmeasure) == pytest.approx(8 / 9)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frechet_distance_closed_forms_and_torchmetrics(seed: int) -> None:
    from torchmetrics.image.fid import _compute_fid

    assert m.closed_form_errors(seed) <= 1e-9
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(200, 5)), rng.normal(1.0, 2.0, size=(300, 5))
    (mu1, s1), (mu2, s2) = m.feature_statistics(a), m.feature_statistics(b)
    theirs = _compute_fid(*(torch.from_numpy(v) for v in (mu1, s1, mu2, s2)))
    assert m.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(float(theirs), rel=1e-9)


@pytest.mark.filterwarnings("ignore:Metric `InceptionScore` will save:UserWarning")
@pytest.mark.filterwarnings("ignore:std....degrees of freedom:UserWarning")  # one split: no spread
def test_inception_score_bounds_and_torchmetrics() -> None:
    from torchmetrics.image.inception import InceptionScore

    assert m.inception_score(np.eye(10)) == pytest.approx(10.0)
    assert m.inception_score(np.full((7, 10), 0.1)) == pytest.approx(1.0)
    assert m.inception_score(np.tile(np.eye(10)[0], (5, 1))) == pytest.approx(1.0)

    class Logits(torch.nn.Module):  # torchmetrics calls the feature module on the images themselves
        def __init__(self) -> None:
            super().__init__()
            torch.manual_seed(0)
            self.linear = torch.nn.Linear(64, 10)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.linear(x.float().flatten(1))

    images = torch.rand(50, 1, 8, 8, generator=torch.Generator().manual_seed(1))
    feature = Logits()
    metric = InceptionScore(feature=feature, splits=1, normalize=False)
    metric.update(images)
    theirs = float(metric.compute()[0])
    with torch.no_grad():
        probs = feature(images).softmax(-1).double().numpy()
    assert m.inception_score(probs) == pytest.approx(theirs, rel=1e-5)


def test_kappa_equals_scikit_learn() -> None:
    rows = m.read_ratings()
    assert len(rows) == 24 and {r["fluency_a"] for r in rows} <= set("12345")
    for criterion in ("fluency", "faithfulness", "hallucination"):
        a, b = [int(r[f"{criterion}_a"]) for r in rows], [int(r[f"{criterion}_b"]) for r in rows]
        assert m.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        assert m.cohen_kappa(a, b, "quadratic") == pytest.approx(cohen_kappa_score(a, b, weights="quadratic"), abs=1e-12)
    rng = np.random.default_rng(0)
    a, b = rng.integers(1, 6, 100).tolist(), rng.integers(1, 6, 100).tolist()
    assert m.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)


def test_lcs() -> None:
    assert m.lcs_length("abcbdab", "bdcaba") == 4
    assert m.lcs_length([], ["a"]) == 0
