"""The Transformer's parts, each checked against PyTorch (placeholder: code in the next commit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .spec import Artifact, Demo

DEMO = Demo(
    name="transformer_parts",
    title="Transformer parts, one by one, checked against PyTorch",
    title_zh="逐个拆解 Transformer 的组件，并与 PyTorch 核对",
    summary=(
        "Follows the article's steps for a Transformer without training anything: tokenisation and "
        "padding, embeddings, sinusoidal positional encoding, scaled dot-product and multi-head "
        "attention, the causal mask, the feed-forward network, and residual connections with layer "
        "normalisation. Each part is written from its formula and compared with PyTorch's own module "
        "(nn.Embedding, F.scaled_dot_product_attention, nn.MultiheadAttention, nn.LayerNorm, "
        "nn.TransformerEncoderLayer and nn.TransformerDecoderLayer) on the same weights."
    ),
    summary_zh=(
        "不做训练，按文中的步骤逐个实现 Transformer 的组件：分词与填充、词嵌入、正弦位置编码、缩放点积注意力"
        "与多头注意力、因果掩码、前馈网络、残差连接与层归一化。每个组件都按公式手写，并在相同权重下与 PyTorch "
        "自带的模块（nn.Embedding、F.scaled_dot_product_attention、nn.MultiheadAttention、nn.LayerNorm、"
        "nn.TransformerEncoderLayer 和 nn.TransformerDecoderLayer）对比。"
    ),
    topics=("transformer", "attention", "positional-encoding", "tokenization", "embeddings"),
    formula=(
        r"\begin{gathered}"
        r"\mathrm{Attention}(Q,K,V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}} + M\right)V,"
        r"\qquad M_{ij} = \begin{cases}0 & j \le i\\ -\infty & j > i\end{cases}"
        r"\\[4pt]"
        r"\mathrm{MultiHead}(Q,K,V) = \mathrm{Concat}(\mathrm{head}_1,\dots,\mathrm{head}_h)W^O,"
        r"\quad \mathrm{head}_i = \mathrm{Attention}(QW_i^Q, KW_i^K, VW_i^V)"
        r"\\[4pt]"
        r"PE_{(pos,2i)} = \sin\!\left(pos/10000^{2i/d}\right),\quad PE_{(pos,2i+1)} = \cos\!\left(pos/10000^{2i/d}\right)"
        r"\\[4pt]"
        r"\mathrm{FFN}(x) = \max(0, xW_1 + b_1)W_2 + b_2,\qquad y = \mathrm{LayerNorm}(x + \mathrm{Sublayer}(x))"
        r"\end{gathered}"
    ),
    figures=(
        Artifact("positional_encoding.png", "The sinusoidal positional encoding: one row per position, one column per dimension.",
                 "正弦位置编码：每行是一个位置，每列是一个维度。"),
        Artifact("causal_mask.png", "The causal mask: position i may attend to positions j <= i only.",
                 "因果掩码：位置 i 只能关注 j <= i 的位置。"),
        Artifact("attention.png", "Attention weights of each head of a masked multi-head attention layer on a short sentence.",
                 "带掩码的多头注意力层中，每个头在一个短句上的注意力权重。"),
    ),
)


@dataclass(frozen=True)
class Config:
    seed: int = 0


def run(config: Config, out_dir: Path) -> dict[str, float]:
    raise NotImplementedError("the Transformer parts demo lands in a later commit")
