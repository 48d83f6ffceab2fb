"""Similitudes analysis (IRaMuTeQ): which forms occur together in the same segments.

The co-occurrence of the most frequent forms (segments containing both, or their Jaccard index)
weighs a graph; its maximum spanning tree keeps the strongest link that joins each form to the
others, and communities (Louvain, seeded) colour it. Drawn by :mod:`retex_nlp.report.lexicometry`
with edge width = strength and node size = frequency.
"""

from __future__ import annotations

from collections.abc import Sequence

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["similitudes"]


def similitudes(counts, features: Sequence[str], *, n_terms: int = 60, measure: str = "cooccurrence",
                seed: int = 0) -> nx.Graph:
    """The maximum spanning tree of the co-occurrence graph of the ``n_terms`` forms present in the
    most segments. Nodes: ``frequency`` (segments), ``community``; edges: ``weight`` (segments
    with both forms, or their Jaccard index with ``measure="jaccard"``), ``cooccurrence``."""
    if measure not in ("cooccurrence", "jaccard"):
        raise ValueError("measure: 'cooccurrence' or 'jaccard'")
    presence = sp.csr_matrix(counts, dtype=float)
    presence.data[:] = 1.0
    frequency = np.asarray(presence.sum(axis=0)).ravel()
    top = np.argsort(-frequency, kind="stable")[:n_terms]
    top = top[frequency[top] > 0]
    sub = presence[:, top]
    both = (sub.T @ sub).toarray()
    graph = nx.Graph()
    for j in top:
        graph.add_node(str(features[j]), frequency=int(frequency[j]))
    for a in range(len(top)):
        for b in range(a + 1, len(top)):
            if both[a, b] > 0:
                jaccard = both[a, b] / (both[a, a] + both[b, b] - both[a, b])
                graph.add_edge(str(features[top[a]]), str(features[top[b]]), cooccurrence=int(both[a, b]),
                               weight=float(both[a, b] if measure == "cooccurrence" else jaccard))
    tree = nx.maximum_spanning_tree(graph, weight="weight")
    for node in graph.nodes:  # a form that never co-occurs stays alone in the tree
        if node not in tree:
            tree.add_node(node, **graph.nodes[node])
    if tree.number_of_edges():
        communities = nx.community.louvain_communities(tree, weight="weight", seed=seed)
    else:
        communities = [{n} for n in tree.nodes]
    for number, members in enumerate(sorted(communities, key=lambda m: (-len(m), sorted(m))), start=1):
        for node in members:
            tree.nodes[node]["community"] = number
    return tree
