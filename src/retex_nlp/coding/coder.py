"""Deductive coding against a codebook, and learning from hand-coded answers.

:class:`CodebookCoder` codes each answer multi-label. Fitted on the answers alone it combines
keyword matches on lemmas (and ``*`` patterns on words) with the embedding similarity of the
answer to the theme's description and examples (for a theme without keywords, plus the words
they share, and the words of its name standing for its keywords), calibrated on the answers'
own similarity distribution; answers that fit no theme are in no theme. Fitted with hand-coded answers
(``fit(answers, codes)``) it learns one classifier per theme on three views of each answer
(embedding and codebook similarity, character n-grams, lemmas: :mod:`.learner`), with each
theme's definition and the codebook's examples learned as more examples of it, codes each
answer with its most likely theme and any other theme it is also sure of, learns when to code
nothing if the analyst left answers uncoded, and uses the answers nobody coded yet (self-training
on the surest half); a theme coded fewer than twice by hand keeps its codebook score, and while
fewer than three answers per theme are coded by hand the codebook's score counts for half. It reports
cross-validated precision, recall, F1 and Cohen's kappa, and
:meth:`CodebookCoder.to_review` lists the answers whose correction would teach it most.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..answers import NO_THEME, all_answers, join_codes, ok_answers, split_codes
from ..embed import Embedder, embedding_model, fit_embedder, unit_rows
from ..normalize import fold
from ..text.analyzer import FrenchAnalyzer, default_analyzer
from .agreement import code_matrix, cohen_kappa
from .codebook import OTHER, Codebook, Theme
from .learner import VIEWS, TextViews, fit_linear, linear_proba

__all__ = ["CodebookCoder"]

@dataclass
class _Features:
    """What the coder reads of a batch of answers."""

    texts: list[str]
    terms: list[list[str]]
    emb: np.ndarray
    sim: np.ndarray  # similarity to each theme's definition and examples (best anchor)
    counter: np.ndarray  # similarity to its counter-examples (-1: none)
    kw: np.ndarray  # 1 where a keyword of the theme matched
    matched: list[dict[int, list[str]]]  # per answer: theme index -> its keywords (or words) found
    nearest: np.ndarray  # index of the nearest anchor per theme
    lex: np.ndarray  # lemma tf-idf cosine to the theme's definition and examples (themes without keywords)

    def take(self, rows: np.ndarray) -> _Features:
        """The same for the answers ``rows`` only."""
        return _Features([self.texts[i] for i in rows], [self.terms[i] for i in rows], self.emb[rows],
                         self.sim[rows], self.counter[rows], self.kw[rows], [self.matched[i] for i in rows],
                         self.nearest[rows], self.lex[rows])


_SPLIT = re.compile(r"[^\w*]+")
#: Share of the uncoded answers (the surest ones) the coder is fitted again with, coded by its
#: first fit. On the LGA few-shot draws (10 examples per theme) the surest fifth gives a mean
#: kappa of 0.763 against 0.750 for the half, but in the review loop it takes away most of what
#: the coder's own choice of answers to correct brings over random ones (docs/benchmarks.md).
SELF_TRAINING_SHARE = 0.5


def _words(text: str) -> list[str]:
    """The words of ``text`` folded (lower case, no accents), apostrophes and hyphens splitting."""
    return [w for w in _SPLIT.split(fold(text)) if w]


def _lemma_words(tokens) -> list[str]:
    """The same, from the lemmas of an analysed answer (an expression gives its words)."""
    return [w for t in tokens if t.pos not in ("PUNCT", "SPACE") for w in _words(t.lemma)]


def _phrase(keyword: str, analyzer: FrenchAnalyzer) -> tuple[str, tuple[str, ...], tuple[str, ...], bool]:
    """A keyword as a phrase of folded words and of folded lemmas, and whether it holds a
    content word (a keyword of function words only marks nothing)."""
    tokens = analyzer.analyse(keyword)
    return keyword, tuple(_words(keyword)), tuple(_lemma_words(tokens)), any(t.is_content for t in tokens)


def _name_words(name: str, analyzer: FrenchAnalyzer) -> list[str]:
    """The words of a theme's name that may stand for its keywords when the analyst wrote none:
    its content lemmas, folded, but French stop words ("plus", "pas", "tout": the analysis keeps
    some as content) and single letters (those of several themes' names are dropped after)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    stop = {fold(w) for w in STOP_WORDS}
    words = [w for t in analyzer.analyse(name) if t.is_content for w in _words(t.lemma)]
    return sorted({w for w in words if len(w) > 1 and w not in stop})


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    """``phrase`` occurs in ``words`` as consecutive words."""
    n = len(phrase)
    if not n:
        return False
    if n == 1:
        return phrase[0] in words
    return any(tuple(words[i:i + n]) == phrase for i in range(len(words) - n + 1) if words[i] == phrase[0])


def _least_sure(margin: np.ndarray, emb: np.ndarray, n: int) -> list[int]:
    """``n`` rows of smallest ``margin``, kept diverse: a row nearly the same as one already
    chosen (cosine >= 0.9) is passed over among the ``5 n`` least sure, then the list is filled
    up to ``n`` (near-duplicates left at the end of a review still come back)."""
    order = np.argsort(margin, kind="stable")
    chosen: list[int] = []
    for i in order[: max(5 * n, n)]:
        if all(float(emb[i] @ emb[j]) < 0.9 for j in chosen):
            chosen.append(int(i))
        if len(chosen) == n:
            return chosen
    return _fill_up(chosen, order, n)


def _fill_up(chosen: list[int], order: np.ndarray, n: int) -> list[int]:
    """``chosen`` followed by the first rows of ``order`` not in it, up to ``n`` rows."""
    taken = set(chosen)
    return chosen + [int(i) for i in order if int(i) not in taken][: n - len(chosen)]


def _centres(emb: np.ndarray, n: int, seed: int) -> list[int]:
    """One row per group of similar rows: k-means with ``n`` groups on ``emb`` (unit rows), the
    row nearest each centre, the largest groups first."""
    import warnings

    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():  # fewer distinct answers than groups: the caller fills up
        warnings.simplefilter("ignore", ConvergenceWarning)
        km = KMeans(n_clusters=n, n_init=3, random_state=seed).fit(emb)
    sizes = np.bincount(km.labels_, minlength=n)
    chosen = []
    for c in np.argsort(-sizes, kind="stable"):
        members = np.flatnonzero(km.labels_ == c)
        if len(members):
            chosen.append(int(members[np.argmax(emb[members] @ km.cluster_centers_[c])]))
    return chosen


def _top_and_rival(scores: np.ndarray, none: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Per answer, its best score and what competes with it: the second best, or the learned
    "no code" probability when that is higher."""
    order = np.sort(scores, axis=1)
    rival = order[:, -2] if scores.shape[1] > 1 else np.zeros(len(scores))
    if none is not None:
        rival = np.maximum(rival, none)
    return order[:, -1], rival


def _fit(views: dict, rows: np.ndarray, y: np.ndarray, seed: int,
         extra: tuple[dict, np.ndarray]) -> dict[str, tuple[np.ndarray, float]]:
    """One logistic regression per view on the answers ``rows``; ``extra``: the views of more
    examples and their targets, learned beside them (the codebook's definitions)."""
    more_views, more_y = extra
    model = {}
    for view, X in views.items():
        X_fit, y_fit = X[rows], y
        if view in more_views:
            more = more_views[view]
            X_fit = sp.vstack([X_fit, more]).tocsr() if sp.issparse(X_fit) else np.vstack([X_fit, more])
            y_fit = np.concatenate([y, more_y])
        model[view] = fit_linear(X_fit, y_fit, seed)
    return model


def _proba(model: dict[str, tuple[np.ndarray, float]], views: dict, rows: np.ndarray | None = None) -> np.ndarray:
    """The views' probabilities, averaged."""
    probas = [linear_proba(X if rows is None else X[rows], *model[view]) for view, X in views.items() if view in model]
    return np.mean(probas, axis=0)


class CodebookCoder(BaseEstimator):
    """Code answers against a :class:`Codebook` (see the module docstring).

    Parameters
    ----------
    codebook:
        A :class:`Codebook` or the path of a YAML/XLSX codebook (read by :meth:`fit`; the
        caller's codebook is never changed: the fitted one is ``codebook_``).
    embedder:
        ``"use"`` (default, offline), ``"st:PATH"``, ``"tfidf"`` or an embedder.
    threshold:
        Zero-shot: score (0-1) from which similarity alone codes a theme that has no keywords.
        Scores are ``0.4`` for a trusted keyword match plus ``0.6`` x the calibrated similarity
        (0 at the answers' median similarity to the theme, 1 at its 99th percentile). How
        keywords, similarity and the nearest theme decide: :meth:`_choose`.
    cache_dir:
        Folder of the on-disk embedding cache (``None``: in memory, for this run).
    cv:
        Cross-validation folds of the agreement report (fewer when a theme has fewer examples).
    nearest:
        Zero-shot: code an answer that no keyword and no close similarity codes with its nearest
        theme when it is close enough (``False`` in :class:`MixedCoder`, which gives such answers
        new themes).
    self_training:
        With hand-coded answers among others (``codes`` as a mapping), fit again with the surer
        half of the others coded by the first fit.
    """

    def __init__(self, codebook: Codebook | str | Path, embedder: str | Embedder | None = "use", *,
                 threshold: float = 0.4, analyzer: FrenchAnalyzer | None = None, cache_dir: str | Path | None = None,
                 seed: int = 0, cv: int = 5, self_training: bool = True, nearest: bool = True) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.threshold = threshold
        self.analyzer = analyzer
        self.cache_dir = cache_dir
        self.seed = seed
        self.cv = cv
        self.self_training = self_training
        self.nearest = nearest

    # -- internals --------------------------------------------------------------------------------
    def _emb(self, texts: Sequence[str]) -> np.ndarray:
        return unit_rows(self.embedder_.encode(list(texts)))

    def _prototypes(self) -> list[dict]:
        analyzer = self.analyzer or default_analyzer()
        proto = []
        for t in self.codebook_.themes:
            anchors = [f"{t.name}. {t.description}".strip()] + t.examples
            proto.append({
                "anchors": anchors, "emb": self._emb(anchors),
                "terms": [[w.lemma for w in d if w.is_content] for d in analyzer.transform(anchors)],
                "counter": self._emb(t.counter_examples) if t.counter_examples else None,
                "phrases": [_phrase(k, analyzer) for k in t.keywords if "*" not in k],
                "patterns": [fold(k) for k in t.keywords if "*" in k],
                "name_words": [] if t.keywords else _name_words(t.name, analyzer),
            })
        # a word of several themes' names tells none of them apart ("taxer" in "Taxer les riches"
        # and "Taxer le luxe"): on the LGA and ELF label names, dropping it coded fewer themes per
        # answer (1.71 -> 1.36, 1.48 -> 1.29) and agreed with the humans better (docs/benchmarks.md)
        shared = Counter(w for p in proto for w in set(p["name_words"]))
        for p in proto:
            p["name_words"] = [w for w in p["name_words"] if shared[w] == 1]
        return proto

    def _features(self, texts: list[str]) -> _Features:
        """Similarity to each theme, counter-similarity, keyword matches, embeddings, terms."""
        analyzer = self.analyzer or default_analyzer()
        emb = self._emb(texts)
        docs = analyzer.transform(texts) if texts else []
        terms = [[t.lemma for t in d if t.is_content] for d in docs]
        n, k = len(texts), len(self.prototypes_)
        sim = np.zeros((n, k), dtype=np.float32)
        nearest = np.zeros((n, k), dtype=int)
        counter = np.full((n, k), -1.0, dtype=np.float32)
        kw = np.zeros((n, k), dtype=np.float32)
        matched: list[dict[int, list[str]]] = [{} for _ in range(n)]
        name_words = getattr(self, "name_words_", None) or {}
        for j, p in enumerate(self.prototypes_):
            s = emb @ p["emb"].T
            sim[:, j] = s.max(axis=1)
            nearest[:, j] = s.argmax(axis=1)
            if p["counter"] is not None:
                counter[:, j] = (emb @ p["counter"].T).max(axis=1)
        for i, (text, tokens) in enumerate(zip(texts, docs, strict=True)):
            forms, lemmas = _words(text), _lemma_words(tokens)
            present = set(forms) | set(lemmas)
            for j, (t, p) in enumerate(zip(self.codebook_.themes, self.prototypes_, strict=True)):
                hits = [k for k, kf, kl, _ in p["phrases"] if _contains(forms, kf) or _contains(lemmas, kl)]
                hits += sorted({w for w in forms for pat in p["patterns"] if fnmatch.fnmatchcase(w, pat)})
                hits += [w for w in name_words.get(t.name, ()) if w in present]
                if hits:
                    kw[i, j] = 1.0
                    matched[i][j] = hits
        return _Features(texts, terms, emb, sim, counter, kw, matched, nearest, self._lexical(terms))

    def _lexical(self, terms: list[list[str]]) -> np.ndarray:
        """Per answer and theme without keywords, the cosine of the answer's lemmas (tf-idf, idf
        of the answers to code) with the nearest of the theme's definition and examples: the
        definition's own words stand in for the keywords the analyst did not write. 0 for a
        theme with keywords, and before the lemmas' weights are learned by :meth:`fit`."""
        lex = np.zeros((len(terms), len(self.prototypes_)), dtype=np.float32)
        views = getattr(self, "text_views_", None)
        vectorizer = views.vectorizers.get("lemmas") if views is not None else None
        if vectorizer is None or not len(terms):
            return lex
        answers = vectorizer.transform([list(t) for t in terms])
        for j, p in enumerate(self.prototypes_):
            if p["phrases"] or p["patterns"]:
                continue
            anchors = vectorizer.transform(p["terms"])
            lex[:, j] = (answers @ anchors.T).max(axis=1).toarray().ravel()
        return lex

    def _views(self, f: _Features) -> dict[str, object]:
        """The views of the answers the learned classifiers read (see :mod:`.learner`)."""
        keyword = getattr(self, "keyword_weight_", self.KEYWORD_WEIGHT)
        views: dict[str, object] = {"dense": np.hstack([f.emb, f.sim, keyword * f.kw])}
        text_views = getattr(self, "text_views_", None)
        if text_views is not None:
            views.update(text_views.transform(f.texts, f.terms))
        return views

    def _scores(self, f: _Features, views: dict | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """One score (0-1) per answer and theme, and the learned probability that the analyst
        would code nothing (``None`` when every hand-coded answer had a code, or nothing was
        learned). ``views``: those of ``f`` when the caller has them already."""
        if self.models_:
            views = self._views(f) if views is None else views
            unlearned = ~self._learned()
            scores = np.column_stack([_proba(self.models_[t.name], views) if t.name in self.models_
                                      else np.zeros(len(f.texts)) for t in self.codebook_.themes])
            weight = getattr(self, "prior_weight_", 0.0)
            if unlearned.any() or weight:  # a theme coded too rarely by hand keeps what the codebook says of it
                book = self._codebook_scores(f)
                scores = np.where(unlearned[None, :], book, (1 - weight) * scores + weight * book)
            other = self.models_.get(OTHER)
            return scores, (_proba(other, views) if other else None)
        return self._codebook_scores(f), None

    def _learned(self) -> np.ndarray:
        """Per theme, whether a classifier was learned for it from hand-coded answers."""
        return np.array([t.name in getattr(self, "models_", {}) for t in self.codebook_.themes], dtype=bool)

    def _codebook_scores(self, f: _Features) -> np.ndarray:
        """What the codebook alone gives each answer and theme (0-1): ``0.4`` for a trusted keyword
        match plus ``0.6`` x the calibrated similarity; 0 when closer to a counter-example."""
        score = 0.4 * f.kw * (self._close(f) >= self._gates()) + 0.6 * np.clip(self._relative(f), 0, 1)
        return np.where(f.counter > f.sim, 0.0, score)

    def _close(self, f: _Features) -> np.ndarray:
        """How close each answer is to each theme: the embedding similarity, plus the words it
        shares with a definition that has no keywords (:attr:`LEXICAL_WEIGHT`)."""
        return f.sim + self.LEXICAL_WEIGHT * f.lex

    def _relative(self, f: _Features) -> np.ndarray:
        """Similarity on each theme's own scale: 0 at the answers' median, 1 at their 99th percentile."""
        med = np.array([self.calibration_[t.name][0] for t in self.codebook_.themes])
        top = np.array([self.calibration_[t.name][1] for t in self.codebook_.themes])
        return (self._close(f) - med) / np.maximum(top - med, 1e-6)

    def _gates(self) -> np.ndarray:
        """Per theme, the similarity under which a keyword match is not trusted: the answers'
        :attr:`KEYWORD_GATE` quantile (the meaning is far from every word of the definition); for
        a word of the theme's name standing for keywords the analyst did not write, their median
        (the word must come with a meaning closer than half of the answers': on the LGA and ELF
        label names this coded fewer themes per answer and agreed with the humans as well or
        better)."""
        keyed = [bool(p["phrases"] or p["patterns"]) for p in self.prototypes_]
        return np.array([self.calibration_[t.name][0] if not k else
                         self.calibration_[t.name][2] if len(self.calibration_[t.name]) > 2 else -np.inf
                         for t, k in zip(self.codebook_.themes, keyed, strict=True)])

    def _zero_shot(self, f: _Features) -> list[list[int]]:
        """The codebook alone (see :meth:`_choose`)."""
        rel, close = self._relative(f), self._close(f)
        keyed = np.array([bool(p["phrases"] or p["patterns"]) for p in self.prototypes_])
        far = f.counter > f.sim
        by_keyword = (f.kw > 0) & (close >= self._gates()) & ~far
        # similarity alone: from `threshold` (on the 0.6 x scale), or the top 1% where the
        # analyst gave keywords (the words then say more than a loose closeness)
        cut = np.where(keyed, 1.0, self.threshold / 0.6)
        by_meaning = (rel >= cut) & ~far
        chosen = []
        for r in range(len(f.texts)):
            js = np.flatnonzero(by_keyword[r] | by_meaning[r])
            if not len(js) and self.nearest:
                j = int(np.argmax(np.where(far[r], -np.inf, close[r])))
                js = np.array([j]) if not far[r, j] and rel[r, j] >= self.NEAREST_FLOOR else js
            chosen.append(sorted(js.tolist(), key=lambda j: (-rel[r, j] - f.kw[r, j], j)))
        return chosen

    def _choose(self, scores: np.ndarray, none: np.ndarray | None, learned: bool | None = None,
                f: _Features | None = None) -> list[list[int]]:
        """The themes coded for each answer, surest first.

        Learned: the most likely theme, unless "no code" is likelier, and any other theme at or
        above its threshold. Zero-shot (``f`` given): a theme whose keyword (a phrase, on words
        or lemmas, accents ignored) is in the answer, unless the answer's meaning is among the
        :attr:`KEYWORD_GATE` farthest from it; a theme the answer is very close to (``threshold``,
        or the top 1% for a theme with keywords); else, with ``nearest``, the nearest theme if
        the answer is closer to it than :attr:`NEAREST_FLOOR` on its scale; else nothing."""
        learned = bool(self.models_) if learned is None else learned
        if not learned:
            return self._zero_shot(f)
        thresholds = self._thresholds()
        chosen = []
        for r in range(len(scores)):
            order = [int(j) for j in np.argsort(-scores[r], kind="stable")]
            top = order[0]
            if scores[r, top] <= 0 or (none is not None and none[r] > scores[r, top]):
                chosen.append([])
                continue
            chosen.append([top] + [j for j in order[1:] if scores[r, j] >= thresholds[j]])
        return chosen

    def _start(self, texts: list[str], codes: Sequence | None) -> list[str] | None:
        """Resolve the codebook (a copy, with the themes of ``codes`` it lacks) and the embedder;
        return ``codes`` with each theme's code ("A1") replaced by its name."""
        book = self.codebook if isinstance(self.codebook, Codebook) else Codebook.read(self.codebook)
        book = copy.deepcopy(book)
        if codes is not None:
            short = book.short_codes()
            if short:
                codes = [join_codes(dict.fromkeys(short.get(fold(c), c) for c in split_codes(v))) for v in codes]
            known = set(book.names)
            for name in sorted({c for v in codes for c in split_codes(v)} - known - {OTHER}):
                book.themes.append(Theme(name))
        self.codebook_ = book
        anchors = [a for t in book.themes for a in [f"{t.name}. {t.description}", *t.examples, *t.counter_examples]]
        self.embedder_ = fit_embedder(embedding_model(self.embedder, self.cache_dir), [*texts, *anchors])
        self.prototypes_ = self._prototypes()
        return codes

    # -- fitting ------------------------------------------------------------------------------------
    def fit(self, answers: pd.DataFrame | Sequence[str], codes: Sequence | pd.Series | dict | None = None
            ) -> CodebookCoder:
        """Fit on the answers to code: each theme's similarity scale is learned on them (median
        and 99th percentile). With ``codes`` (hand-coded answers, multi-label: ``"a;b"`` strings
        or lists) one classifier per theme is learned too, and ``report_`` holds cross-validated
        precision, recall, F1 and Cohen's kappa per theme. ``codes`` is either aligned with the
        ``ok`` answers, or a mapping ``answer_id -> codes`` (a dict or a Series indexed by
        answer id) for the answers a person coded, the others being coded by the model."""
        frame = ok_answers(answers)
        texts = frame["text"].astype(str).tolist()
        labelled: list[int] = list(range(len(texts)))
        if isinstance(codes, (dict, pd.Series)):
            mapping = {str(k): v for k, v in (codes.items() if isinstance(codes, dict) else codes.items())}
            ids = frame["answer_id"].astype(str).tolist() if "answer_id" in frame.columns else \
                [str(i) for i in range(len(texts))]
            unknown = sorted(set(mapping) - set(ids))
            if unknown:
                raise ValueError(f"{len(unknown)} réponses codées à la main sont introuvables parmi les réponses "
                                 f"exploitables : {unknown[:5]}")
            labelled = [i for i, a in enumerate(ids) if a in mapping]
            codes = [mapping[ids[i]] for i in labelled]
        elif codes is not None:
            codes = list(codes)
            if len(texts) != len(codes):
                raise ValueError(f"{len(codes)} codes pour {len(texts)} réponses exploitables")
        codes = self._start(texts, codes)
        self.text_views_ = None
        self.name_words_ = {t.name: p["name_words"] for t, p in zip(self.codebook_.themes, self.prototypes_, strict=True)
                            if not (p["phrases"] or p["patterns"])}
        f = self._features(texts)
        self._keep_specific_name_words(f)
        # the lemmas' weights (and, to learn from hand-coded answers, the character n-grams')
        self.text_views_ = TextViews().fit(texts, f.terms, views=VIEWS[1:] if codes is not None else ("lemmas",))
        f.lex = self._lexical(f.terms)
        close = self._close(f)
        self.calibration_ = {t.name: (float(np.median(close[:, j])), float(np.quantile(close[:, j], 0.99)),
                                      float(np.quantile(close[:, j], self.KEYWORD_GATE)))
                             for j, t in enumerate(self.codebook_.themes)}
        self.keyword_warnings_ = self._keyword_warnings(f)
        self.models_ = {}
        self.thresholds_ = {}
        self.prior_weight_ = 0.0
        if codes is not None:
            self._learn(np.asarray(labelled, dtype=int), list(codes), f)
        return self

    def _keep_specific_name_words(self, f: _Features) -> None:
        """Keep as a theme's implicit keywords the words of its name found in at most
        :attr:`GENERIC_KEYWORD` of the answers ("impôt" in every answer about taxes marks no
        theme), and take the others out of ``f``'s matches."""
        n = max(len(f.texts), 1)
        for j, t in enumerate(self.codebook_.themes):
            words = self.name_words_.get(t.name, [])
            if not words:
                continue
            kept = [w for w in words if sum(w in m.get(j, ()) for m in f.matched) / n <= self.GENERIC_KEYWORD]
            self.name_words_[t.name] = kept
            for i, m in enumerate(f.matched):
                if j in m:
                    hits = [w for w in m[j] if w in kept]
                    if hits:
                        m[j] = hits
                    else:
                        del m[j]
                        f.kw[i, j] = 0.0

    #: Share of the answers least similar to a theme in which its keywords are not trusted.
    KEYWORD_GATE = 0.1
    #: Weight of the words an answer shares with a theme's definition (lemmas, tf-idf cosine)
    #: beside its embedding similarity, for a theme without keywords: on the LGA answers coded
    #: from label names or one-sentence definitions this raised kappa on every question
    #: (docs/benchmarks.md); with keywords it changed nothing, so keywords keep that role.
    LEXICAL_WEIGHT = 1.0
    #: How close (0 = the theme's median answer, 1 = its 99th percentile) the nearest theme must
    #: be to code an answer that nothing else codes.
    NEAREST_FLOOR = 0.2
    #: A keyword found in more than this share of the answers is too general to mark a theme.
    GENERIC_KEYWORD = 0.25

    def _keyword_warnings(self, f: _Features) -> list[str]:
        """French warnings for keywords that cannot mark a theme: in too many answers, or made of
        function words only."""
        out = []
        n = max(len(f.texts), 1)
        for j, (t, p) in enumerate(zip(self.codebook_.themes, self.prototypes_, strict=True)):
            for keyword, _, _, content in p["phrases"]:
                if not content:
                    out.append(f"mot-clé « {keyword} » (thème « {t.name} ») : uniquement des mots outils, il ne "
                               "distingue aucun thème")
                    continue
                share = sum(keyword in m.get(j, ()) for m in f.matched) / n
                if share > self.GENERIC_KEYWORD:
                    out.append(f"mot-clé « {keyword} » (thème « {t.name} ») : présent dans {share:.0%} des réponses, "
                               "trop général pour marquer un thème")
        return out

    #: Hand-coded answers of a theme from which the score at which it is coded *beside* the most
    #: likely theme is tuned on cross-validated probabilities (with fewer: 0.5).
    MIN_FOR_THRESHOLD = 30
    #: Value of a keyword match in the features the classifiers learn from (the ``dense`` view),
    #: beside an embedding of norm 1. At 1, a keyword found in two of ten examples of a theme
    #: weighed as much as the answer's whole meaning, and the classifier coded answers of other
    #: themes that used it ("rien" in "la loi de 1905, rien que la loi"); at 0.25 a keyword helps
    #: the examples without replacing them (docs/benchmarks.md, few-shot from a written codebook:
    #: kappa at 10 per theme 0.792 -> 0.801; every weight from 0.15 to 0.5 beat 0 and 1).
    KEYWORD_WEIGHT = 0.25

    def _learn(self, rows: np.ndarray, codes: list, f: _Features) -> None:
        """Learn from the hand-coded answers ``rows`` of ``f`` (see the module docstring);
        ``report_`` is the agreement of the whole rule with them, cross-validated."""
        from sklearn.model_selection import StratifiedKFold

        names = self.codebook_.names
        self.keyword_weight_ = self.KEYWORD_WEIGHT
        views = self._views(f)
        definitions = self._definitions()
        Y = code_matrix(codes, names)
        n = len(rows)
        targets = {name: Y[:, j] for j, name in enumerate(names)}
        uncoded = (Y.sum(axis=1) == 0).astype(int)
        if 2 <= uncoded.sum() <= n - 2:  # the analyst leaves some answers uncoded: learn when
            targets[OTHER] = uncoded
        cv = {}
        for name, y in targets.items():
            if y.sum() < 2 or y.sum() > n - 2:
                continue
            # stratified, and never more folds than examples of the rarer side: every training
            # fold then holds both classes (a theme coded twice in 25 answers used to crash here)
            splits = max(2, min(self.cv, int(y.sum()), int(n - y.sum())))
            proba = np.zeros(n)
            for train, test in StratifiedKFold(splits, shuffle=True, random_state=self.seed).split(rows, y):
                model = _fit(views, rows[train], y[train], self.seed, definitions[name])
                proba[test] = _proba(model, views, rows[test])
            cv[name] = proba
        self.prior_weight_ = self._prior_weight(cv, Y)
        if self.prior_weight_:
            book = self._codebook_scores(f.take(rows))
            cv.update({name: (1 - self.prior_weight_) * cv[name] + self.prior_weight_ * book[:, j]
                       for j, name in enumerate(names) if name in cv})
        self.cv_proba_ = np.column_stack([cv.get(name, np.zeros(n)) for name in names])
        top = self.cv_proba_.argmax(axis=1)
        self.thresholds_ = {name: (_best_threshold(cv[name], targets[name], top == j)
                                   if targets[name].sum() >= self.MIN_FOR_THRESHOLD else 0.5)
                            for j, name in enumerate(names) if name in cv}
        chosen = self._choose(self.cv_proba_, cv.get(OTHER), learned=True)
        pred_all = np.zeros(Y.shape, dtype=int)
        for r, js in enumerate(chosen):
            pred_all[r, js] = 1
        report = []
        for j, name in enumerate(names):
            y, pred = Y[:, j], pred_all[:, j]
            if name not in cv:
                report.append({"theme": name, "n_coded": int(y.sum()), "threshold": np.nan, "precision": np.nan,
                               "recall": np.nan, "f1": np.nan, "kappa": np.nan})
                continue
            tp = int((pred & y).sum())
            precision, recall = tp / max(pred.sum(), 1), tp / max(y.sum(), 1)
            report.append({"theme": name, "n_coded": int(y.sum()), "threshold": round(self.thresholds_[name], 3),
                           "precision": round(precision, 3), "recall": round(recall, 3),
                           "f1": round(2 * precision * recall / max(precision + recall, 1e-9), 3),
                           "kappa": round(cohen_kappa(y, pred), 3)})
        self.models_ = {name: _fit(views, rows, targets[name], self.seed, definitions[name])
                        for name in cv}
        others = np.setdiff1d(np.arange(len(f.texts)), rows)
        if self.self_training and len(others) and self.models_:
            self._self_train(views, rows, targets, others, f, definitions)
        tp = int((pred_all & (Y == 1)).sum())
        micro_p = tp / max(int(pred_all.sum()), 1)
        micro_r = tp / max(int(Y.sum()), 1)
        self.report_ = pd.DataFrame(report)
        self.report_.attrs["micro_f1"] = round(2 * micro_p * micro_r / max(micro_p + micro_r, 1e-9), 3)
        self.report_.attrs["macro_f1"] = round(float(self.report_["f1"].mean()), 3)
        self.report_.attrs["mean_kappa"] = round(float(self.report_["kappa"].mean()), 3)
        self.report_.attrs["n_coded"] = n
        self.fit_texts_ = [f.texts[i] for i in rows]

    def _definitions(self) -> dict[str, tuple[dict, np.ndarray]]:
        """The codebook's own examples of its themes, learned beside the hand-coded answers: each
        theme's name, definition and keywords as one text, and the examples the codebook gives.
        Per classifier (each theme, and "no code"): their views and targets (1 for the theme's own,
        0 for the others; 0 for all of them for "no code"). With ten hand-coded answers per theme
        the definition is one more, well-chosen example (docs/benchmarks.md: +0.01 kappa on the
        LGA few-shot draws, from label names as from written definitions)."""
        texts, owner = [], []
        for j, t in enumerate(self.codebook_.themes):
            words = f" ({', '.join(t.keywords)})" if t.keywords else ""
            texts += [f"{t.name}. {t.description}".strip() + words, *t.examples]
            owner += [j] * (1 + len(t.examples))
        views, owner = self._views(self._features(texts)), np.asarray(owner)
        targets = {name: (owner == j).astype(int) for j, name in enumerate(self.codebook_.names)}
        return {**{name: (views, y) for name, y in targets.items()}, OTHER: (views, np.zeros(len(owner), dtype=int))}

    #: Weight of the codebook's own score beside the learned probability while few answers are
    #: coded by hand (up to :attr:`FEW_EXAMPLES` per theme of the codebook)...
    PRIOR_WEIGHT = 0.5
    #: ...beyond which that weight falls as ``FEW_EXAMPLES / (answers coded per theme)``: 0.3 at
    #: 5 per theme, 0.15 at 10, 0.03 at 50 (docs/benchmarks.md: on the LGA answers this agrees
    #: with the human coders better than the codebook's share stopping at once, in the few-shot
    #: curves and in the review loop).
    FEW_EXAMPLES = 3

    def _prior_weight(self, cv: dict[str, np.ndarray], Y: np.ndarray) -> float:
        """How much the codebook's own score still counts beside what was learned: with a handful
        of corrections (a first review round) the classifiers learned from them are no better
        informed than the codebook's definitions and keywords, so both count; the more answers
        are coded by hand, the less the codebook counts (never nothing at once, so that one more
        correction does not change every code)."""
        names = self.codebook_.names
        coded = int((Y.sum(axis=1) > 0).sum())
        if not any(name in cv for name in names):  # not the "no code" classifier alone
            return 0.0
        return round(self.PRIOR_WEIGHT * min(1.0, self.FEW_EXAMPLES * len(names) / max(coded, 1)), 4)

    def _self_train(self, views: dict, rows: np.ndarray, targets: dict[str, np.ndarray], others: np.ndarray,
                    f: _Features, definitions: dict[str, tuple[dict, np.ndarray]]) -> None:
        """Fit again with the surer half of the answers nobody coded, coded by the first fit
        (their most likely theme, or nothing): a classifier learned from ten examples of a theme
        then also sees the many ways the other answers say it."""
        names = self.codebook_.names
        scores, none = self._scores(f.take(others), {view: X[others] for view, X in views.items()})
        best, rival = _top_and_rival(scores, none)
        top = scores.argmax(axis=1)
        sure = np.abs(best - rival)
        keep = sure >= np.quantile(sure, 1 - SELF_TRAINING_SHARE)
        coded_none = (none > best) if none is not None else np.zeros(len(others), dtype=bool)
        both = np.concatenate([rows, others[keep]])
        for name in self.models_:
            pseudo = coded_none[keep] if name == OTHER else ((top[keep] == names.index(name)) & ~coded_none[keep])
            y = np.concatenate([targets[name], pseudo.astype(int)])
            self.models_[name] = _fit(views, both, y, self.seed, definitions[name])

    # -- coding -----------------------------------------------------------------------------------
    def transform(self, answers: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
        """One row per input answer: ``answer_id``, ``theme_id`` (theme indices in the codebook
        joined by ``;``, ``"-1"`` for none), ``theme_label`` (theme names joined by ``;``, empty for
        none), ``score_<theme>`` per theme, ``reason``, ``status``."""
        check_is_fitted(self, "calibration_", msg="Le codeur n'est pas ajusté : appelez fit() (ou fit_transform()).")
        frame = all_answers(answers)
        ok = (frame["status"] == "ok").to_numpy()
        texts = frame.loc[ok, "text"].astype(str).tolist()
        names = self.codebook_.names
        scores = np.full((len(frame), len(names)), np.nan)
        ids = [str(NO_THEME)] * len(frame)
        labels = [""] * len(frame)
        reasons = [""] * len(frame)
        if texts:
            f = self._features(texts)
            s, none = self._scores(f)
            rows = np.flatnonzero(ok)
            scores[rows] = s
            for r, (i, chosen) in enumerate(zip(rows, self._choose(s, none, f=f), strict=True)):
                ids[i] = ";".join(str(j) for j in chosen) or str(NO_THEME)
                labels[i] = ";".join(names[j] for j in chosen)
                reasons[i] = self._reason(r, chosen, f, s)
        out = pd.DataFrame({"answer_id": frame["answer_id"].to_numpy(), "theme_id": ids,
                            "theme_label": labels})
        for j, name in enumerate(names):
            out[f"score_{name}"] = np.round(scores[:, j], 4)
        out["reason"] = reasons
        out["status"] = frame["status"].to_numpy()
        return out

    def _thresholds(self) -> np.ndarray:
        """Each theme's score threshold: learned per theme from hand-coded answers, else
        ``threshold``."""
        if getattr(self, "thresholds_", None):
            return np.array([self.thresholds_.get(t.name, 0.5) for t in self.codebook_.themes])
        return np.full(len(self.codebook_.themes), self.threshold)

    def fit_transform(self, answers: pd.DataFrame | Sequence[str], codes: Sequence | None = None) -> pd.DataFrame:
        """:meth:`fit` on the answers, then code them."""
        return self.fit(answers, codes).transform(answers)

    @property
    def themes_(self) -> pd.DataFrame:
        """The codebook's themes: ``theme_id`` (index in the codebook), ``label``, ``description``."""
        return pd.DataFrame({"theme_id": range(len(self.codebook_.themes)), "label": self.codebook_.names,
                             "description": [t.description for t in self.codebook_.themes]})

    def _reason(self, r: int, chosen: list[int], f: _Features, scores: np.ndarray) -> str:
        parts = []
        for j in chosen:
            name = self.codebook_.names[j]
            bits = f.matched[r].get(j)
            anchor = self.prototypes_[j]["anchors"][f.nearest[r, j]]
            near = "la description" if f.nearest[r, j] == 0 else f"l'exemple « {anchor[:60]} »"
            keyed = bool(self.prototypes_[j]["phrases"] or self.prototypes_[j]["patterns"])
            what = "mots-clés" if keyed else "mots du nom du thème"
            why = (f"{what} : {', '.join(bits)} ; " if bits else "") + f"proche de {near} ({f.sim[r, j]:.2f})"
            shared = self._definition_words(f.terms[r], j) if f.lex[r, j] > 0 else []
            shared = [w for w in shared if fold(w) not in (bits or ())]
            if shared:
                why += f" ; mots de la définition : {', '.join(shared)}"
            if name in self.models_:
                why += f" ; appris de vos réponses codées ({scores[r, j]:.2f})"
            elif self.models_:
                why += " ; trop peu de réponses codées à la main pour ce thème : la grille seule"
            parts.append(f"{name} ({why})")
        return " | ".join(parts) if parts else "aucun thème assez proche"

    def _definition_words(self, terms: list[str], j: int) -> list[str]:
        """The lemmas of an answer found in theme ``j``'s name, definition or examples, but the
        adverbs and quantifiers French analysis keeps as content ("plus", "moins", "très"): they
        weigh little in the score and say nothing to a reader."""
        from spacy.lang.fr.stop_words import STOP_WORDS

        words = set(terms) & {w for anchor in self.prototypes_[j]["terms"] for w in anchor}
        return sorted(w for w in words if w.casefold() not in STOP_WORDS)

    def to_review(self, n: int = 20, answers: pd.DataFrame | Sequence[str] | None = None) -> pd.DataFrame:
        """What a person should code next.

        Without ``answers``: the hand-coded answers the model is least sure of (cross-validated
        probability nearest its threshold on some theme). With ``answers``: among those not
        coded by hand yet, ``n`` answers whose correction would teach the model most: the most
        uncertain, kept diverse (an answer too close to one already chosen is passed over), with
        the codes the model proposes (``answer_id``, ``text``, ``proposed``, ``uncertainty``).

        This works before any hand coding too. The first round (nothing coded by hand yet) is
        chosen otherwise: one answer at the centre of each of ``n`` groups of similar answers
        (k-means on the embeddings, seeded), the largest groups first, so that the first
        corrections cover what the answers talk about. The answers the codebook alone is least
        sure of are mostly those it cannot place at all, and teach little: on the LGA
        single-label answers, kappa after a first round of 20 corrections 0.61 / 0.58 / 0.63 on
        DC13 / FI7 / FI8 with them, 0.87 / 0.56 / 0.72 with the groups' centres, means of three
        splits (docs/benchmarks.md, the review loop on single-label answers)."""
        check_is_fitted(self, "calibration_", msg="Le codeur n'est pas ajusté : appelez fit() (ou fit_transform()).")
        names = self.codebook_.names
        thresholds = self._thresholds()
        if answers is None:
            if not getattr(self, "models_", None):
                raise ValueError("fit() the coder on hand-coded answers first")
            margin = np.abs(self.cv_proba_ - thresholds[None, :]).min(axis=1)
            order = np.argsort(margin, kind="stable")[:n]
            return pd.DataFrame({"index": order, "text": [self.fit_texts_[i] for i in order],
                                 "uncertainty": np.round(1 - np.clip(margin[order] * 2, 0, 1), 3)})
        frame = ok_answers(answers)
        coded = set(getattr(self, "fit_texts_", []))
        frame = frame[~frame["text"].astype(str).isin(coded)]
        texts = frame["text"].astype(str).tolist()
        if not texts:
            return pd.DataFrame(columns=["answer_id", "text", "proposed", "uncertainty"])
        f = self._features(texts)
        emb = f.emb
        proba, none = self._scores(f)
        near = np.abs(proba - thresholds[None, :])
        learned = self._learned()
        if self.models_ and learned.any():  # a theme still coded from the codebook alone does not
            near = near[:, learned]           # make an answer uncertain by its threshold
        margin = near.min(axis=1)
        if self.models_:  # learned: unsure between its two likeliest themes (or none), or near a threshold
            best, rival = _top_and_rival(proba, none)
            margin = np.minimum(margin, np.abs(best - rival))
            chosen = _least_sure(margin, emb, n)
        else:
            # fewer distinct answers than groups: the least sure fill up
            chosen = _fill_up(_centres(emb, n, self.seed) if len(texts) > n else [],
                              np.argsort(margin, kind="stable"), n)
        ids = frame["answer_id"].astype(str).tolist() if "answer_id" in frame.columns else \
            [str(i) for i in range(len(texts))]
        picked = np.asarray(chosen, dtype=int)
        codes = self._choose(proba[picked], None if none is None else none[picked], f=f.take(picked))
        proposed = [";".join(names[j] for j in js) for js in codes]
        return pd.DataFrame({"answer_id": [ids[i] for i in chosen], "text": [texts[i] for i in chosen],
                             "proposed": proposed, "uncertainty": np.round(1 - np.clip(margin[chosen] * 2, 0, 1), 3)})

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Save the codebook, calibration and learned classifiers (JSON + npz; no pickle)."""
        check_is_fitted(self, "calibration_")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.codebook_.to_yaml(directory / "codebook.yml")
        text_views = getattr(self, "text_views_", None)
        vocab, idf = text_views.state() if text_views is not None else ({}, {})
        state = {"format": 4, "embedder": self.embedder if isinstance(self.embedder, str) else None,
                 "threshold": self.threshold, "calibration": self.calibration_, "seed": self.seed,
                 "thresholds": getattr(self, "thresholds_", {}), "views": vocab,
                 "prior_weight": getattr(self, "prior_weight_", 0.0),
                 "keyword_weight": getattr(self, "keyword_weight_", self.KEYWORD_WEIGHT),
                 "name_words": getattr(self, "name_words_", {})}
        (directory / "coder.json").write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
        if self.models_ or idf:  # the lemmas' weights serve the codebook alone too (_lexical)
            arrays = dict(idf)
            for name, model in self.models_.items():
                for view, (coef, intercept) in model.items():
                    arrays[f"{name}__{view}__coef"] = coef
                    arrays[f"{name}__{view}__intercept"] = np.array([intercept])
            np.savez(directory / "classifiers.npz", **arrays)
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: str | Embedder | None = None,
             cache_dir: str | Path | None = None) -> CodebookCoder:
        """A coder saved by :meth:`save`, ready to code a new wave (``transform``). Coders saved
        before the character and lemma views (one classifier per theme) load as they were."""
        from ..errors import RetexInputError

        directory = Path(directory)
        if not (directory / "coder.json").is_file():
            what = "dossier introuvable" if not directory.exists() else "aucun fichier coder.json dans ce dossier"
            raise RetexInputError(f"codeur enregistré introuvable ({what}) ; un codeur s'enregistre avec "
                                  "« retex code … --save DOSSIER » ou CodebookCoder.save()", path=directory)
        try:
            state = json.loads((directory / "coder.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RetexInputError(f"codeur illisible ou incomplet ({exc})", path=directory) from exc
        book = Codebook.read(directory / "codebook.yml")
        coder = cls(book, embedder or state["embedder"] or "use", threshold=state["threshold"], seed=state["seed"],
                    cache_dir=cache_dir)
        coder._start([], None)
        coder.calibration_ = {k: tuple(v) for k, v in state["calibration"].items()}
        coder.thresholds_ = {k: float(v) for k, v in (state.get("thresholds") or {}).items()}
        coder.prior_weight_ = float(state.get("prior_weight", 0.0))
        coder.keyword_weight_ = float(state.get("keyword_weight", 1.0))  # format 2 learned keywords at 1
        coder.name_words_ = {k: list(v) for k, v in (state.get("name_words") or {}).items()}  # none before format 4
        coder.models_ = {}
        path = directory / "classifiers.npz"
        if path.exists():
            arrays = np.load(path)
            if state.get("views"):
                coder.text_views_ = TextViews.from_state(state["views"], arrays)
            for key in arrays.files:
                if not key.endswith("__coef"):
                    continue
                base = key[: -len("__coef")]
                name, _, view = base.rpartition("__")
                if view not in VIEWS:  # format 1: one classifier per theme, on the dense view
                    name, view = base, "dense"
                coder.models_.setdefault(name, {})[view] = (np.asarray(arrays[key], dtype=np.float64).ravel(),
                                                            float(np.ravel(arrays[f"{base}__intercept"])[0]))
        return coder


def _best_threshold(proba: np.ndarray, y: np.ndarray, coded: np.ndarray) -> float:
    """The probability from which a theme is also coded beside an answer's likeliest theme that
    maximises its F1 on cross-validated probabilities (``coded``: answers where it is the
    likeliest, coded anyway; the lowest of equals, so that a rare theme is not left uncoded;
    above every probability: never beside another)."""
    best, best_f1 = 0.5, -1.0
    for t in [*np.unique(np.round(proba, 3)), 1.01]:
        pred = coded | (proba >= t)
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(float(pred.sum() + y.sum()), 1.0)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best
