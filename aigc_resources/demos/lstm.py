"""LSTM from the article's gate equations (placeholder: the model is added in the next commit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .spec import Artifact, Demo

DEMO = Demo(
    name="lstm",
    title="LSTM from the gate equations: a character model of names",
    title_zh="按门控公式实现 LSTM：名字的字符级语言模型",
    summary=(
        "Builds an LSTM cell line by line from the article's six gate equations, proves it computes "
        "exactly what torch.nn.LSTM computes when given the same weights (PyTorch stores the gates in "
        "the order i, f, g, o), then trains it as a character-level language model on the same names "
        "as the n-gram demo. It must reach a lower held-out negative log-likelihood than the trigram."
    ),
    summary_zh=(
        "按文中六个门控公式逐行实现 LSTM 单元，并证明在相同权重下它与 torch.nn.LSTM 的计算完全一致"
        "（PyTorch 按 i、f、g、o 的顺序存放各门的权重）；然后在与 N-gram 演示相同的名字上训练字符级语言模型，"
        "要求留出集负对数似然低于三元模型。"
    ),
    topics=("lstm", "rnn"),
    formula=(
        r"\begin{aligned}"
        r"f_t &= \sigma(W_f\cdot[h_{t-1}, x_t] + b_f) \\"
        r"i_t &= \sigma(W_i\cdot[h_{t-1}, x_t] + b_i) \\"
        r"\tilde{C}_t &= \tanh(W_C\cdot[h_{t-1}, x_t] + b_C) \\"
        r"C_t &= f_t \odot C_{t-1} + i_t \odot \tilde{C}_t \\"
        r"o_t &= \sigma(W_o\cdot[h_{t-1}, x_t] + b_o) \\"
        r"h_t &= o_t \odot \tanh(C_t)"
        r"\end{aligned}"
    ),
    figures=(
        Artifact("loss.png", "Training and held-out loss per epoch, with the trigram's held-out NLL as a line to beat.",
                 "每轮的训练与留出集损失；横线是要超过的三元模型留出集负对数似然。"),
        Artifact("gates.png", "Input, forget and output gate activations of every hidden unit while the model reads one name.",
                 "模型读入一个名字时，每个隐藏单元的输入门、遗忘门和输出门激活值。"),
    ),
    samples=(
        Artifact("samples.txt", "Names sampled from the trained LSTM; * marks names not in the training set.",
                 "从训练好的 LSTM 采样的名字；带 * 的名字不在训练集中。"),
    ),
)


@dataclass(frozen=True)
class Config:
    seed: int = 0


def run(config: Config, out_dir: Path) -> dict[str, float]:
    raise NotImplementedError("the LSTM demo lands in the next commit")
