"""Inductive themes: BERTopic over sentence embeddings, tuned for short French answers.

:class:`ThemeFinder` is a scikit-learn-style estimator::

    finder = ThemeFinder(seed=0).fit(answers)          # answers from read_answers()
    finder.themes_                                     # theme, label, size, share, key_terms
    assigned = finder.transform(answers)               # one row per answer: theme, theme_label

What it does that plain BERTopic does not:

- topic words come from the French analyser (lemmas, pronominal verbs, multiword expressions,
  French stopwords): BERTopic sees each answer as its list of terms, and its English
  preprocessing (which strips accents when embeddings are precomputed) never runs;
- the grouping itself is a ``clusterer`` (:mod:`retex_nlp.themes.clusterers`): by default UMAP
  and HDBSCAN (the ``hdbscan`` package) sized from the number of answers, falling back to
  k-means when HDBSCAN finds fewer than 3 themes (a few hundred answers often give 1-2 themes or
  only outliers); ``clusterer="kmeans"``, or any registered method;
- non-answers, empty and duplicate rows are never clustered ("je ne sais pas" cannot eat a
  theme); they come back with theme -1 and their status;
- the themes found are refined by k-means on what the answers mean and on the words they use
  (:mod:`retex_nlp.themes.refine`; ``refine=False`` keeps the clusterer's themes as they are);
- outliers are reduced by similarity to the theme centroids, so at most ``max_outliers`` of the
  answers stay unassigned;
- seeded and deterministic: same answers and seed, same themes, in any process;
- very large corpora are fitted on a seeded sample of ``sample_size`` answers, and every answer
  is then assigned to its nearest theme centroid (memory stays bounded);
- themes can be renamed, merged and split; a target number of themes can be asked for.

New answers (``transform``) go to the theme whose centroid is most similar, when that
similarity is above the threshold learned at fit time; otherwise in no theme. The same rule applies
after :meth:`ThemeFinder.save` / :meth:`ThemeFinder.load`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..answers import NO_THEME, all_answers, ok_answers
from ..embed import Embedder, embedding_model, fit_embedder, unit_rows
from ..normalize import fold
from ..terms.specificities import lafon_scores
from ..text.analyzer import FrenchAnalyzer, default_analyzer
from ..text.lexicon import NEGATIONS_AND_INTENSIFIERS
from .clusterers import make_clusterer, theme_params
from .refine import refine_themes

#: The clusterers whose themes come from the embeddings, refined on meaning + words.
REFINED = ("hdbscan", "kmeans")

__all__ = ["ThemeFinder", "theme_params", "split_members"]


def split_members(embeddings: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Cut the answers of one theme in ``n`` parts by k-means on their embeddings (the split
    used by :meth:`ThemeFinder.split` and by a project's split): part index per answer."""
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=n, n_init=10, random_state=seed).fit_predict(unit_rows(embeddings))


