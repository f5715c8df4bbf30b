"""A hidden Markov model: forward, backward and Viterbi, checked by brute force, then jieba's word segmenter.

The source article (§4.1) lists the hidden Markov model (HMM) among the generative models. An
HMM has hidden states s_t ∈ {1..K} that follow a Markov chain and emit observed symbols o_t:

    P(o_1..o_T, s_1..s_T) = π_{s_1} b_{s_1}(o_1) Π_{t=2}^{T} a_{s_{t-1} s_t} b_{s_t}(o_t),

with start probabilities π (K,), transitions A (K, K) and emissions B (K, M). Rabiner's
tutorial (Proc. IEEE 1989) gives the three algorithms computed here:

- **forward** (eqs. 19-21): α_t(j) = [Σ_i α_{t-1}(i) a_ij] b_j(o_t), P(O) = Σ_j α_T(j);
  scaled at every step (§V.A) so long sequences do not underflow;
- **backward** (eqs. 23-25): β_t(i) = Σ_j a_ij b_j(o_{t+1}) β_{t+1}(j), β_T = 1; the state
  posteriors are γ_t(i) = α_t(i) β_t(i) / P(O) (eq. 27);
- **Viterbi** (eqs. 30-35): δ_t(j) = max_i δ_{t-1}(i) a_ij · b_j(o_t) with back-pointers, in
  log space, giving the single most probable state path.

Each is checked against brute force (summing or maximising over all K^T paths) on a random
HMM, and in the tests against ``hmmlearn``. Because the model is generative, it also samples
sequences, whose transition frequencies recover A.

**Chinese word segmentation.** jieba, the most used Chinese segmenter, cuts text the
dictionary does not cover with a 4-state HMM whose states tag each character: B (begins a
word), M (middle), E (ends a word), S (a single-character word). Its start, transition and
emission log-probabilities ship inside the package (``jieba/finalseg/prob_*.py``) and are read
here at run time; missing entries get jieba's floor log-probability -3.14·10¹⁰⁰, and a
sentence must end in E or S. Our Viterbi on those tables returns exactly jieba's own
``finalseg.viterbi`` path on every sentence. Next to it, ``jieba.cut`` shows what the full
segmenter (dictionary + word graph + this HMM for unknown words) makes of the same sentence:
the HMM alone only knows character statistics, so it cuts many words wrongly.

What is left out: Baum-Welch training (EM for HMMs), continuous emissions, higher-order and
hierarchical HMMs, and jieba's part-of-speech HMM.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .artifacts import figure, write_text
from .spec import Artifact, Demo, Threshold

DEMO = Demo(
    name="hmm",
    title="Hidden Markov model: forward, backward, Viterbi and Chinese word segmentation",
    title_zh="隐马尔可夫模型：前向、后向、维特比算法与中文分词",
    summary=(
        "Implements the forward, backward and Viterbi algorithms of a hidden Markov model and checks each "
        "against brute force over every state path; the tests also compare with hmmlearn. Sampling from "
        "the model recovers its transition matrix. Then the same Viterbi runs on the BMES tagging HMM that "
        "ships inside jieba and returns exactly jieba's own path on every test sentence, shown next to "
        "jieba's full dictionary-based segmenter."
    ),
    summary_zh=(
        "实现隐马尔可夫模型的前向、后向与维特比算法，并与对所有状态路径的穷举逐一核对；测试中还与 hmmlearn 比较。"
        "从模型中采样的序列能还原其转移矩阵。随后同一个维特比算法运行在 jieba 自带的 BMES 标注 HMM 上，对每个"
        "测试句子都得到与 jieba 自己完全相同的路径，并与 jieba 基于词典的完整分词结果并列展示。"
    ),
    topics=("hmm", "tokenization"),
    formula=(
        r"\begin{gathered}"
        r"\alpha_t(j) = \Big[\sum_{i} \alpha_{t-1}(i)\,a_{ij}\Big]\,b_j(o_t),\qquad"
        r"P(O) = \sum_j \alpha_T(j)"
        r"\\[4pt]"
        r"\beta_t(i) = \sum_j a_{ij}\,b_j(o_{t+1})\,\beta_{t+1}(j),\qquad"
        r"\gamma_t(i) = \frac{\alpha_t(i)\,\beta_t(i)}{P(O)}"
        r"\\[4pt]"
        r"\delta_t(j) = \max_i\big[\delta_{t-1}(i)\,a_{ij}\big]\,b_j(o_t),\qquad"
        r"s_T^* = \arg\max_j \delta_T(j)"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("trellis.png",
                 "The Viterbi trellis of jieba's BMES model for one sentence: each column is a character, colour is "
                 "the best log-probability of reaching that tag (relative to the column's best), the line is the "
                 "best path.",
                 "jieba 的 BMES 模型在一个句子上的维特比网格：每列是一个字，颜色表示到达该标签的最佳对数概率（相对于"
                 "该列最大值），折线是最优路径。"),
        Artifact("posteriors.png",
                 "The random HMM: a sampled sequence, its true hidden states, the forward-backward posteriors "
                 "γ_t(i) and the Viterbi path.",
                 "随机 HMM：一条采样序列、真实的隐藏状态、前向-后向算法给出的后验 γ_t(i) 以及维特比路径。"),
    ),
    samples=(
        Artifact("segmentation.txt",
                 "Each sentence cut by the HMM alone (our Viterbi on jieba's tables, with the BMES tags) and by "
                 "jieba's full segmenter.",
                 "每个句子分别由 HMM 单独切分（在 jieba 的参数上运行我们的维特比算法，并给出 BMES 标签）和由 jieba "
                 "完整分词器切分的结果。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the random HMM, its observation sequences and the samples
    K: int = 3  # hidden states of the random HMM: 3^6 = 729 paths, cheap to enumerate
    M: int = 4  # observation symbols
    T: int = 6  # length of the brute-force check sequences
    checks: int = 20  # random sequences checked against brute force
    sample_length: int = 20_000  # sampled steps: transition frequencies within ±0.02 of A (standard error ~0.006)
    long_T: int = 2000  # a sequence long enough that the unscaled α would underflow float64


#: The quick variant: the same (everything runs in about a second).
FAST: dict[str, object] = {}

THRESHOLDS = (
    Threshold("forward_max_error", "<=", 1e-9, "forward log-likelihood equals the sum over all K^T paths",
              "前向算法的对数似然等于对全部 K^T 条路径求和"),
    Threshold("backward_max_error", "<=", 1e-9, "Σ_i α_t(i) β_t(i) = P(O) at every t",
              "每个 t 上 Σ_i α_t(i) β_t(i) = P(O)"),
    Threshold("viterbi_matches_bruteforce", "==", 1.0,
              "Viterbi finds a path as probable as the best of all K^T paths (exact ties exist)",
              "维特比算法找到的路径与全部 K^T 条路径中最好的一条概率相同（可能存在完全相等的路径）"),
    Threshold("transition_max_error", "<=", 0.05, "sampled transition frequencies recover A",
              "采样序列的转移频率还原出 A"),
    Threshold("long_sequence_finite", "==", 1.0, "scaling keeps a 2,000-step log-likelihood finite",
              "缩放使 2,000 步序列的对数似然保持有限"),
    Threshold("jieba_viterbi_agreement", "==", 1.0, "our Viterbi returns jieba's path on every sentence",
              "我们的维特比算法在每个句子上都得到与 jieba 相同的路径"),
    Threshold("jieba_sentences", ">=", 20, "at least 20 sentences", "至少 20 个句子"),
)
FAST_THRESHOLDS = THRESHOLDS


# ----------------------------------------------------------------------------------------------
# The model and the three algorithms


@dataclass(frozen=True)
class HMM:
    """Start probabilities π (K,), transitions A (K, K) with rows summing to 1, emissions B (K, M)."""

    start: np.ndarray
    transition: np.ndarray
    emission: np.ndarray


def random_hmm(K: int, M: int, rng: np.random.Generator) -> HMM:
    """π, each row of A and each row of B drawn from a flat Dirichlet."""
    return HMM(rng.dirichlet(np.ones(K)), rng.dirichlet(np.ones(K), K), rng.dirichlet(np.ones(M), K))


def forward(hmm: HMM, obs: Sequence[int]) -> tuple[np.ndarray, np.ndarray, float]:
    """Scaled forward pass (Rabiner eqs. 19-21 with the scaling of §V.A).

    Returns α̂ (T, K), each row normalised to sum to 1 (α̂_t(j) = P(s_t = j | o_1..o_t)), the
    scale factors c (T,) with c_t = P(o_t | o_1..o_{t-1}), and log P(O) = Σ_t log c_t.
    """
    T, K = len(obs), len(hmm.start)
    alpha, scale = np.empty((T, K)), np.empty(T)
    a = hmm.start * hmm.emission[:, obs[0]]
    for t in range(T):
        if t > 0:
            a = (alpha[t - 1] @ hmm.transition) * hmm.emission[:, obs[t]]
        scale[t] = a.sum()
        alpha[t] = a / scale[t]
    return alpha, scale, float(np.log(scale).sum())


def backward(hmm: HMM, obs: Sequence[int], scale: np.ndarray) -> np.ndarray:
    """Backward pass (Rabiner eqs. 23-25) scaled by the forward pass's c: β̂ (T, K), β̂_T = 1.

    With these scales, α̂_t(i) β̂_t(i) is the posterior γ_t(i) = P(s_t = i | O) (eq. 27).
    """
    T, K = len(obs), len(hmm.start)
    beta = np.ones((T, K))
    for t in range(T - 2, -1, -1):
        beta[t] = hmm.transition @ (hmm.emission[:, obs[t + 1]] * beta[t + 1]) / scale[t + 1]
    return beta


def posteriors(hmm: HMM, obs: Sequence[int]) -> np.ndarray:
    """γ_t(i) = P(s_t = i | O) from forward-backward, shape (T, K); every row sums to 1."""
    alpha, scale, _ = forward(hmm, obs)
    return alpha * backward(hmm, obs, scale)


def viterbi(log_start: np.ndarray, log_transition: np.ndarray, log_emission_obs: np.ndarray,
            log_end: np.ndarray | None = None) -> tuple[float, list[int]]:
    """The most probable state path, in log space (Rabiner eqs. 30-35).

    ``log_emission_obs`` (T, K) holds log b_j(o_t) for the observed sequence, so the same code
    serves symbol indices and jieba's character dictionaries. ``log_end`` (K,) optionally adds a
    log-weight for the final state (jieba allows only E or S there). Returns (log-probability
    of the best path, the path as state indices). Ties go to the lowest state index.
    """
    T, K = log_emission_obs.shape
    delta = log_start + log_emission_obs[0]  # δ_1(j) = log π_j + log b_j(o_1)
    pointers = np.zeros((T, K), dtype=int)
    for t in range(1, T):
        scores = delta[:, None] + log_transition  # (i, j): δ_{t-1}(i) + log a_ij
        pointers[t] = scores.argmax(axis=0)
        delta = scores[pointers[t], np.arange(K)] + log_emission_obs[t]
    if log_end is not None:
        delta = delta + log_end
    path = [int(delta.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(pointers[t, path[-1]]))
    return float(delta.max()), path[::-1]


def hmm_viterbi(hmm: HMM, obs: Sequence[int]) -> tuple[float, list[int]]:
    """:func:`viterbi` on an :class:`HMM` and a symbol sequence."""
    with np.errstate(divide="ignore"):
        return viterbi(np.log(hmm.start), np.log(hmm.transition), np.log(hmm.emission[:, list(obs)].T))


def path_probability(hmm: HMM, obs: Sequence[int], states: Sequence[int]) -> float:
    """P(O, S) = π_{s_1} b_{s_1}(o_1) Π_t a_{s_{t-1} s_t} b_{s_t}(o_t): one term of the brute-force sum."""
    p = hmm.start[states[0]] * hmm.emission[states[0], obs[0]]
    for t in range(1, len(obs)):
        p *= hmm.transition[states[t - 1], states[t]] * hmm.emission[states[t], obs[t]]
    return float(p)


def brute_force(hmm: HMM, obs: Sequence[int]) -> tuple[float, float, list[int]]:
    """By enumerating all K^T paths: (log P(O), log max_S P(O, S), argmax path)."""
    K = len(hmm.start)
    paths = list(itertools.product(range(K), repeat=len(obs)))
    probabilities = np.array([path_probability(hmm, obs, p) for p in paths])
    best = int(probabilities.argmax())
    return float(np.log(probabilities.sum())), float(np.log(probabilities[best])), list(paths[best])


def sample(hmm: HMM, T: int, rng: np.random.Generator) -> tuple[list[int], list[int]]:
    """Generate (states, observations) of length T: s_1 ~ π, s_t ~ A[s_{t-1}], o_t ~ B[s_t]."""
    K, M = hmm.emission.shape
    states, obs = [], []
    s = rng.choice(K, p=hmm.start)
    for _ in range(T):
        states.append(int(s))
        obs.append(int(rng.choice(M, p=hmm.emission[s])))
        s = rng.choice(K, p=hmm.transition[s])
    return states, obs


# ----------------------------------------------------------------------------------------------
# jieba's BMES segmenter


TAGS = "BMES"

#: jieba's log-probability for impossible events (``jieba.finalseg.MIN_FLOAT``), kept for equality.
JIEBA_FLOOR = -3.14e100

#: Our own sentences about the topics of this site, Chinese characters only (jieba's HMM sees
#: runs of Chinese characters; punctuation and Latin letters are split off before it).
SENTENCES = (
    "生成式人工智能",
    "扩散模型从纯噪声中逐步生成图像",
    "生成对抗网络由生成器和判别器组成",
    "变分自编码器学习数据的隐变量表示",
    "隐马尔可夫模型可以用来给汉字标注词位",
    "维特比算法找到概率最大的状态序列",
    "高斯混合模型用期望最大化算法拟合",
    "朴素贝叶斯假设各个特征相互独立",
    "多任务学习让一个网络同时完成两项工作",
    "元学习的目标是学会如何快速学习新任务",
    "注意力机制帮助模型关注输入中的重要位置",
    "语言模型根据前面的词预测下一个词",
    "束搜索在每一步保留若干个最好的候选",
    "我们用小数据集在笔记本电脑上训练模型",
    "这个演示在一分钟内就能运行完毕",
    "北京大学的学生正在学习机器学习课程",
    "研究人员提出了一种新的文本生成方法",
    "评估生成内容的质量需要人工参与",
    "深度学习需要大量数据和计算资源",
    "他毕业于清华大学计算机专业",
    "长短期记忆网络通过门控机制控制信息流动",
    "人工智能生成内容正在改变创作方式",
    "自然语言处理是人工智能的重要分支",
    "图像生成模型可以根据文字描述作画",
)


def jieba_tables() -> tuple[np.ndarray, np.ndarray, list[dict[str, float]]]:
    """jieba's BMES HMM as shipped in ``jieba/finalseg``: log π (4,), log A (4, 4), log B per tag.

    Entries jieba leaves out (e.g. B -> B) get :data:`JIEBA_FLOOR`, as jieba's own code does.
    """
    from jieba import finalseg

    log_start = np.array([finalseg.start_P[tag] for tag in TAGS])
    log_transition = np.array([[finalseg.trans_P[a].get(b, JIEBA_FLOOR) for b in TAGS] for a in TAGS])
    return log_start, log_transition, [finalseg.emit_P[tag] for tag in TAGS]


def bmes_viterbi(sentence: str) -> tuple[float, str]:
    """Our :func:`viterbi` on jieba's tables for one run of Chinese characters: (log-prob, tag string)."""
    log_start, log_transition, emit = jieba_tables()
    log_emission_obs = np.array([[emit[k].get(char, JIEBA_FLOOR) for k in range(4)] for char in sentence])
    log_end = np.array([JIEBA_FLOOR, JIEBA_FLOOR, 0.0, 0.0])  # only E or S may end a sentence
    score, path = viterbi(log_start, log_transition, log_emission_obs, log_end)
    return score, "".join(TAGS[k] for k in path)


