"""What an embedder is: anything with a ``name`` and ``encode(texts) -> (n, d) float32``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Embedder", "unit_rows", "fit_embedder"]


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32; zero rows stay zero), so that dot products are cosines."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


@runtime_checkable
class Embedder(Protocol):
    """Anything with a ``name`` and ``encode(texts) -> (n, d) float32 array``. An embedder
    that learns from the corpus (TF-IDF) also has ``fit(texts)`` and ``is_fitted``."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def fit_embedder(embedder: Embedder, texts: Sequence[str]) -> Embedder:
    """Fit an embedder that learns from the corpus (TF-IDF) on ``texts`` if it is not fitted
    yet; pre-trained embedders pass through. Estimators call this in their ``fit``, so that a
    TF-IDF space is learned on the answers, never on a codebook's few sentences."""
    if hasattr(embedder, "fit") and not getattr(embedder, "is_fitted", True):
        embedder.fit(list(texts))
    return embedder
