"""Inductive themes: BERTopic over sentence embeddings, tuned for short French answers.

:class:`ThemeFinder` is a scikit-learn-style estimator::

    finder = ThemeFinder(seed=0).fit(answers)          # answers from read_answers()
    finder.themes_                                     # theme, label, size, share, key_terms
    assigned = finder.transform(answers)               # one row per answer: theme, theme_label

What it does that plain BERTopic does not:

- topic words come from the French analyser (lemmas, pronominal verbs, multiword expressions,
  French stopwords): BERTopic sees each answer as its list of terms, and its English
  preprocessing (which strips accents when embeddings are precomputed) never runs;
- UMAP and HDBSCAN (the ``hdbscan`` package) are sized from the number of answers, and when
  HDBSCAN finds fewer than 3 themes (a few hundred answers often give 1-2 themes or only
  outliers) the answers are clustered by k-means instead;
- non-answers, empty and duplicate rows are never clustered ("je ne sais pas" cannot eat a
  theme); they come back with theme -1 and their status;
- outliers are reduced by similarity to the theme centroids, so at most ``max_outliers`` of the
  answers stay unassigned;
- seeded and deterministic: same answers and seed, same themes, in any process;
- very large corpora are fitted on a seeded sample of ``sample_size`` answers, and every answer
  is then assigned to its nearest theme centroid (memory stays bounded);
- themes can be renamed, merged and split; a target number of themes can be asked for.

New answers (``transform``) go to the theme whose centroid is most similar, when that
similarity is above the threshold learned at fit time; otherwise -1. The same rule applies
after :meth:`ThemeFinder.save` / :meth:`ThemeFinder.load`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .embed import Embedder, EmbeddingCache, get_embedder
from .embed import unit_rows as _unit
from .terms import answer_rows, answer_texts, default_analyzer
from .text.analyzer import FrenchAnalyzer

__all__ = ["ThemeFinder", "theme_params", "theme_stability"]

OUTLIER = -1


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


class ThemeFinder:
    """Find themes in answers (see the module docstring).

    Parameters
    ----------
    embedder:
        ``"use"`` (default, offline), ``"st:PATH"``, ``"tfidf"`` or an :class:`~retex_nlp.embed.Embedder`.
    n_themes:
        Target number of themes (BERTopic reduces to it); ``None`` lets HDBSCAN decide, up to
        ``max_themes`` (more are merged by BERTopic's topic reduction).
    max_outliers:
        Share of answers that may stay unassigned (theme -1) after outlier reduction;
        ``1.0`` keeps HDBSCAN's outliers as they are.
    sample_size:
        Above this many answers, fit on a seeded sample and assign the rest.
    cluster_selection:
        HDBSCAN's cluster selection. ``"leaf"`` (default) gives the finer themes analysts
        expect: on Grand Débat answers with human labels it found 15-17 themes where ``"eom"``
        found 2-4 (NMI with the human labels 0.40-0.55 against 0.16; see docs/benchmarks.md).
    seed:
        Random seed for UMAP, k-means and sampling.
    cache_dir:
        Folder of the on-disk embedding cache (``None``: no cache).
    """

    def __init__(
        self,
        embedder: str | Embedder | None = "use",
        *,
        n_themes: int | None = None,
        max_themes: int = 30,
        max_outliers: float = 0.10,
        min_theme_size: int | None = None,
        sample_size: int = 30_000,
        n_words: int = 10,
        cluster_selection: str = "leaf",
        seed: int = 0,
        cache_dir: str | Path | None = None,
        analyzer: FrenchAnalyzer | None = None,
        verbose: bool = False,
    ) -> None:
        self.embedder = embedder
        self.n_themes = n_themes
        self.max_themes = max_themes
        self.max_outliers = max_outliers
        self.min_theme_size = min_theme_size
        self.sample_size = sample_size
        self.n_words = n_words
        self.cluster_selection = cluster_selection
        self.seed = seed
        self.cache_dir = cache_dir
        self.analyzer = analyzer
        self.verbose = verbose

    # -- helpers --------------------------------------------------------------------------------
    def _embedder(self) -> Embedder:
        if not hasattr(self, "_embedder_obj"):
            self._embedder_obj = get_embedder(self.embedder)
        return self._embedder_obj

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        embedder = self._embedder()
        if self.cache_dir:
            return EmbeddingCache(self.cache_dir).encode(embedder, list(texts))
        return embedder.encode(list(texts))

    def _docs(self, texts: Sequence[str]) -> list[str]:
        analyzer = self.analyzer or default_analyzer()
        return [" ".join(t.replace(" ", "_") for t in terms) or "_" for terms in analyzer.terms(list(texts))]

    # -- estimator API --------------------------------------------------------------------------
    def fit(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> ThemeFinder:
        """Find themes in the ``ok`` answers (a seeded sample of ``sample_size`` when larger)."""
        from bertopic import BERTopic
        from hdbscan import HDBSCAN
        from sklearn.cluster import KMeans
        from sklearn.feature_extraction.text import CountVectorizer
        from umap import UMAP

        frame = answer_texts(answers)
        if embeddings is not None and len(embeddings) != len(frame):
            raise ValueError(f"{len(embeddings)} embeddings for {len(frame)} ok answers")
        n_all = len(frame)
        if n_all < 10:
            raise ValueError(f"too few answers to find themes ({n_all} ok answers; at least 10)")
        rng = np.random.default_rng(self.seed)
        idx = np.arange(n_all)
        if n_all > self.sample_size:
            idx = np.sort(rng.choice(n_all, self.sample_size, replace=False))
        texts = frame["text"].astype(str).to_numpy()[idx].tolist()
        emb = embeddings[idx] if embeddings is not None else self._embed(texts)
        emb = _unit(emb)
        docs = self._docs(texts)
        n = len(texts)
        params = theme_params(n)
        if self.min_theme_size:
            params["min_cluster_size"] = self.min_theme_size
            params["min_samples"] = max(2, self.min_theme_size // 4)
        umap_model = UMAP(n_neighbors=params["n_neighbors"], n_components=params["n_components"], min_dist=0.0,
                          metric="cosine", random_state=self.seed, low_memory=True, n_jobs=1)
        vectorizer = CountVectorizer(token_pattern=r"\S+", lowercase=False, min_df=min(2, max(1, n // 50)))

        def model(cluster):
            return BERTopic(embedding_model=None, umap_model=umap_model, hdbscan_model=cluster,
                            vectorizer_model=vectorizer, language="multilingual", top_n_words=self.n_words,
                            nr_topics=self.n_themes, calculate_probabilities=False, verbose=self.verbose)

        hdb = HDBSCAN(min_cluster_size=params["min_cluster_size"], min_samples=params["min_samples"],
                      metric="euclidean", cluster_selection_method=self.cluster_selection, prediction_data=True)
        topic_model = model(hdb)
        topics, _ = topic_model.fit_transform(docs, embeddings=emb)
        topics = np.asarray(topics)
        n_found = len(set(topics.tolist()) - {OUTLIER})
        self.clustering_ = "hdbscan"
        if n_found < 3 or (topics == OUTLIER).mean() > 0.5 or (self.n_themes and n_found < self.n_themes):
            k = self.n_themes or params["kmeans_k"]
            topic_model = model(KMeans(n_clusters=min(k, n - 1), n_init=10, random_state=self.seed))
            topics = np.asarray(topic_model.fit_transform(docs, embeddings=emb)[0])
            self.clustering_ = "kmeans"
        if self.n_themes is None and len(set(topics.tolist()) - {OUTLIER}) > self.max_themes:
            topic_model.reduce_topics(docs, nr_topics=self.max_themes + 1)  # + the outlier topic
            topics = np.asarray(topic_model.topics_)
        self.params_ = params
        self._bertopic = topic_model
        topics = self._reduce_outliers(topics, emb)
        self._finish_fit(docs, topics, emb, texts)
        self.n_answers_fitted_ = n
        return self

    def _reduce_outliers(self, topics: np.ndarray, emb: np.ndarray) -> np.ndarray:
        ids = sorted(set(topics.tolist()) - {OUTLIER})
        centroids = _unit(np.stack([emb[topics == t].mean(axis=0) for t in ids]))
        sims = emb @ centroids.T
        best = sims.argmax(axis=1)
        best_sim = sims.max(axis=1)
        out = topics.copy()
        outliers = np.flatnonzero(topics == OUTLIER)
        allowed = int(self.max_outliers * len(topics))
        if len(outliers) > allowed:
            order = outliers[np.argsort(-best_sim[outliers], kind="stable")]
            reassign = order[: len(outliers) - allowed]
            out[reassign] = np.asarray(ids)[best[reassign]]
        return out

    def _finish_fit(self, docs: list[str], topics: np.ndarray, emb: np.ndarray, texts: list[str]) -> None:
        # Renumber themes by decreasing size (0 = largest), then recompute BERTopic's c-TF-IDF.
        sizes = Counter(t for t in topics.tolist() if t != OUTLIER)
        order = sorted(sizes, key=lambda t: (-sizes[t], t))
        remap = {old: new for new, old in enumerate(order)}
        topics = np.asarray([remap.get(t, OUTLIER) for t in topics.tolist()])
        self._bertopic.update_topics(docs, topics=topics.tolist(), top_n_words=self.n_words)
        self._set_structure(topics, emb, docs, texts)

    def _set_structure(self, topics: np.ndarray, emb: np.ndarray, docs: list[str], texts: list[str]) -> None:
        ids = sorted(set(topics.tolist()) - {OUTLIER})
        self.centroids_ = _unit(np.stack([emb[topics == t].mean(axis=0) for t in ids])).astype(np.float32)
        self.theme_ids_ = ids
        sims = emb @ self.centroids_.T
        own = np.array([sims[i, ids.index(t)] for i, t in enumerate(topics.tolist()) if t != OUTLIER])
        # New answers less similar than the least similar 2% of assigned answers stay unassigned.
        self.threshold_ = float(np.quantile(own, 0.02)) if len(own) else 0.0
        self.fit_topics_ = topics
        self._fit_docs = docs
        self._fit_texts = texts
        self._fit_emb = emb
        labels = getattr(self, "labels_", {})
        words = self._topic_words(topics, docs)
        self.labels_ = {t: labels.get(t) or " · ".join(w for w, _ in words[t][:3]) for t in ids}
        self._words = words

    def _topic_words(self, topics: np.ndarray, docs: list[str]) -> dict[int, list[tuple[str, float]]]:
        """Key terms of each theme by Lafon specificity (theme vs the other answers)."""
        from .specificities import lafon_scores

        per: dict[int, Counter] = {}
        for t, d in zip(topics.tolist(), docs, strict=True):
            if t != OUTLIER:
                per.setdefault(t, Counter()).update(w for w in d.split() if w != "_")
        total: Counter = Counter()
        for c in per.values():
            total.update(c)
        T = sum(total.values()) or 1
        out = {}
        for t, c in per.items():
            terms = [w for w in c if c[w] >= 2] or list(c)
            f = np.array([c[w] for w in terms])
            F = np.array([total[w] for w in terms])
            scores = lafon_scores(f, F, sum(c.values()), T)
            ranked = sorted(zip(terms, scores, strict=True), key=lambda x: (-x[1], x[0]))[: self.n_words]
            out[t] = [(w.replace("_", " "), round(float(s), 2)) for w, s in ranked]
        return out

    def transform(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """One row per input answer: ``answer_id``, ``theme`` (-1 unassigned or not an ok
        answer), ``theme_label``, ``similarity``, ``status``."""
        frame = answer_rows(answers)
        ok = (frame["status"] == "ok").to_numpy()
        theme = np.full(len(frame), OUTLIER)
        sim = np.full(len(frame), np.nan, dtype=np.float32)
        if ok.any():
            texts = frame.loc[ok, "text"].astype(str).tolist()
            if embeddings is None:
                emb = self._embed(texts)
            else:
                emb = embeddings if len(embeddings) == ok.sum() else embeddings[ok]
            best_theme, best_sim = self._nearest(emb)  # rows normalised block by block
            sim[ok] = best_sim
            theme[ok] = np.where(best_sim >= self.threshold_, best_theme, OUTLIER)
        labels = [self.labels_.get(t, "(non classé)") if t != OUTLIER else
                  ("(non classé)" if s == "ok" else f"({s})") for t, s in zip(theme.tolist(), frame["status"], strict=True)]
        return pd.DataFrame({"answer_id": frame["answer_id"].to_numpy(), "theme": theme, "theme_label": labels,
                             "similarity": np.round(sim, 4), "status": frame["status"].to_numpy()})

    def _nearest(self, emb: np.ndarray, batch: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(self.theme_ids_)
        best_t = np.empty(len(emb), dtype=int)
        best_s = np.empty(len(emb), dtype=np.float32)
        for start in range(0, len(emb), batch):
            sims = _unit(emb[start:start + batch]) @ self.centroids_.T
            best_t[start:start + batch] = ids[sims.argmax(axis=1)]
            best_s[start:start + batch] = sims.max(axis=1)
        return best_t, best_s

    def fit_transform(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Fit, then assign every answer. Answers of the fitted sample keep their fitted theme."""
        frame = answers if isinstance(answers, pd.DataFrame) else answer_texts(answers)
        ok_frame = answer_texts(frame)
        if embeddings is None:
            embeddings = self._embed(ok_frame["text"].astype(str).tolist())
        self.fit(ok_frame, embeddings=embeddings)
        result = self.transform(frame, embeddings=embeddings)
        if self.n_answers_fitted_ == len(ok_frame):  # no sampling: keep the clustering's assignment
            ok = (result["status"] == "ok").to_numpy()
            result.loc[ok, "theme"] = self.fit_topics_
            result.loc[ok, "theme_label"] = [self.labels_.get(t, "(non classé)") for t in self.fit_topics_.tolist()]
        return result

    # -- the themes, and editing them ------------------------------------------------------------
    @property
    def themes_(self) -> pd.DataFrame:
        """theme, label, size and share (of the fitted answers), key terms with specificity."""
        topics = self.fit_topics_
        n = len(topics)
        rows = []
        for t in self.theme_ids_:
            size = int((topics == t).sum())
            rows.append({"theme": t, "label": self.labels_[t], "size": size, "share": round(size / n, 4),
                         "key_terms": ", ".join(f"{w} ({s:g})" for w, s in self._words.get(t, [])[:self.n_words])})
        rows.append({"theme": OUTLIER, "label": "(non classé)", "size": int((topics == OUTLIER).sum()),
                     "share": round(float((topics == OUTLIER).mean()), 4), "key_terms": ""})
        return pd.DataFrame(rows)

    def representative_answers(self, n: int = 10, theme: int | None = None) -> pd.DataFrame:
        """The ``n`` fitted answers closest to each theme's centroid (or to one ``theme``'s),
        identical texts counted once: ``theme``, ``label``, ``rank``, ``text``, ``similarity``.
        BERTopic keeps only 3 per theme; any ``n`` works here. For quotes to put in a report
        (readable, diverse, attributed, pseudonymised) see :func:`retex_nlp.representative_quotes`."""
        if not hasattr(self, "_fit_emb"):
            raise ValueError("representative answers need the fitted answers: fit() in this session")
        ids = self.theme_ids_ if theme is None else [theme]
        rows = []
        for t in ids:
            self._check(t)
            idx = np.flatnonzero(self.fit_topics_ == t)
            sims = self._fit_emb[idx] @ self.centroids_[self.theme_ids_.index(t)]
            seen: set[str] = set()
            for k in np.argsort(-sims, kind="stable"):
                text = self._fit_texts[idx[k]]
                key = " ".join(text.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append({"theme": t, "label": self.labels_[t], "rank": len(seen), "text": text,
                             "similarity": round(float(sims[k]), 4)})
                if len(seen) == n:
                    break
        return pd.DataFrame(rows, columns=["theme", "label", "rank", "text", "similarity"])

    def key_terms(self, theme: int) -> pd.DataFrame:
        """A theme's key terms with their Lafon specificity (theme vs other answers)."""
        return pd.DataFrame(self._words[theme], columns=["term", "specificity"])

    def rename(self, theme: int, label: str) -> ThemeFinder:
        """Give a theme a label of your own (kept by merge/split of other themes and by save)."""
        self._check(theme)
        self.labels_[theme] = label
        return self

    def merge(self, themes: Sequence[int], label: str | None = None) -> ThemeFinder:
        """Merge themes into the first one of the list."""
        for t in themes:
            self._check(t)
        target = themes[0]
        topics = np.asarray([target if t in themes else t for t in self.fit_topics_.tolist()])
        self.labels_.pop(target, None)
        for t in themes[1:]:
            self.labels_.pop(t, None)
        self._set_structure(topics, self._fit_emb, self._fit_docs, self._fit_texts)
        if label:
            self.labels_[target] = label
        return self

    def split(self, theme: int, n: int = 2) -> list[int]:
        """Split a theme in ``n`` by k-means on its answers' embeddings; returns the new ids."""
        from sklearn.cluster import KMeans

        self._check(theme)
        mask = self.fit_topics_ == theme
        if mask.sum() < 2 * n:
            raise ValueError(f"theme {theme} has {int(mask.sum())} answers: too few to split in {n}")
        parts = KMeans(n_clusters=n, n_init=10, random_state=self.seed).fit_predict(self._fit_emb[mask])
        start = max(self.theme_ids_) + 1
        new_ids = [theme] + list(range(start, start + n - 1))
        topics = self.fit_topics_.copy()
        topics[mask] = np.asarray(new_ids)[parts]
        self.labels_.pop(theme, None)
        self._set_structure(topics, self._fit_emb, self._fit_docs, self._fit_texts)
        return new_ids

    def _check(self, theme: int) -> None:
        if theme not in self.labels_:
            raise KeyError(f"no theme {theme}; themes are {self.theme_ids_}")

    # -- persistence ------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Save the themes (centroids, labels, key terms, settings) and BERTopic's model
        (safetensors, without the embedding model) in ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "centroids.npy", self.centroids_)
        state = {
            "embedder": self._embedder().name, "embedder_spec": self.embedder if isinstance(self.embedder, str) else None,
            "theme_ids": self.theme_ids_, "labels": {str(k): v for k, v in self.labels_.items()},
            "words": {str(k): v for k, v in self._words.items()}, "threshold": self.threshold_,
            "sizes": {str(t): int((self.fit_topics_ == t).sum()) for t in [*self.theme_ids_, OUTLIER]},
            "params": {"n_themes": self.n_themes, "max_themes": self.max_themes, "max_outliers": self.max_outliers, "seed": self.seed,
                       "cluster_selection": self.cluster_selection,
                       "n_words": self.n_words, "sample_size": self.sample_size},
            "clustering": self.clustering_, "n_answers_fitted": self.n_answers_fitted_,
        }
        (directory / "themes.json").write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        if getattr(self, "_bertopic", None) is not None:
            self._bertopic.save(str(directory / "bertopic"), serialization="safetensors", save_ctfidf=True,
                                save_embedding_model=False)
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: str | Embedder | None = None) -> ThemeFinder:
        """Load themes saved by :meth:`save`; ``transform`` then assigns new answers."""
        directory = Path(directory)
        state = json.loads((directory / "themes.json").read_text(encoding="utf-8"))
        finder = cls(embedder or state["embedder_spec"] or "use", **{k: v for k, v in state["params"].items()})
        if finder._embedder().name != state["embedder"]:
            raise ValueError(f"themes were found with embedder {state['embedder']!r}, not {finder._embedder().name!r}")
        finder.centroids_ = np.load(directory / "centroids.npy")
        finder.theme_ids_ = [int(t) for t in state["theme_ids"]]
        finder.labels_ = {int(k): v for k, v in state["labels"].items()}
        finder._words = {int(k): [tuple(x) for x in v] for k, v in state["words"].items()}
        finder.threshold_ = state["threshold"]
        finder.clustering_ = state["clustering"]
        finder.n_answers_fitted_ = state["n_answers_fitted"]
        sizes = {int(k): v for k, v in state["sizes"].items()}
        finder.fit_topics_ = np.concatenate([np.full(v, k) for k, v in sizes.items()]) if sizes else np.array([])
        return finder


