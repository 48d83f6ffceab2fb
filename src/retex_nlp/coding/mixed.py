"""Mixed coding: the codebook's themes, plus new themes found in what the codebook misses.

:class:`MixedCoder` codes the answers against a codebook (:class:`~retex_nlp.CodebookCoder`),
then looks for themes (:class:`~retex_nlp.ThemeFinder`) among the answers left in no theme.
Those answers get a new theme named ``"nouveau : <label>"``; the ones that fit no new theme
stay in no theme. This is how an analyst works with a codebook written before reading: keep
the expected themes, and see what people said that nobody expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ..answers import NO_THEME, all_answers
from ..embed import Embedder
from ..text.analyzer import FrenchAnalyzer
from ..themes import ThemeFinder
from .codebook import Codebook
from .coder import CodebookCoder

__all__ = ["MixedCoder", "NEW_PREFIX"]

NEW_PREFIX = "nouveau : "


class MixedCoder(BaseEstimator):
    """Codebook themes plus new themes found in the answers the codebook leaves in no theme.

    Parameters
    ----------
    codebook:
        A :class:`Codebook`, a path to one, or a :class:`CodebookCoder`. A fitted coder (on
        hand-coded answers, say) is used as it is; an unfitted one is cloned and fitted on the
        answers. Its embedder is then used for the new themes too.
    n_new_themes:
        Target number of new themes (``None``: let the clustering decide).
    min_answers:
        Fewest answers in no theme worth looking for new themes in; below it, none are sought.
    max_outliers:
        Share of those answers that may stay in no theme after the new themes are found.
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

    def _fitted_coder(self, frame: pd.DataFrame) -> CodebookCoder:
        if isinstance(self.codebook, CodebookCoder):
            if hasattr(self.codebook, "calibration_"):
                return self.codebook
            return clone(self.codebook).fit(frame)
        # nearest=False: an answer the codebook does not clearly code stays free for a new theme
        return CodebookCoder(self.codebook, self.embedder, threshold=self.threshold, analyzer=self.analyzer,
                             cache_dir=self.cache_dir, seed=self.seed, nearest=False).fit(frame)

    def fit(self, answers: pd.DataFrame | Sequence[str], y=None) -> MixedCoder:
        """Fit the coder on the answers, then find new themes among those it leaves in no theme."""
        self.fit_transform(answers)
        return self

    def fit_transform(self, answers: pd.DataFrame | Sequence[str], y=None) -> pd.DataFrame:
        """Code the answers, find new themes in those left in no theme; one row per input answer
        with ``answer_id``, ``theme_id``, ``theme_label``, ``score_<theme>``, ``new_theme``,
        ``reason``, ``status`` (see :mod:`retex_nlp.answers`)."""
        frame = all_answers(answers)
        self.coder_ = self._fitted_coder(frame)
        coded = self.coder_.transform(frame)
        other = self._unassigned(coded)
        self.finder_ = None
        new = np.full(len(frame), NO_THEME)
        if other.sum() >= self.min_answers:
            self.finder_ = ThemeFinder(self.coder_.embedder_, n_themes=self.n_new_themes,
                                       max_outliers=self.max_outliers, seed=self.seed, analyzer=self.analyzer)
            assigned = self.finder_.fit_transform(frame[other])
            new[other] = assigned["theme_id"].to_numpy()
        return self._combine(coded, new)

    def transform(self, answers: pd.DataFrame | Sequence[str]) -> pd.DataFrame:
        """Code new answers (a later wave) with the codebook and the new themes found at fit time."""
        check_is_fitted(self, "coder_", msg="MixedCoder n'est pas ajusté : appelez fit() ou fit_transform().")
        frame = all_answers(answers)
        coded = self.coder_.transform(frame)
        other = self._unassigned(coded)
        new = np.full(len(frame), NO_THEME)
        if self.finder_ is not None and other.any():
            new[other] = self.finder_.transform(frame[other])["theme_id"].to_numpy()
        return self._combine(coded, new)

    @staticmethod
    def _unassigned(coded: pd.DataFrame) -> np.ndarray:
        return ((coded["theme_id"] == str(NO_THEME)) & (coded["status"] == "ok")).to_numpy()

    def _offset(self) -> int:
        return len(self.coder_.codebook_.themes)

    def _combine(self, coded: pd.DataFrame, new: np.ndarray) -> pd.DataFrame:
        coded = coded.copy()
        names = self.new_theme_names_
        has_new = new != NO_THEME
        coded.loc[has_new, "theme_id"] = [str(self._offset() + t) for t in new[has_new].tolist()]
        coded.loc[has_new, "theme_label"] = [names[t] for t in new[has_new].tolist()]
        coded.loc[has_new, "reason"] = [f"nouveau thème, hors de la grille ({names[t][len(NEW_PREFIX):]})"
                                        for t in new[has_new].tolist()]
        coded.insert(coded.columns.get_loc("reason"), "new_theme", new)
        return coded

    @property
    def new_theme_names_(self) -> dict[int, str]:
        """New theme id (in the finder) -> its name (``"nouveau : <label>"``)."""
        if not getattr(self, "finder_", None):
            return {}
        return {t: NEW_PREFIX + label for t, label in self.finder_.labels_.items()}

    @property
    def new_themes_(self) -> pd.DataFrame:
        """The new themes: ``theme_id`` (after the codebook's), ``name``, ``size`` (among the
        answers in no theme), ``share``, ``key_terms``."""
        columns = ["theme_id", "name", "size", "share", "key_terms"]
        if not getattr(self, "finder_", None):
            return pd.DataFrame(columns=columns)
        themes = self.finder_.themes_.copy()
        themes["name"] = [self.new_theme_names_[t] for t in themes["theme_id"]]
        themes["theme_id"] = themes["theme_id"] + self._offset()
        return themes[columns]

    @property
    def themes_(self) -> pd.DataFrame:
        """Every theme: the codebook's, then the new ones (``theme_id``, ``label``, ``description``)."""
        book = self.coder_.themes_
        new = self.new_themes_
        extra = pd.DataFrame({"theme_id": new["theme_id"], "label": new["name"],
                              "description": "nouveau thème trouvé dans les réponses hors grille"})
        return pd.concat([book, extra], ignore_index=True)
