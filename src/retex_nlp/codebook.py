"""Deductive coding against a codebook, and learning from hand-coded answers.

A codebook (YAML, or an XLSX sheet with the same columns) lists themes::

    themes:
      - name: liens numériques
        description: Les échanges avec les familles et les enfants par visio ou téléphone.
        keywords: [visio, téléphone, appel*, "lien avec les familles"]
        examples: ["Les appels vidéo quotidiens ont maintenu le lien."]
        counter_examples: ["Pas d'ordinateur pour travailler."]

:class:`CodebookCoder` codes each answer multi-label. Without hand-coded answers it combines
keyword matches on lemmas (and ``*`` patterns on words) with the embedding similarity of the
answer to the theme's description and examples, calibrated on the answers' own similarity
distribution; answers that fit no theme are coded ``autre``. With hand-coded answers,
:meth:`CodebookCoder.fit` learns one classifier per theme, reports cross-validated precision,
recall, F1 and Cohen's kappa, and :meth:`CodebookCoder.to_review` lists the answers it is least
sure of.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .agreement import code_matrix, cohen_kappa, split_codes
from .embed import Embedder, EmbeddingCache, get_embedder, unit_rows
from .errors import RetexInputError
from .terms import answer_rows, answer_texts, default_analyzer
from .text.analyzer import FrenchAnalyzer

__all__ = ["Theme", "Codebook", "CodebookCoder", "OTHER"]

OTHER = "autre"
_WORD = re.compile(r"[\w'-]+")


@dataclass
class Theme:
    """One codebook theme."""

    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    counter_examples: list[str] = field(default_factory=list)


@dataclass
class Codebook:
    """A list of themes, read from and written to YAML or XLSX."""

    themes: list[Theme]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> Codebook:
        items = data.get("themes") if isinstance(data, dict) else data
        if not isinstance(items, list) or not items:
            raise RetexInputError("a codebook needs a non-empty list 'themes'", path=source)
        themes = []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not str(item.get("name", "")).strip():
                raise RetexInputError(f"theme {i} has no name", path=source)
            unknown = set(item) - {"name", "description", "keywords", "examples", "counter_examples"}
            if unknown:
                raise RetexInputError(f"theme {item['name']!r}: unknown keys {sorted(unknown)}", path=source)
            themes.append(Theme(str(item["name"]).strip(), str(item.get("description") or ""),
                                [str(x) for x in item.get("keywords") or []],
                                [str(x) for x in item.get("examples") or []],
                                [str(x) for x in item.get("counter_examples") or []]))
        names = [t.name for t in themes]
        if len(set(names)) != len(names) or OTHER in names:
            raise RetexInputError(f"theme names must be unique and not {OTHER!r}: {names}", path=source)
        return cls(themes)

    @classmethod
    def read(cls, path: str | Path, sheet: str | int = 0) -> Codebook:
        """Read a codebook from ``.yml``/``.yaml`` or ``.xlsx`` (columns name, description,
        keywords, examples, counter_examples; lists separated by ``;`` or line breaks)."""
        path = Path(path)
        if not path.exists():
            raise RetexInputError("codebook not found", path=path)
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, sheet_name=sheet, dtype=str).fillna("")
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            if "name" not in frame.columns:
                raise RetexInputError(f"no 'name' column; columns are {list(frame.columns)}", path=path)
            items = []
            for _, row in frame.iterrows():
                item = {"name": row["name"], "description": row.get("description", "")}
                for key in ("keywords", "examples", "counter_examples"):
                    item[key] = [x.strip() for x in re.split(r"[;\n]", row.get(key, "")) if x.strip()]
                items.append(item)
            return cls.from_dict({"themes": items}, str(path))
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RetexInputError(f"invalid YAML: {exc}", path=path) from exc
        return cls.from_dict(data, str(path))

    def to_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump({"themes": [asdict(t) for t in self.themes]}, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        return path

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{**asdict(t), **{k: "; ".join(getattr(t, k)) for k in
                                                ("keywords", "examples", "counter_examples")}} for t in self.themes])

    def to_xlsx(self, path: str | Path) -> Path:
        path = Path(path)
        self.to_frame().to_excel(path, index=False, sheet_name="codebook")
        return path


class CodebookCoder:
    """Code answers against a :class:`Codebook` (see the module docstring).

    Parameters
    ----------
    codebook:
        A :class:`Codebook` or the path of a YAML/XLSX codebook.
    embedder:
        ``"use"`` (default, offline), ``"st:PATH"``, ``"tfidf"`` or an embedder.
    threshold:
        Score (0-1) from which a theme is coded. Scores are ``0.4`` for a keyword match plus
        ``0.6`` x the calibrated similarity (0 at the answers' median similarity to the theme,
        1 at its 99th percentile); a keyword alone codes the theme unless the answer is less
        similar than the median, similarity alone from about the 90th percentile.
    """

    def __init__(self, codebook: Codebook | str | Path, embedder: str | Embedder | None = "use", *,
                 threshold: float = 0.4, analyzer: FrenchAnalyzer | None = None, cache_dir: str | Path | None = None,
                 seed: int = 0) -> None:
        self.codebook = codebook if isinstance(codebook, Codebook) else Codebook.read(codebook)
        self.embedder = embedder
        self.threshold = threshold
        self.analyzer = analyzer
        self.cache_dir = cache_dir
        self.seed = seed
        self.calibration_: dict[str, tuple[float, float]] | None = None
        self.models_: dict | None = None

    # -- internals --------------------------------------------------------------------------------
    def _emb(self, texts: Sequence[str]) -> np.ndarray:
        if not hasattr(self, "_embedder_obj"):
            self._embedder_obj = get_embedder(self.embedder)
        if self.cache_dir:
            vectors = EmbeddingCache(self.cache_dir).encode(self._embedder_obj, list(texts))
        else:
            vectors = self._embedder_obj.encode(list(texts))
        return unit_rows(vectors)

    def _prototypes(self) -> None:
        if hasattr(self, "_proto"):
            return
        analyzer = self.analyzer or default_analyzer()
        self._proto = []
        for t in self.codebook.themes:
            anchors = [f"{t.name}. {t.description}".strip()] + t.examples
            self._proto.append({
                "anchors": anchors, "emb": self._emb(anchors),
                "counter": self._emb(t.counter_examples) if t.counter_examples else None,
                "terms": {analyzer.term_of(k) for k in t.keywords if "*" not in k},
                "patterns": [k.lower() for k in t.keywords if "*" in k],
            })

    def _features(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[list[str]], np.ndarray]:
        """Similarity, counter-similarity, keyword matches, matched terms, embeddings."""
        self._prototypes()
        analyzer = self.analyzer or default_analyzer()
        emb = self._emb(texts)
        terms = analyzer.terms(texts) if texts else []
        n, k = len(texts), len(self._proto)
        sim = np.zeros((n, k), dtype=np.float32)
        nearest = np.zeros((n, k), dtype=int)
        counter = np.full((n, k), -1.0, dtype=np.float32)
        kw = np.zeros((n, k), dtype=np.float32)
        matched: list[list[str]] = [[] for _ in range(n)]
        for j, p in enumerate(self._proto):
            s = emb @ p["emb"].T
            sim[:, j] = s.max(axis=1)
            nearest[:, j] = s.argmax(axis=1)
            if p["counter"] is not None:
                counter[:, j] = (emb @ p["counter"].T).max(axis=1)
        for i, (text, ts) in enumerate(zip(texts, terms, strict=True)):
            words = [w.lower() for w in _WORD.findall(text)] if any(p["patterns"] for p in self._proto) else []
            tset = set(ts)
            found = []
            for j, p in enumerate(self._proto):
                hits = sorted(tset & p["terms"]) + sorted({w for w in words for pat in p["patterns"]
                                                          if fnmatch.fnmatchcase(w, pat)})
                if hits:
                    kw[i, j] = 1.0
                    found.append(f"{self.codebook.themes[j].name}: {', '.join(hits)}")
            matched[i] = found
        self._nearest = nearest
        return sim, counter, kw, matched, emb

    def calibrate(self, answers: pd.DataFrame | Sequence[str]) -> CodebookCoder:
        """Learn each theme's similarity scale (median and 99th percentile) on these answers.
        Done on the first :meth:`transform` when not called; kept for later waves and by :meth:`save`."""
        texts = answer_texts(answers)["text"].astype(str).tolist()
        sim = self._features(texts)[0]
        self.calibration_ = {t.name: (float(np.median(sim[:, j])), float(np.quantile(sim[:, j], 0.99)))
                             for j, t in enumerate(self.codebook.themes)}
        return self

    def _scores(self, sim: np.ndarray, counter: np.ndarray, kw: np.ndarray, emb: np.ndarray) -> np.ndarray:
        if self.models_:
            X = np.hstack([emb, sim, kw])
            return np.column_stack([self.models_[t.name].predict_proba(X)[:, 1] if t.name in self.models_
                                    else np.zeros(len(emb)) for t in self.codebook.themes])
        med = np.array([self.calibration_[t.name][0] for t in self.codebook.themes])
        top = np.array([self.calibration_[t.name][1] for t in self.codebook.themes])
        rel = (sim - med) / np.maximum(top - med, 1e-6)
        score = 0.4 * kw * (rel >= 0) + 0.6 * np.clip(rel, 0, 1)
        # closer to a counter-example than to the theme: not this theme
        return np.where(counter > sim, 0.0, score)

    # -- coding -----------------------------------------------------------------------------------
    def transform(self, answers: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
        """One row per input answer: ``answer_id``, ``codes`` (``;``-joined, ``autre`` when none;
        empty for answers that are not ``ok``), ``score_<theme>`` per theme, ``reason``, ``status``."""
        frame = answer_rows(answers)
        ok = (frame["status"] == "ok").to_numpy()
        texts = frame.loc[ok, "text"].astype(str).tolist()
        if self.calibration_ is None and not self.models_:
            self.calibrate(texts)
        names = self.codebook.names
        scores = np.full((len(frame), len(names)), np.nan)
        codes = [""] * len(frame)
        reasons = [""] * len(frame)
        if texts:
            sim, counter, kw, matched, emb = self._features(texts)
            s = self._scores(sim, counter, kw, emb)
            threshold = 0.5 if self.models_ else self.threshold
            rows = np.flatnonzero(ok)
            scores[rows] = s
            for r, i in enumerate(rows):
                chosen = [names[j] for j in np.argsort(-s[r], kind="stable") if s[r, j] >= threshold]
                codes[i] = ";".join(chosen) or OTHER
                reasons[i] = self._reason(r, chosen, sim, matched)
        out = pd.DataFrame({"answer_id": frame["answer_id"].to_numpy(), "codes": codes})
        for j, name in enumerate(names):
            out[f"score_{name}"] = np.round(scores[:, j], 4)
        out["reason"] = reasons
        out["status"] = frame["status"].to_numpy()
        return out

    def _reason(self, r: int, chosen: list[str], sim: np.ndarray, matched: list[list[str]]) -> str:
        parts = []
        for name in chosen:
            j = self.codebook.names.index(name)
            bits = [m.split(": ", 1)[1] for m in matched[r] if m.startswith(name + ": ")]
            anchor = self._proto[j]["anchors"][self._nearest[r, j]]
            near = "la description" if self._nearest[r, j] == 0 else f"l'exemple « {anchor[:60]} »"
            why = (f"mots-clés : {bits[0]} ; " if bits else "") + f"proche de {near} ({sim[r, j]:.2f})"
            parts.append(f"{name} ({why})")
        return " | ".join(parts) if parts else "aucun thème assez proche"

    # -- learning from hand-coded answers ---------------------------------------------------------------
    def fit(self, answers: pd.DataFrame | Sequence[str], codes: Sequence, *, cv: int = 5) -> CodebookCoder:
        """Learn from hand-coded answers (multi-label: ``"a;b"`` strings or lists, aligned with the
        ``ok`` answers). Themes in ``codes`` missing from the codebook are added. Computes
        ``report_``: cross-validated precision, recall, F1 and Cohen's kappa per theme."""
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import KFold, cross_val_predict

        texts = answer_texts(answers)["text"].astype(str).tolist()
        if len(texts) != len(codes):
            raise ValueError(f"{len(codes)} codes for {len(texts)} ok answers")
        known = set(self.codebook.names)
        for name in sorted({c for v in codes for c in split_codes(v)} - known - {OTHER}):
            self.codebook.themes.append(Theme(name))
        if hasattr(self, "_proto"):
            del self._proto
        self.calibrate(texts)
        sim, counter, kw, _, emb = self._features(texts)
        X = np.hstack([emb, sim, kw])
        Y = code_matrix(list(codes), self.codebook.names)
        folds = KFold(n_splits=min(cv, len(texts)), shuffle=True, random_state=self.seed)
        self.models_, rows = {}, []
        self.cv_proba_ = np.zeros(Y.shape)
        for j, name in enumerate(self.codebook.names):
            y = Y[:, j]
            if y.sum() < 2 or y.sum() > len(y) - 2:
                rows.append({"theme": name, "n_coded": int(y.sum()), "precision": np.nan, "recall": np.nan,
                             "f1": np.nan, "kappa": np.nan})
                continue
            clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
            proba = cross_val_predict(clf, X, y, cv=folds, method="predict_proba")[:, 1]
            self.cv_proba_[:, j] = proba
            pred = (proba >= 0.5).astype(int)
            tp = int((pred & y).sum())
            precision = tp / max(pred.sum(), 1)
            recall = tp / max(y.sum(), 1)
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            rows.append({"theme": name, "n_coded": int(y.sum()), "precision": round(precision, 3),
                         "recall": round(recall, 3), "f1": round(f1, 3), "kappa": round(cohen_kappa(y, pred), 3)})
            self.models_[name] = clf.fit(X, y)
        pred_all = self.cv_proba_ >= 0.5
        tp = int((pred_all & (Y == 1)).sum())
        micro_p = tp / max(int(pred_all.sum()), 1)
        micro_r = tp / max(int(Y.sum()), 1)
        self.report_ = pd.DataFrame(rows)
        self.report_.attrs["micro_f1"] = round(2 * micro_p * micro_r / max(micro_p + micro_r, 1e-9), 3)
        self.report_.attrs["macro_f1"] = round(float(self.report_["f1"].mean()), 3)
        self._fit_texts = texts
        return self

    def to_review(self, n: int = 20) -> pd.DataFrame:
        """The hand-coded answers the model is least sure of (cross-validated probability
        nearest 0.5 on some theme): what a human should check next."""
        if not self.models_:
            raise ValueError("fit() the coder on hand-coded answers first")
        margin = np.abs(self.cv_proba_ - 0.5).min(axis=1)
        order = np.argsort(margin, kind="stable")[:n]
        return pd.DataFrame({"index": order, "text": [self._fit_texts[i] for i in order],
                             "uncertainty": np.round(1 - 2 * margin[order], 3)})

    # -- persistence -------------------------------------------------------------------------------
    def save(self, directory: str | Path) -> Path:
        """Save the codebook, calibration and learned classifiers (JSON + npz; no pickle)."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.codebook.to_yaml(directory / "codebook.yml")
        state = {"embedder": self.embedder if isinstance(self.embedder, str) else None,
                 "threshold": self.threshold, "calibration": self.calibration_, "seed": self.seed}
        (directory / "coder.json").write_text(json.dumps(state, ensure_ascii=False, indent=2), encoding="utf-8")
        if self.models_:
            np.savez(directory / "classifiers.npz", **{f"{k}__coef": m.coef_ for k, m in self.models_.items()},
                     **{f"{k}__intercept": m.intercept_ for k, m in self.models_.items()})
        return directory

    @classmethod
    def load(cls, directory: str | Path, embedder: str | Embedder | None = None) -> CodebookCoder:
        from sklearn.linear_model import LogisticRegression

        directory = Path(directory)
        state = json.loads((directory / "coder.json").read_text(encoding="utf-8"))
        coder = cls(Codebook.read(directory / "codebook.yml"), embedder or state["embedder"] or "use",
                    threshold=state["threshold"], seed=state["seed"])
        coder.calibration_ = {k: tuple(v) for k, v in state["calibration"].items()} if state["calibration"] else None
        path = directory / "classifiers.npz"
        if path.exists():
            arrays = np.load(path)
            coder.models_ = {}
            for key in arrays.files:
                name, part = key.rsplit("__", 1)
                if part == "coef":
                    clf = LogisticRegression()
                    clf.coef_ = arrays[key]
                    clf.intercept_ = arrays[f"{name}__intercept"]
                    clf.classes_ = np.array([0, 1])
                    coder.models_[name] = clf
        return coder
