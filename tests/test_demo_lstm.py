"""The LSTM cell from the article's equations against torch.nn.LSTM / LSTMCell."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from torch import nn  # noqa: E402

from aigc_resources.demos.lstm import (  # noqa: E402
    OUTPUTS, PAD, CharLSTM, LSTMCellFromEquations, encode, max_diff_vs_torch, run_cell)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cell_equals_torch_lstm_on_every_step(seed: int) -> None:
    sequence_diff, step_diff = max_diff_vs_torch(seed, input_size=4 + seed, hidden_size=6 + seed, steps=11)
    assert sequence_diff <= 1e-6 and step_diff <= 1e-6


def test_gate_order_matters() -> None:
    """Reading PyTorch's blocks as [f | i | g | o] instead of [i | f | g | o] gives other numbers."""
    torch.manual_seed(0)
    reference = nn.LSTM(3, 5, batch_first=True)
    x = torch.randn(2, 6, 3)
    with torch.no_grad():
        expected, _ = reference(x)
        cell = LSTMCellFromEquations.from_torch(reference)
        cell.W_f, cell.W_i = cell.W_i, cell.W_f
        cell.b_f, cell.b_i = cell.b_i, cell.b_f
        swapped, _, _ = run_cell(cell, x)
    assert (swapped - expected).abs().max() > 1e-2


def test_gates_are_probabilities_and_shapes_match_the_docstring() -> None:
    cell = LSTMCellFromEquations(4, 6)
    outputs, (h, C), gates = run_cell(cell, torch.randn(2, 5, 4))
    assert outputs.shape == (2, 5, 6) and h.shape == C.shape == (2, 6)
    assert torch.equal(outputs[:, -1], h)
    for value in gates.values():
        assert value.shape == (2, 5, 6) and value.min() >= 0 and value.max() <= 1


def test_encode_shifts_targets_by_one_and_pads() -> None:
    inputs, targets = encode(["ab", "c"])
    assert targets[0].tolist() == [OUTPUTS.index("a"), OUTPUTS.index("b"), OUTPUTS.index("</s>")]
    assert targets[1].tolist() == [OUTPUTS.index("c"), OUTPUTS.index("</s>"), PAD]
    assert inputs[0, 0] == inputs[1, 0] == 0  # both start with <s>


def test_loss_is_the_mean_nll_of_the_target_symbols() -> None:
    torch.manual_seed(0)
    model = CharLSTM(8, 12)
    inputs, targets = encode(["anna", "bo"])
    logits, loss = model(inputs, targets)
    log_probs = logits.log_softmax(-1)
    picked = [-log_probs[i, t, targets[i, t]] for i in range(2) for t in range(targets.shape[1]) if targets[i, t] != PAD]
    assert loss.item() == pytest.approx(torch.stack(picked).mean().item(), abs=1e-6)
