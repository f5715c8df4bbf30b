"""Greedy, beam and exhaustive search over the outputs of a next-token model, and length normalisation.

A sequence model gives P(y | x) = Π_t P(y_t | y_<t, x), and decoding looks for the y that
maximises it (the article's step 8, "Beam Search decoding"). Trying every sequence is
exponential in the length. Greedy search takes the single most probable token at each step;
beam search (Lowerre 1976; used for neural translation by Sutskever, Vinyals & Le 2014) keeps
the k best prefixes at each step:

1. extend each of the k live prefixes by every token and score each candidate by its total
   log-probability;
2. keep the k best candidates; a candidate that ends with ``<eos>`` leaves the beam as a
   finished hypothesis, so the beam shrinks (the textbook variant, as in d2l §10.8);
3. stop when no prefix is left or the maximum length is reached, and return the finished (or
   length-capped) hypothesis with the best score.

With k = 1 this is exactly greedy search; with k at least the number of prefixes that can
exist at any step nothing is ever pruned, so it is exactly exhaustive search.

Summed log-probabilities favour short outputs (every extra token multiplies by a probability
below 1). Length normalisation ranks the final hypotheses by log P(y) / L(y)^α instead, with
L(y) the number of generated tokens including ``<eos>`` (d2l §10.8; α = 0.75).
Wu et al. (2016, GNMT) use ((5 + L)/6)^α; the idea is the same.

What is left out: batching hypotheses across inputs, coverage penalties, diverse beam search,
sampling-based decoders (temperature, top-k, nucleus).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .artifacts import figure
from .spec import Artifact, Demo, Threshold

DEMO = Demo(
    name="beam_search",
    title="Beam search: between greedy and exhaustive decoding",
    title_zh="束搜索：介于贪心搜索与穷举搜索之间的解码",
    summary=(
        "Decodes toy next-token models three ways: greedy (take the best token each step), beam "
        "search with k hypotheses, and exhaustive search over every sequence. Tests prove that beam "
        "width 1 is exactly greedy and that a beam wide enough to keep everything finds the exhaustive "
        "optimum, with and without length normalisation; over 200 random toy models the demo counts "
        "how often greedy and narrow beams miss the best sequence."
    ),
    summary_zh=(
        "用三种方法对玩具级的下一词模型解码：贪心搜索（每步取最优词）、保留 k 个候选的束搜索，以及枚举所有序列"
        "的穷举搜索。测试证明束宽为 1 时与贪心搜索完全相同，束宽足够大时与穷举搜索的最优解相同（无论是否做"
        "长度归一化）；在 200 个随机玩具模型上，演示统计贪心搜索和窄束错过最优序列的频率。"
    ),
    topics=("beam-search", "seq2seq"),
    formula=(
        r"\hat{y} = \arg\max_{y}\ \frac{1}{L(y)^{\alpha}} \log P(y \mid x)"
        r" = \arg\max_{y}\ \frac{1}{L(y)^{\alpha}} \sum_{t=1}^{L(y)} \log P(y_t \mid y_{<t}, x)"
    ),
    figures=(
        Artifact("search_tree.png", "The worked example: greedy decoding follows the locally best token; a beam of 2 keeps a runner-up and finds a more probable sequence.",
                 "示例：贪心搜索每步只取局部最优的词；宽度为 2 的束保留了次优候选，找到了概率更高的序列。"),
        Artifact("optimality.png", "Share of 200 random toy decoders where each beam width finds the exhaustive optimum.",
                 "在 200 个随机玩具解码器上，各束宽找到穷举最优解的比例。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the random toy decoders
    n_models: int = 200  # random toy decoders for the optimality statistics
    vocab_size: int = 4  # V: three tokens plus <eos>, small enough to enumerate
    max_len: int = 4  # T: at most 3**4 + 3**3 + ... = 121 sequences per decoder
    alpha: float = 0.75  # length-normalisation exponent (d2l's value)
    logit_scale: float = 1.5  # std of the toy logits: peaked enough that greedy errs sometimes
    widths: tuple[int, ...] = (1, 2, 3, 4, 8)  # beam widths compared in the figure


#: The quick variant: fewer random decoders, same checks.
FAST: dict[str, object] = {"n_models": 40}

THRESHOLDS = (
    Threshold("full_width_matches_exhaustive", "==", 1.0,
              "a beam that prunes nothing is exhaustive search (raw and length-normalised)",
              "不做任何剪枝的束搜索就是穷举搜索（原始分数与长度归一化均如此）"),
    Threshold("width1_matches_greedy", "==", 1.0, "beam width 1 is greedy search, token for token",
              "束宽为 1 的束搜索与贪心搜索逐词相同"),
    Threshold("worked_example_error", "<=", 1e-12, "greedy 0.048 and beam-2 0.054 as in d2l §10.8",
              "与 d2l §10.8 相同：贪心 0.048，束宽 2 得 0.054"),
)
FAST_THRESHOLDS = THRESHOLDS

#: A function from live prefixes (all of the same length) to next-token log-probs (N, V).
StepFn = Callable[[Sequence[tuple[int, ...]]], np.ndarray]


@dataclass(frozen=True)
class Hypothesis:
    """A generated sequence: ``tokens`` (``eos`` last when ``finished``) and log P(tokens)."""

    tokens: tuple[int, ...]
    log_prob: float
    finished: bool

    def score(self, alpha: float = 0.0) -> float:
        """log P(y) / L(y)^α, L = number of generated tokens (α = 0: the raw log-probability)."""
        return self.log_prob / max(len(self.tokens), 1) ** alpha


@dataclass
class BeamTrace:
    """What beam search did at each step: every candidate (tokens, log-prob) and which were kept."""

    steps: list[list[tuple[tuple[int, ...], float, bool]]] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# The three searches


def greedy_search(step: StepFn, eos: int, max_len: int) -> Hypothesis:
    """Take argmax_w P(w | prefix) (lowest id on ties) until ``eos`` or ``max_len`` tokens."""
    tokens: tuple[int, ...] = ()
    log_prob = 0.0
    while len(tokens) < max_len:
        log_probs = step([tokens])[0]
        w = int(np.argmax(log_probs))
        tokens, log_prob = tokens + (w,), log_prob + float(log_probs[w])
        if w == eos:
            return Hypothesis(tokens, log_prob, True)
    return Hypothesis(tokens, log_prob, False)


def beam_search(step: StepFn, eos: int, beam_size: int, max_len: int, alpha: float = 0.0,
                trace: BeamTrace | None = None) -> Hypothesis:
    """Beam search as in the module docstring; returns the best hypothesis by ``score(alpha)``.

    Candidates are ranked by total log-probability, ties broken by (live prefix order, token id),
    so the result is deterministic and width 1 reproduces :func:`greedy_search` exactly.
    """
    alive = [Hypothesis((), 0.0, False)]
    finished: list[Hypothesis] = []
    for _ in range(max_len):
        if not alive:
            break
        log_probs = step([h.tokens for h in alive])  # (len(alive), V)
        candidates = [(h.log_prob + float(log_probs[i, w]), i, w)
                      for i, h in enumerate(alive) for w in range(log_probs.shape[1])]
        candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
        kept, survivors = candidates[:beam_size], []
        for log_prob, i, w in kept:
            hypothesis = Hypothesis(alive[i].tokens + (w,), log_prob, w == eos)
            (finished if w == eos else survivors).append(hypothesis)
        if trace is not None:
            chosen = {(i, w) for _, i, w in kept}
            trace.steps.append([(alive[i].tokens + (w,), lp, (i, w) in chosen) for lp, i, w in candidates])
        alive = survivors
    return max(finished + alive, key=lambda h: h.score(alpha))


def exhaustive_search(step: StepFn, eos: int, vocab_size: int, max_len: int, alpha: float = 0.0
                      ) -> tuple[Hypothesis, int]:
    """The best of every sequence that ends with ``eos`` or reaches ``max_len``; also returns how many there are."""
    pool: list[Hypothesis] = []
    level = [Hypothesis((), 0.0, False)]
    for _ in range(max_len):
        log_probs = step([h.tokens for h in level])
        next_level = []
        for i, h in enumerate(level):
            for w in range(vocab_size):
                child = Hypothesis(h.tokens + (w,), h.log_prob + float(log_probs[i, w]), w == eos)
                (pool if w == eos else next_level).append(child)
        level = next_level
    pool += level
    return max(pool, key=lambda h: h.score(alpha)), len(pool)


# ----------------------------------------------------------------------------------------------
# Toy decoders


A, B, C, EOS = 0, 1, 2, 3
TOKEN_NAMES = ("A", "B", "C", "<eos>")

#: The worked example of d2l §10.8 (figures 10.8.1 and 10.8.2), completed into a full model:
#: P(. | prefix) over (A, B, C, <eos>); prefixes not listed are uniform.
WORKED_EXAMPLE: dict[tuple[int, ...], tuple[float, float, float, float]] = {
    (): (0.5, 0.25, 0.2, 0.05),
    (A,): (0.1, 0.4, 0.3, 0.2),
    (A, B): (0.2, 0.2, 0.4, 0.2),
    (A, B, C): (0.1, 0.2, 0.1, 0.6),
    (A, C): (0.1, 0.6, 0.2, 0.1),
    (A, C, B): (0.1, 0.1, 0.2, 0.6),
}


def worked_example_step(prefixes: Sequence[tuple[int, ...]]) -> np.ndarray:
    """Log-probs (N, 4) of the worked example for each prefix."""
    return np.log(np.array([WORKED_EXAMPLE.get(tuple(p), (0.25,) * 4) for p in prefixes]))


class RandomToyDecoder:
    """A fixed random next-token model: the logits of a prefix are N(0, scale²) draws seeded by
    (seed, model id, prefix), so every call with the same prefix gives the same distribution."""

    def __init__(self, seed: int, model_id: int, vocab_size: int, scale: float) -> None:
        self.seed, self.model_id, self.vocab_size, self.scale = seed, model_id, vocab_size, scale

    def __call__(self, prefixes: Sequence[tuple[int, ...]]) -> np.ndarray:
        rows = []
        for prefix in prefixes:
            rng = np.random.default_rng([self.seed, self.model_id, len(prefix), *prefix])
            logits = rng.normal(0.0, self.scale, self.vocab_size)
            rows.append(logits - np.logaddexp.reduce(logits))  # log-softmax
        return np.array(rows)


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """The worked example, then greedy / beam / exhaustive on ``n_models`` random toy decoders."""
    metrics: dict[str, float | int | str] = {}
    greedy = greedy_search(worked_example_step, EOS, 4)
    trace = BeamTrace()
    beam2 = beam_search(worked_example_step, EOS, 2, 4, trace=trace)
    best_raw, _ = exhaustive_search(worked_example_step, EOS, 4, 4)
    best_norm, _ = exhaustive_search(worked_example_step, EOS, 4, 4, alpha=config.alpha)
    beam2_norm = beam_search(worked_example_step, EOS, 2, 4, alpha=config.alpha)
    metrics["worked_greedy_prob"] = math.exp(greedy.log_prob)
    metrics["worked_beam2_prob"] = math.exp(beam2.log_prob)
    metrics["worked_exhaustive_raw_prob"] = math.exp(best_raw.log_prob)
    metrics["worked_exhaustive_raw_length"] = len(best_raw.tokens)
    metrics["worked_exhaustive_normalised_length"] = len(best_norm.tokens)
    metrics["worked_beam2_normalised_length"] = len(beam2_norm.tokens)
    metrics["worked_example_error"] = max(abs(metrics["worked_greedy_prob"] - 0.048),
                                          abs(metrics["worked_beam2_prob"] - 0.054))

    width_full = (config.vocab_size - 1) ** (config.max_len - 1) * config.vocab_size  # every candidate kept
    optimal = {(alpha, k): 0 for alpha in (0.0, config.alpha) for k in config.widths}
    full_matches = greedy_matches = 0
    for model_id in range(config.n_models):
        step = RandomToyDecoder(config.seed, model_id, config.vocab_size, config.logit_scale)
        eos = config.vocab_size - 1
        greedy = greedy_search(step, eos, config.max_len)
        greedy_matches += beam_search(step, eos, 1, config.max_len) == greedy
        for alpha in (0.0, config.alpha):
            best, n_sequences = exhaustive_search(step, eos, config.vocab_size, config.max_len, alpha)
            full = beam_search(step, eos, width_full, config.max_len, alpha)
            full_matches += full.tokens == best.tokens and abs(full.score(alpha) - best.score(alpha)) <= 1e-9
            for k in config.widths:
                found = beam_search(step, eos, k, config.max_len, alpha)
                optimal[alpha, k] += found.score(alpha) >= best.score(alpha) - 1e-12
    metrics["n_models"] = config.n_models
    metrics["sequences_per_model"] = n_sequences
    metrics["full_width"] = width_full
    metrics["full_width_matches_exhaustive"] = full_matches / (2 * config.n_models)
    metrics["width1_matches_greedy"] = greedy_matches / config.n_models
    for (alpha, k), count in optimal.items():
        metrics[f"optimal_share_k{k}{'_normalised' if alpha else ''}"] = count / config.n_models

    _plot_trace(out_dir / "search_tree.png", trace, greedy_search(worked_example_step, EOS, 4))
    _plot_optimality(out_dir / "optimality.png", optimal, config)
    return metrics


def _label(tokens: tuple[int, ...]) -> str:
    return " ".join(TOKEN_NAMES[t] for t in tokens)


def _plot_trace(path: Path, trace: BeamTrace, greedy: Hypothesis) -> None:
    """Each column is a step; each box a candidate of beam width 2 (kept: blue, pruned: grey)."""
    rows = max(len(step) for step in trace.steps)
    greedy_prefixes = {greedy.tokens[: i + 1] for i in range(len(greedy.tokens))}
    with figure(path, (9.5, 5.6)) as (fig, ax):
        for col, step in enumerate(trace.steps):
            for row, (tokens, log_prob, kept) in enumerate(step[:8]):
                colour = "#cfe0f5" if kept else "#eeeeee"
                edge = "#c0392b" if tokens in greedy_prefixes else "#888888"
                ax.text(col, -row, f"{_label(tokens)}\nP = {math.exp(log_prob):.4f}", ha="center", va="center",
                        fontsize=8, bbox={"boxstyle": "round", "facecolor": colour, "edgecolor": edge,
                                          "linewidth": 2 if tokens in greedy_prefixes else 1})
        ax.set_xlim(-0.6, len(trace.steps) - 0.4)
        ax.set_ylim(-min(rows, 8) + 0.4, 0.6)
        ax.set_xticks(range(len(trace.steps)), [f"step {i + 1}" for i in range(len(trace.steps))])
        ax.set_yticks([])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        ax.set_title("Beam width 2 (blue: kept, grey: pruned; red edge: greedy path)\n"
                     f"greedy P = {math.exp(greedy.log_prob):.3f}, beam P = 0.054 (top 8 candidates per step)")


def _plot_optimality(path: Path, optimal: dict[tuple[float, int], int], config: Config) -> None:
    widths = list(config.widths)
    x = np.arange(len(widths))
    with figure(path, (6.0, 3.6)) as (fig, ax):
        for offset, alpha, label in ((-0.2, 0.0, "raw log P"), (0.2, config.alpha, f"log P / L^{config.alpha}")):
            shares = [optimal[alpha, k] / config.n_models for k in widths]
            bars = ax.bar(x + offset, shares, 0.4, label=label)
            ax.bar_label(bars, fmt="%.2f", fontsize=7)
        ax.set_xticks(x, [f"k = {k}" + (" (greedy)" if k == 1 else "") for k in widths])
        ax.set_ylabel("share of decoders where beam finds the optimum")
        ax.set_ylim(0, 1.1)
        ax.legend(loc="lower right")
        ax.set_title(f"{config.n_models} random toy decoders, V = {config.vocab_size}, T = {config.max_len}")
