"""How answers are grouped into themes: the clusterers :class:`~retex_nlp.ThemeFinder` can use.

A clusterer is a scikit-learn estimator with ``fit_predict(embeddings, docs) -> labels``:
``embeddings`` are the unit-length answer vectors, ``docs`` each answer's analysed terms joined
by spaces (for methods that read words), ``labels`` one int per answer, ``-1`` for answers
left in no theme. After ``fit_predict`` it has ``method_`` (what actually ran, e.g. ``"kmeans"``
when HDBSCAN fell back to it). A new method is one module with such a class, registered here
with :func:`register_clusterer` (its factory receives ThemeFinder's settings).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator

from ..answers import NO_THEME
from ..errors import require

__all__ = ["HDBSCANClusterer", "KMeansClusterer", "ReinertClusterer", "make_clusterer", "register_clusterer", "theme_params"]


def theme_params(n: int) -> dict:
    """UMAP/HDBSCAN settings for ``n`` answers (documented in docs/guide.md)."""
    min_cluster = int(min(max(round(0.55 * math.sqrt(n)), 8), 400))
    return {
        "n_neighbors": int(min(15, max(2, n - 1))),
        "n_components": int(min(5, max(2, n - 2))),
        "min_cluster_size": min_cluster,
        "min_samples": max(2, min_cluster // 4),
        "kmeans_k": int(min(15, max(3, round(math.sqrt(n / 8))))),
    }


class KMeansClusterer(BaseEstimator):
    """k-means on the embeddings: every answer in a theme. ``n_themes=None`` picks a number
    from the number of answers (``theme_params``)."""

    def __init__(self, n_themes: int | None = None, seed: int = 0) -> None:
        self.n_themes = n_themes
        self.seed = seed

    def fit_predict(self, embeddings: np.ndarray, docs: list[str] | None = None) -> np.ndarray:
        from sklearn.cluster import KMeans

        n = len(embeddings)
        k = self.n_themes or theme_params(n)["kmeans_k"]
        self.method_ = "kmeans"
        return KMeans(n_clusters=min(k, n - 1), n_init=10, random_state=self.seed).fit_predict(embeddings)


class HDBSCANClusterer(BaseEstimator):
    """UMAP then HDBSCAN (through BERTopic, whose topic reduction merges themes beyond
    ``max_themes``, or down to ``n_themes``), sized from the number of answers. When HDBSCAN
    finds fewer than 3 themes, leaves more than half the answers out, or fewer themes than
    ``n_themes``, the answers are clustered by k-means instead (``method_ == "kmeans"``).

    ``cluster_selection="leaf"`` (default) gives the finer themes analysts expect: on Grand
    Débat answers with human labels it found 15-17 themes where ``"eom"`` found 2-4.
    """

    def __init__(self, n_themes: int | None = None, max_themes: int = 30, min_theme_size: int | None = None,
                 cluster_selection: str = "leaf", seed: int = 0, verbose: bool = False) -> None:
        self.n_themes = n_themes
        self.max_themes = max_themes
        self.min_theme_size = min_theme_size
        self.cluster_selection = cluster_selection
        self.seed = seed
        self.verbose = verbose

    def fit_predict(self, embeddings: np.ndarray, docs: list[str]) -> np.ndarray:
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import CountVectorizer

        BERTopic = require("bertopic", "themes").BERTopic
        HDBSCAN = require("hdbscan", "themes").HDBSCAN
        UMAP = require("umap", "themes").UMAP

        n = len(embeddings)
        params = theme_params(n)
        if self.min_theme_size:
            params["min_cluster_size"] = self.min_theme_size
            params["min_samples"] = max(2, self.min_theme_size // 4)
        umap_model = UMAP(n_neighbors=params["n_neighbors"], n_components=params["n_components"], min_dist=0.0,
                          metric="cosine", random_state=self.seed, low_memory=True, n_jobs=1)
        vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=min(2, max(1, n // 50)))

        def model(cluster):
            return BERTopic(embedding_model=None, umap_model=umap_model, hdbscan_model=cluster,
                            vectorizer_model=vectorizer, language="multilingual", top_n_words=10,
                            nr_topics=self.n_themes, calculate_probabilities=False, verbose=self.verbose)

        hdb = HDBSCAN(min_cluster_size=params["min_cluster_size"], min_samples=params["min_samples"],
                      metric="euclidean", cluster_selection_method=self.cluster_selection, prediction_data=True)
        topic_model = model(hdb)
        topics = np.asarray(topic_model.fit_transform(docs, embeddings=embeddings)[0])
        n_found = len(set(topics.tolist()) - {NO_THEME})
        self.method_ = "hdbscan"
        if n_found < 3 or (topics == NO_THEME).mean() > 0.5 or (self.n_themes and n_found < self.n_themes):
            k = self.n_themes or params["kmeans_k"]
            topic_model = model(KMeans(n_clusters=min(k, n - 1), n_init=10, random_state=self.seed))
            topics = np.asarray(topic_model.fit_transform(docs, embeddings=embeddings)[0])
            self.method_ = "kmeans"
        if self.n_themes is None and len(set(topics.tolist()) - {NO_THEME}) > self.max_themes:
            topic_model.reduce_topics(docs, nr_topics=self.max_themes + 1)  # + the outlier topic
            topics = np.asarray(topic_model.topics_)
        self.params_ = params
        return topics


def _hdbscan(**settings) -> HDBSCANClusterer:
    return HDBSCANClusterer(**{k: settings[k] for k in ("n_themes", "max_themes", "min_theme_size",
                                                         "cluster_selection", "seed", "verbose") if k in settings})


def _kmeans(**settings) -> KMeansClusterer:
    return KMeansClusterer(n_themes=settings.get("n_themes"), seed=settings.get("seed", 0))


class ReinertClusterer(BaseEstimator):
    """Reinert's CHD as a theme method: the answers' terms (``docs``) in a presence table (terms
    in at least ``min_freq`` answers), classified by :class:`~retex_nlp.ReinertCHD`; the
    embeddings are not used. Unclassified answers get no theme (``-1``)."""

    def __init__(self, n_themes: int | None = None, min_freq: int = 3, min_split_members: int = 10,
                 seed: int = 0) -> None:
        self.n_themes = n_themes
        self.min_freq = min_freq
        self.min_split_members = min_split_members
        self.seed = seed

    def fit_predict(self, embeddings: np.ndarray, docs: list[str]) -> np.ndarray:
        from ..terms.keyness import document_term_matrix
        from .chd import ReinertCHD

        counts, _ = document_term_matrix([d.split() for d in docs], min_docfreq=self.min_freq)
        self.chd_ = ReinertCHD(self.n_themes or 10, min_split_members=self.min_split_members,
                               seed=self.seed).fit(counts)
        self.method_ = "reinert"
        return self.chd_.labels_ - 1  # classes 1..k -> themes 0..k-1, unclassified -> -1


def _reinert(**settings) -> ReinertClusterer:
    return ReinertClusterer(n_themes=settings.get("n_themes"), seed=settings.get("seed", 0))


_CLUSTERERS: dict[str, Callable[..., BaseEstimator]] = {"hdbscan": _hdbscan, "kmeans": _kmeans, "reinert": _reinert}


def register_clusterer(name: str, factory: Callable[..., BaseEstimator]) -> None:
    """Make ``clusterer=name`` available to :class:`~retex_nlp.ThemeFinder`. ``factory``
    receives ThemeFinder's settings as keywords (``n_themes``, ``max_themes``,
    ``min_theme_size``, ``cluster_selection``, ``seed``, ``verbose``) and returns a clusterer."""
    _CLUSTERERS[name] = factory


def make_clusterer(spec: str | BaseEstimator, **settings) -> BaseEstimator:
    """A clusterer from a name (``"hdbscan"``, ``"kmeans"``, a registered one) and ThemeFinder's
    settings; a clusterer object is cloned (the caller's own is never fitted)."""
    if isinstance(spec, str):
        if spec not in _CLUSTERERS:
            raise ValueError(f"méthode de regroupement inconnue {spec!r} : {', '.join(sorted(_CLUSTERERS))}")
        return _CLUSTERERS[spec](**settings)
    from sklearn.base import clone

    return clone(spec)
