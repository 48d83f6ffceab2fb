"""Should near-duplicate themes be merged? ThemeFinder's themes on La Grande Annotation's
labelled answers, merged pair by pair while two theme centres are closer than a cosine
threshold, compared with the human labels (NMI on single-label answers).

    python benchmarks/bench_merge.py [--out docs/benchmarks.md]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown, replace_section  # noqa: E402
from bench_themes import CACHE, load_question  # noqa: E402

from retex_nlp import EmbeddingCache, ThemeFinder, USEEmbedder  # noqa: E402
from retex_nlp.embed import unit_rows  # noqa: E402

THRESHOLDS = (None, 0.95, 0.92, 0.90, 0.88, 0.85)


def merge_close(topics: np.ndarray, emb: np.ndarray, threshold: float) -> np.ndarray:
    """Merge the two themes whose centres are closest while their cosine is >= threshold."""
    topics = topics.copy()
    while True:
        ids = sorted(set(topics.tolist()) - {-1})
        if len(ids) < 3:
            return topics
        centres = unit_rows(np.stack([emb[topics == i].mean(axis=0) for i in ids]))
        sims = centres @ centres.T
        np.fill_diagonal(sims, -1)
        a, b = np.unravel_index(np.argmax(sims), sims.shape)
        if sims[a, b] < threshold:
            return topics
        topics[topics == ids[b]] = ids[a]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", default=["FI7", "FI8", "DC13"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    embedder = USEEmbedder()
    rows = []
    for code in args.questions:
        data = load_question(code)
        emb = unit_rows(EmbeddingCache(CACHE).encode(embedder, data["text"].tolist()))
        single = np.array([len(t) == 1 for t in data["tags"]])
        truth = [t[0] for t in data.loc[single, "tags"]]
        finder = ThemeFinder(seed=0).fit(data["text"].tolist(), embeddings=emb)
        centres = finder.centroids_
        sims = centres @ centres.T
        closest = float(np.max(sims[np.triu_indices(len(centres), 1)]))
        for threshold in THRESHOLDS:
            topics = finder.fit_topics_ if threshold is None else merge_close(finder.fit_topics_, emb, threshold)
            rows.append({"question": code, "merge above cosine": threshold or "no merge",
                         "closest centres": round(closest, 3), "themes": len(set(topics.tolist()) - {-1}),
                         "NMI": round(normalized_mutual_info_score(truth, topics[single]), 3)})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        section = "\n".join([
            "## Merging near-duplicate themes? (`benchmarks/bench_merge.py`)", "",
            f"Command: `python benchmarks/bench_merge.py --out {args.out}`. Machine: {machine()}.",
            "ThemeFinder (seed 0, USE) on the LGA answers of each question; its themes merged pair by pair while"
            " two centres are closer than the threshold; NMI with the human labels on single-label answers.", "",
            markdown(table), "",
            "Reading: on every question, any merge lowers the agreement with the human labels (the human"
            " codebooks are finer than the themes already), so retex_nlp does not merge themes automatically."
            " Two themes that end up with the same label are told apart (the second gets \" (2)\") and the"
            " analyst merges them in one edit (`retex edit --merge`).", "",
        ])
        replace_section(args.out, "## Merging near-duplicate themes", section)


if __name__ == "__main__":
    main()
