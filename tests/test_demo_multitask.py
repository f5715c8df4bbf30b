"""The multi-task comparison is fair: same shapes, same start, same number of updates, labels used only where given."""

from __future__ import annotations

import dataclasses

import pytest

torch = pytest.importorskip("torch")  # skip policy: tests/conftest.py (AIGC_REQUIRE_TORCH)

from aigc_resources.demos.multitask import Config, SharedTrunkNet, train_variant  # noqa: E402

SMALL = dataclasses.replace(Config(), epochs=1, batch_size=16, hidden=8, shared_dim=4)


def data(n: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, 64, generator=g), torch.randint(0, 10, (n,), generator=g)


def test_outputs_have_the_heads_shapes() -> None:
    logits, reconstruction = SharedTrunkNet(8, 4)(torch.rand(3, 64))
    assert logits.shape == (3, 10) and reconstruction.shape == (3, 64)
    assert 0 <= reconstruction.min() and reconstruction.max() <= 1


def test_single_task_networks_never_touch_the_other_head() -> None:
    X, y = data()
    labelled = torch.ones(len(X), dtype=torch.bool)
    torch.manual_seed(5)
    untrained = SharedTrunkNet(SMALL.hidden, SMALL.shared_dim)
    classifier = train_variant("classifier", SMALL, 5, X, y, labelled)
    autoencoder = train_variant("autoencoder", SMALL, 5, X, y, labelled)
    assert torch.equal(classifier.reconstruct[0].weight, untrained.reconstruct[0].weight)
    assert torch.equal(autoencoder.classify.weight, untrained.classify.weight)
    assert not torch.equal(classifier.classify.weight, untrained.classify.weight)


def test_unlabelled_images_labels_are_never_read() -> None:
    X, y = data()
    labelled = torch.zeros(len(X), dtype=torch.bool)
    labelled[:20] = True
    other = y.clone()
    other[20:] = (other[20:] + 3) % 10  # change only the labels that must be ignored
    for variant in ("multitask", "classifier"):
        a = train_variant(variant, SMALL, 1, X, y, labelled)
        b = train_variant(variant, SMALL, 1, X, other, labelled)
        assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters())), variant


def test_every_variant_gets_the_same_number_of_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    X, y = data()
    labelled = torch.zeros(len(X), dtype=torch.bool)
    labelled[:20] = True  # 20 labelled images: the classifier alone cycles over them many times
    steps: list[str] = []
    original = torch.optim.Adam.step

    def counting_step(self, *args, **kwargs):
        steps.append(current)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", counting_step)
    for current in ("multitask", "classifier", "autoencoder"):
        train_variant(current, SMALL, 0, X, y, labelled)
    assert steps.count("multitask") == steps.count("classifier") == steps.count("autoencoder") == 64 // 16
