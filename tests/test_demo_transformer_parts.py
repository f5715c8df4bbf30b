"""Transformer parts against PyTorch's modules."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

from aigc_resources.demos import transformer_parts as tp  # noqa: E402


def test_positional_encoding_row_one_for_d8() -> None:
    pe = tp.sinusoidal_positional_encoding(4, 8)
    assert pe[0].tolist() == [0, 1, 0, 1, 0, 1, 0, 1]
    assert pe[1, :4].tolist() == pytest.approx([0.84147, 0.54030, 0.09983, 0.99500], abs=1e-5)


def test_masks_use_opposite_conventions() -> None:
    """Passing nn's mask (True = blocked) to SDPA (True = may attend) silently inverts it."""
    torch.manual_seed(0)
    Q, K, V = (torch.randn(1, 1, 5, 4) for _ in range(3))
    right = F.scaled_dot_product_attention(Q, K, V, attn_mask=~tp.causal_mask(5))
    ours, weights = tp.scaled_dot_product_attention(Q, K, V, tp.causal_mask(5))
    assert torch.allclose(ours, right, atol=1e-6)
    wrong = F.scaled_dot_product_attention(Q, K, V, attn_mask=tp.causal_mask(5))
    assert wrong[..., -1, :].abs().max() == 0  # the last query may attend to nothing: torch returns zeros
    assert not torch.allclose(wrong[..., :-1, :], right[..., :-1, :], atol=1e-3)  # the others see the future
    assert torch.allclose(weights.sum(-1), torch.ones(1, 1, 5)) and weights.triu(1).abs().max() == 0


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_and_decoder_layers_equal_torch(seed: int, norm_first: bool) -> None:
    torch.manual_seed(seed)
    x, memory = torch.randn(2, 6, 16), torch.randn(2, 4, 16)
    padding = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    with torch.no_grad():
        enc = nn.TransformerEncoderLayer(16, 4, 32, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
        assert torch.allclose(tp.encoder_layer(x, enc, padding), enc(x, src_key_padding_mask=padding), atol=1e-5)
        dec = nn.TransformerDecoderLayer(16, 2, 32, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
        expected = dec(x, memory, tgt_mask=tp.causal_mask(6), tgt_is_causal=True)
        assert torch.allclose(tp.decoder_layer(x, memory, dec), expected, atol=1e-5)


def test_multi_head_attention_equals_torch_with_both_masks() -> None:
    torch.manual_seed(3)
    x = torch.randn(2, 5, 12)
    padding = torch.tensor([[False] * 5, [False, False, False, True, True]])
    mha = nn.MultiheadAttention(12, 3, batch_first=True).eval()
    with torch.no_grad():
        expected, expected_weights = mha(x, x, x, attn_mask=tp.causal_mask(5), key_padding_mask=padding,
                                         need_weights=True, average_attn_weights=False)
        ours, weights = tp.MultiHeadAttention.from_torch(mha)(x, x, x, tp.causal_mask(5), padding)
    assert torch.allclose(ours, expected, atol=1e-6) and torch.allclose(weights, expected_weights, atol=1e-6)
    assert weights[1, :, :, 3:].abs().max() == 0  # padded keys get no attention


def test_relative_shift_is_a_rotation() -> None:
    pe = tp.sinusoidal_positional_encoding(30, 16).double()
    R = tp.shift_matrix(3, 16)
    assert torch.allclose(pe[:-3] @ R.T, pe[3:], atol=1e-6)
    assert torch.allclose(R @ R.T, torch.eye(16, dtype=torch.float64))


def test_tokenizer_pads_and_marks_unknown_words() -> None:
    tok = tp.WordTokenizer(("the cat sat", "a dog"))
    assert tok.encode("The cat flew.")[-2:] == [1, 1]  # 'flew' and '.' are unknown
    ids, padding = tok.pad([tok.encode("the cat sat"), tok.encode("a dog")])
    assert ids.shape == (2, 3) and padding.tolist() == [[False] * 3, [False, False, True]]
    assert tok.decode(ids[1].tolist()) == "a dog"
