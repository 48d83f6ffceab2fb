"""Reinert's descending hierarchical classification (CHD), the method of IRaMuTeQ and Alceste.

Implemented from the published method (Reinert 1983, Cahiers de l'analyse des données 8(2);
Reinert 1990, Bulletin de méthodologie sociologique 26) and the step-by-step description in the
documentation of R's rainette package; no code of either program was used.

On a presence/absence document-term matrix, the largest class is split in two, again and again:

1. the documents of the class are ordered on the first axis of a correspondence analysis of
   their table (a truncated SVD of the standardised residuals: the matrix stays sparse; the
   axis's sign is fixed so that its largest coordinate is positive);
2. the cut along that order whose two groups give the largest chi-squared of the grouped
   2 x terms table is kept (every cut is scored at once, from running sums; as in rainette,
   the first document alone is not a candidate);
3. documents are reassigned to the other group while that raises the chi-squared
   (``reassign``, see :func:`_switch`);
4. in each group, terms present in fewer than ``tsj`` documents are dropped, and a term whose
   contingency coefficient exceeds ``cc_test`` is kept only in the group where it is
   over-represented (see :func:`_select_terms` for the coefficient). A document left with no
   term in its class's table is unclassified (class 0) when that class is split.

A class with fewer than ``min_split_members`` documents is not split. The dendrogram's heights
are the splits' chi-squared values (the largest found during the split, as rainette records
them). Every level's partition is kept (``partitions_``).

Status against rainette 0.3.1.1 on its reference run (``../shared/reference/rainette_fis02``):
the same partitions at every level (adjusted Rand index 1.0, the same unclassified documents)
and the same chi-squared for every split (to 1e-6). rainette's documentation leaves three
details out, established from its recorded results (its program was neither read nor
translated): how the terms' contingency coefficient is computed (step 4), that the first
document alone is not a candidate cut, and how its reassignment actually moves documents
(step 3, ``reassign="rainette"``): it stops after a few moves, so its classes are not local
optima of the chi-squared; ``reassign="full"`` applies the published rule instead. The first
axis's orientation is ours (its largest coordinate positive); rainette's comes from its SVD
solver, so its class numbers may differ, and on another corpus the two can part where the
orientation matters: a lone document at one end of the axis being the best cut, or documents
moved both ways during one split's reassignment.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["ReinertCHD", "ReinertCHD2", "grouped_chi2", "merge_segments"]


def grouped_chi2(a: np.ndarray, totals: np.ndarray) -> float:
    """Chi-squared of the 2 x terms table whose first row is ``a`` and second ``totals - a``."""
    a = np.asarray(a, dtype=float)
    totals = np.asarray(totals, dtype=float)
    keep = totals > 0
    a, totals = a[keep], totals[keep]
    n = totals.sum()
    n1 = a.sum()
    n2 = n - n1
    if n1 <= 0 or n2 <= 0:
        return 0.0
    q = float((a * a / totals).sum())
    return _chi2_from_sums(q, n1, n)


def _chi2_from_sums(q, n1, n):
    """Chi-squared of a 2-row table from Q = sum a_j^2 / c_j, the first row's total and N:
    sum (c_j - a_j)^2 / c_j = N - 2 n1 + Q, hence chi2 = N (Q / n1 + (N - 2 n1 + Q) / n2) - N."""
    n2 = n - n1
    return n * (q / n1 + (n - 2 * n1 + q) / n2) - n


def _first_axis(table: sp.csr_matrix, seed: int) -> np.ndarray:
    """Documents' coordinates on the first axis of the correspondence analysis of ``table``."""
    n = table.sum()
    r = np.asarray(table.sum(axis=1)).ravel() / n
    c = np.asarray(table.sum(axis=0)).ravel() / n
    dr, dc = 1 / np.sqrt(r), 1 / np.sqrt(c)
    scaled = (sp.diags(dr) @ (table / n) @ sp.diags(dc)).tocsr()
    sr, sc = np.sqrt(r), np.sqrt(c)
    if min(table.shape) <= 60:
        dense = scaled.toarray() - np.outer(sr, sc)
        u, _, _ = np.linalg.svd(dense, full_matrices=False)
        axis = u[:, 0]
    else:
        from scipy.sparse.linalg import LinearOperator, svds

        op = LinearOperator(table.shape, dtype=float,
                            matvec=lambda x: scaled @ np.ravel(x) - sr * (sc @ np.ravel(x)),
                            rmatvec=lambda y: scaled.T @ np.ravel(y) - sc * (sr @ np.ravel(y)))
        v0 = np.random.default_rng(seed).standard_normal(min(table.shape))
        u, _, _ = svds(op, k=1, v0=v0 / np.linalg.norm(v0), tol=1e-10)
        axis = u[:, 0]
    coords = axis * dr
    big = np.argmax(np.abs(coords))
    return coords if coords[big] >= 0 else -coords  # one sign, whatever the solver returned


