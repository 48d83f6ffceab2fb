"""Themes across groups: counts, % of the group's answers, chi-square and standardised residuals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency

from ..answers import split_codes

__all__ = ["theme_by_group"]


def theme_by_group(coded: pd.DataFrame, groups: pd.Series | str, *, theme: str = "theme_label",
                   min_cell: int = 5) -> pd.DataFrame:
    """Theme x group table in long format.

    ``coded`` has one row per answer with ``theme`` (a theme label, or several joined by ``;``
    for codebook codes); ``groups`` is a column name of ``coded`` or a Series aligned with it.
    Returns one row per (theme, group) with ``group_size`` (the group's answers), ``n``
    (answers of the group with the theme), ``pct`` (% of the group's answers), ``expected``,
    ``residual`` (adjusted standardised residual: beyond ±1.96 the cell differs from
    independence at 5%) and ``small`` (observed or expected count, or the group's size, below
    ``min_cell``: read with care, and a risk of recognising someone). ``attrs`` holds the
    chi-square test.
    """
    group = coded[groups] if isinstance(groups, str) else pd.Series(groups, index=coded.index)
    group = group.astype(str)
    pairs = [(t, g) for value, g in zip(coded[theme], group, strict=True) for t in split_codes(value)]
    table = pd.crosstab(pd.Series([t for t, _ in pairs], name="theme"), pd.Series([g for _, g in pairs], name="group"))
    group_sizes = group.value_counts()
    observed = table.to_numpy(dtype=float)
    if observed.shape[0] > 1 and observed.shape[1] > 1:
        chi2, p, dof, expected = chi2_contingency(observed, correction=False)
        total = observed.sum()
        row = observed.sum(axis=1, keepdims=True) / total
        col = observed.sum(axis=0, keepdims=True) / total
        with np.errstate(divide="ignore", invalid="ignore"):
            residual = (observed - expected) / np.sqrt(expected * (1 - row) * (1 - col))
    else:
        chi2, p, dof, expected, residual = float("nan"), float("nan"), 0, observed, np.zeros_like(observed)
    rows = []
    for i, t in enumerate(table.index):
        for j, g in enumerate(table.columns):
            n = int(observed[i, j])
            size = int(group_sizes[g])
            rows.append({"theme": t, "group": g, "group_size": size, "n": n, "pct": round(100 * n / size, 1),
                         "expected": round(float(expected[i, j]), 2), "residual": round(float(residual[i, j]), 2),
                         "small": bool(n < min_cell or expected[i, j] < min_cell or size < min_cell)})
    out = pd.DataFrame(rows)
    out.attrs.update(chi2=float(chi2), p_value=float(p), dof=int(dof))
    return out
