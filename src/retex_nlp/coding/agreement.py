"""Agreement between coders (human or tool): Cohen's kappa and Krippendorff's alpha, per theme."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..answers import split_codes

__all__ = ["cohen_kappa", "krippendorff_alpha", "agreement_by_theme", "code_matrix"]


def code_matrix(codes: Sequence, themes: Sequence[str]) -> np.ndarray:
    """Multi-label codes -> (n answers, n themes) 0/1 matrix."""
    index = {t: j for j, t in enumerate(themes)}
    out = np.zeros((len(codes), len(themes)), dtype=int)
    for i, value in enumerate(codes):
        for c in split_codes(value):
            if c in index:
                out[i, index[c]] = 1
    return out


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two coders' labels on the same units (1 = perfect, 0 = chance).
    Returns 1.0 when both coders give one and the same label everywhere."""
    a = np.asarray(list(a), dtype=object)
    b = np.asarray(list(b), dtype=object)
    if len(a) != len(b) or len(a) == 0:
        raise ValueError("two non-empty sequences of the same length are needed")
    labels = sorted(set(a.tolist()) | set(b.tolist()), key=str)
    p_o = float(np.mean(a == b))
    p_e = sum(float(np.mean(a == lab)) * float(np.mean(b == lab)) for lab in labels)
    if p_e == 1.0:
        return 1.0
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(data: Sequence[Sequence]) -> float:
    """Krippendorff's alpha for nominal data: ``data`` is coders x units, ``None`` = missing.

    alpha = 1 - D_o / D_e from the coincidence matrix (Krippendorff 2011, "Computing
    Krippendorff's alpha-reliability"). Units coded by fewer than two coders are ignored.
    """
    matrix = [list(row) for row in data]
    n_units = len(matrix[0])
    values = sorted({v for row in matrix for v in row if v is not None}, key=str)
    idx = {v: i for i, v in enumerate(values)}
    coincidence = np.zeros((len(values), len(values)))
    for u in range(n_units):
        unit = [row[u] for row in matrix if row[u] is not None]
        m = len(unit)
        if m < 2:
            continue
        for i, x in enumerate(unit):
            for j, y in enumerate(unit):
                if i != j:
                    coincidence[idx[x], idx[y]] += 1 / (m - 1)
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    d_o = coincidence.sum() - np.trace(coincidence)
    d_e = (n * n - (n_c ** 2).sum()) / (n - 1)
    if d_e == 0:
        return 1.0
    return float(1 - d_o / d_e)


def agreement_by_theme(codes_a: Sequence, codes_b: Sequence, themes: Sequence[str] | None = None) -> pd.DataFrame:
    """Per theme (present/absent): both coders' counts, % agreement, Cohen's kappa, Krippendorff's alpha."""
    if len(codes_a) != len(codes_b):
        raise ValueError("both coders must code the same answers")
    if themes is None:
        themes = sorted({c for v in [*codes_a, *codes_b] for c in split_codes(v)})
    a = code_matrix(codes_a, themes)
    b = code_matrix(codes_b, themes)
    rows = []
    for j, theme in enumerate(themes):
        rows.append({"theme": theme, "n_a": int(a[:, j].sum()), "n_b": int(b[:, j].sum()),
                     "agreement": round(float(np.mean(a[:, j] == b[:, j])), 4),
                     "kappa": round(cohen_kappa(a[:, j], b[:, j]), 4),
                     "alpha": round(krippendorff_alpha([a[:, j].tolist(), b[:, j].tolist()]), 4)})
    return pd.DataFrame(rows)