def _best_cut(table: sp.csr_matrix, order: np.ndarray) -> tuple[int, float]:
    """The prefix of ``order`` (its length) whose grouped table has the largest chi-squared.
    As rainette does, the first document alone is not a candidate (prefixes 2 .. n - 1, when
    there are more than two documents)."""
    ordered = table[order].tocsc()
    totals = np.asarray(ordered.sum(axis=0)).ravel()
    n = totals.sum()
    # a_j grows by one at each document containing term j: Q grows by (2 a_j + 1) / c_j there
    positions = ordered.indices
    ranks = np.concatenate([np.arange(e - s) for s, e in zip(ordered.indptr[:-1], ordered.indptr[1:], strict=True)])
    cols = np.repeat(np.arange(ordered.shape[1]), np.diff(ordered.indptr))
    delta = np.zeros(ordered.shape[0])
    np.add.at(delta, positions, (2 * ranks + 1) / totals[cols])
    q = np.cumsum(delta)[:-1]
    n1 = np.cumsum(np.asarray(ordered.sum(axis=1)).ravel())[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.where((n1 > 0) & (n1 < n), _chi2_from_sums(q, n1, n), -np.inf)
    if len(chi) > 1:
        chi[0] = -np.inf
    k = int(np.argmax(chi))
    return k + 1, float(chi[k])


def _move_values(table: sp.csr_matrix, group: np.ndarray, inv: np.ndarray, sizes: np.ndarray, n: float
                 ) -> tuple[np.ndarray, float]:
    """The chi-squared of the grouped table after moving each document alone to the other group
    (``-inf`` where that would empty a group), and the current one."""
    a = np.asarray(table[group].sum(axis=0)).ravel()
    n1 = float(a.sum())
    q = float((a * a * inv).sum())
    across = table @ (2 * a * inv)  # sum over the document's terms of 2 a_j / c_j
    alone = table @ inv  # sum of 1 / c_j
    q2 = np.where(group, q - across + alone, q + across + alone)
    n12 = np.where(group, n1 - sizes, n1 + sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where((n12 > 0) & (n12 < n), _chi2_from_sums(q2, n12, n), -np.inf)
    return values, _chi2_from_sums(q, n1, n)


def _switch(table: sp.csr_matrix, order: np.ndarray, cut: int, how: str = "rainette") -> tuple[np.ndarray, float]:
    """Reassign documents after the cut; the groups and the largest chi-squared found.

    ``"full"``: the published rule, move the document whose move raises the chi-squared most,
    until no single move raises it. ``"rainette"``: what rainette 0.3.1.1 does, established on
    its reference runs (every split's recorded chi-squared and groups reproduced): the same best
    move is looked for, but a move must beat the largest chi-squared found so far, and the
    document actually moved is the one at the best document's rank in the first-axis order,
    where rank is counted in the groups as they stand (each group in that order, the documents
    moved into it after its own) - which stops the reassignment after a few moves. ``"none"``:
    the cut as it is."""
    group = np.zeros(table.shape[0], dtype=bool)
    group[order[:cut]] = True
    totals = np.asarray(table.sum(axis=0)).ravel()
    inv = 1 / np.where(totals > 0, totals, 1)
    sizes = np.asarray(table.sum(axis=1)).ravel()
    n = float(totals.sum())
    values, best_found = _move_values(table, group, inv, sizes, n)
    if how == "none":
        return group, best_found
    if how not in ("full", "rainette"):
        raise ValueError(f"reassign must be 'rainette', 'full' or 'none', not {how!r}")
    ranks = [list(order[:cut]), list(order[cut:])]  # each group's documents in rank order
    for _ in range(10 * table.shape[0] + 10):
        best = int(np.argmax(values))
        if not values[best] > best_found + 1e-9:
            break
        best_found = float(values[best])
        moved = best
        if how == "rainette":
            position = ranks[0].index(best) if group[best] else len(ranks[0]) + ranks[1].index(best)
            moved = int(order[position])
        side = 0 if group[moved] else 1
        ranks[side].remove(moved)
        ranks[1 - side].append(moved)
        group[moved] = not group[moved]
        values, current = _move_values(table, group, inv, sizes, n)
        if how == "full":
            best_found = current
    return group, best_found


def _select_terms(table: sp.csr_matrix, group: np.ndarray, cc_test: float, tsj: int) -> tuple[np.ndarray, np.ndarray]:
    """Terms kept in each group: present in at least ``tsj`` of its documents, and, when the
    term's contingency coefficient exceeds ``cc_test``, only where it is over-represented.

    The coefficient is the one rainette computes (established on its reference runs: every
    table it splits is reproduced): the term's row of the grouped 2 x terms table (its
    presences in each group) against what the groups' sizes in presences predict, chi2 = sum
    of (observed - expected)^2 / expected over the two cells, cc = sqrt(chi2 / (chi2 + f)), f the
    term's presences in the class."""
    f1 = np.asarray(table[group].sum(axis=0)).ravel()
    f2 = np.asarray(table[~group].sum(axis=0)).ravel()
    n1, n2 = float(f1.sum()), float(f2.sum())
    total = f1 + f2
    e1 = total * n1 / (n1 + n2)
    e2 = total * n2 / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = np.nan_to_num((f1 - e1) ** 2 / e1 + (f2 - e2) ** 2 / e2)
        cc = np.nan_to_num(np.sqrt(chi / (chi + total)))
    strong = cc > cc_test
    keep1 = (f1 >= tsj) & ~(strong & (f1 < e1))
    keep2 = (f2 >= tsj) & ~(strong & (f1 > e1))
    return keep1, keep2


class ReinertCHD(ClusterMixin, BaseEstimator):
    """Reinert's descending hierarchical classification on a document-term matrix.

    Parameters
    ----------
    n_clusters:
        The number of classes to reach (fewer when no class can be split any more).
    min_split_members:
        A class with fewer documents is not split.
    cc_test:
        Contingency coefficient above which a term is kept only in the group where it is
        over-represented after a split.
    tsj:
        Minimum number of documents of a group a term must be present in to stay in its table.
    reassign:
        How documents are reassigned after the cut: ``"rainette"`` (default: as rainette
        0.3.1.1, whose partitions it reproduces), ``"full"`` (the published rule, carried on
        until no single move raises the chi-squared: larger chi-squared, different classes) or
        ``"none"``.
    seed:
        Start vector of the truncated SVD (same input and seed, same classes).

    Attributes
    ----------
    labels_:
        Class of each document at ``n_clusters_`` classes: 1..k, **0 = unclassified** (no term,
        or every term dropped from its class's table), as in IRaMuTeQ.
    partitions_:
        DataFrame, one column per level ``k2`` … ``k{n}``: the classes at that level (0:
        unclassified). Classes are numbered in dendrogram order, a split class's two parts
        taking its place.
    splits_:
        DataFrame, one row per split in order: ``level`` (classes after it), ``parent`` (its
        class number before the split), ``size``, ``size_1``, ``size_2``, ``chi2``.
    children_, heights_:
        The dendrogram (scipy/sklearn linkage style over the final classes): ``children_[i]``
        the two nodes merged at step ``i`` (``< k``: a final class, 0-based; ``>= k``: the node made
        at step ``i - k``), ``heights_[i]`` the cumulative chi-squared at that merge.
    """

    def __init__(self, n_clusters: int = 10, *, min_split_members: int = 10, cc_test: float = 0.3, tsj: int = 3,
                 reassign: str = "rainette", seed: int = 0) -> None:
        self.n_clusters = n_clusters
        self.min_split_members = min_split_members
        self.cc_test = cc_test
        self.tsj = tsj
        self.reassign = reassign
        self.seed = seed

    def fit(self, X, y=None) -> ReinertCHD:
        matrix = sp.csr_matrix(X, dtype=float)
        matrix.data[:] = 1.0  # presence / absence
        matrix.eliminate_zeros()
        n_docs = matrix.shape[0]
        docs = np.flatnonzero(np.diff(matrix.indptr) > 0)
        terms = np.flatnonzero(np.asarray(matrix[docs].sum(axis=0)).ravel() > 0)
        # a class: (its documents, its terms, its node id in the tree)
        classes: list[tuple[np.ndarray, np.ndarray, int]] = [(docs, terms, 0)]
        nodes: dict[int, tuple[int, int, float]] = {}  # node -> (child 1, child 2, chi2)
        next_node = 1
        levels: dict[int, np.ndarray] = {}
        splits = []
        while len(classes) < self.n_clusters:
            candidates = [i for i, (d, t, _) in enumerate(classes)
                          if len(d) >= max(self.min_split_members, 3) and len(t) >= 2]
            if not candidates:
                break
            i = max(candidates, key=lambda j: (len(classes[j][0]), -j))
            d, t, node = classes[i]
            table = matrix[d][:, t].tocsr()
            keep_docs = np.diff(table.indptr) > 0
            table, d = table[keep_docs], d[keep_docs]
            order = np.argsort(_first_axis(table, self.seed), kind="stable")
            cut, _ = _best_cut(table, order)
            group, chi2 = _switch(table, order, cut, self.reassign)
            keep1, keep2 = _select_terms(table, group, self.cc_test, self.tsj)
            parts = []
            for side, keep in ((group, keep1), (~group, keep2)):
                # a document left with no term stays in its class until the class is split
                parts.append((d[side], t[keep], next_node))
                next_node += 1
            nodes[node] = (parts[0][2], parts[1][2], chi2)
            splits.append({"level": len(classes) + 1, "parent": i + 1, "size": len(d),
                           "size_1": len(parts[0][0]), "size_2": len(parts[1][0]), "chi2": chi2})
            classes[i:i + 1] = parts
            labels = np.zeros(n_docs, dtype=int)
            for number, (members, _, _) in enumerate(classes, start=1):
                labels[members] = number
            levels[len(classes)] = labels
        self.n_clusters_ = len(classes)
        self.labels_ = levels[self.n_clusters_] if levels else np.where(
            np.isin(np.arange(n_docs), docs), 1, 0)
        self.partitions_ = pd.DataFrame({f"k{k}": v for k, v in sorted(levels.items())})
        self.splits_ = pd.DataFrame(splits, columns=["level", "parent", "size", "size_1", "size_2", "chi2"])
        self.children_, self.heights_ = self._tree(nodes, [c[2] for c in classes])
        return self

    @staticmethod
    def _tree(nodes: dict[int, tuple[int, int, float]], leaves: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Bottom-up merges over the final classes, heights = chi2 cumulated from the bottom."""
        index = {leaf: k for k, leaf in enumerate(leaves)}
        height: dict[int, float] = dict.fromkeys(leaves, 0.0)
        merges: list[tuple[int, int, float, int]] = []

        def visit(node: int) -> float:
            if node not in nodes:
                return height[node]
            a, b, chi2 = nodes[node]
            h = max(visit(a), visit(b)) + chi2
            height[node] = h
            merges.append((a, b, h, node))
            return h

        visit(0)
        merges.sort(key=lambda m: m[2])
        children, heights = [], []
        for a, b, h, node in merges:
            children.append([index[a], index[b]])
            index[node] = len(leaves) + len(children) - 1
            heights.append(h)
        return np.array(children, dtype=int).reshape(-1, 2), np.array(heights)

    def fit_predict(self, X, y=None) -> np.ndarray:
        return self.fit(X).labels_

    def partition(self, k: int) -> np.ndarray:
        """The classes at level ``k`` (2 … ``n_clusters_``), 0 for unclassified."""
        check_is_fitted(self, "partitions_")
        column = f"k{k}"
        if column not in self.partitions_:
            raise ValueError(f"no level k={k}: levels 2..{self.n_clusters_}")
        return self.partitions_[column].to_numpy()


def merge_segments(counts, groups: Sequence, min_size: int) -> tuple[sp.csr_matrix, np.ndarray]:
    """Consecutive segments of the same document (``groups``) merged until each unit holds at
    least ``min_size`` forms (a short last piece joins the unit before it): ``(units x terms
    presence matrix, unit of each segment)``."""
    matrix = sp.csr_matrix(counts, dtype=float)
    sizes = np.diff(matrix.indptr)
    groups = np.asarray(groups)
    unit = np.empty(len(groups), dtype=int)
    current, filled, last_of_group, number = -1, 0, {}, -1
    for i, g in enumerate(groups):
        if i == 0 or g != groups[i - 1] or filled >= min_size:
            number += 1
            current, filled = number, 0
        unit[i] = current
        filled += sizes[i]
        last_of_group[g] = current
    # a last unit still too small joins the one before it, in the same document
    for i in range(len(groups) - 1, 0, -1):
        u = unit[i]
        if groups[i] == groups[i - 1] and unit[i - 1] != u and sizes[unit == u].sum() < min_size:
            unit[unit == u] = unit[i - 1]
    _, unit = np.unique(unit, return_inverse=True)
    merge = sp.csr_matrix((np.ones(len(unit)), (unit, np.arange(len(unit)))), shape=(unit.max() + 1, len(unit)))
    units = (merge @ matrix).tocsr()
    units.data[:] = 1.0
    return units, unit


def _association(n_ab: int, n_a: int, n_b: int, n: int) -> float:
    """Signed chi-squared (Yates-corrected, as R's chisq.test) of two classes' 2 x 2 membership table."""
    table = np.array([[n_ab, n_a - n_ab], [n_b - n_ab, n - n_a - n_b + n_ab]], dtype=float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0, keepdims=True) / n
    if (expected == 0).any():
        return 0.0
    diff = np.abs(table - expected)
    diff = diff - np.minimum(0.5, diff)
    chi2 = float((diff ** 2 / expected).sum())
    return chi2 if n_ab >= expected[0, 0] else -chi2


class ReinertCHD2(ClusterMixin, BaseEstimator):
    """Reinert's double classification (IRaMuTeQ's "double", rainette2): two classifications of
    the same segments with units of at least ``min_segment_size1`` and ``min_segment_size2``
    forms, their classes (every level) crossed; crossed classes of at least ``min_members``
    segments and association chi-squared ``>= min_chi2`` are combined into partitions of 2 …
    ``max_k`` disjoint crossed classes, keeping, per ``k``, the partition with the largest sum of
    chi-squared (``partitions_``) and, with ``full=True``, the one covering most segments
    (``partitions_size_``). With ``full=False`` only mutually most associated pairs of classes
    are crossed. Segments in no retained crossed class are unclassified (0); many may be, as in
    IRaMuTeQ (no reassignment). The search over partitions is exhaustive, as rainette's, on the
    ``max_crossed`` crossed classes of largest chi-squared (a bound on its time).

    ``fit(X, groups=...)``: ``X`` the segments x terms matrix, ``groups`` each segment's document.
    """

    def __init__(self, n_clusters: int = 10, *, min_segment_size1: int = 10, min_segment_size2: int = 15,
                 max_k: int | None = None, min_members: int = 10, min_chi2: float = 3.84, full: bool = True,
                 max_crossed: int = 80, min_split_members: int = 10, cc_test: float = 0.3, tsj: int = 3,
                 seed: int = 0) -> None:
        self.n_clusters = n_clusters
        self.min_segment_size1 = min_segment_size1
        self.min_segment_size2 = min_segment_size2
        self.max_k = max_k
        self.min_members = min_members
        self.min_chi2 = min_chi2
        self.full = full
        self.max_crossed = max_crossed
        self.min_split_members = min_split_members
        self.cc_test = cc_test
        self.tsj = tsj
        self.seed = seed

    def _classes(self, counts, groups, min_size: int) -> list[frozenset]:
        units, unit = merge_segments(counts, groups, min_size)
        chd = ReinertCHD(self.n_clusters, min_split_members=self.min_split_members, cc_test=self.cc_test,
                         tsj=self.tsj, seed=self.seed).fit(units)
        found = []
        for column in chd.partitions_.columns:
            labels = chd.partitions_[column].to_numpy()[unit]
            for value in sorted(set(labels) - {0}):
                found.append(frozenset(np.flatnonzero(labels == value).tolist()))
        return found

    def fit(self, X, y=None, groups: Sequence | None = None) -> ReinertCHD2:
        matrix = sp.csr_matrix(X, dtype=float)
        n = matrix.shape[0]
        groups = np.arange(n) if groups is None else np.asarray(groups)
        first = self._classes(matrix, groups, self.min_segment_size1)
        second = self._classes(matrix, groups, self.min_segment_size2)
        pairs = {}
        for i, a in enumerate(first):
            for j, b in enumerate(second):
                both = a & b
                if len(both) < max(self.min_members, 1):
                    continue
                chi2 = _association(len(both), len(a), len(b), n)
                if chi2 < self.min_chi2:
                    continue
                pairs[(i, j)] = (frozenset(both), chi2)
        if not self.full:  # only classes that are each other's most associated
            best_a, best_b = {}, {}
            for (i, j), (_, chi2) in pairs.items():
                if chi2 > best_a.get(i, (None, -np.inf))[1]:
                    best_a[i] = (j, chi2)
                if chi2 > best_b.get(j, (None, -np.inf))[1]:
                    best_b[j] = (i, chi2)
            pairs = {(i, j): v for (i, j), v in pairs.items() if best_a[i][0] == j and best_b[j][0] == i}
        crossed: dict[frozenset, float] = {}
        for members, chi2 in pairs.values():  # the same members crossed twice: kept once
            crossed[members] = max(chi2, crossed.get(members, -np.inf))
        self.crossed_ = pd.DataFrame({"members": list(crossed), "size": [len(m) for m in crossed],
                                      "chi2": list(crossed.values())})
        self.partitions_, self.partitions_size_ = self._partitions(list(crossed.items()), n)
        if not self.partitions_:
            raise ValueError("aucune partition en classes croisées : baissez min_members ou min_chi2")
        self.n_clusters_ = max(self.partitions_)
        self.labels_ = self.partitions_[self.n_clusters_]
        return self

    def _partitions(self, crossed: list[tuple[frozenset, float]], n: int) -> tuple[dict, dict]:
        """Every set of 2 … max_k disjoint crossed classes (depth-first), the best per k."""
        max_k = self.max_k or self.n_clusters
        order = sorted(range(len(crossed)), key=lambda i: -crossed[i][1])[: self.max_crossed]
        sets = [crossed[i][0] for i in order]
        chi2s = [crossed[i][1] for i in order]
        best_chi2: dict[int, tuple[float, tuple]] = {}
        best_size: dict[int, tuple[int, tuple]] = {}

        def grow(chosen: tuple, used: frozenset, start: int, chi2: float, size: int) -> None:
            k = len(chosen)
            if k >= 2:
                if chi2 > best_chi2.get(k, (-np.inf,))[0]:
                    best_chi2[k] = (chi2, chosen)
                if size > best_size.get(k, (-1,))[0]:
                    best_size[k] = (size, chosen)
            if k == max_k:
                return
            for i in range(start, len(sets)):
                if used.isdisjoint(sets[i]):
                    grow(chosen + (i,), used | sets[i], i + 1, chi2 + chi2s[i], size + len(sets[i]))

        grow((), frozenset(), 0, 0.0, 0)

        def labels(chosen: tuple) -> np.ndarray:
            out = np.zeros(n, dtype=int)
            ranked = sorted(chosen, key=lambda i: -len(sets[i]))  # class 1: the largest crossed class
            for number, i in enumerate(ranked, start=1):
                out[list(sets[i])] = number
            return out

        by_chi2 = {k: labels(v[1]) for k, v in sorted(best_chi2.items())}
        by_size = {k: labels(v[1]) for k, v in sorted(best_size.items())} if self.full else {}
        return by_chi2, by_size

    def fit_predict(self, X, y=None, groups: Sequence | None = None) -> np.ndarray:
        return self.fit(X, groups=groups).labels_

    def partition(self, k: int, criterion: str = "chi2") -> np.ndarray:
        """The best partition in ``k`` crossed classes by ``criterion`` (``"chi2"`` or ``"size"``)."""
        check_is_fitted(self, "partitions_")
        found = self.partitions_ if criterion == "chi2" else self.partitions_size_
        if k not in found:
            raise ValueError(f"aucune partition en {k} classes croisées : {sorted(found)}")
        return found[k]
