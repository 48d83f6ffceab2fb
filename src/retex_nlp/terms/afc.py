"""Correspondence analysis (AFC) of a contingency table, with supplementary columns.

The classes x forms table of a Reinert classification is small and dense: a plain SVD of the
standardised residuals (scipy/numpy) gives the principal coordinates IRaMuTeQ plots.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["correspondence_analysis"]


def correspondence_analysis(table, n_components: int = 2, supplementary_columns=None) -> dict:
    """Principal coordinates of the rows and columns of ``table`` (rows x columns, counts) on the
    first ``n_components`` axes; ``supplementary_columns`` (rows x extra columns) are projected
    without weighing in. Returns ``{"rows", "columns", "supplementary", "eigenvalues"}``:
    DataFrames with ``dim1``, ``dim2``…; eigenvalues with their share of the inertia."""
    table = np.asarray(table, dtype=float)
    keep = table.sum(axis=0) > 0
    work = table[:, keep]
    n = work.sum()
    r = work.sum(axis=1) / n
    c = work.sum(axis=0) / n
    standardised = (work / n - np.outer(r, c)) / np.sqrt(np.outer(r, c))
    u, s, vt = np.linalg.svd(standardised, full_matrices=False)
    dims = min(n_components, max(len(s) - 1, 1))
    s = s[:dims]
    rows = (u[:, :dims] * s) / np.sqrt(r)[:, None]
    columns = np.full((table.shape[1], dims), np.nan)
    columns[keep] = (vt[:dims].T * s) / np.sqrt(c)[:, None]
    # a row's standard coordinates; a column profile projects as the mean of them
    standard_rows = u[:, :dims] / np.sqrt(r)[:, None]
    names = [f"dim{i + 1}" for i in range(dims)]
    supplementary = None
    if supplementary_columns is not None:
        extra = np.asarray(supplementary_columns, dtype=float)
        profile = extra / np.maximum(extra.sum(axis=0), 1e-12)
        supplementary = pd.DataFrame(profile.T @ standard_rows, columns=names)
    eigen = s ** 2
    total = float((standardised ** 2).sum())
    return {"rows": pd.DataFrame(rows, columns=names), "columns": pd.DataFrame(columns, columns=names),
            "supplementary": supplementary,
            "eigenvalues": pd.DataFrame({"axis": names, "eigenvalue": eigen,
                                         "share": eigen / total if total else np.zeros_like(eigen)})}
