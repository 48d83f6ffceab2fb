"""Themes and coding against human labels, each next to vanilla BERTopic (issue: themes).

Data: the Grand Débat answers hand-tagged by "La Grande Annotation" volunteers
(``../shared/corpora/gdn_annotated_lga_elf``): questions FI7, FI8 and DC13; only tags given by at
least 2 annotators count ("Idée marquée", a workflow marker, is dropped). Every method gets the
same USE embeddings (computed once, cached on disk).

1. Inductive themes vs the human labels: NMI and ARI on the answers with a single corroborated
   label (unassigned answers count as one more cluster), share unassigned, number of themes,
   seconds. retex_nlp's ``ThemeFinder`` vs ``BERTopic()`` with its default settings and vs an
   oracle: KMeans told the true number of labels (and ``ThemeFinder`` told it too).
2. Codebook coding with a codebook written only from the label names (themes with at least
   ``--min-label`` answers; description = a one-line sentence built from the name):
   ``CodebookCoder`` vs BERTopic's zero-shot topic modelling with the same names; then with the
   codebooks a user would write (``benchmarks/codebooks/lga_*.yml``: one sentence and five
   keywords per label, written without reading the answers), and the same codebook without its
   keywords (a definition per theme, as in a report's coding grid), vs two simple baselines on the same
   codebook: keywords only (every theme whose keyword is in the answer, accents and case
   ignored) and cosine only (the theme whose "name. sentence" is nearest). Multi-label
   micro/macro F1, mean Cohen's kappa over themes, codes per answer (humans: 1.6-1.9).
3. Learning from 20% hand-coded answers (seeded split), coding the other 80%:
   ``CodebookCoder.fit`` vs BERTopic's supervised mode (logistic regression on the embeddings,
   one label per answer).
4. The same fit run twice in one process: identical themes? (ARI between the two runs.)
5. Few-shot curves: 5, 10 and 20 hand-coded examples per theme (answers with a single
   corroborated label; labels with at least 20 such answers; 10 seeded draws), the rest of the
   question's answers coded. ``CodebookCoder.fit`` (codebook = the label names; the examples
   given as ``answer_id -> code`` among all the question's answers) vs USE + LogisticRegression
   on the same examples. Cohen's kappa over the labels on the single-label answers not drawn
   (the coder's first code; none counts as a wrong label); codes per answer on all answers.
   Beside them, what one LGA annotator's tags agree with the corroborated label on the same
   answers (:func:`human_vote_kappa`), the nearest thing to "a second human" the export allows.
   ``--only few_shot_written``: the same draws, the coder starting from the codebook of part 2
   a user wrote (one sentence and five keywords per label) rather than the label names.
6. ``--only held_out``: questions never used to choose any setting of the coder, tagged by the
   "Entendre la France" project (one tagger per answer, ``elf_tagged_answers.csv``; "Autre /
   Passer" dropped): codebook from the label names (labels with at least 20 answers) against the
   name's words as keywords and the nearest name, and few-shot at 10 examples per label against
   USE + LogisticRegression, as in parts 2 and 5.

    python benchmarks/bench_themes.py --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import copy
import re
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
from retex_nlp.normalize import fold  # noqa: E402

LGA = SHARED / "gdn_annotated_lga_elf"
CODEBOOKS = Path(__file__).resolve().parent / "codebooks"
CACHE = Path(__file__).resolve().parent / ".cache"


def load_question(code: str) -> pd.DataFrame:
    """One row per answer with its set of corroborated tags."""
    if code == "DC13":
        raw = pd.read_csv(LGA / "lga_gdn_democratie_DC13.tsv", sep="\t", index_col=0).rename(columns={"id_elf": "question"})
    else:
        raw = pd.read_csv(LGA / "lga_gdn_fiscalite_FI7_FI8.tsv", sep="\t", index_col=0)
    raw = raw[(raw["question"] == code) & (raw["tag"] != "Idée marquée")]
    votes = raw.groupby("corpus")[["tag", "count"]].apply(lambda d: dict(zip(d["tag"], d["count"], strict=True)))
    raw = raw[raw["count"] >= 2]
    gold = raw.groupby("corpus", sort=True)["tag"].apply(lambda s: sorted(set(s)))
    return pd.DataFrame({"text": gold.index.astype(str), "tags": gold.to_numpy(),
                         "votes": votes.reindex(gold.index).to_numpy()})


def load_elf(code: str) -> pd.DataFrame:
    """One row per answer of ELF question ``code`` with its set of tags (one tagger: ``votes``
    gives each tag 1)."""
    raw = pd.read_csv(LGA / "elf_tagged_answers.csv", sep=";", encoding="utf-8-sig")
    raw = raw[(raw["question"] == code) & (raw["tag"] != "Autre / Passer")]
    raw = raw.assign(corpus=raw["corpus"].astype(str).str.replace("&&", "\n", regex=False))
    gold = raw.groupby("corpus", sort=True)["tag"].apply(lambda s: sorted(set(s)))
    return pd.DataFrame({"text": gold.index.astype(str), "tags": gold.to_numpy(),
                         "votes": [dict.fromkeys(t, 1) for t in gold]})


def human_vote_kappa(votes: pd.Series, label: np.ndarray, names: list[str]) -> float:
    """What one annotator agrees with the corroborated label: every tag an LGA annotator gave the
    answer, weighted by its share of the answer's votes, against the label (a tag outside
    ``names`` is one more category). A rough reference, not a second coder measured: the
    annotator's own vote is part of the label it is compared with (which raises the figure), and
    an annotator who gave two tags counts as one agreeing and one disagreeing vote (which lowers
    it); who gave which tag is not in the export."""
    from sklearn.metrics import cohen_kappa_score

    truth, given, weight = [], [], []
    for v, gold in zip(votes, label, strict=True):
        total = sum(v.values())
        for tag, count in v.items():
            truth.append(gold)
            given.append(tag if tag in names else "(autre)")
            weight.append(count / total)
    return float(cohen_kappa_score(truth, given, sample_weight=weight))


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


def inductive(name: str, data: pd.DataFrame, emb: np.ndarray, seeds: list[int]) -> list[dict]:
    from bertopic import BERTopic
    from sklearn.cluster import KMeans

    single = np.array([len(t) == 1 for t in data["tags"]])
    truth = [t[0] for t in data.loc[single, "tags"]]
    texts = data["text"].tolist()
    rows = []
    for method in ("retex_nlp ThemeFinder", "retex_nlp ThemeFinder, not refined", "BERTopic (defaults)",
                   "KMeans told the true k", "retex_nlp ThemeFinder told the true k"):
        runs = []
        for seed in seeds if "BERTopic" not in method else seeds[:1]:  # BERTopic's defaults take no seed
            start = time.perf_counter()
            if method.startswith("retex"):
                k = len(set(truth)) if method.endswith("true k") else None
                finder = ThemeFinder(seed=seed, n_themes=k, refine="not refined" not in method)
                topics = finder.fit_transform(texts, embeddings=emb)["theme_id"].to_numpy()
            elif method.startswith("KMeans"):
                topics = KMeans(len(set(truth)), n_init=10, random_state=seed).fit_predict(emb)
            else:
                topics = np.asarray(BERTopic().fit_transform(texts, embeddings=emb)[0])
            runs.append((topics, time.perf_counter() - start))
        topics, seconds = runs[0]
        nmis = [normalized_mutual_info_score(truth, t[single]) for t, _ in runs]
        rows.append({"question": name, "method": method, "answers": len(data), "single_label": int(single.sum()),
                     "human_labels": len(set(truth)), "themes": len(set(topics.tolist()) - {-1}),
                     "unassigned": round(float((topics == -1).mean()), 3),
                     "NMI": round(nmis[0], 3), "ARI": round(adjusted_rand_score(truth, topics[single]), 3),
                     f"NMI mean of {len(seeds)} seeds": round(float(np.mean(nmis)), 3) if len(runs) > 1 else "-",
                     "seconds": round(seconds, 1)})
        print(rows[-1], flush=True)
    return rows


def label_set(data: pd.DataFrame, min_label: int) -> list[str]:
    counts = pd.Series([t for tags in data["tags"] for t in tags]).value_counts()
    return sorted(counts[counts >= min_label].index.tolist())


def codebook_from_names(names: list[str]) -> Codebook:
    return Codebook.from_dict({"themes": [{"name": n, "description": f"La réponse parle de : {n}."} for n in names]})


def name_words(name: str) -> list[str]:
    """The words of a label name, French stop words left out (a simple baseline's keywords)."""
    from spacy.lang.fr.stop_words import STOP_WORDS

    stop = {fold(w) for w in STOP_WORDS}
    return [w for w in re.findall(r"\w+", fold(name)) if len(w) > 1 and w not in stop]


def zero_shot(name: str, data: pd.DataFrame, emb: np.ndarray, names: list[str], embedder,
              bertopic: bool = True) -> list[dict]:
    """The codebook of label names: the coder against the name's words as keywords, the nearest
    name, and (``bertopic``) BERTopic's zero-shot topic modelling."""
    from retex_nlp.embed import unit_rows

    gold = [[t for t in tags if t in names] for tags in data["tags"]]
    texts = data["text"].tolist()
    rows = []

    def add(method: str, pred: list[list[str]], start: float) -> None:
        rows.append({"question": name, "method": method, "themes": len(names), **multilabel_scores(gold, pred, names),
                     "codes/answer": round(float(np.mean([len(p) for p in pred])), 2),
                     "seconds": round(time.perf_counter() - start, 1)})
        print(rows[-1], flush=True)

    start = time.perf_counter()
    coded = CodebookCoder(codebook_from_names(names), embedder).fit_transform(texts)
    add("retex_nlp CodebookCoder", [[c for c in codes.split(";") if c in names] for codes in coded["theme_label"]],
        start)
    start = time.perf_counter()
    words = {n: name_words(n) for n in names}
    add("name words as keywords", [[n for n in names if _keyword_in(x, words[n])] for x in texts], start)
    start = time.perf_counter()
    anchors = unit_rows(embedder.encode([f"{t.name}. {t.description}" for t in codebook_from_names(names).themes]))
    add("cosine only (nearest name)", [[names[j]] for j in (unit_rows(emb) @ anchors.T).argmax(axis=1)], start)
    if not bertopic:
        return rows
    from bertopic import BERTopic

    start = time.perf_counter()
    model = BERTopic(embedding_model=bertopic_backend(embedder), zeroshot_topic_list=names)
    topics = model.fit_transform(texts, embeddings=emb)[0]
    mapping = {t: names[i] for t, i in model._topic_id_to_zeroshot_topic_idx.items()}
    add("BERTopic zero-shot (defaults)", [[mapping[t]] if t in mapping else [] for t in topics], start)
    return rows


def _keyword_in(text: str, keywords: list[str]) -> bool:
    words = " " + re.sub(r"[^\w]+", " ", fold(text)) + " "
    return any(" " + re.sub(r"[^\w]+", " ", fold(k)).strip() + " " in words for k in keywords)


def written_codebook(name: str, data: pd.DataFrame, emb: np.ndarray, embedder) -> list[dict]:
    """Coding from the codebook a user wrote (one sentence + five keywords per label)."""
    from retex_nlp.embed import unit_rows

    book = Codebook.read(CODEBOOKS / f"lga_{name}.yml")
    names = book.names
    gold = [[t for t in tags if t in names] for tags in data["tags"]]
    texts = data["text"].tolist()
    rows = []

    def add(method: str, pred: list[list[str]], start: float) -> None:
        rows.append({"question": name, "method": method, "themes": len(names), **multilabel_scores(gold, pred, names),
                     "codes/answer": round(float(np.mean([len(p) for p in pred])), 2),
                     "human codes/answer": round(float(np.mean([len(g) for g in gold])), 2),
                     "seconds": round(time.perf_counter() - start, 1)})
        print(rows[-1], flush=True)

    start = time.perf_counter()
    coded = CodebookCoder(book, embedder).fit_transform(texts)
    add("retex_nlp CodebookCoder (sentence + 5 keywords)", [[c for c in v.split(";") if c] for v in coded["theme_label"]],
        start)
    start = time.perf_counter()
    sentences = copy.deepcopy(book)
    for theme in sentences.themes:
        theme.keywords = []
    coded = CodebookCoder(sentences, embedder).fit_transform(texts)
    add("retex_nlp CodebookCoder (sentence only)", [[c for c in v.split(";") if c] for v in coded["theme_label"]],
        start)
    start = time.perf_counter()
    add("keywords only", [[t.name for t in book.themes if _keyword_in(x, t.keywords)] for x in texts], start)
    start = time.perf_counter()
    anchors = unit_rows(embedder.encode([f"{t.name}. {t.description}" for t in book.themes]))
    add("cosine only (nearest theme)", [[names[j]] for j in (unit_rows(emb) @ anchors.T).argmax(axis=1)], start)
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


def single_label_pool(data: pd.DataFrame, min_single: int) -> tuple[list[str], np.ndarray, np.ndarray, list[str],
                                                                      pd.DataFrame]:
    """(labels with at least ``min_single`` single-label answers, those answers' rows, each
    row's single label or "", answer ids, the answers as a frame to code) of a question."""
    single = np.array([len(t) == 1 for t in data["tags"]])
    counts = pd.Series([t[0] for t in data.loc[single, "tags"]]).value_counts()
    names = sorted(counts[counts >= min_single].index)
    pool = np.flatnonzero(single & np.array([t[0] in names if len(t) == 1 else False for t in data["tags"]]))
    label = np.array([t[0] if len(t) == 1 else "" for t in data["tags"]], dtype=object)
    ids = [str(i) for i in range(len(data))]
    return names, pool, label, ids, pd.DataFrame({"answer_id": ids, "text": data["text"].tolist(), "status": "ok"})


def written_subset(name: str, names: list[str]) -> Codebook:
    """The codebook a user wrote for question ``name`` (section 2b: one sentence and five
    keywords per label, written without reading the answers), restricted to ``names``."""
    book = {t.name: t for t in Codebook.read(CODEBOOKS / f"lga_{name}.yml").themes}
    missing = [n for n in names if n not in book]
    if missing:
        raise ValueError(f"{name}: labels without a written theme: {missing}")
    return Codebook([copy.deepcopy(book[n]) for n in names])


def score_split(data: pd.DataFrame, emb: np.ndarray, embedder, names: list[str], label: np.ndarray,
                ids: list[str], frame: pd.DataFrame, train: np.ndarray, test: np.ndarray, seed: int,
                book: Codebook | None = None) -> dict[str, float]:
    """The coder and the baseline learning from the answers ``train`` and coding ``test`` (kappa
    against their single labels, first code of the coder), beside one annotator's kappa; the
    coder's codes per answer and seconds. ``book``: the coder's codebook (default: the label
    names only)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import cohen_kappa_score

    truth = label[test].tolist()
    start = time.perf_counter()
    coded = CodebookCoder(book or codebook_from_names(names), embedder, seed=seed).fit(
        frame, {ids[i]: label[i] for i in train}).transform(frame)
    seconds = time.perf_counter() - start
    first = [c.split(";")[0] or "(aucun)" for c in coded["theme_label"]]
    clf = LogisticRegression(max_iter=3000).fit(emb[train], label[train].tolist())
    return {"coder": cohen_kappa_score(truth, [first[i] for i in test]),
            "baseline": cohen_kappa_score(truth, clf.predict(emb[test]).tolist()),
            "human": human_vote_kappa(data["votes"].iloc[test], label[test], names),
            "codes": float(np.mean([len([c for c in v.split(";") if c]) for v in coded["theme_label"]])),
            "seconds": seconds}


def few_shot(name: str, data: pd.DataFrame, emb: np.ndarray, embedder, draws: int,
             sizes: tuple[int, ...] = (5, 10, 20), min_single: int = 20, written: bool = False) -> list[dict]:
    """Few-shot curves; with ``written`` the coder starts from the codebook a user wrote
    (:func:`written_subset`) instead of the label names (same draws)."""
    names, pool, label, ids, frame = single_label_pool(data, min_single)
    book = written_subset(name, names) if written else None
    rows = []
    for per in sizes:
        scores: dict[str, list[float]] = {"coder": [], "baseline": [], "human": [], "codes": [], "seconds": []}
        for seed in range(draws):
            rng = np.random.default_rng(seed)
            train = np.concatenate([rng.choice(pool[label[pool] == n], per, replace=False) for n in names])
            test = np.setdiff1d(pool, train)
            for key, value in score_split(data, emb, embedder, names, label, ids, frame, train, test, seed,
                                          book).items():
                scores[key].append(value)
        rows.append({"question": name, "labels": len(names), "per_label": per, "test": len(test),
                     "USE+LR kappa": round(float(np.mean(scores["baseline"])), 3),
                     "CodebookCoder kappa": round(float(np.mean(scores["coder"])), 3),
                     "coder min-max": f"{min(scores['coder']):.2f}-{max(scores['coder']):.2f}",
                     "one annotator kappa": round(float(np.mean(scores["human"])), 3),
                     "codes/answer": round(float(np.mean(scores["codes"])), 2),
                     "seconds": round(float(np.mean(scores["seconds"])), 1)})
        print(rows[-1], flush=True)
    return rows


def all_examples(name: str, data: pd.DataFrame, emb: np.ndarray, embedder, folds: int = 5,
                 min_single: int = 20) -> list[dict]:
    """The few-shot answers and labels, the coder learning from every one of them but a fold
    (stratified ``folds``-fold): how many hand-coded answers it takes to reach the target."""
    from sklearn.model_selection import StratifiedKFold

    names, pool, label, ids, frame = single_label_pool(data, min_single)
    scores: dict[str, list[float]] = {"coder": [], "baseline": [], "human": [], "train": []}
    for train_i, test_i in StratifiedKFold(folds, shuffle=True, random_state=0).split(pool, label[pool]):
        train, test = pool[train_i], pool[test_i]
        fold = score_split(data, emb, embedder, names, label, ids, frame, train, test, 0)
        for key in ("coder", "baseline", "human"):
            scores[key].append(fold[key])
        scores["train"].append(len(train))
    row = {"question": name, "labels": len(names), "hand-coded": int(np.mean(scores["train"])),
           "per label": round(float(np.mean(scores["train"])) / len(names), 1), "test": len(pool) // folds,
           "USE+LR kappa": round(float(np.mean(scores["baseline"])), 3),
           "CodebookCoder kappa": round(float(np.mean(scores["coder"])), 3),
           "one annotator kappa": round(float(np.mean(scores["human"])), 3)}
    print(row, flush=True)
    return [row]


#: Questions of the ELF tags never used to choose a setting of the coder, with at least three
#: labels of 20 single-label answers each.
HELD_OUT = ["DC11", "DC12", "OE10", "OE11", "TE11"]


def held_out(code: str, embedder, draws: int) -> tuple[list[dict], list[dict]]:
    """Part 6 on one ELF question: (zero-shot rows, few-shot row at 10 examples per label)."""
    data = load_elf(code)
    emb = EmbeddingCache(CACHE).encode(embedder, data["text"].tolist())
    zero = zero_shot(code, data, emb, label_set(data, 20), embedder, bertopic=False)
    few = few_shot(code, data, emb, embedder, draws, sizes=(10,))
    for row in few:
        del row["one annotator kappa"]  # one tagger: nothing to compare with
    return zero, few


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
    parser.add_argument("--seeds", type=int, default=5, help="inductive themes: also the mean NMI over this many seeds")
    parser.add_argument("--draws", type=int, default=10, help="few-shot: seeded draws of examples per size")
    parser.add_argument("--only", nargs="+", choices=["inductive", "codebook", "supervised", "twice", "few_shot", "all_examples",
                                                      "few_shot_written", "held_out"],
                        help="run these parts only (the others' tables are left as they are in --out)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    embedder = USEEmbedder()
    results: dict[str, list[dict]] = {"inductive": [], "codebook": [], "supervised": [], "twice": [], "few_shot": [], "written": [],
                                     "all_examples": [], "few_shot_written": [], "held_out_zero": [], "held_out_few": []}
    parts = set(args.only or [*results, "held_out"])
    start = time.perf_counter()
    for code in args.questions:
        data = load_question(code)
        emb = EmbeddingCache(CACHE).encode(embedder, data["text"].tolist())
        names = label_set(data, args.min_label)
        print(f"{code}: {len(data)} answers, {len(names)} codebook themes", flush=True)
        if "inductive" in parts:
            results["inductive"] += inductive(code, data, emb, list(range(args.seed, args.seed + args.seeds)))
        if "codebook" in parts:
            results["codebook"] += zero_shot(code, data, emb, names, embedder)
            results["written"] += written_codebook(code, data, emb, embedder)
        if "supervised" in parts:
            results["supervised"] += supervised(code, data, emb, names, embedder, args.seed)
        if "twice" in parts and code == args.questions[0]:
            results["twice"] += twice(code, data, emb, args.seed)
        if "few_shot" in parts:
            results["few_shot"] += few_shot(code, data, emb, embedder, args.draws)
        if "all_examples" in parts:
            results["all_examples"] += all_examples(code, data, emb, embedder)
        if "few_shot_written" in parts:
            results["few_shot_written"] += few_shot(code, data, emb, embedder, args.draws, written=True)
    if "held_out" in parts:
        for code in HELD_OUT:
            zero, few = held_out(code, embedder, args.draws)
            results["held_out_zero"] += zero
            results["held_out_few"] += few
    total = time.perf_counter() - start
    tables = {k: pd.DataFrame(v) for k, v in results.items()}
    for k, t in tables.items():
        print(f"\n{k}\n{t.to_string(index=False)}")
    if args.out and tables["few_shot"].size:
        only = f" --only {' '.join(args.only)}" if args.only else ""
        cmd = f"python benchmarks/bench_themes.py --questions {' '.join(args.questions)}{only} --draws {args.draws} --out {args.out}"
        replace_section(args.out, "## Few-shot coding", "\n".join([
            "## Few-shot coding: hand-coded examples per theme (`benchmarks/bench_themes.py`)", "",
            f"Command: `{cmd}`", f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: the LGA answers of section \"Themes and coding\" with a single corroborated label, labels with"
            f" >= 20 such answers; {args.draws} seeded draws of N examples per label; kappa (Cohen, over the"
            " labels) on the single-label answers not drawn, mean of the draws. The coder codes every answer of"
            " the question from the label names and the examples; the baseline is USE + LogisticRegression"
            " (scikit-learn defaults) on the same examples and embeddings; \"one annotator kappa\" is what one LGA volunteer's tags agree with the corroborated label on the same test answers (`human_vote_kappa`).", "",
            markdown(tables["few_shot"]), ""]))
    if args.out and tables["all_examples"].size:
        table = tables["all_examples"]
        replace_section(args.out, "## Coding learned from all the hand-coded answers", "\n".join([
            "## Coding learned from all the hand-coded answers (`benchmarks/bench_themes.py`)", "",
            f"Command: `python benchmarks/bench_themes.py --questions {' '.join(args.questions)} --only all_examples"
            f" --out {args.out}`", f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: the answers and labels of the few-shot section (a single corroborated label, labels with >= 20"
            " such answers); stratified 5-fold: the coder learns from every answer of four folds and codes the"
            " fifth; kappa (Cohen, over the labels), mean of the folds; same baseline and annotator reference.", "",
            markdown(table), "",
            f"Mean over the questions: coder {table['CodebookCoder kappa'].mean():.3f}, USE+LR"
            f" {table['USE+LR kappa'].mean():.3f}, one annotator {table['one annotator kappa'].mean():.3f}.", ""]))
    if args.out and tables["few_shot_written"].size:
        table = tables["few_shot_written"]
        per10 = table[table["per_label"] == 10]
        replace_section(args.out, "## Few-shot coding from the codebook a user wrote", "\n".join([
            "## Few-shot coding from the codebook a user wrote (`benchmarks/bench_themes.py`)", "",
            f"Command: `python benchmarks/bench_themes.py --questions {' '.join(args.questions)} --only few_shot_written"
            f" --draws {args.draws} --out {args.out}`",
            f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: the answers, labels and draws of the few-shot section; the coder starts from the codebook of"
            " section 2b (one sentence and five keywords per label, written without reading the answers) instead"
            " of the label names; same baseline and annotator reference.", "",
            markdown(table), "",
            f"Mean over the questions at 10 per label: coder {per10['CodebookCoder kappa'].mean():.3f}, USE+LR"
            f" {per10['USE+LR kappa'].mean():.3f}, one annotator {per10['one annotator kappa'].mean():.3f}.", ""]))
    if args.out and tables["held_out_few"].size:
        zero, few = tables["held_out_zero"], tables["held_out_few"]
        means = zero.groupby("method", sort=False)["kappa"].mean()
        replace_section(args.out, "## Questions never used to tune the coder", "\n".join([
            "## Questions never used to tune the coder (`benchmarks/bench_themes.py`)", "",
            f"Command: `python benchmarks/bench_themes.py --only held_out --draws {args.draws} --out {args.out}`",
            f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: the \"Entendre la France\" tags (`elf_tagged_answers.csv`, one tagger per answer, \"Autre /"
            " Passer\" dropped) of the questions with at least three labels of 20 single-label answers, none of"
            " them used to choose any setting of the coder (those were chosen on LGA's FI7, FI8, DC13).", "",
            "Codebook from the label names (labels with >= 20 answers; multi-label, mean kappa over the labels):",
            "", markdown(zero), "",
            "Mean kappa over the questions: " + ", ".join(f"{m} {k:.3f}" for m, k in means.items()) + ".", "",
            f"Few-shot, 10 examples per label ({args.draws} seeded draws; single-label answers, labels with >= 20;"
            " kappa on those not drawn, first code):", "", markdown(few), "",
            f"Mean over the questions: coder {few['CodebookCoder kappa'].mean():.3f}, USE+LR"
            f" {few['USE+LR kappa'].mean():.3f}.", ""]))
    if args.out and parts >= {"inductive", "codebook", "supervised", "twice"}:
        only = f" --only {' '.join(args.only)}" if args.only else ""
        cmd = (f"python benchmarks/bench_themes.py --questions {' '.join(args.questions)}{only} --min-label {args.min_label}"
               f" --seeds {args.seeds} --out {args.out}")
        section = [
            "## Themes and coding vs human labels (`benchmarks/bench_themes.py`)", "",
            f"Command: `{cmd}`", f"Machine: {machine()}. Total {total / 60:.1f} min, peak RSS {rss_mb():.0f} MB.",
            "Data: Grand Débat answers tagged by La Grande Annotation volunteers (tags given by >= 2 annotators);"
            " same USE embeddings for every method; vanilla BERTopic with its default settings.", "",
            "### 1. Inductive themes vs human labels (answers with one corroborated label)", "",
            markdown(tables["inductive"]), "",
            f"### 2. Codebook from the label names only (labels with >= {args.min_label} answers)", "",
            markdown(tables["codebook"]), "",
            "### 2b. Codebook a user wrote (one sentence + 5 keywords per label) vs simple baselines", "",
            markdown(tables["written"]), "",
            "### 3. Learning from 20% hand-coded answers, coding the other 80%", "",
            markdown(tables["supervised"]), "",
            "### 4. The same fit twice in one process", "",
            markdown(tables["twice"]), "",
        ]
        replace_section(args.out, "## Themes and coding", "\n".join(section))


if __name__ == "__main__":
    sys.exit(main())
