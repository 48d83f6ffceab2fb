"""The review loop: how many corrections until the coder agrees with a human, active vs random.

    python benchmarks/bench_review.py [--questions FI8 FI7 DC13] [--rounds 12] [--per-round 25]
                                      [--out docs/benchmarks.md]
    python benchmarks/bench_review.py --single-label [--questions FI7 FI8 DC13] [--per-round 20]
                                      [--seeds 3] [--out docs/benchmarks.md]

Data: the Grand Débat answers hand-tagged by "La Grande Annotation" volunteers (tags given by at
least 2 annotators; labels with at least 20 answers; the others' answers keep their remaining
labels), as in ``bench_themes.py``. A fixed, seeded 30% of the answers is the test set, never
shown to the coder. The codebook holds the label names only. Round 0 codes from the codebook
alone; then, each round, the analyst "corrects" ``--per-round`` answers (their human labels),
chosen either by the coder (:meth:`CodebookCoder.to_review`: the least sure, kept diverse — what
``retex code --review`` and the app's review page list) or at random, and the coder is fitted
again on every answer corrected so far. Reported after each round: the mean Cohen's kappa over
themes on the test set, and labels per answer (humans: 1.6-1.9).

With ``--single-label`` the loop runs on the answers of the few-shot sections of
``bench_themes.py`` instead: those with a single corroborated label, labels with at least 20 of
them (where the coder learning from all of them reaches kappa 0.79-0.90). A stratified, seeded
30% of them is the test set; the analyst corrects the others, ``--per-round`` at a time, until
all are corrected; the coder codes every answer of the question (the uncorrected ones too, as
an analyst's project holds them) and its first code is compared with the test answers' labels
(Cohen's kappa over the labels, as in the few-shot sections), beside USE + LogisticRegression
learning from the random corrections. Reported: the curves, and how many corrections each
strategy needs to reach kappa 0.8.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown, replace_section  # noqa: E402
from bench_themes import codebook_from_names, human_vote_kappa, load_question, single_label_pool  # noqa: E402

from retex_nlp import Codebook, CodebookCoder, EmbeddingCache  # noqa: E402
from retex_nlp.coding.agreement import code_matrix, cohen_kappa  # noqa: E402


def mean_kappa(gold: list[list[str]], pred: list[str], names: list[str]) -> float:
    g = code_matrix([";".join(t) for t in gold], names)
    p = code_matrix(pred, names)
    return float(np.mean([cohen_kappa(g[:, j], p[:, j]) for j in range(len(names))]))


def split(code: str, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str], dict[str, str], Codebook]:
    """(pool the analyst may correct, held-out test set, label names, the pool's human codes,
    the codebook of the label names) of a question."""
    data = load_question(code)
    counts = pd.Series([t for tags in data["tags"] for t in tags]).value_counts()
    names = sorted(counts[counts >= 20].index)
    data = data.assign(tags=data["tags"].map(lambda tags: [t for t in tags if t in names]))
    data = data.assign(answer_id=[f"{code}-{i:05d}" for i in range(len(data))], status="ok")
    rng = np.random.default_rng(seed)
    test = np.zeros(len(data), dtype=bool)
    test[rng.choice(len(data), int(0.3 * len(data)), replace=False)] = True
    pool, held = data[~test].reset_index(drop=True), data[test].reset_index(drop=True)
    gold = dict(zip(pool["answer_id"], pool["tags"].map(";".join), strict=True))
    return pool, held, names, gold, Codebook.from_dict({"themes": [{"name": n} for n in names]})


def agreement(held: pd.DataFrame, pred: list[str], names: list[str]) -> dict:
    """Mean kappa over themes against the test set's human labels, and labels per answer."""
    return {"kappa": round(mean_kappa(held["tags"].tolist(), pred, names), 3),
            "labels_per_answer": round(float(np.mean([len([c for c in p.split(";") if c]) for p in pred])), 2)}


def ceiling(code: str, seed: int, cache: Path) -> dict:
    """The coder fitted on every answer of the pool, corrected: what the review loop tends to
    when the analyst corrects them all."""
    pool, held, names, gold, book = split(code, seed)
    start = time.perf_counter()
    pred = CodebookCoder(book, "use", cache_dir=cache, seed=seed).fit(pool, gold).transform(held)["theme_label"].tolist()
    seconds = time.perf_counter() - start
    row = {"question": code, "corrected": len(pool), **agreement(held, pred, names),
           "baseline kappa": agreement(held, baseline(pool, held, names, cache), names)["kappa"],
           "seconds": round(seconds, 1)}
    print(row, flush=True)
    return row


