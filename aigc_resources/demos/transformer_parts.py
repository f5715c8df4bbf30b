"""The parts of a Transformer, each written from its formula and checked against PyTorch's own module.

The source article (§3.2) lists the steps of a Transformer (Vaswani et al., "Attention Is All
You Need", NeurIPS 2017): (1) tokenise and pad, (2) embed, (3) add positional encodings,
(4) multi-head attention, (5) a feed-forward network, (6) residual connections and layer
normalisation, (7) masking; (8) beam search has its own demo. Each function below computes one
step, named after the paper:

- embeddings scaled by sqrt(d_model) (§3.4);
- sinusoidal positional encoding PE(pos, 2i) = sin(pos / 10000^(2i/d)), PE(pos, 2i+1) = cos(...) (§3.5);
- scaled dot-product attention softmax(QKᵀ/sqrt(d_k) + M) V (eq. 1), with the causal mask M;
- multi-head attention Concat(head_1..head_h) W^O, head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V) (§3.2.2);
- the position-wise FFN max(0, x W_1 + b_1) W_2 + b_2 (eq. 2);
- layer normalisation (Ba, Kiros & Hinton 2016) and the residual sublayer LayerNorm(x + Sublayer(x))
  (§3.1, "post-LN"), plus the "pre-LN" form x + Sublayer(LayerNorm(x)) of Xiong et al. (2020) that
  ``nn.TransformerEncoderLayer(norm_first=True)`` implements;
- whole encoder and decoder layers assembled from these parts.

Mask conventions differ and are a classic bug: ``nn.MultiheadAttention`` and ``nn.Transformer``
take a boolean mask where **True means blocked**, ``F.scaled_dot_product_attention`` one where
**True means may attend**. We keep PyTorch's ``nn`` convention (True = blocked) everywhere.

Nothing is trained: the run builds each PyTorch module with random weights, copies the
weights into our functions and reports the largest absolute difference. What is left out:
dropout (zero in all checks), learned positional embeddings, and batching tricks such as
packed sequences.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from .artifacts import figure
from .spec import Artifact, Demo, Threshold

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
        Artifact("attention.png", "Attention weights of each head of a masked multi-head attention layer (untrained weights) on a short sentence: every row sums to 1 and nothing lies above the diagonal.",
                 "带掩码的多头注意力层（未训练的权重）中，每个头在一个短句上的注意力权重：每行之和为 1，对角线以上全为零。"),
    ),
)


@dataclass(frozen=True)
class Config:
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # the random weights and inputs of every check
    d_model: int = 32  # model width: small, but with 4 heads of 8 dimensions each
    heads: int = 4  # h: enough heads to see them differ in the figure
    d_ff: int = 64  # FFN inner width: 2 x d_model (the paper uses 4 x)
    batch: int = 3  # B: more than one sequence, so padding masks differ per row
    length: int = 7  # T: short sequences keep every check instant
    pe_positions: int = 50  # rows of the positional-encoding figure
    pe_dim: int = 64  # columns of the positional-encoding figure


#: The quick variant: the same checks (they take well under a second).
FAST: dict[str, object] = {}

TOLERANCE = 1e-5  # float32 arithmetic in a different order: calibration runs measured at most 2.4e-7
THRESHOLDS = tuple(
    Threshold(metric, "<=", TOLERANCE, f"equal to {reference} up to float32 rounding",
              f"与 {reference} 在 float32 舍入误差内一致")
    for metric, reference in (
        ("max_diff_embedding", "nn.Embedding and one_hot(ids) @ E"),
        ("max_diff_pe_reference_row", "the values of PE row 1 for d = 8"),
        ("max_diff_pe_relative_shift", "PE(pos + k) = R(k) PE(pos)"),
        ("max_diff_causal_mask", "nn.Transformer.generate_square_subsequent_mask"),
        ("max_diff_sdpa_causal", "F.scaled_dot_product_attention(is_causal=True)"),
        ("max_diff_sdpa_padding", "F.scaled_dot_product_attention with a padding mask"),
        ("max_diff_mha_output", "nn.MultiheadAttention"),
        ("max_diff_mha_weights", "nn.MultiheadAttention's per-head weights"),
        ("max_diff_layer_norm", "nn.LayerNorm"),
        ("max_diff_encoder_post_ln", "nn.TransformerEncoderLayer"),
        ("max_diff_encoder_pre_ln", "nn.TransformerEncoderLayer(norm_first=True)"),
        ("max_diff_decoder_post_ln", "nn.TransformerDecoderLayer"),
        ("max_diff_decoder_pre_ln", "nn.TransformerDecoderLayer(norm_first=True)"),
    )
) + (Threshold("tokenizer_round_trip", "==", 1.0, "decode(encode(s)) == s for every sentence",
               "对每个句子都有 decode(encode(s)) == s"),)
FAST_THRESHOLDS = THRESHOLDS

SENTENCES = (
    "the model reads the whole sentence at once",
    "attention lets every word look at every other word",
    "a mask hides the future from the decoder",
)


# ----------------------------------------------------------------------------------------------
# Step 1: tokenisation, vocabulary and padding


class WordTokenizer:
    """Lower-case words and punctuation marks as tokens, with four special tokens.

    ``<pad>`` = 0 fills short sequences, ``<unk>`` = 1 stands for words not in the vocabulary,
    ``<bos>`` and ``<eos>`` open and close a sequence for the decoder.
    """

    SPECIALS = ("<pad>", "<unk>", "<bos>", "<eos>")
    PATTERN = re.compile(r"\w+|[^\w\s]")

    def __init__(self, corpus: tuple[str, ...]) -> None:
        words = sorted({w for sentence in corpus for w in self.split(sentence)})
        self.itos = [*self.SPECIALS, *words]
        self.stoi = {w: i for i, w in enumerate(self.itos)}

    def split(self, text: str) -> list[str]:
        """Lower-cased words and single punctuation marks of ``text``."""
        return self.PATTERN.findall(text.lower())

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``; a word outside the vocabulary becomes ``<unk>`` (1)."""
        return [self.stoi.get(w, self.stoi["<unk>"]) for w in self.split(text)]

    def decode(self, ids: list[int]) -> str:
        """The tokens of ``ids`` joined by spaces, padding (0) dropped."""
        return " ".join(self.itos[i] for i in ids if i != 0)

    def pad(self, batch: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Ids (B, T_max) right-padded with 0, and the key padding mask (B, T_max), True = padding."""
        T = max(len(ids) for ids in batch)
        ids = torch.tensor([row + [0] * (T - len(row)) for row in batch])
        return ids, ids == 0


# ----------------------------------------------------------------------------------------------
# Steps 2 and 3: embeddings and positional encoding


def embed(ids: torch.Tensor, E: torch.Tensor) -> torch.Tensor:
    """Row lookup E[ids] * sqrt(d_model) (Vaswani et al. §3.4). ids (B, T), E (V, d) -> (B, T, d)."""
    return E[ids] * math.sqrt(E.shape[1])


def sinusoidal_positional_encoding(positions: int, d: int) -> torch.Tensor:
    """PE (positions, d): PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(pos / 10000^(2i/d)) (§3.5)."""
    pos = torch.arange(positions, dtype=torch.float64)[:, None]  # (P, 1)
    two_i = torch.arange(0, d, 2, dtype=torch.float64)  # (d/2,)
    angle = pos / 10000 ** (two_i / d)  # (P, d/2)
    pe = torch.zeros(positions, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe.float()


def shift_matrix(k: int, d: int) -> torch.Tensor:
    """R(k) (d, d) with PE[pos + k] = R(k) PE[pos] for every pos: one 2x2 rotation per frequency.

    This is why the paper chose sinusoids: a fixed offset is a linear map, so attention can
    learn relative positions.
    """
    R = torch.zeros(d, d, dtype=torch.float64)
    for i in range(0, d, 2):
        w = 1.0 / 10000 ** (i / d)
        c, s = math.cos(k * w), math.sin(k * w)
        R[i:i + 2, i:i + 2] = torch.tensor([[c, s], [-s, c]], dtype=torch.float64)
    return R


# ----------------------------------------------------------------------------------------------
# Steps 4 and 7: attention and masks


def causal_mask(T: int) -> torch.Tensor:
    """(T, T) bool, True = blocked: position i may not attend to j > i (nn.Transformer's convention)."""
    return torch.ones(T, T, dtype=torch.bool).triu(1)


def scaled_dot_product_attention(Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor,
                                 blocked: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(QKᵀ / sqrt(d_k) + M) V (eq. 1), M = -inf where ``blocked`` is True.

    Q (..., T_q, d_k), K (..., T_k, d_k), V (..., T_k, d_v); ``blocked`` broadcasts to
    (..., T_q, T_k). Returns the output (..., T_q, d_v) and the weights (..., T_q, T_k).
    """
    scores = Q @ K.transpose(-2, -1) / math.sqrt(Q.shape[-1])
    if blocked is not None:
        scores = scores.masked_fill(blocked, float("-inf"))
    weights = scores.softmax(dim=-1)
    return weights @ V, weights


class MultiHeadAttention(nn.Module):
    """Concat(head_1..head_h) W^O with head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V) (§3.2.2).

    W_q, W_k, W_v, W_o are (d, d) with biases; head i uses columns i*d_k:(i+1)*d_k, d_k = d / h.
    """

    def __init__(self, d: int, heads: int) -> None:
        super().__init__()
        self.heads, self.d_k = heads, d // heads
        self.W_q, self.W_k, self.W_v, self.W_o = (nn.Linear(d, d) for _ in range(4))

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                attn_mask: torch.Tensor | None = None, key_padding_mask: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, T_q, d), key/value (B, T_k, d); masks True = blocked: attn_mask (T_q, T_k),
        key_padding_mask (B, T_k). Returns (B, T_q, d) and per-head weights (B, h, T_q, T_k)."""
        B = query.shape[0]

        def split(x: torch.Tensor) -> torch.Tensor:  # (B, T, d) -> (B, h, T, d_k)
            return x.view(B, -1, self.heads, self.d_k).transpose(1, 2)

        blocked = torch.zeros(1, 1, query.shape[1], key.shape[1], dtype=torch.bool)
        if attn_mask is not None:
            blocked = blocked | attn_mask[None, None]
        if key_padding_mask is not None:
            blocked = blocked | key_padding_mask[:, None, None, :]
        heads, weights = scaled_dot_product_attention(split(self.W_q(query)), split(self.W_k(key)),
                                                      split(self.W_v(value)), blocked)
        concat = heads.transpose(1, 2).reshape(B, -1, self.heads * self.d_k)
        return self.W_o(concat), weights

    @classmethod
    def from_torch(cls, mha: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy ``in_proj_weight`` (3d, d) = [W_q; W_k; W_v], ``in_proj_bias`` and ``out_proj``."""
        ours = cls(mha.embed_dim, mha.num_heads)
        with torch.no_grad():
            for linear, w, b in zip((ours.W_q, ours.W_k, ours.W_v), mha.in_proj_weight.chunk(3),
                                    mha.in_proj_bias.chunk(3)):
                linear.weight.copy_(w)
                linear.bias.copy_(b)
            ours.W_o.load_state_dict(mha.out_proj.state_dict())
        return ours


# ----------------------------------------------------------------------------------------------
# Steps 5 and 6: feed-forward network, layer norm, residual sublayers


def feed_forward(x: torch.Tensor, linear1: nn.Linear, linear2: nn.Linear) -> torch.Tensor:
    """FFN(x) = max(0, x W_1 + b_1) W_2 + b_2 (eq. 2), applied to each position. x (..., d)."""
    return linear2(torch.relu(linear1(x)))


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """gamma * (x - mean) / sqrt(var + eps) + beta over the last dimension (biased variance)."""
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, unbiased=False, keepdim=True)
    return gamma * (x - mean) / torch.sqrt(var + eps) + beta


def sublayer(x: torch.Tensor, f, norm: nn.LayerNorm, norm_first: bool) -> torch.Tensor:
    """Post-LN: LayerNorm(x + f(x)) (§3.1). Pre-LN: x + f(LayerNorm(x)) (Xiong et al. 2020)."""
    ln = (lambda v: layer_norm(v, norm.weight, norm.bias, norm.eps))
    return x + f(ln(x)) if norm_first else ln(x + f(x))


def encoder_layer(x: torch.Tensor, layer: nn.TransformerEncoderLayer, padding: torch.Tensor | None = None
                  ) -> torch.Tensor:
    """Self-attention then FFN, each in a residual sublayer, with the weights of a torch layer. x (B, T, d)."""
    attention = MultiHeadAttention.from_torch(layer.self_attn)
    x = sublayer(x, lambda v: attention(v, v, v, key_padding_mask=padding)[0], layer.norm1, layer.norm_first)
    return sublayer(x, lambda v: feed_forward(v, layer.linear1, layer.linear2), layer.norm2, layer.norm_first)


def decoder_layer(y: torch.Tensor, memory: torch.Tensor, layer: nn.TransformerDecoderLayer) -> torch.Tensor:
    """Masked self-attention, cross-attention to the encoder memory, FFN (§3.1). y (B, T, d), memory (B, S, d)."""
    self_attention = MultiHeadAttention.from_torch(layer.self_attn)
    cross_attention = MultiHeadAttention.from_torch(layer.multihead_attn)
    mask = causal_mask(y.shape[1])
    y = sublayer(y, lambda v: self_attention(v, v, v, attn_mask=mask)[0], layer.norm1, layer.norm_first)
    y = sublayer(y, lambda v: cross_attention(v, memory, memory)[0], layer.norm2, layer.norm_first)
    return sublayer(y, lambda v: feed_forward(v, layer.linear1, layer.linear2), layer.norm3, layer.norm_first)


# ----------------------------------------------------------------------------------------------
# The run: every part against its PyTorch reference


def max_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    """The largest absolute elementwise difference of two same-shape tensors, computed in float64."""
    return float((a.double() - b.double()).abs().max())


@torch.no_grad()
def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Compute every check of the module docstring and draw the three figures."""
    torch.manual_seed(config.seed)
    g = torch.Generator().manual_seed(config.seed)
    B, T, d, h = config.batch, config.length, config.d_model, config.heads
    metrics: dict[str, float | int | str] = {}

    tokenizer = WordTokenizer(SENTENCES)
    encoded = [tokenizer.encode(s) for s in SENTENCES]
    metrics["vocab_size"] = len(tokenizer.itos)
    metrics["tokenizer_round_trip"] = float(all(tokenizer.decode(ids) == s for ids, s in zip(encoded, SENTENCES)))
    ids, padding = tokenizer.pad(encoded)

    table = nn.Embedding(len(tokenizer.itos), d)
    one_hot = F.one_hot(ids, len(tokenizer.itos)).float()
    metrics["max_diff_embedding"] = max(max_diff(embed(ids, table.weight), table(ids) * math.sqrt(d)),
                                        max_diff(embed(ids, table.weight), one_hot @ table.weight * math.sqrt(d)))

    pe = sinusoidal_positional_encoding(40, 8)
    metrics["max_diff_pe_reference_row"] = max_diff(pe[1, :4], torch.tensor([0.84147098, 0.54030231, 0.09983342, 0.99500417]))
    pe64 = sinusoidal_positional_encoding(40, d).double()
    metrics["max_diff_pe_relative_shift"] = max_diff(pe64[5:] , pe64[:-5] @ shift_matrix(5, d).T)

    metrics["max_diff_causal_mask"] = max_diff(causal_mask(T).float(),
                                               torch.isinf(nn.Transformer.generate_square_subsequent_mask(T)).float())

    Q, K, V = (torch.randn(B, h, T, d // h, generator=g) for _ in range(3))
    ours, _ = scaled_dot_product_attention(Q, K, V, causal_mask(T))
    metrics["max_diff_sdpa_causal"] = max_diff(ours, F.scaled_dot_product_attention(Q, K, V, is_causal=True))
    pad_keys = torch.zeros(B, T, dtype=torch.bool)
    pad_keys[1, 5:], pad_keys[2, 3:] = True, True
    ours, _ = scaled_dot_product_attention(Q, K, V, pad_keys[:, None, None, :])
    reference = F.scaled_dot_product_attention(Q, K, V, attn_mask=~pad_keys[:, None, None, :])  # True = may attend
    metrics["max_diff_sdpa_padding"] = max_diff(ours, reference)

    x = torch.randn(B, T, d, generator=g)
    mha = nn.MultiheadAttention(d, h, batch_first=True).eval()
    expected, expected_weights = mha(x, x, x, attn_mask=causal_mask(T), key_padding_mask=pad_keys,
                                     need_weights=True, average_attn_weights=False)
    ours, weights = MultiHeadAttention.from_torch(mha)(x, x, x, attn_mask=causal_mask(T), key_padding_mask=pad_keys)
    metrics["max_diff_mha_output"] = max_diff(ours, expected)
    metrics["max_diff_mha_weights"] = max_diff(weights, expected_weights)

    norm = nn.LayerNorm(d)
    nn.init.normal_(norm.weight, generator=g)
    nn.init.normal_(norm.bias, generator=g)
    metrics["max_diff_layer_norm"] = max_diff(layer_norm(x, norm.weight, norm.bias), norm(x))

    memory = torch.randn(B, T + 2, d, generator=g)
    for norm_first, name in ((False, "post_ln"), (True, "pre_ln")):
        enc = nn.TransformerEncoderLayer(d, h, config.d_ff, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
        metrics[f"max_diff_encoder_{name}"] = max_diff(encoder_layer(x, enc, pad_keys),
                                                      enc(x, src_key_padding_mask=pad_keys))
        dec = nn.TransformerDecoderLayer(d, h, config.d_ff, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
        metrics[f"max_diff_decoder_{name}"] = max_diff(decoder_layer(x, memory, dec),
                                                      dec(x, memory, tgt_mask=causal_mask(T), tgt_is_causal=True))

    _plot_positional_encoding(out_dir / "positional_encoding.png", config)
    _plot_causal_mask(out_dir / "causal_mask.png", tokenizer.split(SENTENCES[2]))
    words = tokenizer.split(SENTENCES[2])
    x_sentence = (embed(torch.tensor([tokenizer.encode(SENTENCES[2])]), table.weight)
                  + sinusoidal_positional_encoding(len(words), d))
    _, sentence_weights = MultiHeadAttention.from_torch(mha)(x_sentence, x_sentence, x_sentence,
                                                             attn_mask=causal_mask(len(words)))
    _plot_attention(out_dir / "attention.png", sentence_weights[0], words)
    return metrics


def _plot_positional_encoding(path: Path, config: Config) -> None:
    pe = sinusoidal_positional_encoding(config.pe_positions, config.pe_dim)
    with figure(path, (6.5, 3.8)) as (fig, ax):
        image = ax.imshow(pe.numpy(), aspect="auto", cmap="RdBu", vmin=-1, vmax=1)
        ax.set_xlabel("dimension (even: sin, odd: cos)")
        ax.set_ylabel("position")
        ax.set_title("Sinusoidal positional encoding")
        fig.colorbar(image, ax=ax)


def _plot_causal_mask(path: Path, words: list[str]) -> None:
    mask = causal_mask(len(words))
    with figure(path, (4.6, 4.2)) as (fig, ax):
        ax.imshow((~mask).float().numpy(), cmap="Greys", vmin=0, vmax=1.4)
        for i in range(len(words)):
            for j in range(len(words)):
                ax.text(j, i, "-inf" if mask[i, j] else "0", ha="center", va="center", fontsize=7,
                        color="black" if mask[i, j] else "white")
        ax.set_xticks(range(len(words)), words, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(range(len(words)), words, fontsize=8)
        ax.set_xlabel("key position j")
        ax.set_ylabel("query position i")
        ax.set_title("Causal mask M added to the scores")


def _plot_attention(path: Path, weights: torch.Tensor, words: list[str]) -> None:
    heads = weights.shape[0]
    with figure(path, (3.0 * heads, 3.4), ncols=heads, layout="constrained") as (fig, axes):
        for i, ax in enumerate(axes):
            ax.imshow(weights[i].numpy(), cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks(range(len(words)), words, rotation=60, ha="right", fontsize=7)
            ax.set_yticks(range(len(words)), words if i == 0 else [], fontsize=7)
            ax.set_title(f"head {i + 1}")
