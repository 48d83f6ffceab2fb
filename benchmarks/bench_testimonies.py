"""Testimonies analysed whole vs cut into segments (issue: coding that agrees, item 7).

    python benchmarks/bench_testimonies.py [--n 100] [--seeds 0 1 2] [--out docs/benchmarks.md]

Data: ``corpora/grand_debat_extrait.csv`` (real Grand Débat answers to four questions). Each
testimony is one .txt file made of four answers of 15-80 words, one per question, one paragraph
each, with a ``metadonnees.csv`` (profession): what a RETEX interview that speaks of four things
looks like, with the truth known (the question each paragraph answers). ``rx.analyse`` runs with
the defaults (USE embeddings, HDBSCAN themes), once on the whole testimonies
(``segments=False``) and once cut into segments (the default for a folder). Reported: themes
found; per testimony, the questions its themes reach (each theme stands for the question most of
its texts answer; a testimony reaches a question when one of its texts is in a theme standing for
it); NMI between the segments' themes and their question; quotes per theme and their length.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown, replace_section  # noqa: E402

import retex_nlp as rx  # noqa: E402

BUNDLED = Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv"


def build(folder: Path, n: int, seed: int) -> pd.DataFrame:
    """``n`` testimonies of four answers (one per question); returns the paragraphs' truth."""
    source = pd.read_csv(BUNDLED, dtype=str)
    source["n"] = source["text"].str.split().str.len()
    rng = np.random.default_rng(seed)
    questions = sorted(source["question_code"].unique())
    pools = {q: source[(source["question_code"] == q) & source["n"].between(15, 80)]["text"].tolist()
             for q in questions}
    picks = {q: rng.permutation(len(p))[:n] for q, p in pools.items()}
    folder.mkdir(parents=True)
    truth, meta = [], []
    for i in range(n):
        paragraphs = [(q, " ".join(pools[q][picks[q][i]].split())) for q in questions]
        (folder / f"temoignage_{i:03d}.txt").write_text("\n".join(p for _, p in paragraphs), encoding="utf-8")
        meta.append({"fichier": f"temoignage_{i:03d}.txt", "profession": ["Éducateur", "Assistante familiale",
                                                                          "Psychologue"][i % 3]})
        truth += [{"file": f"temoignage_{i:03d}.txt", "question": q, "text": p} for q, p in paragraphs]
    pd.DataFrame(meta).to_csv(folder / "metadonnees.csv", index=False)
    return pd.DataFrame(truth)


def question_of(text: str, truth: pd.DataFrame, file: str) -> str:
    """The question a segment answers: the paragraph of its file that holds it."""
    flat = " ".join(text.split())
    for q, p in zip(truth.loc[truth["file"] == file, "question"], truth.loc[truth["file"] == file, "text"],
                    strict=True):
        if flat in p:
            return q
    return ""


def measure(project, truth: pd.DataFrame, mode: str, n: int) -> dict:
    answers = project.answers[project.answers["status"] == "ok"]
    assigned = project.assignments.set_index("answer_id")["theme_id"].astype(str)
    rows = []
    for a, file, text in zip(answers["answer_id"].astype(str), answers["file"], answers["text"], strict=True):
        themes = [t for t in assigned[a].split(";") if t != "-1"]
        q = question_of(text, truth, file) if mode == "segments" else ""
        rows.append({"file": file, "themes": themes, "question": q})
    frame = pd.DataFrame(rows)
    reached = 0
    nmi = np.nan
    if mode == "segments":
        exploded = frame.explode("themes").dropna(subset=["themes"])
        stands = exploded.groupby("themes")["question"].agg(lambda s: s.value_counts().index[0])
        reached = exploded.assign(q=exploded["themes"].map(stands)).query("q == question").groupby("file")[
            "q"].nunique().reindex(frame["file"].unique(), fill_value=0)
        single = frame[frame["themes"].str.len() <= 1]
        nmi = normalized_mutual_info_score(single["question"],
                                           single["themes"].map(lambda t: t[0] if t else "-1"))
    else:
        # a whole testimony is in one theme at most: it reaches at most one of its four questions
        reached = frame.set_index("file")["themes"].str.len().clip(upper=1)
    quotes = project.quotes
    return {"mode": mode, "testimonies": n, "texts analysed": len(answers), "themes": len(project.themes),
            "questions reached per testimony (of 4)": round(float(np.mean(reached)), 2),
            "NMI segments x question": round(float(nmi), 3) if nmi == nmi else "-",
            "quotes": len(quotes), "words per quote": round(float(quotes["quote"].str.split().str.len().mean()), 1)
            if len(quotes) else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        work = Path(tempfile.mkdtemp(prefix="bench_temoignages_"))
        truth = build(work / "temoignages", args.n, seed)
        for mode, segments in (("whole", False), ("segments", True)):
            project = rx.analyse(work / "temoignages", by="profession", segments=segments, seed=seed)
            rows.append({"draw": seed, **measure(project, truth, mode, args.n)})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        seeds = " ".join(map(str, args.seeds))
        replace_section(args.out, "## Testimonies: whole or cut into segments", "\n".join([
            "## Testimonies: whole or cut into segments (`benchmarks/bench_testimonies.py`)", "",
            f"Command: `python benchmarks/bench_testimonies.py --n {args.n} --seeds {seeds} --out docs/benchmarks.md`",
            f"Machine: {machine()}. Each draw: {args.n} testimonies (.txt + metadonnees.csv), each made of four "
            "real Grand Débat answers of 15-80 words to four different questions, one paragraph each (the "
            "bundled extract); `rx.analyse` with its defaults (USE, HDBSCAN), the same seed, whole "
            "(`segments=False`) or cut into segments (the default for a folder).", "", markdown(table), "",
            summary(table), "",
        ]))


def summary(table: pd.DataFrame) -> str:
    whole, seg = table[table["mode"] == "whole"], table[table["mode"] == "segments"]

    def span(frame: pd.DataFrame, column: str, fmt: str = "{:.2f}") -> str:
        lo, hi = frame[column].astype(float).min(), frame[column].astype(float).max()
        return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}-{fmt.format(hi)}"

    return (f"Whole, a testimony is in one theme at most, so it reaches {span(whole, 'questions reached per testimony (of 4)')} "
            f"of the four subjects it speaks of ({span(whole, 'themes', '{:.0f}')} themes); cut into segments it reaches "
            f"{span(seg, 'questions reached per testimony (of 4)')} ({span(seg, 'themes', '{:.0f}')} themes), the segments' "
            f"themes follow the question each paragraph answers (NMI {span(seg, 'NMI segments x question', '{:.3f}')}), "
            f"and a quote is one segment of {span(seg, 'words per quote', '{:.0f}')} words on average instead of "
            f"{span(whole, 'words per quote', '{:.0f}')} cut from a whole testimony, which the report unfolds under it.")


if __name__ == "__main__":
    main()
