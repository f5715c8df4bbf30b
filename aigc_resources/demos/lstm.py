"""An LSTM written from the article's gate equations, proved equal to torch.nn.LSTM, trained on names.

The source article (§4.2) gives the LSTM of Hochreiter & Schmidhuber (1997) with the forget
gate of Gers, Schmidhuber & Cummins (2000), in the notation of Olah's "Understanding LSTM
Networks" (2015). With [h_{t-1}, x_t] the concatenation of the previous hidden state and the
input:

    f_t = σ(W_f·[h_{t-1}, x_t] + b_f)        forget gate: how much of C_{t-1} to keep
    i_t = σ(W_i·[h_{t-1}, x_t] + b_i)        input gate: how much of the candidate to write
    C̃_t = tanh(W_C·[h_{t-1}, x_t] + b_C)     candidate cell state
    C_t = f_t ⊙ C_{t-1} + i_t ⊙ C̃_t           new cell state
    o_t = σ(W_o·[h_{t-1}, x_t] + b_o)        output gate
    h_t = o_t ⊙ tanh(C_t)                    new hidden state

:class:`LSTMCellFromEquations` computes exactly these lines. PyTorch's ``nn.LSTM`` computes
the same function with the weights stored differently: ``weight_ih_l0`` (4H, I) and
``weight_hh_l0`` (4H, H) hold the four gates as row blocks in the order **i, f, g (= C̃), o**,
and two biases are added. :meth:`LSTMCellFromEquations.from_torch` maps one layout onto the
other; the run checks every h_t and the final C_t against ``nn.LSTM`` and one step against
``nn.LSTMCell``.

The cell is then trained as a character-level language model (Karpathy's makemore ladder) on
the same names and the same split as the n-gram demo, so their held-out NLL per symbol
(letters plus the end mark) compare directly.

What is left out: peephole connections, stacked layers, dropout and truncated backpropagation
through time (names are short enough to backpropagate through whole).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .artifacts import figure, write_text
from .ngram import ALPHABET, EOS, NGramLM, nll_per_symbol, split_names
from .spec import Artifact, Demo, Threshold

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
    """The full run's settings, each with its reason; ``FAST`` overrides some for ``--fast``."""

    seed: int = 0  # initial weights, batch order, sampling, and the names split shared with ngram
    heldout: int = 500  # the n-gram demo's held-out size, so the two NLLs compare directly
    embedding_dim: int = 32  # x_t: 27 symbols need few dimensions
    hidden_size: int = 64  # H: calibration runs measured 1.97 nats after 10 epochs at H = 64
    epochs: int = 10  # the held-out NLL flattens out around 10-15 epochs
    batch_size: int = 64  # small batches: many updates per epoch on 4.7k names
    lr: float = 3e-3  # Adam; 1e-3 needs twice the epochs, 1e-2 oscillates
    clip: float = 1.0  # gradient-norm clipping, the usual guard against exploding gradients in RNNs
    n_samples: int = 20  # enough names to judge by eye
    gate_name: str = "christopher"  # a long name for the gate-activation figure


#: The quick variant: two epochs already beat the unigram and bigram.
FAST: dict[str, object] = {"epochs": 2}

THRESHOLDS = (
    Threshold("max_abs_diff_vs_torch_lstm", "<=", 1e-6, "our cell computes what nn.LSTM computes (float32)",
              "我们的单元与 nn.LSTM 计算结果一致（float32）"),
    Threshold("max_abs_diff_vs_torch_lstm_cell", "<=", 1e-6, "one step equals nn.LSTMCell",
              "单步结果与 nn.LSTMCell 一致"),
    Threshold("heldout_nll", "<=", 2.05, "1.97 measured after 10 epochs",
              "训练 10 轮后测得 1.97"),
    Threshold("gain_over_trigram", ">", 0.0, "the LSTM must beat the trigram (Kneser-Ney) on the same held-out names",
              "在相同的留出名字上，LSTM 必须优于三元 Kneser-Ney 模型"),
)
FAST_THRESHOLDS = (
    THRESHOLDS[0],
    THRESHOLDS[1],
    Threshold("heldout_nll", "<", 2.25, "2.17 measured after 2 epochs",
              "训练 2 轮后测得 2.17"),
)

