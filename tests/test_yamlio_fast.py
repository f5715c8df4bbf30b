"""The libyaml fast path of the YAML reader reports exactly what the pure-Python path reports."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aigc_resources import yamlio

from .conftest import FIXTURES, PROJECT_ROOT

FILES = sorted(FIXTURES.rglob("*.yaml")) + sorted((PROJECT_ROOT / "catalog").rglob("*.yaml"))


def _slow(path: Path, monkeypatch) -> yamlio.LoadedDocument:
    with monkeypatch.context() as patch:
        patch.setattr(yamlio, "_compose_fast", lambda text: None)
        return yamlio.load_yaml(path)


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_fast_and_slow_paths_agree(path, monkeypatch):
    fast, slow = yamlio.load_yaml(path), _slow(path, monkeypatch)
    assert fast.data == slow.data
    assert fast.positions == slow.positions and fast.key_positions == slow.key_positions
    assert fast.scalars == slow.scalars
    assert fast.diagnostics == slow.diagnostics


def test_aliases_take_the_slow_path_and_are_refused():
    assert yamlio._compose_fast("a: &x [1]\nb: *x\n") is None
    doc = yamlio.load_yaml_text("a: &x [1]\nb: *x\n", yamlio.LoadedDocument(path="t.yaml"))
    assert [d.code for d in doc.diagnostics] == ["E-YAML-ALIAS"]
    assert yamlio._compose_fast("a: [1]\nb: plain\n") is not None
