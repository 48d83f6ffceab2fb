"""Mixed coding: the codebook's themes, plus new themes found in what the codebook misses.

:class:`MixedCoder` codes the answers against a codebook (:class:`~retex_nlp.CodebookCoder`),
then looks for themes (:class:`~retex_nlp.ThemeFinder`) among the answers coded ``autre`` only.
Those answers get a new theme named ``"nouveau : <label>"``; the ones that fit no new theme
stay ``autre``. This is how an analyst works with a codebook written before reading: keep the
expected themes, and see what people said that nobody expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import OTHER, Codebook, CodebookCoder
from .embed import Embedder, MemoEmbedder, get_embedder
from .terms import answer_rows
from .text.analyzer import FrenchAnalyzer
from .themes import OUTLIER, ThemeFinder

__all__ = ["MixedCoder", "NEW_PREFIX"]

NEW_PREFIX = "nouveau : "


class MixedCoder:
    """Codebook themes plus new themes found in the ``autre`` answers.

    Parameters
    ----------
    codebook:
        A :class:`Codebook`, a path to one, or a :class:`CodebookCoder` (fitted on hand-coded
        answers or not), whose embedder is then used for the new themes too.
    n_new_themes:
        Target number of new themes (``None``: let the clustering decide).
    min_answers:
        Fewest ``autre`` answers worth looking for new themes in; below it, none are sought.
    max_outliers:
        Share of the ``autre`` answers that may stay ``autre`` after the new themes are found.
    """

    def __init__(self, codebook: Codebook | CodebookCoder | str | Path, embedder: str | Embedder | None = "use", *,
                 threshold: float = 0.4, n_new_themes: int | None = None, min_answers: int = 30,
                 max_outliers: float = 0.25, seed: int = 0, analyzer: FrenchAnalyzer | None = None,
                 cache_dir: str | Path | None = None) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.threshold = threshold
        self.n_new_themes = n_new_themes
        self.min_answers = min_answers
        self.max_outliers = max_outliers
        self.seed = seed
        self.analyzer = analyzer
        self.cache_dir = cache_dir

    def _coder(self) -> CodebookCoder:
        if not hasattr(self, "coder_"):
            if isinstance(self.codebook, CodebookCoder):
                self.coder_ = self.codebook
            else:
                self.coder_ = CodebookCoder(self.codebook, self._shared_embedder(), threshold=self.threshold,
                                            analyzer=self.analyzer, cache_dir=self.cache_dir, seed=self.seed)
        return self.coder_

    def _shared_embedder(self) -> Embedder:
        """One in-memory embedder for coding and new themes; a given coder's embedder is reused."""
        if not hasattr(self, "_embedder_obj"):
            spec = self.codebook.embedder if isinstance(self.codebook, CodebookCoder) else self.embedder
            embedder = get_embedder(spec)
            self._embedder_obj = embedder if isinstance(embedder, MemoEmbedder) else MemoEmbedder(embedder)
        return self._embedder_obj

    def fit_transform(self, answers: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
        """Code the answers, find new themes in the ``autre`` ones; one row per input answer with
        ``answer_id``, ``codes``, ``score_<theme>``, ``reason``, ``new_theme``, ``status``."""
        frame = answer_rows(answers)
        coded = self._coder().transform(frame)
        other = (coded["codes"] == OTHER).to_numpy()
        self.finder_ = None
        new = np.full(len(frame), OUTLIER)
        if other.sum() >= self.min_answers:
            self.finder_ = ThemeFinder(self._shared_embedder(), n_themes=self.n_new_themes,
                                       max_outliers=self.max_outliers, seed=self.seed, analyzer=self.analyzer,
                                       cache_dir=self.cache_dir)
            assigned = self.finder_.fit_transform(frame[other])
            new[other] = assigned["theme"].to_numpy()
        return self._combine(coded, new)

    def transform(self, answers: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
        """Code new answers (a later wave) with the codebook and the new themes found at fit time."""
        if not hasattr(self, "finder_"):
            raise ValueError("call fit_transform() first")
        frame = answer_rows(answers)
        coded = self._coder().transform(frame)
        other = (coded["codes"] == OTHER).to_numpy()
        new = np.full(len(frame), OUTLIER)
        if self.finder_ is not None and other.any():
            new[other] = self.finder_.transform(frame[other])["theme"].to_numpy()
        return self._combine(coded, new)

    def _combine(self, coded: pd.DataFrame, new: np.ndarray) -> pd.DataFrame:
        coded = coded.copy()
        labels = self.new_theme_names_
        has_new = new != OUTLIER
        coded.loc[has_new, "codes"] = [labels[t] for t in new[has_new].tolist()]
        coded.loc[has_new, "reason"] = [f"nouveau thème, hors du codebook ({labels[t][len(NEW_PREFIX):]})"
                                        for t in new[has_new].tolist()]
        coded.insert(coded.columns.get_loc("reason"), "new_theme", new)
        return coded

    @property
    def new_theme_names_(self) -> dict[int, str]:
        """New theme id -> its name in ``codes`` (``"nouveau : <label>"``)."""
        if not getattr(self, "finder_", None):
            return {}
        return {t: NEW_PREFIX + label for t, label in self.finder_.labels_.items()}

    @property
    def new_themes_(self) -> pd.DataFrame:
        """The new themes: theme, name, size (among the ``autre`` answers), key terms."""
        if not getattr(self, "finder_", None):
            return pd.DataFrame(columns=["theme", "name", "size", "share", "key_terms"])
        themes = self.finder_.themes_
        themes = themes[themes["theme"] != OUTLIER].copy()
        themes.insert(1, "name", [self.new_theme_names_[t] for t in themes["theme"]])
        return themes.drop(columns=["label"])
