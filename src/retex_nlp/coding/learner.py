"""What :class:`~retex_nlp.coding.CodebookCoder` learns from hand-coded answers.

One logistic regression per theme and per *view* of an answer, their probabilities averaged:

- ``dense``: the answer's embedding, its similarity to each theme's definition and examples,
  and its keyword matches (what the codebook alone knows: its prior);
- ``chars``: character 3-5-grams of the answer folded to lower case without accents, so that
  "EPUISANT", "epuisant" and "épuisants" share most of their features and a theme written in
  a few recurring words ("site internet", "ISF") is learned from a few examples;
- ``lemmas``: the answer's content lemmas (the project's French analyser).

On the LGA answers (``benchmarks/bench_themes.py``, few-shot curves) the three views together
agree with the human coders clearly better than the embedding alone. Everything learned is
plain numbers (coefficients, vocabularies, idf weights), so a coder is saved without pickle.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from ..normalize import fold

__all__ = ["VIEWS", "TextViews", "fit_linear", "linear_proba"]

#: The views of an answer a coder learns from, in the order their probabilities are averaged.
VIEWS = ("dense", "chars", "lemmas")

#: Inverse regularisation of every per-view logistic regression (features are unit rows or
#: tf-idf rows; at 5-20 examples per theme, 10 beat 1 and 100 on the LGA answers).
C = 10.0


def _identity(terms: list[str]) -> list[str]:
    return terms


class TextViews:
    """The sparse views (``chars``, ``lemmas``) of answers, learned once on the answers to code."""

    def __init__(self) -> None:
        self.vectorizers: dict[str, TfidfVectorizer] = {}

    @staticmethod
    def _make(view: str, min_df: int) -> TfidfVectorizer:
        if view == "chars":
            return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=min_df,
                                   lowercase=False, dtype=np.float32)
        return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=1, dtype=np.float32)

    @staticmethod
    def _inputs(view: str, texts: Sequence[str], terms: Sequence[list[str]]) -> list:
        return [fold(t) for t in texts] if view == "chars" else [list(t) for t in terms]

    def fit(self, texts: Sequence[str], terms: Sequence[list[str]], views: Sequence[str] = VIEWS[1:]) -> TextViews:
        """Learn the vocabularies and idf weights of ``views`` (by default both sparse views)."""
        min_df = 2 if len(texts) >= 50 else 1
        for view in views:
            vec = self._make(view, min_df)
            try:
                vec.fit(self._inputs(view, texts, terms))
            except ValueError:  # no term at all (answers of digits only): the view stays empty
                continue
            self.vectorizers[view] = vec
        return self

    def transform(self, texts: Sequence[str], terms: Sequence[list[str]]) -> dict[str, sp.csr_matrix]:
        return {view: vec.transform(self._inputs(view, texts, terms)).tocsr()
                for view, vec in self.vectorizers.items()}

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(JSON-able vocabularies, idf arrays) to save."""
        vocab = {view: sorted(vec.vocabulary_, key=vec.vocabulary_.get) for view, vec in self.vectorizers.items()}
        return vocab, {f"idf__{view}": vec.idf_ for view, vec in self.vectorizers.items()}

    @classmethod
    def from_state(cls, vocab: dict[str, list[str]], arrays) -> TextViews:
        views = cls()
        for view, words in vocab.items():
            vec = cls._make(view, 1)
            vec.vocabulary_ = {w: i for i, w in enumerate(words)}
            vec.idf_ = np.asarray(arrays[f"idf__{view}"], dtype=np.float32)
            views.vectorizers[view] = vec
        return views


def fit_linear(X, y: np.ndarray, seed: int = 0) -> tuple[np.ndarray, float]:
    """(coefficients, intercept) of a logistic regression of ``y`` (0/1) on ``X``, the two
    classes weighted alike (a theme coded 10 times in 300 answers still gets likely answers)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, max_iter=5000, class_weight="balanced", random_state=seed).fit(X, y)
    return clf.coef_.ravel().astype(np.float64), float(clf.intercept_[0])


def linear_proba(X, coef: np.ndarray, intercept: float) -> np.ndarray:
    """The probability a fitted :func:`fit_linear` gives to each row of ``X``."""
    z = np.asarray(X @ coef).ravel() + intercept
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))
