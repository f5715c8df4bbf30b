"""The resume case study: data, tokenizer, evaluation helpers and the model's causality."""

from __future__ import annotations

import dataclasses

import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from aigc_resources.demos import resume_seq2seq as rs  # noqa: E402


@pytest.fixture(scope="module")
def records():
    return rs.make_records(0, 300, 100)


@pytest.fixture(scope="module")
def tokenizer():
    return rs.Tokenizer()


def test_records_are_plausible_and_test_is_unseen(records) -> None:
    train, test = records
    assert not {rs.source_text(r) for r in train} & {rs.source_text(r) for r in test}
    for r in train + test:
        assert 22 <= int(r["AGE"]) <= 45 and 1 <= int(r["YRS"]) <= min(15, int(r["AGE"]) - 21)
        assert r["SK1"] != r["SK2"]
    assert {r["DEG"] for r in train} == set(rs.DEGREES)


def test_tokenizer_longest_match_and_round_trip(records, tokenizer) -> None:
    assert tokenizer.split("[AGE]28[JOB]软件工程师") == ["[AGE]", "28", "[JOB]", "软件工程师"]
    assert len(tokenizer.itos) < 200
    for r in records[0][:100]:
        for text in (rs.source_text(r), rs.target_text(r)):
            ids = tokenizer.encode(text)
            assert 3 not in ids and tokenizer.decode(ids) == text  # no <unk>, lossless


def test_field_recall_is_token_level_and_degree_aware(tokenizer) -> None:
    record = {"NAME": "王伟", "AGE": "28", "SCH": "北京大学", "DEG": "本科", "MAJ": "软件工程", "JOB": "软件工程师",
              "YRS": "5", "SK1": "Python", "SK2": "SQL"}
    assert all(rs.field_hits(tokenizer, record, rs.target_text(record)))
    wrong_major = rs.target_text({**record, "MAJ": "数学"})  # "软件工程" now only inside "软件工程师"
    hits = dict(zip(rs.FIELDS, rs.field_hits(tokenizer, record, wrong_major)))
    assert not hits["MAJ"] and hits["JOB"] and hits["DEG"]


def test_hallucination_check_flags_values_outside_the_record(tokenizer) -> None:
    record = {"NAME": "李娜", "AGE": "31", "SCH": "复旦大学", "DEG": "硕士", "MAJ": "数学", "JOB": "产品经理",
              "YRS": "8", "SK1": "Java", "SK2": "Linux"}
    assert rs.hallucinations(tokenizer, record, rs.target_text(record)) == []
    invented = rs.target_text({**record, "SCH": "清华大学", "SK2": "Docker"})
    assert rs.hallucinations(tokenizer, record, invented) == ["清华大学", "Docker"]


def test_decoder_is_causal_and_padding_does_not_leak(tokenizer) -> None:
    torch.manual_seed(0)
    config = dataclasses.replace(rs.Config(), d_model=16, heads=2, d_ff=32)
    model = rs.ResumeTransformer(len(tokenizer.itos), config).eval()
    src = torch.tensor([tokenizer.encode("[NAME]王伟[AGE]28")])
    tgt = torch.tensor([[1, 10, 11, 12, 13]])
    changed = tgt.clone()
    changed[0, 3:] = 20
    with torch.no_grad():
        a, b = model(src, tgt), model(src, changed)
        assert torch.allclose(a[0, :3], b[0, :3], atol=1e-6)  # positions 0-2 cannot see tokens 3-4
        assert not torch.allclose(a[0, 3:], b[0, 3:])
        padded = torch.cat([src, torch.zeros(1, 3, dtype=torch.long)], dim=1)
        assert torch.allclose(model(padded, tgt), a, atol=1e-5)  # padding in the record changes nothing


def test_greedy_batch_stops_at_eos_and_matches_single_record_greedy(records, tokenizer) -> None:
    torch.manual_seed(1)
    config = dataclasses.replace(rs.Config(), d_model=16, heads=2, d_ff=32)
    model = rs.ResumeTransformer(len(tokenizer.itos), config).eval()
    sources = [tokenizer.encode(rs.source_text(r)) for r in records[1][:5]]
    with torch.no_grad():
        batch = rs.greedy_batch(model, sources, 8)
        for source, (tokens, log_prob) in zip(sources, batch):
            single = rs.greedy_search(rs.step_function(model, source), 2, 8)
            assert tuple(tokens) == tuple(t for t in single.tokens if t != 2)
            assert log_prob == pytest.approx(single.log_prob, abs=1e-4)
