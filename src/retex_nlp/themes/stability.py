"""How stable the themes of a large corpus are: two fits on two samples, compared."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..answers import NO_THEME, ok_answers
from .finder import ThemeFinder

__all__ = ["theme_stability"]


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

    frame = ok_answers(answers)
    if len(embeddings) != len(frame):
        raise ValueError(f"{len(embeddings)} embeddings for {len(frame)} ok answers")
    finders, assigned = [], []
    for i, seed in enumerate(seeds):
        if i == 0 and first is not None:
            finder = first
        else:
            finder = ThemeFinder(seed=seed, sample_size=sample_size, **params).fit(frame, embeddings=embeddings)
        finders.append(finder)
        assigned.append(finder.transform(frame, embeddings=embeddings)["theme_id"].to_numpy())
    a, b = assigned
    both = (a != NO_THEME) & (b != NO_THEME)
    return {
        "answers": len(frame),
        "sample_size": min(sample_size, len(frame)),
        "ari": float(adjusted_rand_score(a, b)),
        "nmi": float(normalized_mutual_info_score(a, b)),
        "ari_assigned": float(adjusted_rand_score(a[both], b[both])) if both.any() else float("nan"),
        "themes": [len(f.theme_ids_) for f in finders],
        "share_assigned": [float((x != NO_THEME).mean()) for x in assigned],
        "finders": finders,
    }
