"""Build the form table shipped in ``src/retex_nlp/data/lemma_table.tsv.gz``.

The table lists French word forms whose lemma never (or in at most 5% of 10+ cases) changed
when spaCy's trimmed pipeline tagged them in context, on public answers: the last 20,000 answers
(at most half the file) of each of the 12 Grand Débat questions in ``../shared/corpora/gdn_open_answers`` (Licence
Ouverte; benchmarks read the first rows of those files, so they do not measure on the table's
own answers). The table only speeds the analyser up: forms not in it are tagged in context.

    python scripts/build_lemma_table.py [--per-question 20000] [--n-process 2]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from retex_nlp.text.analyzer import FrenchAnalyzer
from retex_nlp.text.formtable import TABLE_FILE

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpora" / "gdn_open_answers"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-question", type=int, default=20000)
    parser.add_argument("--n-process", type=int, default=2)
    args = parser.parse_args()
    texts: list[str] = []
    for path in sorted(CORPUS.glob("*.csv.gz")):
        frame = pd.read_csv(path, keep_default_na=False)
        texts.extend(frame["text"].astype(str).tail(min(args.per_question, len(frame) // 2)).tolist())
    analyzer = FrenchAnalyzer(warmup=len(texts), batch_size=512).fit(texts, n_process=args.n_process)
    out = ROOT / "src" / "retex_nlp" / "data" / TABLE_FILE
    analyzer.save_table(out)
    print(f"{len(analyzer.lemma_table_)} forms from {len(texts)} answers -> {out}")


if __name__ == "__main__":
    main()