#: Input symbols: the start mark then the letters; output symbols: the letters then the end mark.
INPUTS = ["<s>", *ALPHABET]
OUTPUTS = [*ALPHABET, EOS]
PAD = -100  # target index ignored by the loss (F.cross_entropy's default ignore_index)


# ----------------------------------------------------------------------------------------------
# The cell, line by line from the equations


class LSTMCellFromEquations(nn.Module):
    """One LSTM step as in the article: four gates, each a linear map of [h_{t-1}, x_t].

    Shapes: x_t (B, I), h_{t-1} and C_{t-1} (B, H); W_f, W_i, W_C, W_o (H, H + I); biases (H,).
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size, self.hidden_size = input_size, hidden_size
        bound = 1.0 / math.sqrt(hidden_size)  # nn.LSTM's initialisation: U(-1/sqrt(H), 1/sqrt(H))

        def weight() -> nn.Parameter:
            return nn.Parameter(torch.empty(hidden_size, hidden_size + input_size).uniform_(-bound, bound))

        def bias() -> nn.Parameter:
            return nn.Parameter(torch.empty(hidden_size).uniform_(-bound, bound))

        self.W_f, self.W_i, self.W_C, self.W_o = weight(), weight(), weight(), weight()
        self.b_f, self.b_i, self.b_C, self.b_o = bias(), bias(), bias(), bias()

    def forward(self, x_t: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor]
                ) -> tuple[torch.Tensor, torch.Tensor, dict[str, torch.Tensor]]:
        """One step: returns h_t (B, H), C_t (B, H) and the gate activations (each (B, H))."""
        h_prev, C_prev = state
        hx = torch.cat([h_prev, x_t], dim=1)  # [h_{t-1}, x_t]: (B, H + I)
        f_t = torch.sigmoid(hx @ self.W_f.T + self.b_f)
        i_t = torch.sigmoid(hx @ self.W_i.T + self.b_i)
        C_tilde = torch.tanh(hx @ self.W_C.T + self.b_C)
        C_t = f_t * C_prev + i_t * C_tilde
        o_t = torch.sigmoid(hx @ self.W_o.T + self.b_o)
        h_t = o_t * torch.tanh(C_t)
        return h_t, C_t, {"i": i_t, "f": f_t, "o": o_t}

    @classmethod
    def from_torch(cls, lstm: nn.LSTM | nn.LSTMCell) -> LSTMCellFromEquations:
        """A cell holding the weights of a one-layer ``nn.LSTM`` (or an ``nn.LSTMCell``).

        PyTorch stacks the gates as row blocks [i | f | g | o] of ``weight_ih`` (4H, I) and
        ``weight_hh`` (4H, H). W_gate·[h, x] therefore uses ``cat([weight_hh[block],
        weight_ih[block]], 1)``, and b_gate = ``bias_ih[block] + bias_hh[block]``.
        """
        suffix = "_l0" if isinstance(lstm, nn.LSTM) else ""
        w_ih, w_hh = getattr(lstm, f"weight_ih{suffix}"), getattr(lstm, f"weight_hh{suffix}")
        b = getattr(lstm, f"bias_ih{suffix}") + getattr(lstm, f"bias_hh{suffix}")
        H = lstm.hidden_size
        cell = cls(lstm.input_size, H)
        blocks = {"i": slice(0, H), "f": slice(H, 2 * H), "C": slice(2 * H, 3 * H), "o": slice(3 * H, 4 * H)}
        with torch.no_grad():
            for gate, rows in blocks.items():
                getattr(cell, f"W_{gate}").copy_(torch.cat([w_hh[rows], w_ih[rows]], dim=1))
                getattr(cell, f"b_{gate}").copy_(b[rows])
        return cell


def run_cell(cell: LSTMCellFromEquations, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
             ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor], dict[str, torch.Tensor]]:
    """Unroll the cell over a batch of sequences x (B, T, I) from state (h_0, C_0), zeros by default.

    Returns every h_t as (B, T, H), the final (h_T, C_T), and each gate's activations (B, T, H).
    """
    B, T, _ = x.shape
    zeros = x.new_zeros(B, cell.hidden_size)
    h, C = state if state is not None else (zeros, zeros)
    outputs, gates = [], {"i": [], "f": [], "o": []}
    for t in range(T):
        h, C, g = cell(x[:, t], (h, C))
        outputs.append(h)
        for key in gates:
            gates[key].append(g[key])
    return torch.stack(outputs, 1), (h, C), {k: torch.stack(v, 1) for k, v in gates.items()}


def max_diff_vs_torch(seed: int, input_size: int = 5, hidden_size: int = 7, steps: int = 9) -> tuple[float, float]:
    """max |ours - torch| over every h_t and the final C_T of ``nn.LSTM``, and over one ``nn.LSTMCell`` step."""
    generator = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    reference = nn.LSTM(input_size, hidden_size, batch_first=True)
    x = torch.randn(3, steps, input_size, generator=generator)
    h0 = torch.randn(1, 3, hidden_size, generator=generator)
    c0 = torch.randn(1, 3, hidden_size, generator=generator)
    with torch.no_grad():
        expected, (h_n, c_n) = reference(x, (h0, c0))
        ours, (h_T, C_T), _ = run_cell(LSTMCellFromEquations.from_torch(reference), x, (h0[0], c0[0]))
        sequence_diff = max((ours - expected).abs().max().item(), (C_T - c_n[0]).abs().max().item(),
                            (h_T - h_n[0]).abs().max().item())
        step = nn.LSTMCell(input_size, hidden_size)
        h1, c1 = step(x[:, 0], (h0[0], c0[0]))
        our_h1, our_c1, _ = LSTMCellFromEquations.from_torch(step)(x[:, 0], (h0[0], c0[0]))
        step_diff = max((our_h1 - h1).abs().max().item(), (our_c1 - c1).abs().max().item())
    return sequence_diff, step_diff


# ----------------------------------------------------------------------------------------------
# The character language model


class CharLSTM(nn.Module):
    """Embedding -> :class:`LSTMCellFromEquations` -> linear read-out to next-symbol logits.

    ``forward(idx, targets)`` follows makemore's interface: idx (B, T) input symbol ids,
    targets (B, T) output symbol ids or ``PAD``; returns logits (B, T, |OUTPUTS|) and the mean
    cross-entropy in nats per predicted symbol (``None`` without targets).
    """

    def __init__(self, embedding_dim: int, hidden_size: int) -> None:
        super().__init__()
        self.embed = nn.Embedding(len(INPUTS), embedding_dim)
        self.cell = LSTMCellFromEquations(embedding_dim, hidden_size)
        self.readout = nn.Linear(hidden_size, len(OUTPUTS))

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits (B, T, |OUTPUTS|) for idx (B, T), and the mean cross-entropy (nats) when targets (B, T) are given."""
        hidden, _, _ = run_cell(self.cell, self.embed(idx))
        logits = self.readout(hidden)
        loss = None if targets is None else F.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=PAD)
        return logits, loss