def jieba_reference(sentence: str) -> tuple[float, str]:
    """jieba's own ``finalseg.viterbi`` on the same sentence: (log-prob, tag string)."""
    from jieba import finalseg

    score, path = finalseg.viterbi(sentence, TAGS, finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
    return float(score), "".join(path)


def cut_by_tags(sentence: str, tags: str) -> list[str]:
    """Split characters into words at the tags: a word ends at E or S."""
    words, current = [], ""
    for char, tag in zip(sentence, tags):
        current += char
        if tag in "ES":
            words.append(current)
            current = ""
    return words + ([current] if current else [])


@contextlib.contextmanager
def _quiet_jieba() -> Iterator[None]:
    """jieba logs "Building prefix dict ..." on first use; keep it off the user's terminal for this call."""
    logger = logging.getLogger("jieba")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def full_segmenter(sentence: str) -> list[str]:
    """``jieba.cut`` with its dictionary and the HMM for unknown words (jieba's default mode)."""
    import jieba

    with _quiet_jieba():
        return list(jieba.cut(sentence, HMM=True))


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Brute-force checks on a random HMM, sampling, and jieba's BMES model on the sentences."""
    rng = np.random.default_rng(config.seed)
    hmm = random_hmm(config.K, config.M, rng)
    forward_error = backward_error = 0.0
    viterbi_hits = 0
    for _ in range(config.checks):
        obs = [int(o) for o in rng.integers(0, config.M, config.T)]
        alpha, scale, loglik = forward(hmm, obs)
        beta = backward(hmm, obs, scale)
        exact_loglik, exact_best, _ = brute_force(hmm, obs)
        best, path = hmm_viterbi(hmm, obs)
        forward_error = max(forward_error, abs(loglik - exact_loglik))
        # Σ_i α̂_t(i) β̂_t(i) = 1 at every t is the scaled form of Σ_i α_t(i) β_t(i) = P(O)
        backward_error = max(backward_error, float(np.abs((alpha * beta).sum(axis=1) - 1.0).max()))
        # compare probabilities, not paths: two paths can tie exactly (the same transitions and
        # emissions in another order, e.g. 1-0-1-1 and 1-1-0-1 on three equal symbols)
        viterbi_hits += (abs(best - exact_best) < 1e-9
                         and abs(np.log(path_probability(hmm, obs, path)) - exact_best) < 1e-9)

    states, obs = sample(hmm, config.sample_length, rng)
    counts = np.zeros((config.K, config.K))
    np.add.at(counts, (states[:-1], states[1:]), 1)
    frequencies = counts / counts.sum(axis=1, keepdims=True)
    _, _, long_loglik = forward(hmm, obs[: config.long_T])

    agreements, lines, hmm_word_counts, jieba_word_counts = 0, [], 0, 0
    for sentence in SENTENCES:
        ours_score, ours_tags = bmes_viterbi(sentence)
        ref_score, ref_tags = jieba_reference(sentence)
        agreements += ours_tags == ref_tags and abs(ours_score - ref_score) <= 1e-9 * abs(ref_score)
        hmm_words, full_words = cut_by_tags(sentence, ours_tags), full_segmenter(sentence)
        hmm_word_counts += len(hmm_words)
        jieba_word_counts += len(full_words)
        lines += [sentence, f"  HMM tags   {ours_tags}", f"  HMM only   {' / '.join(hmm_words)}",
                  f"  jieba.cut  {' / '.join(full_words)}", ""]
    same_cut = sum(cut_by_tags(s, bmes_viterbi(s)[1]) == full_segmenter(s) for s in SENTENCES)

    metrics: dict[str, float | int | str] = {
        "forward_max_error": forward_error,
        "backward_max_error": backward_error,
        "viterbi_matches_bruteforce": viterbi_hits / config.checks,
        "transition_max_error": float(np.abs(frequencies - hmm.transition).max()),
        "long_sequence_loglik": long_loglik,
        "long_sequence_finite": float(np.isfinite(long_loglik)),
        "jieba_sentences": len(SENTENCES),
        "jieba_viterbi_agreement": agreements / len(SENTENCES),
        "hmm_cut_equals_full_segmenter": same_cut / len(SENTENCES),
        "words_per_sentence_hmm": hmm_word_counts / len(SENTENCES),
        "words_per_sentence_jieba": jieba_word_counts / len(SENTENCES),
    }
    write_text(out_dir / "segmentation.txt",
               ["# HMM only: our Viterbi on jieba/finalseg's BMES tables (B begin, M middle, E end, S single);",
                "# jieba.cut: jieba's dictionary-based segmenter, which uses the same HMM only for unknown words.",
                ""] + lines)
    _plot_trellis(out_dir / "trellis.png", SENTENCES[1])
    _plot_posteriors(out_dir / "posteriors.png", hmm, rng)
    return metrics


def _plot_trellis(path: Path, sentence: str) -> None:
    log_start, log_transition, emit = jieba_tables()
    log_emission_obs = np.array([[emit[k].get(char, JIEBA_FLOOR) for k in range(4)] for char in sentence])
    T = len(sentence)
    delta = np.empty((T, 4))
    delta[0] = log_start + log_emission_obs[0]
    for t in range(1, T):
        delta[t] = (delta[t - 1][:, None] + log_transition).max(axis=0) + log_emission_obs[t]
    relative = np.maximum(delta - delta.max(axis=1, keepdims=True), -30.0)  # hide the -3e100 floor
    _, tags = bmes_viterbi(sentence)
    with figure(path, (0.55 * T + 2.0, 3.0)) as (fig, ax):
        image = ax.imshow(relative.T, cmap="viridis", aspect="auto", vmin=-30, vmax=0)
        ax.plot(range(T), [TAGS.index(tag) for tag in tags], "w-o", markersize=4)
        ax.set_yticks(range(4), list(TAGS))
        ax.set_xticks(range(T), [f"{i + 1}" for i in range(T)])
        ax.set_xlabel("character position (the sentence is in segmentation.txt)")
        fig.colorbar(image, ax=ax, label="log δ_t - max (clipped at -30)")


def _plot_posteriors(path: Path, hmm: HMM, rng: np.random.Generator) -> None:
    states, obs = sample(hmm, 40, rng)
    gamma = posteriors(hmm, obs)
    _, best = hmm_viterbi(hmm, obs)
    with figure(path, (8.0, 3.4)) as (fig, ax):
        image = ax.imshow(gamma.T, cmap="Greys", aspect="auto", vmin=0, vmax=1)
        ax.plot(range(len(obs)), states, "o", color="tab:orange", markersize=5, label="true state")
        ax.plot(range(len(obs)), best, "-", color="tab:blue", label="Viterbi path")
        ax.set_yticks(range(len(hmm.start)))
        ax.set_xlabel("t (observed symbol above each column)")
        ax.set_ylabel("hidden state")
        ax.set_xticks(range(len(obs)), [str(o) for o in obs], fontsize=6)
        ax.legend(fontsize=8, loc="upper right")
        fig.colorbar(image, ax=ax, label="γ_t(i)")