def baseline(pool: pd.DataFrame, held: pd.DataFrame, names: list[str], cache: Path) -> list[str]:
    """A plain supervised reference on the same answers: one linear SVM per label (scikit-learn
    defaults) on the USE embedding beside tf-idf character 2-5-grams."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    from retex_nlp.embed import USEEmbedder
    from retex_nlp.embed.cache import EmbeddingCache

    store, use = EmbeddingCache(cache), USEEmbedder()
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
    train = sp.hstack([store.encode(use, pool["text"].tolist()), chars.fit_transform(pool["text"])]).tocsr()
    test = sp.hstack([store.encode(use, held["text"].tolist()), chars.transform(held["text"])]).tocsr()
    Y = code_matrix(pool["tags"].map(";".join).tolist(), names)
    P = OneVsRestClassifier(LinearSVC()).fit(train, Y).predict(test)
    return [";".join(n for n, hit in zip(names, row, strict=True) if hit) for row in P]


def run(code: str, strategy: str, rounds: int, per_round: int, seed: int, cache: Path) -> list[dict]:
    pool, held, names, gold, book = split(code, seed)
    coded: dict[str, str] = {}
    rows = []
    for number in range(rounds + 1):
        start = time.perf_counter()
        coder = CodebookCoder(book, "use", cache_dir=cache, seed=seed).fit(pool, coded or None)
        pred = coder.transform(held)["theme_label"].tolist()
        rows.append({"question": code, "strategy": strategy, "round": number, "corrected": len(coded),
                     **agreement(held, pred, names), "seconds": round(time.perf_counter() - start, 1)})
        print(rows[-1], flush=True)
        if number == rounds:
            break
        left = pool[~pool["answer_id"].isin(coded)]
        if strategy == "active":
            chosen = coder.to_review(per_round, left)["answer_id"].tolist()
        else:
            chosen = left["answer_id"].sample(per_round, random_state=seed + number).tolist()
        coded.update({a: gold[a] for a in chosen})
    return rows


def run_single(code: str, per_round: int, seed: int, cache: Path) -> list[dict]:
    """The review loop on the single-label answers of ``code`` (see the module's docstring): one
    row per round and strategy, until every correctable answer is corrected."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import cohen_kappa_score
    from sklearn.model_selection import train_test_split

    from retex_nlp.embed import USEEmbedder

    data = load_question(code)
    names, pool, label, ids, frame = single_label_pool(data, 20)
    correctable, test = train_test_split(pool, test_size=0.3, stratify=label[pool].tolist(), random_state=seed)
    truth = label[test].tolist()
    emb = EmbeddingCache(cache).encode(USEEmbedder(), frame["text"].tolist())
    human = human_vote_kappa(data["votes"].iloc[test], label[test], names)
    book = codebook_from_names(names)
    rows = []
    for strategy in ("active", "random"):
        coded: list[int] = []
        order = np.random.default_rng(seed).permutation(correctable)
        while True:
            start = time.perf_counter()
            coder = CodebookCoder(book, "use", cache_dir=cache, seed=seed).fit(
                frame, {ids[i]: label[i] for i in coded} or None)
            first = [c.split(";")[0] or "(aucun)" for c in coder.transform(frame)["theme_label"]]
            row = {"question": code, "seed": seed, "strategy": strategy, "corrected": len(coded),
                   "kappa": cohen_kappa_score(truth, [first[i] for i in test]), "one annotator": human,
                   "seconds": round(time.perf_counter() - start, 1)}
            if strategy == "random" and len({label[i] for i in coded}) >= 2:
                clf = LogisticRegression(max_iter=3000).fit(emb[coded], label[coded].tolist())
                row["USE+LR"] = cohen_kappa_score(truth, clf.predict(emb[test]).tolist())
            rows.append(row)
            print(row, flush=True)
            done = set(coded)
            left = [i for i in correctable if i not in done]
            if not left:
                break
            if strategy == "active":
                chosen = coder.to_review(min(per_round, len(left)), frame.iloc[left])["answer_id"].tolist()
                coded += [int(a) for a in chosen]
            else:
                coded += [int(i) for i in order[len(coded):len(coded) + per_round]]
    return rows


def single_label_section(rows: list[dict], args: argparse.Namespace) -> str:
    """The markdown section of the single-label review loop: mean curves over the seeds and the
    corrections each strategy needs to reach kappa 0.8."""
    table = pd.DataFrame(rows)
    curve = table.pivot_table(index=["question", "corrected"], columns="strategy", values="kappa").reset_index()
    lr = table[table["strategy"] == "random"].groupby(["question", "corrected"])["USE+LR"].mean().reset_index()
    curve = curve.merge(lr, on=["question", "corrected"], how="left")
    curve = curve.rename(columns={"active": "active kappa", "random": "random kappa",
                                  "USE+LR": "USE+LR kappa (random)"})
    human = table.groupby("question")["one annotator"].mean()
    curve["one annotator kappa"] = curve["question"].map(human)
    curve = curve.round(3)
    reached = []
    for (question, strategy), part in table.groupby(["question", "strategy"]):
        firsts = []
        for _, run_rows in part.groupby("seed"):
            hit = run_rows[run_rows["kappa"] >= 0.8]
            firsts.append(int(hit["corrected"].iloc[0]) if len(hit) else None)
        total = int(part["corrected"].max())
        text = ", ".join(str(f) if f is not None else f"not in {total}" for f in firsts)
        reached.append(f"{question} {strategy}: {text}")
    seeds = table["seed"].nunique()
    return "\n".join([
        "## The review loop on single-label answers, up to kappa 0.8 (`benchmarks/bench_review.py --single-label`)", "",
        f"Command: `python benchmarks/bench_review.py --single-label --questions {' '.join(args.questions)} "
        f"--per-round {args.per_round} --seeds {args.seeds} --out docs/benchmarks.md`",
        f"Machine: {machine()}. Answers: those of the few-shot sections (a single corroborated label, labels with "
        ">= 20 such answers); a stratified 30% is the test set, never corrected; the analyst corrects the "
        f"others {args.per_round} at a time, chosen by the coder (`to_review`) or at random, until all are "
        "corrected. Codebook: the label names only. The coder codes every answer of the question; kappa "
        f"(Cohen, over the labels) of its first code on the test answers, mean of {seeds} splits "
        "(seeds); USE + LogisticRegression learns from the random corrections.", "",
        markdown(curve), "",
        "Corrections to reach kappa 0.8, per split: " + "; ".join(reached) + ".", "",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", default=["FI8"])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--per-round", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--single-label", action="store_true",
                        help="the loop on the single-label answers of the few-shot sections, until every answer is "
                             "corrected, over --seeds splits")
    parser.add_argument("--seeds", type=int, default=3, help="splits of --single-label")
    parser.add_argument("--ceiling-only", action="store_true",
                        help="only fit the coder on every answer of the pool (all corrected) and print its kappa, beside "
                             "a plain supervised baseline on the same answers")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="bench_review_"))
    if args.single_label:
        rows = [row for seed in range(args.seeds) for code in args.questions
                for row in run_single(code, args.per_round, seed, cache)]
        section = single_label_section(rows, args)
        print(section)
        if args.out:
            replace_section(args.out, "## The review loop on single-label answers", section)
        return
    if args.ceiling_only:
        print(pd.DataFrame([ceiling(code, args.seed, cache) for code in args.questions]).to_string(index=False))
        return
    rows = []
    for code in args.questions:
        for strategy in ("active", "random"):
            rows.extend(run(code, strategy, args.rounds, args.per_round, args.seed, cache))
    table = pd.DataFrame(rows)
    wide = table.pivot_table(index=["question", "corrected"], columns="strategy", values="kappa").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    print(wide.to_string(index=False))
    if args.out:
        reached = []
        for (question, strategy), part in table.groupby(["question", "strategy"]):
            hit = part[part["kappa"] >= 0.8]
            reached.append(f"{question} {strategy}: " + (f"{int(hit['corrected'].iloc[0])} corrections" if len(hit)
                                                          else f"not reached in {int(part['corrected'].max())} "
                                                               f"(best {part['kappa'].max():.2f})"))
        section = "\n".join([
            "## The review loop: corrections until the coder agrees, active vs random (`benchmarks/bench_review.py`)", "",
            f"Command: `python benchmarks/bench_review.py --questions {' '.join(args.questions)} --rounds {args.rounds} "
            f"--per-round {args.per_round} --out docs/benchmarks.md`",
            f"Machine: {machine()}. Codebook: the label names only; test set: a fixed 30% never shown to the coder; "
            "each round the analyst corrects answers chosen by the coder (`to_review`: least sure, diverse) or at "
            "random; the coder is fitted again on all corrections so far. Mean Cohen's kappa over themes on the "
            "test set:", "", markdown(wide), "",
            "Labels per answer given by the coder, per round (humans: 1.6-1.9):", "",
            markdown(table.pivot_table(index=["question", "corrected"], columns="strategy",
                                       values="labels_per_answer").reset_index()), "",
            "kappa 0.8: " + "; ".join(reached) + ".", "",
        ])
        replace_section(args.out, "## The review loop: corrections", section)


if __name__ == "__main__":
    main()
