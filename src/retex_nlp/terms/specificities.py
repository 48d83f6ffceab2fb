"""Group comparison: Lafon's hypergeometric specificities and log-likelihood keyness.

For a term with ``f`` occurrences in a group of ``t`` tokens, out of ``F`` occurrences in a
corpus of ``T`` tokens, the number of occurrences in the group follows, under independence,
the hypergeometric law H(T, F, t). Lafon's specificity (Lexico3, TXM, IRaMuTeQ) is
``-log10 P(X >= f)`` when the term is over-used (``f`` above its expectation ``F t / T``) and
``log10 P(X <= f)`` when it is under-used (a negative score). Scores above 2 (or below -2)
are usually read as significant (p < 0.01).

Log-likelihood keyness (Dunning 1993; Rayson & Garside 2000) compares the group with the rest
of the corpus: ``G2 = 2 * sum(O * ln(O / E))`` over the group and the rest, signed negative
for under-use. ``G2 > 6.63`` is p < 0.01 with one degree of freedom.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from scipy.special import gammaln
from scipy.stats import hypergeom

__all__ = ["specificity_table", "lafon_scores", "log_likelihood"]


def lafon_scores(f: np.ndarray, F: np.ndarray, t: int | np.ndarray, T: int) -> np.ndarray:
    """Lafon's specificity score for each (f, F) pair; positive = over-use, negative = under-use."""
    f = np.asarray(f, dtype=np.int64)
    F = np.asarray(F, dtype=np.int64)
    t = np.broadcast_to(np.asarray(t, dtype=np.int64), f.shape)
    expected = F * t / T
    over = f >= expected
    scores = np.empty(f.shape, dtype=float)
    # P(X >= f) and P(X <= f), in logs to keep precision for tiny p.
    if over.any():
        scores[over] = -_log_tail(f[over], T, F[over], t[over], upper=True) / np.log(10)
    if (~over).any():
        scores[~over] = _log_tail(f[~over], T, F[~over], t[~over], upper=False) / np.log(10)
    return np.where(np.isfinite(scores), scores, np.sign(scores) * 300.0) + 0.0


def _log_pmf(k: np.ndarray, T: int, F: np.ndarray, t: np.ndarray) -> np.ndarray:
    def log_comb(n, r):
        return gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)

    return log_comb(F, k) + log_comb(T - F, t - k) - log_comb(T, t)


def _log_tail(f: np.ndarray, T: int, F: np.ndarray, t: np.ndarray, *, upper: bool,
              max_terms: int = 4000) -> np.ndarray:
    """log P(X >= f) (``upper``) or log P(X <= f) for X ~ Hypergeometric(T, F, t), exactly as
    scipy's ``hypergeom.logsf/logcdf`` but vectorised: the tail is summed from f outwards with
    the pmf ratio of consecutive terms, which shrinks fast away from the mode. Tails that need
    more than ``max_terms`` terms (counts close to their expectation, huge corpora) are left to
    scipy. Fast on the counts of a million answers, where scipy sums each tail in Python."""
    f = f.astype(float)
    F = F.astype(float)
    t = t.astype(float)
    Tf = float(T)
    lo = np.maximum(0.0, t + F - Tf)
    hi = np.minimum(F, t)
    f = np.clip(f, lo, hi)
    total = np.ones_like(f)
    term = np.ones_like(f)
    k = f.copy()
    active = np.ones(f.shape, dtype=bool)
    for _ in range(max_terms):
        if upper:
            ratio = np.where(k < hi, (F - k) * (t - k) / ((k + 1) * (Tf - F - t + k + 1)), 0.0)
            k = k + 1
        else:
            ratio = np.where(k > lo, k * (Tf - F - t + k) / ((F - k + 1) * (t - k + 1)), 0.0)
            k = k - 1
        term = np.where(active, term * ratio, 0.0)
        total += term
        active &= term > 1e-17 * total
        if not active.any():
            break
    out = _log_pmf(f, T, F, t) + np.log(total)
    if active.any():  # not converged: scipy's exact sum for these few
        fi, Fi, ti = f[active].astype(np.int64), F[active].astype(np.int64), t[active].astype(np.int64)
        out[active] = hypergeom.logsf(fi - 1, T, Fi, ti) if upper else hypergeom.logcdf(fi, T, Fi, ti)
    return np.minimum(out, 0.0)


def log_likelihood(f: np.ndarray, F: np.ndarray, t: int | np.ndarray, T: int) -> np.ndarray:
    """Signed log-likelihood G2 of a group (``f`` of ``t`` tokens) against the rest of the corpus."""
    a = np.asarray(f, dtype=float)
    b = np.asarray(F, dtype=float) - a
    c = np.broadcast_to(np.asarray(t, dtype=float), a.shape)
    d = T - c
    e1 = c * (a + b) / (c + d)
    e2 = d * (a + b) / (c + d)
    with np.errstate(divide="ignore", invalid="ignore"):
        g2 = 2 * (np.where(a > 0, a * np.log(a / e1), 0.0) + np.where(b > 0, b * np.log(b / e2), 0.0))
    return np.where(a >= e1, g2, -g2)


def specificity_table(per_group: dict[str, Counter], by: str, *, min_count: int = 3,
                      top: int | None = None) -> pd.DataFrame:
    """Specificities from term counts per group (``group -> Counter(term -> occurrences)``),
    as :func:`specificities` returns them; used on counts made chunk by chunk."""
    total: Counter = Counter()
    for c in per_group.values():
        total.update(c)
    T = sum(total.values())
    kept = sorted(t for t, n in total.items() if n >= min_count)
    columns = [by, "term", "count", "total", "expected", "specificity", "loglik"]
    if not kept or T == 0:
        return pd.DataFrame(columns=columns)
    F = np.array([total[t] for t in kept])
    parts = []
    for g in sorted(per_group):
        counts = per_group[g]
        t_g = sum(counts.values())
        f = np.array([counts.get(t, 0) for t in kept])
        part = pd.DataFrame({
            by: g, "term": kept, "count": f, "total": F, "expected": np.round(F * t_g / T, 2),
            "specificity": np.round(lafon_scores(f, F, t_g, T), 2),
            "loglik": np.round(log_likelihood(f, F, t_g, T), 2),
        })
        part = part.sort_values(["specificity", "term"], ascending=[False, True])
        if top:
            part = pd.concat([part.head(top), part[part["specificity"] < 0].tail(top)]).drop_duplicates("term")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)[columns]
