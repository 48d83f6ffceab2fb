"""Reinert CHD: speed against rainette's recorded timings, and scaling to 100,000 segments.

    python benchmarks/bench_chd.py [--out docs/benchmarks.md] [--sizes 10000 100000]

1. The reference run (``../shared/reference/rainette_fis02``: 2,000 Grand Débat answers,
   2,000 x 1,628 matrix): ``ReinertCHD`` at k = 8 and 10 and the class statistics, timed here;
   rainette 0.3.1.1's times are those recorded with the reference (R is not installed on this
   machine; the README of the reference gives them). Agreement with rainette's partitions (ARI).
2. Scaling: the first N answers of the Grand Débat questions (``../shared/corpora/gdn_open_answers``),
   one answer = one segment, prepared as the reference was (lower case, apostrophes split,
   words, Snowball French stopwords, features in >= 3 documents), ``ReinertCHD(k=10)``: time
   and peak memory of the fit.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, machine, markdown, replace_section, rss_mb  # noqa: E402

import retex_nlp as rx  # noqa: E402

REF = SHARED.parent / "reference" / "rainette_fis02"
RAINETTE_S = {"k8": 7.4, "k10": 6.5, "stats": 1.6}  # recorded with the reference (README.md)


def reference_run() -> pd.DataFrame:
    from sklearn.metrics import adjusted_rand_score

    tokens = pd.read_csv(REF / "tokens_after_stopwords.csv", keep_default_na=False)
    counts, features = rx.document_term_matrix([t.split() for t in tokens["tokens"]], min_docfreq=3)
    levels = pd.read_csv(REF / "clusters_all_levels_run_k10.csv")
    rows = []
    for k in (8, 10):
        best = min(_timed(lambda k=k: rx.ReinertCHD(k).fit(counts)) for _ in range(3))
        chd = rx.ReinertCHD(k).fit(counts)
        aris = [adjusted_rand_score(levels[f"k{j}"].fillna(0), chd.partition(j)) for j in range(2, k + 1)]
        rows.append({"step": f"ReinertCHD k={k} (2,000 x 1,628)", "retex_nlp (s)": round(best, 3),
                     "rainette 0.3.1.1 (s, recorded)": RAINETTE_S[f"k{k}"],
                     "speed-up": f"{RAINETTE_S[f'k{k}'] / best:.0f}x",
                     "ARI vs rainette, k=2..k": " ".join(f"{a:.2f}" for a in aris)})
    stats = min(_timed(lambda: [rx.class_keyness(counts, pd.read_csv(REF / f"clusters_k{k}.csv")["cluster"], features,
                                                  show_negative=neg) for k in (8, 10) for neg in (True, False)])
                for _ in range(3))
    rows.append({"step": "class statistics (k=8 and 10, with and without negative terms)",
                 "retex_nlp (s)": round(stats, 3), "rainette 0.3.1.1 (s, recorded)": RAINETTE_S["stats"],
                 "speed-up": f"{RAINETTE_S['stats'] / stats:.0f}x", "ARI vs rainette, k=2..k": "identical (1e-6)"})
    return pd.DataFrame(rows)


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def prepared(n: int) -> list[list[str]]:
    stop = set((REF / "stopwords_fr_snowball.txt").read_text(encoding="utf-8").split())
    docs: list[list[str]] = []
    for path in sorted((SHARED / "gdn_open_answers").glob("*.csv.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            frame = pd.read_csv(handle, usecols=["text"], keep_default_na=False, nrows=n - len(docs))
        for text in frame["text"]:
            words = _WORD.findall(re.sub(r"['’]", " ", str(text).lower()))
            docs.append([w for w in words if w not in stop])
        if len(docs) >= n:
            break
    return docs[:n]


def scaling(sizes: list[int]) -> pd.DataFrame:
    rows = []
    for n in sizes:
        docs = prepared(n)
        counts, features = rx.document_term_matrix(docs, min_docfreq=3)
        before = rss_mb()
        start = time.perf_counter()
        chd = rx.ReinertCHD(10).fit(counts)
        seconds = time.perf_counter() - start
        rows.append({"segments": n, "features": len(features), "non-zero cells": counts.nnz,
                     "ReinertCHD k=10 (s)": round(seconds, 1), "classes": chd.n_clusters_,
                     "unclassified": int((chd.labels_ == 0).sum()),
                     "peak RSS (MB)": round(max(rss_mb(), before))})
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10000, 100000])
    args = parser.parse_args()
    ref = reference_run()
    print(ref.to_string(index=False), flush=True)
    scale = scaling(args.sizes)
    print(scale.to_string(index=False))
    if args.out:
        section = "\n".join([
            "## Reinert CHD: speed and scaling (`benchmarks/bench_chd.py`)", "",
            f"Command: `python benchmarks/bench_chd.py --out docs/benchmarks.md --sizes {' '.join(map(str, args.sizes))}`",
            f"Machine: {machine()}. rainette's times are those recorded with the reference run (2 shared cores; R "
            "is not installed here, so they are not re-measured in this run). retex_nlp's time is the best of 3.",
            "", markdown(ref), "",
            "Every level's partition is rainette's (ARI above; the same unclassified documents), and every split's "
            "chi-squared is the one rainette records, to 1e-6 (`tests/test_chd.py`). Three details rainette's "
            "documentation leaves out were established from its recorded results (the term selection's "
            "contingency coefficient, the first document alone not being a candidate cut, and how its "
            "reassignment moves documents): see the docstring of `retex_nlp.themes.chd`. Class numbers may differ "
            "from rainette's (they follow the first axis's orientation, which rainette takes from its SVD solver).", "",
            "Scaling: the first N Grand Débat answers (one answer = one segment), prepared as the reference was:", "",
            markdown(scale), "",
        ])
        replace_section(args.out, "## Reinert CHD", section)


if __name__ == "__main__":
    main()
