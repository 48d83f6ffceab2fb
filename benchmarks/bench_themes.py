"""Themes and coding against human labels, each next to vanilla BERTopic (issue: themes).

Data: the Grand Débat answers hand-tagged by "La Grande Annotation" volunteers
(``../shared/corpora/gdn_annotated_lga_elf``): questions FI7, FI8 and DC13; only tags given by at
least 2 annotators count ("Idée marquée", a workflow marker, is dropped). Every method gets the
same USE embeddings (computed once, cached on disk).

1. Inductive themes vs the human labels: NMI and ARI on the answers with a single corroborated
   label (unassigned answers count as one more cluster), share unassigned, number of themes,
   seconds. retex_nlp's ``ThemeFinder`` vs ``BERTopic()`` with its default settings.
2. Codebook coding with a codebook written only from the label names (themes with at least
   ``--min-label`` answers; description = a one-line sentence built from the name):
   ``CodebookCoder`` vs BERTopic's zero-shot topic modelling with the same names. Multi-label
   micro/macro F1 and mean Cohen's kappa over themes.
3. Learning from 20% hand-coded answers (seeded split), coding the other 80%:
   ``CodebookCoder.fit`` vs BERTopic's supervised mode (logistic regression on the embeddings,
   one label per answer).
4. The same fit run twice in one process: identical themes? (ARI between the two runs.)

    python benchmarks/bench_themes.py --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, machine, markdown, replace_section, rss_mb  # noqa: E402

from retex_nlp import Codebook, CodebookCoder, EmbeddingCache, ThemeFinder, USEEmbedder  # noqa: E402
from retex_nlp.coding.agreement import code_matrix, cohen_kappa  # noqa: E402

LGA = SHARED / "gdn_annotated_lga_elf"
CACHE = Path(__file__).resolve().parent / ".cache"


def load_question(code: str) -> pd.DataFrame:
    """One row per answer with its set of corroborated tags."""
    if code == "DC13":
        raw = pd.read_csv(LGA / "lga_gdn_democratie_DC13.tsv", sep="\t", index_col=0).rename(columns={"id_elf": "question"})
    else:
        raw = pd.read_csv(LGA / "lga_gdn_fiscalite_FI7_FI8.tsv", sep="\t", index_col=0)
    raw = raw[(raw["question"] == code) & (raw["count"] >= 2) & (raw["tag"] != "Idée marquée")]
    gold = raw.groupby("corpus", sort=True)["tag"].apply(lambda s: sorted(set(s)))
    return pd.DataFrame({"text": gold.index.astype(str), "tags": gold.to_numpy()})


def multilabel_scores(gold: list[list[str]], pred: list[list[str]], names: list[str]) -> dict:
    G = code_matrix([";".join(g) for g in gold], names)
    P = code_matrix([";".join(p) for p in pred], names)
    tp = (G & P).sum(axis=0)
    prec = tp / np.maximum(P.sum(axis=0), 1)
    rec = tp / np.maximum(G.sum(axis=0), 1)
    f1 = np.where(prec + rec > 0, 2 * prec * rec / np.maximum(prec + rec, 1e-9), 0.0)
    mp, mr = tp.sum() / max(P.sum(), 1), tp.sum() / max(G.sum(), 1)
    return {"micro_f1": round(2 * mp * mr / max(mp + mr, 1e-9), 3), "macro_f1": round(float(f1.mean()), 3),
            "kappa": round(float(np.mean([cohen_kappa(G[:, j], P[:, j]) for j in range(len(names))])), 3)}


def bertopic_backend(embedder):
    """An embedder as a BERTopic embedding backend (its zero-shot mode needs one)."""
    from bertopic.backend import BaseEmbedder

    class Backend(BaseEmbedder):
        def embed(self, documents, verbose=False):
            return embedder.encode(list(documents))

    return Backend()


def inductive(name: str, data: pd.DataFrame, emb: np.ndarray, seed: int) -> list[dict]:
    from bertopic import BERTopic

    single = np.array([len(t) == 1 for t in data["tags"]])
    truth = [t[0] for t in data.loc[single, "tags"]]
    rows = []
    for method in ("retex_nlp ThemeFinder", "BERTopic (defaults)"):
        start = time.perf_counter()
        if method.startswith("retex"):
            topics = ThemeFinder(seed=seed).fit_transform(data["text"].tolist(), embeddings=emb)["theme_id"].to_numpy()
        else:
            topics = np.asarray(BERTopic().fit_transform(data["text"].tolist(), embeddings=emb)[0])
        seconds = time.perf_counter() - start
        rows.append({"question": name, "method": method, "answers": len(data), "single_label": int(single.sum()),
                     "human_labels": len(set(truth)), "themes": len(set(topics.tolist()) - {-1}),
                     "unassigned": round(float((topics == -1).mean()), 3),
                     "NMI": round(normalized_mutual_info_score(truth, topics[single]), 3),
                     "ARI": round(adjusted_rand_score(truth, topics[single]), 3), "seconds": round(seconds, 1)})
        print(rows[-1], flush=True)
    return rows


def label_set(data: pd.DataFrame, min_label: int) -> list[str]:
    counts = pd.Series([t for tags in data["tags"] for t in tags]).value_counts()
    return sorted(counts[counts >= min_label].index.tolist())


def codebook_from_names(names: list[str]) -> Codebook:
    return Codebook.from_dict({"themes": [{"name": n, "description": f"La réponse parle de : {n}."} for n in names]})


def zero_shot(name: str, data: pd.DataFrame, emb: np.ndarray, names: list[str], embedder) -> list[dict]:
    from bertopic import BERTopic

    gold = [[t for t in tags if t in names] for tags in data["tags"]]
    texts = data["text"].tolist()
    rows = []
    start = time.perf_counter()
    coded = CodebookCoder(codebook_from_names(names), embedder).transform(texts)
    pred = [[c for c in codes.split(";") if c in names] for codes in coded["theme_label"]]
    rows.append({"question": name, "method": "retex_nlp CodebookCoder", "themes": len(names),
                 **multilabel_scores(gold, pred, names), "seconds": round(time.perf_counter() - start, 1)})
    print(rows[-1], flush=True)
    start = time.perf_counter()
    model = BERTopic(embedding_model=bertopic_backend(embedder), zeroshot_topic_list=names)
    topics = model.fit_transform(texts, embeddings=emb)[0]
    mapping = {t: names[i] for t, i in model._topic_id_to_zeroshot_topic_idx.items()}
    pred = [[mapping[t]] if t in mapping else [] for t in topics]
    rows.append({"question": name, "method": "BERTopic zero-shot (defaults)", "themes": len(names),
                 **multilabel_scores(gold, pred, names), "seconds": round(time.perf_counter() - start, 1)})
    print(rows[-1], flush=True)
    return rows


def supervised(name: str, data: pd.DataFrame, emb: np.ndarray, names: list[str], embedder, seed: int) -> list[dict]:
    from bertopic import BERTopic
    from bertopic.dimensionality import BaseDimensionalityReduction
    from bertopic.vectorizers import ClassTfidfTransformer
    from sklearn.linear_model import LogisticRegression

    gold = [[t for t in tags if t in names] for tags in data["tags"]]
    rng = np.random.default_rng(seed)
    train = np.zeros(len(data), dtype=bool)
    train[rng.choice(len(data), int(0.2 * len(data)), replace=False)] = True
    texts = np.asarray(data["text"].tolist(), dtype=object)
    test_gold = [g for g, t in zip(gold, train, strict=True) if not t]
    rows = []
    start = time.perf_counter()
    coder = CodebookCoder(codebook_from_names(names), embedder, seed=seed)
    coder.fit(texts[train].tolist(), [";".join(g) for g, t in zip(gold, train, strict=True) if t])
    coded = coder.transform(texts[~train].tolist())
    pred = [[c for c in codes.split(";") if c in names] for codes in coded["theme_label"]]
    rows.append({"question": name, "method": "retex_nlp CodebookCoder.fit", "train": int(train.sum()),
                 "test": int((~train).sum()), **multilabel_scores(test_gold, pred, names),
                 "seconds": round(time.perf_counter() - start, 1)})
    print(rows[-1], flush=True)
    start = time.perf_counter()
    classes = ["(aucun)", *names]
    y = [classes.index(g[0]) if g else 0 for g, t in zip(gold, train, strict=True) if t]
    model = BERTopic(umap_model=BaseDimensionalityReduction(), hdbscan_model=LogisticRegression(max_iter=2000),
                     ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True))
    model.fit(texts[train].tolist(), embeddings=emb[train], y=y)
    topics = model.transform(texts[~train].tolist(), embeddings=emb[~train])[0]
    # BERTopic renumbers the classes by frequency; get_mappings() gives {class: topic}
    mapping = {topic: classes[c] for c, topic in model.topic_mapper_.get_mappings().items()}
    pred = [[mapping.get(t, "(aucun)")] for t in topics]
    pred = [[p for p in ps if p in names] for ps in pred]
    rows.append({"question": name, "method": "BERTopic supervised (LogisticRegression)", "train": int(train.sum()),
                 "test": int((~train).sum()), **multilabel_scores(test_gold, pred, names),
                 "seconds": round(time.perf_counter() - start, 1)})
    print(rows[-1], flush=True)
    return rows


def twice(name: str, data: pd.DataFrame, emb: np.ndarray, seed: int) -> list[dict]:
    from bertopic import BERTopic

    texts = data["text"].tolist()
    rows = []
    for method in ("retex_nlp ThemeFinder", "BERTopic (defaults)"):
        runs = []
        for _ in range(2):
            if method.startswith("retex"):
                finder = ThemeFinder(seed=seed)
                topics = finder.fit_transform(texts, embeddings=emb)["theme_id"].to_numpy()
                labels = sorted(finder.labels_.values())
            else:
                model = BERTopic()
                topics = np.asarray(model.fit_transform(texts, embeddings=emb)[0])
                labels = sorted(model.topic_labels_.values())
            runs.append((topics, labels))
        (a, la), (b, lb) = runs
        rows.append({"question": name, "method": method, "identical_assignments": bool((a == b).all()),
                     "identical_labels": la == lb, "ARI_between_runs": round(adjusted_rand_score(a, b), 3)})
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", nargs="+", default=["FI7", "FI8", "DC13"])
    parser.add_argument("--min-label", type=int, default=30, help="codebook themes: labels with at least this many answers")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    embedder = USEEmbedder()
    results: dict[str, list[dict]] = {"inductive": [], "codebook": [], "supervised": [], "twice": []}
    start = time.perf_counter()
    for code in args.questions:
        data = load_question(code)
        emb = EmbeddingCache(CACHE).encode(embedder, data["text"].tolist())
        names = label_set(data, args.min_label)
        print(f"{code}: {len(data)} answers, {len(names)} codebook themes", flush=True)
        results["inductive"] += inductive(code, data, emb, args.seed)
        results["codebook"] += zero_shot(code, data, emb, names, embedder)
        results["supervised"] += supervised(code, data, emb, names, embedder, args.seed)
        if code == args.questions[0]:
            results["twice"] += twice(code, data, emb, args.seed)
    total = time.perf_counter() - start
    tables = {k: pd.DataFrame(v) for k, v in results.items()}
    for k, t in tables.items():
        print(f"\n{k}\n{t.to_string(index=False)}")
    if args.out:
        cmd = f"python benchmarks/bench_themes.py --questions {' '.join(args.questions)} --min-label {args.min_label} --out {args.out}"
        section = [
            "## Themes and coding vs human labels (`benchmarks/bench_themes.py`)", "",
            f"Command: `{cmd}`", f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: Grand Débat answers tagged by La Grande Annotation volunteers (tags given by >= 2 annotators);"
            " same USE embeddings for every method; vanilla BERTopic with its default settings.", "",
            "### 1. Inductive themes vs human labels (answers with one corroborated label)", "",
            markdown(tables["inductive"]), "",
            f"### 2. Codebook from the label names only (labels with >= {args.min_label} answers)", "",
            markdown(tables["codebook"]), "",
            "### 3. Learning from 20% hand-coded answers, coding the other 80%", "",
            markdown(tables["supervised"]), "",
            "### 4. The same fit twice in one process", "",
            markdown(tables["twice"]), "",
        ]
        replace_section(args.out, "## Themes and coding", "\n".join(section))


if __name__ == "__main__":
    sys.exit(main())