def encode(names: list[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Names -> (inputs (N, T), targets (N, T)) with T = longest name + 1, padded.

    Input ``<s> m a r y``, target ``m a r y </s>``: the model predicts each next symbol.
    Padding positions get input 0 (ignored: their targets are ``PAD``).
    """
    T = max(len(n) for n in names) + 1
    inputs = torch.zeros(len(names), T, dtype=torch.long)
    targets = torch.full((len(names), T), PAD, dtype=torch.long)
    for row, name in enumerate(names):
        inputs[row, : len(name) + 1] = torch.tensor([INPUTS.index(c) for c in ["<s>", *name]])
        targets[row, : len(name) + 1] = torch.tensor([OUTPUTS.index(c) for c in [*name, EOS]])
    return inputs, targets


@torch.no_grad()
def heldout_nll(model: CharLSTM, names: list[str]) -> float:
    """Mean NLL in nats per predicted symbol (letters + end mark), the n-gram demo's measure."""
    inputs, targets = encode(names)
    _, loss = model(inputs, targets)
    return float(loss)


@torch.no_grad()
def sample(model: CharLSTM, generator: torch.Generator, max_len: int = 20) -> str:
    """Draw a name one symbol at a time from softmax(logits) until the end mark."""
    cell = model.cell
    h = C = torch.zeros(1, cell.hidden_size)
    x = model.embed(torch.tensor([INPUTS.index("<s>")]))
    letters: list[str] = []
    while len(letters) < max_len:
        h, C, _ = cell(x, (h, C))
        probs = F.softmax(model.readout(h), dim=-1)
        symbol = OUTPUTS[int(torch.multinomial(probs[0], 1, generator=generator))]
        if symbol == EOS:
            break
        letters.append(symbol)
        x = model.embed(torch.tensor([INPUTS.index(symbol)]))
    return "".join(letters)


# ----------------------------------------------------------------------------------------------
# The run


def run(config: Config, out_dir: Path) -> dict[str, float | int | str]:
    """Check the cell against PyTorch, train the character model, compare with the trigram, sample."""
    sequence_diff, step_diff = max_diff_vs_torch(config.seed)
    metrics: dict[str, float | int | str] = {"max_abs_diff_vs_torch_lstm": sequence_diff,
                                             "max_abs_diff_vs_torch_lstm_cell": step_diff}

    train, heldout = split_names(config.seed, config.heldout)
    trigram_nll = nll_per_symbol(NGramLM(train, 3, smoothing="kneser_ney"), heldout)

    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    model = CharLSTM(config.embedding_dim, config.hidden_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    inputs, targets = encode(train)
    history: list[tuple[float, float]] = []
    for _ in range(config.epochs):
        order = torch.randperm(len(train), generator=generator)
        total, batches = 0.0, 0
        for start in range(0, len(train), config.batch_size):
            rows = order[start:start + config.batch_size]
            length = int((targets[rows] != PAD).sum(1).max())  # trim padding beyond the longest name
            _, loss = model(inputs[rows, :length], targets[rows, :length])
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        history.append((total / batches, heldout_nll(model, heldout)))

    metrics["parameters"] = sum(p.numel() for p in model.parameters())
    metrics["train_loss"] = history[-1][0]
    metrics["heldout_nll"] = history[-1][1]
    metrics["trigram_kn_heldout_nll"] = trigram_nll
    metrics["gain_over_trigram"] = trigram_nll - history[-1][1]

    samples = [sample(model, generator) for _ in range(config.n_samples)]
    known = set(train)
    metrics["sample_novel_share"] = sum(s not in known for s in samples) / len(samples)
    write_text(out_dir / "samples.txt",
               [f"# {config.n_samples} names from the LSTM after {config.epochs} epochs (seed {config.seed}); "
                "* = not in the training set"] + [f"{s}{' *' if s not in known else ''}" for s in samples])
    _plot_loss(out_dir / "loss.png", history, trigram_nll)
    _plot_gates(out_dir / "gates.png", model, config.gate_name)
    return metrics


def _plot_loss(path: Path, history: list[tuple[float, float]], trigram_nll: float) -> None:
    epochs = np.arange(1, len(history) + 1)
    with figure(path, (6.0, 3.6)) as (fig, ax):
        ax.plot(epochs, [h[0] for h in history], "o-", label="train (running mean)")
        ax.plot(epochs, [h[1] for h in history], "s-", label="held-out")
        ax.axhline(trigram_nll, color="grey", linestyle="--", label=f"trigram Kneser-Ney ({trigram_nll:.3f})")
        ax.set_xlabel("epoch")
        ax.set_ylabel("NLL (nats / symbol)")
        ax.legend()
        ax.set_title("The LSTM passes the trigram")


@torch.no_grad()
def _plot_gates(path: Path, model: CharLSTM, name: str) -> None:
    inputs, _ = encode([name])
    _, _, gates = run_cell(model.cell, model.embed(inputs))
    labels = ["<s>", *name]
    with figure(path, (9.5, 3.8), ncols=3, sharey=True, layout="constrained") as (fig, axes):
        for ax, (key, title) in zip(axes, (("i", "input gate i_t"), ("f", "forget gate f_t"), ("o", "output gate o_t"))):
            image = ax.imshow(gates[key][0].T.numpy(), aspect="auto", cmap="viridis", vmin=0, vmax=1)
            ax.set_xticks(range(len(labels)), labels, fontsize=7)
            ax.set_title(title)
            ax.set_xlabel("input symbol")
        axes[0].set_ylabel("hidden unit")
        fig.colorbar(image, ax=list(axes), shrink=0.8)
