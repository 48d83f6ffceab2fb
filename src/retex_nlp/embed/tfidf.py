"""TF-IDF over lemmas reduced by SVD: embeddings with no neural model at all."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator

from ..text.analyzer import default_analyzer

__all__ = ["TfidfEmbedder"]


class TfidfEmbedder(BaseEstimator):
    """TF-IDF over lemmas (the French analyser's terms) reduced to ``n_components`` by SVD.

    Unlike the neural embedders it learns from the corpus: :meth:`fit` learns the vocabulary
    and the SVD on the answers (the estimators that use an embedder fit it on the answers they
    are fitted on); :meth:`encode` needs it fitted. Its ``name`` carries a fingerprint of what
    it learned, so that an embedding cache never mixes vectors of two TF-IDF spaces.
    """

    def __init__(self, n_components: int = 256, min_df: int = 2, seed: int = 0, analyzer=None) -> None:
        self.n_components = n_components
        self.min_df = min_df
        self.seed = seed
        self.analyzer = analyzer

    @property
    def is_fitted(self) -> bool:
        return hasattr(self, "pipeline_")

    @property
    def name(self) -> str:
        return f"tfidf-svd{self.n_components}" + (f"-{self.fingerprint_}" if self.is_fitted else "")

    def _terms(self, texts: Sequence[str]) -> list[list[str]]:
        return (self.analyzer or default_analyzer()).terms(list(texts))

    def fit(self, texts: Sequence[str], y=None) -> TfidfEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer

        docs = self._terms(texts)
        vectorizer = TfidfVectorizer(analyzer=_identity, min_df=min(self.min_df, max(1, len(docs) // 10)),
                                     sublinear_tf=True)
        vocabulary = vectorizer.fit(docs).vocabulary_
        k = max(1, min(self.n_components, len(vocabulary) - 1, len(docs) - 1))
        self.pipeline_ = make_pipeline(vectorizer, TruncatedSVD(k, random_state=self.seed), Normalizer())
        self.pipeline_.fit(docs)
        digest = hashlib.sha1("\x1f".join(sorted(vocabulary)).encode("utf-8"))
        digest.update(f"{len(docs)}/{k}/{self.seed}".encode())
        self.fingerprint_ = digest.hexdigest()[:10]
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not self.is_fitted:
            from sklearn.exceptions import NotFittedError

            raise NotFittedError("TfidfEmbedder must be fitted on the answers first (fit(texts))")
        return np.asarray(self.pipeline_.transform(self._terms(texts)), dtype=np.float32)


def _identity(doc: list[str]) -> list[str]:
    return doc