class ThemeFinder(BaseEstimator):
    """Find themes in answers (see the module docstring).

    Parameters
    ----------
    embedder:
        ``"use"`` (default, offline), ``"st:PATH"``, ``"tfidf"``, a registered name, or an
        embedder (see :mod:`retex_nlp.embed.registry`).
    clusterer:
        How answers are grouped: ``"hdbscan"`` (default: UMAP + HDBSCAN, k-means fallback),
        ``"kmeans"``, a name registered with :func:`~retex_nlp.themes.register_clusterer`,
        or a clusterer object (see :mod:`retex_nlp.themes.clusterers`).
    n_themes:
        Target number of themes; ``None`` lets the clusterer decide, up to ``max_themes``.
    refine:
        Refine the clusterer's themes by k-means on the sentence embeddings and the answers'
        words together (:mod:`retex_nlp.themes.refine`); only for ``"hdbscan"`` and
        ``"kmeans"``, whose themes come from the embeddings.
    max_outliers:
        Share of answers that may stay in no theme after outlier reduction; ``1.0`` keeps the
        clusterer's outliers as they are. At 0.10 (the former default) 11-13% of the answers
        volunteers had tagged stayed in no theme on the Grand Débat questions of
        ``docs/benchmarks.md``; at 0.05, 5-7%, and the themes agreed better with the tags.
    sample_size:
        Above this many answers, fit on a seeded sample and assign the rest.
    cluster_selection, min_theme_size:
        HDBSCAN's cluster selection (``"leaf"``: finer themes) and smallest theme.
    seed:
        Random seed for UMAP, k-means and sampling.
    cache_dir:
        Folder of the on-disk embedding cache (``None``: in memory, for this run).
    """

    def __init__(
        self,
        embedder: str | Embedder | None = "use",
        *,
        clusterer: str | BaseEstimator = "hdbscan",
        n_themes: int | None = None,
        max_themes: int = 30,
        refine: bool = True,
        max_outliers: float = 0.05,
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
        self.clusterer = clusterer
        self.n_themes = n_themes
        self.max_themes = max_themes
        self.refine = refine
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
    def _embedding_model(self):
        """The embedder behind its cache: built once per fitted finder (``embedder_``)."""
        if not hasattr(self, "embedder_"):
            self.embedder_ = embedding_model(self.embedder, self.cache_dir)
        return self.embedder_

    def _docs(self, texts: Sequence[str]) -> list[str]:
        analyzer = self.analyzer or default_analyzer()
        return [" ".join(t.replace(" ", "_") for t in terms) or "_" for terms in analyzer.terms(list(texts))]

    # -- estimator API --------------------------------------------------------------------------
    def fit(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> ThemeFinder:
        """Find themes in the ``ok`` answers (a seeded sample of ``sample_size`` when larger)."""
        frame = ok_answers(answers)
        if embeddings is not None and len(embeddings) != len(frame):
            raise ValueError(f"{len(embeddings)} embeddings for {len(frame)} ok answers")
        n_all = len(frame)
        if n_all < 10:
            raise ValueError(f"trop peu de réponses pour trouver des thèmes ({n_all} réponses exploitables ; "
                             "il en faut au moins 10)")
        rng = np.random.default_rng(self.seed)
        idx = np.arange(n_all)
        if n_all > self.sample_size:
            idx = np.sort(rng.choice(n_all, self.sample_size, replace=False))
        texts = frame["text"].astype(str).to_numpy()[idx].tolist()
        if embeddings is None:
            embedder = fit_embedder(self._embedding_model(), texts)
            emb = embedder.encode(texts)
        else:
            emb = embeddings[idx]
        emb = unit_rows(emb)
        docs = self._docs(texts)
        clusterer = make_clusterer(self.clusterer, n_themes=self.n_themes, max_themes=self.max_themes,
                                   min_theme_size=self.min_theme_size, cluster_selection=self.cluster_selection,
                                   seed=self.seed, verbose=self.verbose)
        topics = np.asarray(clusterer.fit_predict(emb, docs))
        self.clusterer_ = clusterer
        self.clustering_ = getattr(clusterer, "method_", type(clusterer).__name__)
        self.params_ = getattr(clusterer, "params_", theme_params(len(texts)))
        if self.refine and self.clustering_ in REFINED:
            topics = refine_themes(emb, docs, topics, max_outliers=self.max_outliers, seed=self.seed)
        topics = self._reduce_outliers(topics, emb)
        # Renumber themes by decreasing size (0 = largest).
        sizes = Counter(t for t in topics.tolist() if t != NO_THEME)
        order = sorted(sizes, key=lambda t: (-sizes[t], t))
        remap = {old: new for new, old in enumerate(order)}
        topics = np.asarray([remap.get(t, NO_THEME) for t in topics.tolist()])
        self.labels_ = {}
        self._set_structure(topics, emb, docs, texts)
        self.n_answers_fitted_ = len(texts)
        return self

    def _reduce_outliers(self, topics: np.ndarray, emb: np.ndarray) -> np.ndarray:
        ids = sorted(set(topics.tolist()) - {NO_THEME})
        if not ids:
            raise ValueError("aucun thème trouvé : essayez clusterer='kmeans' ou un nombre de thèmes")
        centroids = unit_rows(np.stack([emb[topics == t].mean(axis=0) for t in ids]))
        sims = emb @ centroids.T
        best = sims.argmax(axis=1)
        best_sim = sims.max(axis=1)
        out = topics.copy()
        outliers = np.flatnonzero(topics == NO_THEME)
        allowed = int(self.max_outliers * len(topics))
        if len(outliers) > allowed:
            order = outliers[np.argsort(-best_sim[outliers], kind="stable")]
            reassign = order[: len(outliers) - allowed]
            out[reassign] = np.asarray(ids)[best[reassign]]
        return out

    def _set_structure(self, topics: np.ndarray, emb: np.ndarray, docs: list[str], texts: list[str]) -> None:
        ids = sorted(set(topics.tolist()) - {NO_THEME})
        self.centroids_ = unit_rows(np.stack([emb[topics == t].mean(axis=0) for t in ids])).astype(np.float32)
        self.theme_ids_ = ids
        sims = emb @ self.centroids_.T
        own = np.array([sims[i, ids.index(t)] for i, t in enumerate(topics.tolist()) if t != NO_THEME])
        # New answers less similar than the least similar 2% of assigned answers stay unassigned.
        self.threshold_ = float(np.quantile(own, 0.02)) if len(own) else 0.0
        self.fit_topics_ = topics
        self.fit_docs_ = docs
        self.fit_texts_ = texts
        self.fit_embeddings_ = emb
        words = theme_key_terms(topics, docs, self.n_words)
        self.labels_ = theme_labels(ids, words, {t: self.labels_[t] for t in ids if self.labels_.get(t)},
                                    docs_by_theme(topics.tolist(), docs))
        self.key_terms_ = words

    def transform(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """One row per input answer: ``answer_id``, ``theme_id`` (-1: in no theme, or not an
        ``ok`` answer), ``theme_label`` (empty in no theme), ``similarity``, ``status``."""
        frame = all_answers(answers)
        ok = (frame["status"] == "ok").to_numpy()
        theme = np.full(len(frame), NO_THEME)
        sim = np.full(len(frame), np.nan, dtype=np.float32)
        if ok.any():
            if embeddings is None:
                emb = self._embedding_model().encode(frame.loc[ok, "text"].astype(str).tolist())
            else:
                emb = embeddings if len(embeddings) == ok.sum() else embeddings[ok]
            best_theme, best_sim = self._nearest(emb)  # rows normalised block by block
            sim[ok] = best_sim
            theme[ok] = np.where(best_sim >= self.threshold_, best_theme, NO_THEME)
        return self._result(frame, theme, sim)

    def _result(self, frame: pd.DataFrame, theme: np.ndarray, sim: np.ndarray) -> pd.DataFrame:
        labels = [self.labels_.get(t, "") for t in theme.tolist()]
        return pd.DataFrame({"answer_id": frame["answer_id"].to_numpy(), "theme_id": theme, "theme_label": labels,
                             "similarity": np.round(sim, 4), "status": frame["status"].to_numpy()})

    def _nearest(self, emb: np.ndarray, batch: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
        ids = np.asarray(self.theme_ids_)
        best_t = np.empty(len(emb), dtype=int)
        best_s = np.empty(len(emb), dtype=np.float32)
        for start in range(0, len(emb), batch):
            sims = unit_rows(emb[start:start + batch]) @ self.centroids_.T
            best_t[start:start + batch] = ids[sims.argmax(axis=1)]
            best_s[start:start + batch] = sims.max(axis=1)
        return best_t, best_s

    def fit_transform(self, answers: pd.DataFrame | Sequence[str], embeddings: np.ndarray | None = None) -> pd.DataFrame:
        """Fit, then assign every answer. Answers of the fitted sample keep their fitted theme."""
        frame = all_answers(answers)
        ok_frame = ok_answers(frame)
        if embeddings is None:
            texts = ok_frame["text"].astype(str).tolist()
            embeddings = fit_embedder(self._embedding_model(), texts).encode(texts)
        self.fit(ok_frame, embeddings=embeddings)
        result = self.transform(frame, embeddings=embeddings)
        if self.n_answers_fitted_ == len(ok_frame):  # no sampling: keep the clustering's assignment
            ok = (result["status"] == "ok").to_numpy()
            theme = result["theme_id"].to_numpy().copy()
            theme[ok] = self.fit_topics_
            result = self._result(frame, theme, result["similarity"].to_numpy())
        return result

    # -- the themes, and editing them ------------------------------------------------------------
    @property
    def themes_(self) -> pd.DataFrame:
        """``theme_id``, ``label``, ``size`` and ``share`` (of the fitted answers), ``key_terms``
        with their specificity. Answers in no theme are not a theme: ``1 - share.sum()``."""
        topics = self.fit_topics_
        n = max(len(topics), 1)
        rows = []
        for t in self.theme_ids_:
            size = int((topics == t).sum())
            rows.append({"theme_id": t, "label": self.labels_[t], "size": size, "share": round(size / n, 4),
                         "key_terms": format_key_terms(self.key_terms_.get(t, [])[:self.n_words])})
        return pd.DataFrame(rows, columns=["theme_id", "label", "size", "share", "key_terms"])

    def representative_answers(self, n: int = 10, theme: int | None = None) -> pd.DataFrame:
        """The ``n`` fitted answers closest to each theme's centroid (or to one ``theme``'s),
        identical texts counted once: ``theme_id``, ``label``, ``rank``, ``text``, ``similarity``.
        BERTopic keeps only 3 per theme; any ``n`` works here. For quotes to put in a report
        (readable, diverse, attributed, pseudonymised) see :func:`retex_nlp.representative_quotes`."""
        if not hasattr(self, "fit_embeddings_"):
            raise ValueError("representative answers need the fitted answers: fit() in this session")
        ids = self.theme_ids_ if theme is None else [theme]
        rows = []
        for t in ids:
            self._check(t)
            idx = np.flatnonzero(self.fit_topics_ == t)
            sims = self.fit_embeddings_[idx] @ self.centroids_[self.theme_ids_.index(t)]
            seen: set[str] = set()
            for k in np.argsort(-sims, kind="stable"):
                text = self.fit_texts_[idx[k]]
                key = " ".join(text.lower().split())
                if key in seen:
                    continue
                seen.add(key)
                rows.append({"theme_id": t, "label": self.labels_[t], "rank": len(seen), "text": text,
                             "similarity": round(float(sims[k]), 4)})
                if len(seen) == n:
                    break
        return pd.DataFrame(rows, columns=["theme_id", "label", "rank", "text", "similarity"])

    def key_terms(self, theme: int) -> pd.DataFrame:
        """A theme's key terms with their Lafon specificity (theme vs other answers)."""
        return pd.DataFrame(self.key_terms_[theme], columns=["term", "specificity"])

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
        for t in themes:
            self.labels_.pop(t, None)
        self._set_structure(topics, self.fit_embeddings_, self.fit_docs_, self.fit_texts_)
        if label:
            self.labels_[target] = label
        return self

    def split(self, theme: int, n: int = 2) -> list[int]:
        """Split a theme in ``n`` by k-means on its answers' embeddings; returns the new ids."""
        self._check(theme)
        mask = self.fit_topics_ == theme
        if mask.sum() < 2 * n:
            raise ValueError(f"le thème {theme} a {int(mask.sum())} réponses : trop peu pour le couper en {n}")
        parts = split_members(self.fit_embeddings_[mask], n, self.seed)
        start = max(self.theme_ids_) + 1
        new_ids = [theme] + list(range(start, start + n - 1))
        topics = self.fit_topics_.copy()
        topics[mask] = np.asarray(new_ids)[parts]
        self.labels_.pop(theme, None)
        self._set_structure(topics, self.fit_embeddings_, self.fit_docs_, self.fit_texts_)
        return new_ids

    def _check(self, theme: int) -> None:
        if theme not in self.labels_:
            raise KeyError(f"pas de thème {theme} ; les thèmes sont {self.theme_ids_}")

    # -- persistence ------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Save the fitted themes (centroids, labels, key terms, settings) in ``directory``
        (JSON and ``.npy``: no pickle)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "centroids.npy", self.centroids_)
        state = {
            "embedder": self._embedding_model().name,
            "embedder_spec": self.embedder if isinstance(self.embedder, str) else None,
            "theme_ids": self.theme_ids_, "labels": {str(k): v for k, v in self.labels_.items()},
            "words": {str(k): v for k, v in self.key_terms_.items()}, "threshold": self.threshold_,
            "sizes": {str(t): int((self.fit_topics_ == t).sum()) for t in [*self.theme_ids_, NO_THEME]},
            "params": {k: v for k, v in self.get_params().items()
                       if isinstance(v, (int, float, str, bool, type(None))) and k not in ("embedder", "cache_dir")},
            "clustering": self.clustering_, "n_answers_fitted": self.n_answers_fitted_,
        }
        (directory / "themes.json").write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: str | Embedder | None = None,
             cache_dir: str | Path | None = None) -> ThemeFinder:
        """Load themes saved by :meth:`save`; ``transform`` then assigns new answers."""
        directory = Path(directory)
        try:
            state = json.loads((directory / "themes.json").read_text(encoding="utf-8"))
            centroids = np.load(directory / "centroids.npy")
        except (OSError, ValueError) as exc:
            from ..errors import RetexInputError

            raise RetexInputError(f"modèle de thèmes illisible ou incomplet ({exc})", path=directory) from exc
        finder = cls(embedder or state["embedder_spec"] or "use", cache_dir=cache_dir, **state["params"])
        if finder._embedding_model().name != state["embedder"]:
            raise ValueError(f"ces thèmes ont été trouvés avec le modèle de plongement {state['embedder']!r}, "
                             f"pas {finder._embedding_model().name!r} : reprenez le même (--embedder)")
        finder.centroids_ = centroids
        finder.theme_ids_ = [int(t) for t in state["theme_ids"]]
        finder.labels_ = {int(k): v for k, v in state["labels"].items()}
        finder.key_terms_ = {int(k): [tuple(x) for x in v] for k, v in state["words"].items()}
        finder.threshold_ = state["threshold"]
        finder.clustering_ = state["clustering"]
        finder.n_answers_fitted_ = state["n_answers_fitted"]
        sizes = {int(k): v for k, v in state["sizes"].items()}
        finder.fit_topics_ = np.concatenate([np.full(v, k) for k, v in sizes.items()]) if sizes else np.array([])
        return finder


def theme_key_terms(topics: Sequence[int] | np.ndarray, docs: Sequence[str], n_words: int = 10
                    ) -> dict[int, list[tuple[str, float]]]:
    """Key terms of each theme by Lafon specificity (the theme's answers vs the others).
    ``docs``: each answer's terms joined by spaces (multiword terms with ``_``)."""
    per: dict[int, Counter] = {}
    for t, d in zip(list(topics), docs, strict=True):
        if t != NO_THEME:
            per.setdefault(int(t), Counter()).update(w for w in d.split() if w != "_")
    total: Counter = Counter()
    for c in per.values():
        total.update(c)
    T = sum(total.values()) or 1
    out = {}
    for t, c in per.items():
        terms = [w for w in c if c[w] >= 2] or list(c)
        if not terms:
            out[t] = []
            continue
        f = np.array([c[w] for w in terms])
        F = np.array([total[w] for w in terms])
        scores = lafon_scores(f, F, sum(c.values()), T)
        ranked = sorted(zip(terms, scores, strict=True), key=lambda x: (-x[1], x[0]))[:n_words]
        out[t] = [(w.replace("_", " "), round(float(s), 2)) for w, s in ranked]
    return out


#: Words that never make a label: negations and intensifiers the term counts keep ("pas", "plus").
_NOT_IN_LABELS = NEGATIONS_AND_INTENSIFIERS


_ENDINGS = ("ation", "ition", "ement", "ment", "tion", "age", "er", "ir", "re", "e", "s")


def _family(word: str) -> str:
    """A word's family, for labels only: accent-folded, without one common noun or verb ending
    when at least four letters remain ("chasser", "chasse" -> "chass"; "pollution", "polluer" ->
    "pollu"; "transport" and "transition" stay apart)."""
    folded = fold(word.lower())
    for ending in _ENDINGS:
        if folded.endswith(ending) and len(folded) - len(ending) >= 4:
            return "~" + folded[: -len(ending)]
    return "~" + folded


def label_from_terms(words: Sequence[tuple[str, float]], n: int = 3, window: int = 10) -> str:
    """A theme's default label: its first ``n`` key terms joined by `` · ``, read like a title:
    no negation or intensifier ("pas", "plus": a label "impôt · baisser · pas" says the opposite
    of its answers), no word twice nor two words of one family ("chasse · chasser", "pollution ·
    polluer"), and an expression rather than its parts ("transport en commun · ville", not
    "transport · transport en commun · ville"); ``window``: how many key terms are looked at."""
    top = [w for w, _ in words[:window] if w not in _NOT_IN_LABELS]
    expressions = [w for w in top if " " in w]
    chosen: list[str] = []
    used: set[str] = set()
    for term in top:
        if " " not in term and any(term in e.split() for e in expressions):
            continue  # its expression says it better
        parts = set(term.split()) | {_family(w) for w in term.split()}
        if parts & used:
            continue
        chosen.append(term)
        used |= parts
        if len(chosen) == n:
            break
    return " · ".join(chosen) or " · ".join(w for w, _ in words[:n]) or "(thème sans terme)"


def label_apart(words: Sequence[tuple[str, float]], taken: set[str] | frozenset[str], n: int = 3) -> str:
    """:func:`label_from_terms`, but not one of the labels ``taken`` (in any order): its last term is
    left out, in turn, until the label is new ("produit · TVA · nécessité" taken: "produit · TVA ·
    bio"); after five tries the label may still be taken (the caller numbers it)."""
    label = label_from_terms(words, n)
    seen = {frozenset(t.split(" · ")) for t in taken}  # the same terms in another order are the same label
    dropped: set[str] = set()
    while frozenset(label.split(" · ")) in seen and len(dropped) < 5:
        dropped.add(label.split(" · ")[-1])
        kept = [w for w in words if w[0] not in dropped]
        if not kept:
            break
        label = label_from_terms(kept, n)
    return label


#: A theme whose label's terms are in fewer of its answers than this is labelled as mixed.
MIXED_LABEL_FLOOR = 0.3
#: What a mixed theme's label starts with.
MIXED_PREFIX = "réponses diverses : "


def docs_by_theme(topics: Sequence[int], docs: Sequence[str]) -> dict[int, list[str]]:
    """Each theme's answers (``docs``, in order), from one theme id per answer."""
    out: dict[int, list[str]] = {}
    for t, d in zip(topics, docs, strict=True):
        out.setdefault(int(t), []).append(d)
    return out


def label_coverage(label: str, docs: Sequence[str]) -> float:
    """The share of a theme's answers (``docs``: each answer's terms joined by spaces, multiword
    terms with ``_``) that contain at least one of the terms of ``label`` (``"a · b · c"``)."""
    if not docs:
        return 0.0
    terms = {t.replace(" ", "_") for t in label.removeprefix(MIXED_PREFIX).split(" · ")}
    return float(np.mean([not terms.isdisjoint(d.split()) for d in docs]))


def theme_labels(ids: Sequence[int], words: dict[int, Sequence[tuple[str, float]]],
                 fixed: dict[int, str], docs: dict[int, Sequence[str]] | None = None) -> dict[int, str]:
    """The label of each theme of ``ids`` (largest first): those of ``fixed`` as they are (a
    person's), the others from their key terms (``words``), each stepping aside
    (:func:`label_apart`) from the fixed labels and from the labels of the themes before it.

    With ``docs`` (each theme's answers as terms joined by spaces), a label whose terms are in
    fewer than :data:`MIXED_LABEL_FLOOR` of the theme's answers starts with "réponses diverses : ":
    the theme gathers answers that share no words (vague or many-sided answers, lists of
    proposals), and its key terms are each in a few of them only. On the Grand Débat answers
    volunteers tagged, and on the bundled extract, 4 themes of 71 were under the floor, each a
    mix (the largest, 147 answers, had 18% of its tagged answers under its commonest tag); the
    other themes' labels were in 38-100% of their answers."""
    taken = set(fixed.values())
    labels: dict[int, str] = {}
    for t in ids:
        if t in fixed:
            labels[t] = fixed[t]
        else:
            label = label_apart(words.get(t, []), taken)
            if docs is not None and label_coverage(label, docs.get(t, ())) < MIXED_LABEL_FLOOR:
                label = MIXED_PREFIX + label
            labels[t] = label
        taken.add(labels[t])
    return labels


def format_key_terms(words: Sequence[tuple[str, float]]) -> str:
    """``"impôt (12.3), taxe (8.1)"``: key terms with their specificity, for tables."""
    return ", ".join(f"{w} ({s:g})" for w, s in words)
