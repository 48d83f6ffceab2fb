"""Document-term matrices and class profiles by keyness, as lexicometry tools compute them.

:func:`document_term_matrix` builds the sparse count matrix of tokenised documents (features
in order of first appearance, kept when present in at least ``min_docfreq`` documents), the
input of :class:`~retex_nlp.ReinertCHD`. :func:`class_keyness` gives each class's profile: for
every term, its count in the class and in the rest, and a signed chi-squared of the 2 x 2 table
(term vs other terms, class vs rest) on the count matrix, with Yates' correction when an expected
count is under 5 (ties ranked by feature) — the statistic of quanteda's ``textstat_keyness`` that R's rainette reports
(``rainette_stats``), so that profiles can be compared with theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chi2 as chi2_distribution

__all__ = ["document_term_matrix", "class_keyness"]


def document_term_matrix(documents: Iterable[Sequence[str]], min_docfreq: int = 1
                         ) -> tuple[sp.csr_matrix, list[str]]:
    """``(counts, features)``: one row per document, one column per feature (in order of first
    appearance), features present in fewer than ``min_docfreq`` documents dropped."""
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    n_docs = 0
    for n_docs, tokens in enumerate(documents, start=1):
        for token in tokens:
            rows.append(n_docs - 1)
            cols.append(vocabulary.setdefault(token, len(vocabulary)))
    counts = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_docs, len(vocabulary)))
    counts.sum_duplicates()
    features = list(vocabulary)
    docfreq = np.diff(counts.tocsc().indptr)
    keep = np.flatnonzero(docfreq >= min_docfreq)
    return counts[:, keep].tocsr(), [features[j] for j in keep]


def _keyness(target: np.ndarray, reference: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = target, reference
    c, d = a.sum() - a, b.sum() - b
    n = a + b + c + d
    expected = np.stack([(a + b) * (a + c), (a + b) * (b + d), (c + d) * (a + c), (c + d) * (b + d)]) / n
    diff = np.abs(a * d - b * c)
    yates = expected.min(axis=0) < 5
    diff = np.where(yates, np.maximum(diff - n / 2, 0), diff)  # as R's chisq.test: |O - E| - min(0.5, |O - E|)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = n * diff ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    chi2 = np.nan_to_num(chi2)
    positive = a > (a + b) * (a + c) / n
    return np.where(positive, chi2, -chi2), 1 - chi2_distribution.cdf(chi2, 1)


def class_keyness(counts, labels: Sequence, features: Sequence[str], *, n_terms: int | None = 30,
                  max_p: float = 0.05, show_negative: bool = True) -> pd.DataFrame:
    """Each class's distinctive terms: ``class``, ``rank``, ``feature``, ``chi2`` (signed: ``+``
    over-represented in the class), ``p``, ``n_target`` (count in the class), ``n_reference``
    (in the other documents, unclassified ones included), ``sign``. Per class, terms with
    ``p <= max_p``, the ``n_terms`` largest ``|chi2|`` (positive ones only unless
    ``show_negative``). Classes are the non-zero, non-missing labels."""
    matrix = sp.csr_matrix(counts, dtype=float)
    labels = pd.Series(labels).to_numpy()
    known = pd.notna(labels)
    classes = sorted({v for v in labels[known] if v != 0})
    features = np.asarray(features, dtype=object)
    parts = []
    total = np.asarray(matrix.sum(axis=0)).ravel()
    for value in classes:
        inside = known & (labels == value)
        target = np.asarray(matrix[inside].sum(axis=0)).ravel()
        reference = total - target
        chi2, p = _keyness(target, reference)
        keep = (p <= max_p) & (target + reference > 0)
        if not show_negative:
            keep &= chi2 > 0
        index = np.flatnonzero(keep)
        index = index[np.lexsort((features[index].astype(str), -np.abs(chi2[index])))]  # ties: by feature
        if n_terms is not None:
            index = index[:n_terms]
        parts.append(pd.DataFrame({"class": value, "rank": np.arange(1, len(index) + 1), "feature": features[index],
                                   "chi2": chi2[index], "p": p[index], "n_target": target[index].astype(int),
                                   "n_reference": reference[index].astype(int),
                                   "sign": np.where(chi2[index] > 0, "positive", "negative")}))
    columns = ["class", "rank", "feature", "chi2", "p", "n_target", "n_reference", "sign"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