def theme_stability(
    answers: pd.DataFrame | Sequence[str],
    embeddings: np.ndarray,
    *,
    sample_size: int = 30_000,
    seeds: tuple[int, int] = (0, 1),
    first: ThemeFinder | None = None,
    **params,
) -> dict:
    """How stable the themes of a large corpus are: fit twice on two samples of
    ``sample_size`` answers drawn with different ``seeds``, assign every ``ok`` answer with
    each fit, and compare the two assignments on the same answers.

    Returns ``ari`` and ``nmi`` between the two assignments (all answers, unassigned ones as
    their own group), ``ari_assigned`` (answers both fits assign), the number of themes and the
    share of answers assigned by each fit, and the fitted finders (``finders``).
    ``params`` go to :class:`ThemeFinder`; ``first`` is a finder already fitted on these
    answers with the first seed (it is not fitted again).
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    frame = answer_texts(answers)
    if len(embeddings) != len(frame):
        raise ValueError(f"{len(embeddings)} embeddings for {len(frame)} ok answers")
    finders, assigned = [], []
    for i, seed in enumerate(seeds):
        if i == 0 and first is not None:
            finder = first
        else:
            finder = ThemeFinder(seed=seed, sample_size=sample_size, **params).fit(frame, embeddings=embeddings)
        finders.append(finder)
        assigned.append(finder.transform(frame, embeddings=embeddings)["theme"].to_numpy())
    a, b = assigned
    both = (a != OUTLIER) & (b != OUTLIER)
    return {
        "answers": len(frame),
        "sample_size": min(sample_size, len(frame)),
        "ari": float(adjusted_rand_score(a, b)),
        "nmi": float(normalized_mutual_info_score(a, b)),
        "ari_assigned": float(adjusted_rand_score(a[both], b[both])) if both.any() else float("nan"),
        "themes": [len(f.theme_ids_) for f in finders],
        "share_assigned": [float((x != OUTLIER).mean()) for x in assigned],
        "finders": finders,
    }
