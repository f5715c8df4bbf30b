"""Beam search versus greedy and exhaustive search (placeholder: code in a later commit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .spec import Artifact, Demo

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
    seed: int = 0


def run(config: Config, out_dir: Path) -> dict[str, float]:
    raise NotImplementedError("the beam search demo lands in a later commit")
