"""Deductive coding against a codebook, and learning from hand-coded answers.

:class:`CodebookCoder` codes each answer multi-label. Fitted on the answers alone it combines
keyword matches on lemmas (and ``*`` patterns on words) with the embedding similarity of the
answer to the theme's description and examples, calibrated on the answers' own similarity
distribution; answers that fit no theme are in no theme. Fitted with hand-coded answers
(``fit(answers, codes)``) it learns one classifier per theme, reports cross-validated
precision, recall, F1 and Cohen's kappa, and :meth:`CodebookCoder.to_review` lists the answers
it is least sure of.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..answers import NO_THEME, all_answers, ok_answers, split_codes
from ..embed import Embedder, embedding_model, fit_embedder, unit_rows
from ..text.analyzer import FrenchAnalyzer, default_analyzer
from .agreement import code_matrix, cohen_kappa
from .codebook import OTHER, Codebook, Theme

__all__ = ["CodebookCoder"]

_WORD = re.compile(r"[\w'-]+")


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
        Score (0-1) from which a theme is coded. Scores are ``0.4`` for a keyword match plus
        ``0.6`` x the calibrated similarity (0 at the answers' median similarity to the theme,
        1 at its 99th percentile); a keyword alone codes the theme unless the answer is less
        similar than the median, similarity alone from about the 90th percentile.
    cache_dir:
        Folder of the on-disk embedding cache (``None``: in memory, for this run).
    """

    def __init__(self, codebook: Codebook | str | Path, embedder: str | Embedder | None = "use", *,
                 threshold: float = 0.4, analyzer: FrenchAnalyzer | None = None, cache_dir: str | Path | None = None,
                 seed: int = 0, cv: int = 5) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.threshold = threshold
        self.analyzer = analyzer
        self.cache_dir = cache_dir
        self.seed = seed
        self.cv = cv

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
                "counter": self._emb(t.counter_examples) if t.counter_examples else None,
                "terms": {analyzer.term_of(k) for k in t.keywords if "*" not in k},
                "patterns": [k.lower() for k in t.keywords if "*" in k],
            })
        return proto

    def _features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[str]], np.ndarray,
                                                   np.ndarray]:
        """Similarity, counter-similarity, keyword matches, matched terms, embeddings, nearest anchor."""
        analyzer = self.analyzer or default_analyzer()
        emb = self._emb(texts)
        terms = analyzer.terms(texts) if texts else []
        n, k = len(texts), len(self.prototypes_)
        sim = np.zeros((n, k), dtype=np.float32)
        nearest = np.zeros((n, k), dtype=int)
        counter = np.full((n, k), -1.0, dtype=np.float32)
        kw = np.zeros((n, k), dtype=np.float32)
        matched: list[list[str]] = [[] for _ in range(n)]
        for j, p in enumerate(self.prototypes_):
            s = emb @ p["emb"].T
            sim[:, j] = s.max(axis=1)
            nearest[:, j] = s.argmax(axis=1)
            if p["counter"] is not None:
                counter[:, j] = (emb @ p["counter"].T).max(axis=1)
        patterns = any(p["patterns"] for p in self.prototypes_)
        for i, (text, ts) in enumerate(zip(texts, terms, strict=True)):
            words = [w.lower() for w in _WORD.findall(text)] if patterns else []
            tset = set(ts)
            found = []
            for j, p in enumerate(self.prototypes_):
                hits = sorted(tset & p["terms"]) + sorted({w for w in words for pat in p["patterns"]
                                                          if fnmatch.fnmatchcase(w, pat)})
                if hits:
                    kw[i, j] = 1.0
                    found.append(f"{self.codebook_.themes[j].name}: {', '.join(hits)}")
            matched[i] = found
        return sim, counter, kw, matched, emb, nearest

    def _scores(self, sim: np.ndarray, counter: np.ndarray, kw: np.ndarray, emb: np.ndarray) -> np.ndarray:
        if self.models_:
            X = np.hstack([emb, sim, kw])
            return np.column_stack([self.models_[t.name].predict_proba(X)[:, 1] if t.name in self.models_
                                    else np.zeros(len(emb)) for t in self.codebook_.themes])
        med = np.array([self.calibration_[t.name][0] for t in self.codebook_.themes])
        top = np.array([self.calibration_[t.name][1] for t in self.codebook_.themes])
        rel = (sim - med) / np.maximum(top - med, 1e-6)
        score = 0.4 * kw * (rel >= 0) + 0.6 * np.clip(rel, 0, 1)
        # closer to a counter-example than to the theme: not this theme
        return np.where(counter > sim, 0.0, score)

    def _start(self, texts: list[str], codes: Sequence | None) -> None:
        """Resolve the codebook (a copy, with the themes of ``codes`` it lacks) and the embedder."""
        book = self.codebook if isinstance(self.codebook, Codebook) else Codebook.read(self.codebook)
        book = copy.deepcopy(book)
        if codes is not None:
            known = set(book.names)
            for name in sorted({c for v in codes for c in split_codes(v)} - known - {OTHER}):
                book.themes.append(Theme(name))
        self.codebook_ = book
        anchors = [a for t in book.themes for a in [f"{t.name}. {t.description}", *t.examples, *t.counter_examples]]
        self.embedder_ = fit_embedder(embedding_model(self.embedder, self.cache_dir), [*texts, *anchors])
        self.prototypes_ = self._prototypes()

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
        self._start(texts, codes)
        sim, counter, kw, _, emb, _ = self._features(texts)
        self.calibration_ = {t.name: (float(np.median(sim[:, j])), float(np.quantile(sim[:, j], 0.99)))
                             for j, t in enumerate(self.codebook_.themes)}
        self.models_ = {}
        self.thresholds_ = {}
        if codes is not None:
            rows = np.asarray(labelled, dtype=int)
            self._learn([texts[i] for i in rows], list(codes), np.hstack([emb, sim, kw])[rows])
        return self

    #: Hand-coded answers of a theme from which its threshold is tuned on cross-validated
    #: probabilities (with fewer, 0.5: on 10 examples per theme, tuned thresholds over-code).
    MIN_FOR_THRESHOLD = 30

    def _learn(self, texts: list[str], codes: list, X: np.ndarray) -> None:
        """One classifier per theme on the embedding, the similarity to each theme's definition
        and examples, and keyword matches; a theme coded by hand at least
        :attr:`MIN_FOR_THRESHOLD` times gets the threshold that maximises its cross-validated
        F1, the others 0.5."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict

        Y = code_matrix(codes, self.codebook_.names)
        rows = []
        self.cv_proba_ = np.zeros(Y.shape)
        pred_all = np.zeros(Y.shape, dtype=int)
        for j, name in enumerate(self.codebook_.names):
            y = Y[:, j]
            if y.sum() < 2 or y.sum() > len(y) - 2:
                rows.append({"theme": name, "n_coded": int(y.sum()), "threshold": np.nan, "precision": np.nan,
                             "recall": np.nan, "f1": np.nan, "kappa": np.nan})
                continue
            clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
            # stratified, and never more folds than examples of the rarer side: every training
            # fold then holds both classes (a theme coded twice in 25 answers used to crash here)
            splits = max(2, min(self.cv, int(y.sum()), int(len(y) - y.sum())))
            folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=self.seed)
            proba = cross_val_predict(clf, X, y, cv=folds, method="predict_proba")[:, 1]
            self.cv_proba_[:, j] = proba
            threshold = _best_threshold(proba, y) if y.sum() >= self.MIN_FOR_THRESHOLD else 0.5
            pred = (proba >= threshold).astype(int)
            pred_all[:, j] = pred
            tp = int((pred & y).sum())
            precision = tp / max(pred.sum(), 1)
            recall = tp / max(y.sum(), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            rows.append({"theme": name, "n_coded": int(y.sum()), "threshold": round(threshold, 3),
                         "precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3),
                         "kappa": round(cohen_kappa(y, pred), 3)})
            self.models_[name] = clf.fit(X, y)
            self.thresholds_[name] = threshold
        tp = int((pred_all & (Y == 1)).sum())
        micro_p = tp / max(int(pred_all.sum()), 1)
        micro_r = tp / max(int(Y.sum()), 1)
        self.report_ = pd.DataFrame(rows)
        self.report_.attrs["micro_f1"] = round(2 * micro_p * micro_r / max(micro_p + micro_r, 1e-9), 3)
        self.report_.attrs["macro_f1"] = round(float(self.report_["f1"].mean()), 3)
        self.report_.attrs["mean_kappa"] = round(float(self.report_["kappa"].mean()), 3)
        self.report_.attrs["n_coded"] = len(texts)
        self.fit_texts_ = texts

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
            sim, counter, kw, matched, emb, nearest = self._features(texts)
            s = self._scores(sim, counter, kw, emb)
            thresholds = self._thresholds()
            rows = np.flatnonzero(ok)
            scores[rows] = s
            for r, i in enumerate(rows):
                chosen = [j for j in np.argsort(-s[r], kind="stable") if s[r, j] >= thresholds[j]]
                ids[i] = ";".join(str(j) for j in chosen) or str(NO_THEME)
                labels[i] = ";".join(names[j] for j in chosen)
                reasons[i] = self._reason(r, chosen, sim, matched, nearest)
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
        if self.models_:
            return np.array([getattr(self, "thresholds_", {}).get(t.name, 0.5) for t in self.codebook_.themes])
        return np.full(len(self.codebook_.themes), self.threshold)

    def fit_transform(self, answers: pd.DataFrame | Sequence[str], codes: Sequence | None = None) -> pd.DataFrame:
        """:meth:`fit` on the answers, then code them."""
        return self.fit(answers, codes).transform(answers)

    @property
    def themes_(self) -> pd.DataFrame:
        """The codebook's themes: ``theme_id`` (index in the codebook), ``label``, ``description``."""
        return pd.DataFrame({"theme_id": range(len(self.codebook_.themes)), "label": self.codebook_.names,
                             "description": [t.description for t in self.codebook_.themes]})

    def _reason(self, r: int, chosen: list[int], sim: np.ndarray, matched: list[list[str]],
                nearest: np.ndarray) -> str:
        parts = []
        for j in chosen:
            name = self.codebook_.names[j]
            bits = [m.split(": ", 1)[1] for m in matched[r] if m.startswith(name + ": ")]
            anchor = self.prototypes_[j]["anchors"][nearest[r, j]]
            near = "la description" if nearest[r, j] == 0 else f"l'exemple « {anchor[:60]} »"
            why = (f"mots-clés : {bits[0]} ; " if bits else "") + f"proche de {near} ({sim[r, j]:.2f})"
            parts.append(f"{name} ({why})")
        return " | ".join(parts) if parts else "aucun thème assez proche"

    def to_review(self, n: int = 20, answers: pd.DataFrame | Sequence[str] | None = None) -> pd.DataFrame:
        """What a person should code next.

        With ``answers`` this works before any hand coding too (the first round: the answers
        the codebook alone codes least surely). Without ``answers``: the hand-coded answers the model is least sure of (cross-validated
        probability nearest its threshold on some theme). With ``answers``: among those not
        coded by hand yet, ``n`` answers whose correction would teach the model most: the most
        uncertain, kept diverse (an answer too close to one already chosen is passed over), with
        the codes the model proposes (``answer_id``, ``text``, ``proposed``, ``uncertainty``)."""
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
        sim, counter, kw, _, emb, _ = self._features(texts)
        proba = self._scores(sim, counter, kw, emb)
        margin = np.abs(proba - thresholds[None, :]).min(axis=1)
        pool = np.argsort(margin, kind="stable")[: max(5 * n, n)]
        chosen: list[int] = []
        for i in pool:  # diverse: skip an answer nearly the same as one already chosen
            if all(float(emb[i] @ emb[j]) < 0.9 for j in chosen):
                chosen.append(int(i))
            if len(chosen) == n:
                break
        ids = frame["answer_id"].astype(str).tolist() if "answer_id" in frame.columns else \
            [str(i) for i in range(len(texts))]
        proposed = [";".join(names[j] for j in np.argsort(-proba[i], kind="stable") if proba[i, j] >= thresholds[j])
                    for i in chosen]
        return pd.DataFrame({"answer_id": [ids[i] for i in chosen], "text": [texts[i] for i in chosen],
                             "proposed": proposed, "uncertainty": np.round(1 - np.clip(margin[chosen] * 2, 0, 1), 3)})

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Save the codebook, calibration and learned classifiers (JSON + npz; no pickle)."""
        check_is_fitted(self, "calibration_")
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.codebook_.to_yaml(directory / "codebook.yml")
        state = {"embedder": self.embedder if isinstance(self.embedder, str) else None,
                 "threshold": self.threshold, "calibration": self.calibration_, "seed": self.seed,
                 "thresholds": getattr(self, "thresholds_", {})}
        (directory / "coder.json").write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        if self.models_:
            linear = {k: _as_linear(m) for k, m in self.models_.items()}
            np.savez(directory / "classifiers.npz", **{f"{k}__coef": c for k, (c, _) in linear.items()},
                     **{f"{k}__intercept": b for k, (_, b) in linear.items()})
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: str | Embedder | None = None,
             cache_dir: str | Path | None = None) -> CodebookCoder:
        """A coder saved by :meth:`save`, ready to code a new wave (``transform``)."""
        from sklearn.linear_model import LogisticRegression

        from ..errors import RetexInputError

        directory = Path(directory)
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
        coder.models_ = {}
        path = directory / "classifiers.npz"
        if path.exists():
            arrays = np.load(path)
            for key in arrays.files:
                name, part = key.rsplit("__", 1)
                if part == "coef":
                    clf = LogisticRegression()
                    clf.coef_ = arrays[key]
                    clf.intercept_ = arrays[f"{name}__intercept"]
                    clf.classes_ = np.array([0, 1])
                    coder.models_[name] = clf
        return coder


def _as_linear(model) -> tuple[np.ndarray, np.ndarray]:
    """(coef, intercept) of a logistic regression, a standard scaler in front of it folded in,
    so that a saved coder holds plain numbers (no pickle) and gives the same probabilities."""
    steps = getattr(model, "steps", None)
    if steps is None:
        return model.coef_, model.intercept_
    scaler, clf = steps[0][1], steps[-1][1]
    coef = clf.coef_ / scaler.scale_
    return coef, clf.intercept_ - coef @ scaler.mean_


def _best_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The probability threshold that maximises F1 on cross-validated probabilities (the
    lowest of equals, so that a rare theme is not left uncoded)."""
    best, best_f1 = 0.5, -1.0
    for t in np.unique(np.round(proba, 3)):
        pred = proba >= t
        tp = float((pred & (y == 1)).sum())
        f1 = 2 * tp / max(float(pred.sum() + y.sum()), 1.0)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = float(t), f1
    return best
