"""The 8x8 digits as a generation task: the split, image grids, and IS / FID with the metrics demo's classifier.

The VAE and diffusion demos generate digits like scikit-learn's bundled ``load_digits`` (1,797
images of 8x8 pixels, intensities 0-16 scaled to [0, 1]). They score their samples the way the
metrics demo defines it (:mod:`.metrics`): a small MLP classifier trained on the same training
split supplies p(y | x) for the Inception Score and its 10-d logits as the features of the
Fréchet distance, measured against the training images' features. Using one split, one
classifier recipe and one reference set is what lets the "generative models side by side"
page put the numbers of different models in one table.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from . import metrics

#: Test images held out of every digits demo: the metrics demo's 1,500 / 297 split.
TEST_SIZE = 297


@dataclass(frozen=True)
class DigitsSplit:
    """Images (n, 64) float32 in [0, 1] and labels (n,) for training and test."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_split(seed: int) -> DigitsSplit:
    """The metrics demo's split of scikit-learn's digits for this seed (no download)."""
    return DigitsSplit(*metrics.load_digits_split(seed, TEST_SIZE))


class DigitScorer:
    """Inception Score and FID of 8x8 images, with the metrics demo's classifier trained on ``split``.

    ``score(images)`` takes (n, 64) intensities in [0, 1] and returns ``(IS, FID)``:
    IS = exp(E_x KL(p(y|x) ‖ p(y))) (Salimans et al. 2016) and the Fréchet distance between the
    Gaussian fits of the images' logits and the training images' logits (Heusel et al. 2017).
    """

    def __init__(self, split: DigitsSplit, seed: int) -> None:
        self.classifier = metrics.train_classifier(split.X_train, split.y_train, metrics.Config(seed=seed))
        self.reference = metrics.feature_statistics(self._logits(split.X_train))
        self.accuracy = float((self._logits(split.X_test).argmax(1) == split.y_test).mean())

    @torch.no_grad()
    def _logits(self, images: np.ndarray) -> np.ndarray:
        return self.classifier(torch.from_numpy(np.asarray(images, dtype=np.float32))).numpy().astype(np.float64)

    def score(self, images: np.ndarray) -> tuple[float, float]:
        """(Inception Score, FID against the training images) of images (n, 64) in [0, 1]."""
        logits = self._logits(images)
        probs = np.exp(logits - np.logaddexp.reduce(logits, axis=1, keepdims=True))
        return (metrics.inception_score(probs),
                metrics.frechet_distance(*metrics.feature_statistics(logits), *self.reference))

    def predict(self, images: np.ndarray) -> np.ndarray:
        """The classifier's label for each image (n,)."""
        return self._logits(images).argmax(1)


def image_grid(images: np.ndarray, rows: int, cols: int, pad: int = 1, fill: float = 0.0) -> np.ndarray:
    """Tile images (rows * cols, 64) into one (rows * (8 + pad) - pad, cols * (8 + pad) - pad) array.

    Gaps and missing images (fewer than rows * cols) hold ``fill``; in the ``gray_r`` colour map
    the figures use, 0 is white paper and 1 black ink.
    """
    side = 8 + pad
    canvas = np.full((rows * side - pad, cols * side - pad), fill, dtype=np.float32)
    for k, image in enumerate(np.asarray(images)[: rows * cols]):
        r, c = divmod(k, cols)
        canvas[r * side: r * side + 8, c * side: c * side + 8] = image.reshape(8, 8)
    return canvas


def show_grid(ax: object, images: np.ndarray, rows: int, cols: int, title: str = "") -> None:
    """Draw :func:`image_grid` on a matplotlib axis (black ink on white, light grey gaps, no ticks)."""
    ax.imshow(image_grid(images, rows, cols, fill=0.25), cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
