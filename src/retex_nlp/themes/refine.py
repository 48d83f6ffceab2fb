"""Refining density themes on what answers mean and on the words they use.

UMAP + HDBSCAN finds how many themes there are and where their cores lie, but it works in a
5-dimensional projection of the sentence embeddings, and what it leaves around the cores is
then assigned by meaning alone. :func:`refine_themes` moves every answer once more, by k-means
started from the themes found, in a space that holds both views of an answer with equal weight:

- its sentence embedding (unit length);
- its words: the answer's lemmas and expressions (the French analyser's terms) weighted by
  TF-IDF and reduced to ``n_components`` dimensions by a truncated SVD (latent semantic
  analysis), unit length too.

The number of themes does not change. Answers the clusterer left in no theme join their nearest
refined theme, except the least similar of them, up to ``max_outliers`` of all answers, which
stay in no theme. On the Grand Débat answers with human labels this raised the agreement with
the labels on two questions of three and left the third as it was (``docs/benchmarks.md``,
"Themes and coding").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..answers import NO_THEME
from ..embed import unit_rows

__all__ = ["refine_themes", "word_view"]


def word_view(docs: Sequence[str], n_components: int = 100, seed: int = 0) -> np.ndarray | None:
    """The answers' terms (space-separated, as ThemeFinder's ``docs``) as unit-length LSA
    vectors; ``None`` when too few terms are shared by two answers to build one."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer

    try:
        counts = TfidfVectorizer(token_pattern=r"\S+", lowercase=False, min_df=2,
                                 sublinear_tf=True).fit_transform(docs)
    except ValueError:  # no term in two answers
        return None
    dims = min(n_components, counts.shape[1] - 1, counts.shape[0] - 1)
    if dims < 2:
        return None
    return unit_rows(TruncatedSVD(dims, random_state=seed).fit_transform(counts))


def refine_themes(embeddings: np.ndarray, docs: Sequence[str], topics: np.ndarray, *,
                  max_outliers: float = 0.05, seed: int = 0) -> np.ndarray:
    """Themes (``-1``: none) refined by k-means on meaning + words, started from ``topics``'
    themes (see the module docstring). Theme numbers are kept (theme ``t`` stays ``t``)."""
    from sklearn.cluster import KMeans

    topics = np.asarray(topics)
    ids = sorted(set(topics.tolist()) - {NO_THEME})
    words = word_view(docs, seed=seed)
    if len(ids) < 2 or words is None:
        return topics
    space = np.hstack([unit_rows(embeddings), words])
    starts = np.stack([space[topics == t].mean(axis=0) for t in ids])
    kmeans = KMeans(len(ids), init=starts, n_init=1, random_state=seed).fit(space)
    refined = np.asarray(ids)[kmeans.labels_]
    own = (unit_rows(space) * unit_rows(kmeans.cluster_centers_)[kmeans.labels_]).sum(axis=1)
    outliers = np.flatnonzero(topics == NO_THEME)
    allowed = int(max_outliers * len(topics))
    stay_out = outliers[np.argsort(own[outliers], kind="stable")][:allowed]
    refined[stay_out] = NO_THEME
    return refined
