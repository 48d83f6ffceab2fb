"""Scale: the whole Grand Débat corpus (1,169,146 answers to 12 questions) on this machine.

Steps (each measured in a fresh child process, so peak memory is that step's, workers included):

- ``terms``: ``retex_nlp.scale.count_terms`` over the 12 gzip CSV files read in chunks, counts per
  question, then the whole-corpus table and the specificities of each question; at 10k, 100k
  answers (the first rows of each file, in proportion) and all of them; with 1 process, and
  with a Dask ``LocalCluster`` of 2 workers.
- ``embed``: USE embeddings (answers/s) at 10k and 100k answers, and all 1.17M through the
  resumable on-disk cache (``.cache/bench_scale``); in one process (parallel batches), or on
  Dask workers.
- ``themes``: ``ThemeFinder`` (fit on a 30k sample, every answer assigned) on the 12 questions
  pooled (1.17M answers, one model), on FIS_01 (147,792 answers) and on each question alone,
  from the cached embeddings; the share of answers assigned; stability between two samples
  (seeds 0 and 1) on the pooled corpus and on FIS_01.
- ``bertopic``: vanilla ``BERTopic()`` fitted on all of FIS_01 with the same embeddings.

Every result is appended to ``benchmarks/results/scale.jsonl``; ``--write`` renders them into
``docs/benchmarks.md``. Long steps can be run one at a time:

    python benchmarks/bench_scale.py --steps terms --sizes 10000 100000 all --workers 1 2
    python benchmarks/bench_scale.py --steps embed --sizes 10000 100000 all --workers 1 --timeout 5400
    python benchmarks/bench_scale.py --steps themes bertopic
    python benchmarks/bench_scale.py --steps themes --questions HEAD10000 HEAD100000   # growth
    python benchmarks/bench_scale.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, machine, markdown, replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = SHARED / "gdn_open_answers"
RESULTS = ROOT / "benchmarks" / "results" / "scale.jsonl"
CACHE = ROOT / ".cache" / "bench_scale"
TOTAL = 1_169_146
#: Steps that depend on the USE vectors carry this revision; ``write`` ignores older rows (rev 1,
#: unmarked: the package's pure-Python tokenizer and one batch at a time on 2 BLAS threads).
EMBEDDER_REV = 2
VECTOR_STEPS = ("embed", "themes", "bertopic")


def files() -> list[Path]:
    return sorted(CORPUS.glob("*.csv.gz"))


class PeakMemory:
    """Peak resident memory of this process and all its descendants (Dask workers), sampled."""

    def __init__(self, every: float = 0.25) -> None:
        import psutil

        self.proc, self.every, self.peak, self._stop = psutil.Process(), every, 0, threading.Event()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for p in [self.proc, *self.proc.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            self.peak = max(self.peak, total)
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def head_answers(n: int) -> pd.DataFrame:
    """The first rows of each file, in proportion to its size (n answers in all)."""
    sizes = {p: pd.read_csv(CORPUS / "questions.csv").set_index("file").loc[p.name, "n_answers"] for p in files()}
    parts = []
    for p, size in sizes.items():
        k = max(1, round(n * size / TOTAL))
        frame = pd.read_csv(p, nrows=k, keep_default_na=False)
        parts.append(frame)
    from retex_nlp.io.read import read_answers

    return read_answers(pd.concat(parts, ignore_index=True).head(n))


# -- steps (each runs in a child process) ---------------------------------------------------------

def step_terms(size: str, workers: int) -> dict:
    from retex_nlp.scale import count_terms, dask_client

    source = files() if size == "all" else head_answers(int(size))
    start = time.perf_counter()
    with dask_client(workers=workers if workers > 1 else None) as client:
        counts = count_terms(source, by="question_code", chunksize=20_000, client=client, progress=False)
    per_question = counts.frequencies()
    whole = counts.total().frequencies()
    spec = counts.specificities(min_count=3)
    seconds = time.perf_counter() - start
    n = sum(counts.statuses.values())
    top = {q: spec[spec["question_code"] == q].head(3)["term"].tolist() for q in ["ECO_00", "FIS_02"]}
    return {"answers": n, "ok": counts.statuses.get("ok", 0), "seconds": seconds,
            "answers_per_s": n / seconds, "terms_per_question_rows": len(per_question), "distinct_terms": len(whole),
            "specificity_rows": len(spec), "top_specific": top}


def _ok_texts(source) -> list[str]:
    from retex_nlp.scale import iter_chunks

    texts: list[str] = []
    for chunk in iter_chunks(source, chunksize=100_000, progress=False):
        texts.extend(chunk.loc[chunk["status"] == "ok", "text"].tolist())
    return texts


def step_embed(size: str, workers: int) -> dict:
    from retex_nlp.embed import EmbeddingCache, USEEmbedder
    from retex_nlp.scale import dask_client, embed_corpus

    texts = _ok_texts(files() if size == "all" else head_answers(int(size)))
    cache = CACHE / "embeddings" if size == "all" else None
    already = len(EmbeddingCache(cache).index(USEEmbedder())) if cache is not None else 0
    start = time.perf_counter()
    with dask_client(workers=workers if workers > 1 else None) as client:
        emb = embed_corpus(texts, "use", cache_dir=cache, client=client, progress=size == "all",
                           out=CACHE / "all.npy" if size == "all" else None)
    seconds = time.perf_counter() - start
    embedded = len(set(texts)) - already  # what this run computed (the rest was in the cache)
    return {"answers": len(texts), "embedded_this_run": embedded, "seconds": seconds,
            "answers_per_s": embedded / seconds, "shape": list(emb.shape), "resumed_from_cache": already > 0}


def _question(code: str):
    """Answers of one question, or of all 12 pooled (``ALL``), with their cached embeddings."""
    from retex_nlp.answers import ok_answers
    from retex_nlp.io.read import read_answers
    from retex_nlp.scale import embed_corpus, iter_chunks

    if code.startswith("HEAD"):  # HEAD10000: the first answers of each question, in proportion
        answers = head_answers(int(code[4:]))
    elif code == "ALL":
        parts = [c[["answer_id", "question_code", "text", "status"]].assign(answer_id=lambda d: d["question_code"] + ":" + d["answer_id"])
                 for c in iter_chunks(files(), chunksize=200_000, progress=False)]
        answers = pd.concat(parts, ignore_index=True)
        del parts
    else:
        answers = read_answers(CORPUS / f"{code}.csv.gz")
    texts = ok_answers(answers)["text"].tolist()
    emb = embed_corpus(texts, "use", cache_dir=CACHE / "embeddings", progress=False)
    return answers, texts, emb


def step_themes(code: str, stability: bool) -> dict:
    from retex_nlp.themes import ThemeFinder, theme_stability

    start = time.perf_counter()
    answers, texts, emb = _question(code)  # reading the answers and taking their vectors from the cache
    read_seconds = time.perf_counter() - start
    start = time.perf_counter()
    finder = ThemeFinder(seed=0, sample_size=30_000)
    assigned = finder.fit_transform(answers, embeddings=emb)
    seconds = time.perf_counter() - start
    ok = assigned["status"] == "ok"
    row = {"question": code, "answers": len(answers), "ok": int(ok.sum()), "fitted_on": finder.n_answers_fitted_,
           "themes": len(finder.theme_ids_), "share_assigned": float((assigned.loc[ok, "theme_id"] != -1).mean()),
           "seconds": seconds, "read_seconds": read_seconds, "labels": [finder.labels_[t] for t in finder.theme_ids_[:5]]}
    if stability:
        start = time.perf_counter()
        report = theme_stability(answers, emb, sample_size=30_000, seeds=(0, 1), first=finder)
        row.update({"stability_seconds": time.perf_counter() - start, "ari": report["ari"], "nmi": report["nmi"],
                    "ari_assigned": report["ari_assigned"], "themes_second": report["themes"][1],
                    "share_assigned_second": report["share_assigned"][1]})
    return row


def step_bertopic(code: str) -> dict:
    from bertopic import BERTopic

    _answers, texts, emb = _question(code)
    start = time.perf_counter()
    topics, _ = BERTopic().fit_transform(texts, embeddings=np.asarray(emb))
    topics = np.asarray(topics)
    seconds = time.perf_counter() - start
    return {"question": code, "answers": len(texts), "seconds": seconds,
            "themes": len(set(topics.tolist()) - {-1}), "share_assigned": float((topics != -1).mean())}


STEPS = {"terms": step_terms, "embed": step_embed, "themes": step_themes, "bertopic": step_bertopic}


def _child(step: str, args: tuple, conn) -> None:
    try:
        with PeakMemory() as peak:
            result = STEPS[step](*args)
        result["peak_rss_mb"] = round(peak.peak / 2**20)
        conn.send(("ok", result))
    except BaseException as exc:  # report failures (MemoryError, ...) as results
        conn.send(("error", {"error": f"{type(exc).__name__}: {exc}"}))


def run(step: str, args: tuple, timeout: float | None = None) -> dict:
    """Run one step in a fresh process; record its result (or failure) in RESULTS."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_child, args=(step, args, child))
    start = time.perf_counter()
    proc.start()
    status, result = ("error", {"error": f"no result within {timeout} s"})
    if parent.poll(timeout):
        status, result = parent.recv()
    proc.join(5)
    if proc.is_alive():
        proc.kill()
    if step in VECTOR_STEPS:
        result["embedder_rev"] = EMBEDDER_REV
    result.update({"step": step, "args": list(args), "status": status, "wall_s": round(time.perf_counter() - start, 1),
                   "machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M")})
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(result, ensure_ascii=False, default=float) + "\n")
    print(json.dumps(result, ensure_ascii=False, default=float), flush=True)
    return result


# -- report ---------------------------------------------------------------------------------------

def latest() -> pd.DataFrame:
    rows = [json.loads(line) for line in RESULTS.read_text(encoding="utf-8").splitlines() if line.strip()]
    frame = pd.DataFrame(rows)
    frame["key"] = frame["step"] + ":" + frame["args"].map(json.dumps)
    rev = frame["embedder_rev"] if "embedder_rev" in frame else pd.Series(np.nan, index=frame.index)
    frame = frame[~frame["step"].isin(VECTOR_STEPS) | (rev.fillna(1) == EMBEDDER_REV)]
    return frame.drop_duplicates("key", keep="last")


def _growth(frame: pd.DataFrame) -> pd.DataFrame:
    """Seconds per 10x more answers: the ratio between consecutive sizes, scaled to 10x."""
    frame = frame.sort_values("answers").reset_index(drop=True)
    ratio = [None]
    for i in range(1, len(frame)):
        r = frame.loc[i, "seconds"] / frame.loc[i - 1, "seconds"]
        x = frame.loc[i, "answers"] / frame.loc[i - 1, "answers"]
        ratio.append(round(r ** (1 / np.log10(x)), 2))
    frame["time_ratio_per_10x"] = ratio
    return frame


def _targets(ok: pd.DataFrame) -> list[str]:
    """The issue's targets on this machine, met or not, from the full-corpus runs."""
    out = ["### Targets (whole corpus, this machine)", ""]
    full_terms = ok[(ok["step"] == "terms") & (ok["args"].map(lambda a: a[0]) == "all")]
    full_emb = ok[(ok["step"] == "embed") & (ok["args"].map(lambda a: a[0]) == "all")]
    full_emb = full_emb[~full_emb["resumed_from_cache"].astype(bool)]  # a resumed run did not time the whole corpus
    themes = ok[ok["step"] == "themes"]
    if "question" not in themes:
        themes = pd.DataFrame({"question": pd.Series(dtype=object), "seconds": pd.Series(dtype=float),
                               "answers": pd.Series(dtype=int)})
    if len(full_terms):
        best = full_terms.sort_values("seconds").iloc[0]
        minutes = best["seconds"] / 60
        out.append(f"- Terms over all {best['answers']:,} answers (per question, overall, specificities): "
                   f"{minutes:.1f} min with {best['args'][1]} worker(s) — target under 15 min: "
                   f"{'met' if minutes < 15 else '**not met**'}.")
    else:
        out.append("- Terms over all 1.17M answers: not measured yet.")
    pooled = themes[themes["question"] == "ALL"]
    per_question = themes[(themes["question"] != "ALL") & ~themes["question"].str.startswith("HEAD")]
    emb_min = full_emb["seconds"].min() / 60 if len(full_emb) else None
    read = themes["read_seconds"].fillna(0) if "read_seconds" in themes else themes["seconds"] * 0
    if emb_min is not None and len(pooled):
        fit_min, read_min = pooled["seconds"].iloc[-1] / 60, read[pooled.index[-1]] / 60
        minutes = emb_min + read_min + fit_min
        out.append(f"- Themes for the 12 questions pooled (one model over {pooled['answers'].iloc[-1]:,} answers), "
                   f"embeddings included: {minutes:.1f} min (embeddings {emb_min:.1f} min + reading the 12 files "
                   f"and taking the vectors from the cache {read_min:.1f} min + fit on a 30k sample and assignment "
                   f"of every answer {fit_min:.1f} min) — target under 60 min: {'met' if minutes < 60 else '**not met**'}.")
    if emb_min is not None and per_question["question"].nunique() == 12:
        minutes = emb_min + (per_question["seconds"].sum() + read[per_question.index].sum()) / 60
        out.append(f"- Themes for each of the 12 questions separately (12 models), embeddings included: "
                   f"{minutes:.1f} min — target under 60 min: {'met' if minutes < 60 else '**not met**'}.")
    if emb_min is None or per_question["question"].nunique() < 12:
        out.append(f"- Not measured in full: embeddings of all answers {'done' if emb_min else 'not done'}; "
                   f"pooled model {'done' if len(pooled) else 'not done'}; separate models for "
                   f"{per_question['question'].nunique() if len(per_question) else 0} of 12 questions.")
    peak = ok["peak_rss_mb"].max()
    out.append(f"- Peak memory over every step measured: {peak:,} MB — target under 8 GB: "
               f"{'met' if peak < 8192 else '**not met**'}.")
    return [*out, ""]


def write(path: Path) -> None:
    frame = latest()
    ok = frame[frame["status"] == "ok"]
    lines = ["## Scale: 1.17 million Grand Débat answers (`benchmarks/bench_scale.py`)", "",
             f"Machine: {machine()}, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB. "
             "Data: `../shared/corpora/gdn_open_answers` (12 questions, gzip CSV, 1,169,146 answers). "
             "Each step runs in a fresh process; peak RSS includes the Dask workers. "
             "Raw results: `benchmarks/results/scale.jsonl`.", ""]
    terms = ok[ok["step"] == "terms"].copy()
    if len(terms):
        terms["workers"] = terms["args"].map(lambda a: a[1])
        lines += ["### Terms (lemmas per question, whole-corpus table, specificities per question)", "",
                  "Command: `python benchmarks/bench_scale.py --steps terms --sizes 10000 100000 all --workers 1 2`", ""]
        parts = []
        for w, group in terms.groupby("workers"):
            g = _growth(group[["answers", "seconds", "peak_rss_mb", "distinct_terms"]].assign(workers=w))
            parts.append(g)
        table = pd.concat(parts)[["workers", "answers", "seconds", "time_ratio_per_10x", "peak_rss_mb", "distinct_terms"]]
        table["distinct_terms"] = table["distinct_terms"].astype(int)
        table["seconds"] = table["seconds"].round(1)
        table["answers_per_s"] = (table["answers"] / table["seconds"]).round(0).astype(int)
        lines += [markdown(table), ""]
    emb = ok[ok["step"] == "embed"].copy()
    if len(emb):
        emb["workers"] = emb["args"].map(lambda a: a[1])
        lines += ["### Embeddings (USE multilingual v3, numpy)", "",
                  "Command: `python benchmarks/bench_scale.py --steps embed --sizes 10000 100000 all --workers 1 --timeout 5400` "
                  "(one process, 2 batches at a time; the texts are read before the clock starts)", ""]
        emb["embedded_this_run"] = emb["embedded_this_run"].astype(int)  # distinct texts not in the cache
        resumed = emb["resumed_from_cache"].astype(bool)
        table = pd.concat([_growth(g[["answers", "embedded_this_run", "seconds", "peak_rss_mb"]].assign(workers=w))
                           for w, g in emb[~resumed].groupby("workers")])
        table = table.rename(columns={"embedded_this_run": "distinct_embedded"})
        table["distinct_per_s"] = (table["distinct_embedded"] / table["seconds"]).round(1)
        table["seconds"] = table["seconds"].round(1)
        lines += [markdown(table[["workers", "answers", "distinct_embedded", "seconds", "distinct_per_s",
                                  "time_ratio_per_10x", "peak_rss_mb"]]), ""]
        for row in emb[resumed].itertuples():
            lines += [f"All {row.answers:,} answers, resumed from the cache: {row.embedded_this_run:,} embedded in this "
                      f"run in {row.seconds / 60:.1f} min ({row.answers_per_s:.0f} answers/s), peak {row.peak_rss_mb} MB.", ""]
    themes = ok[ok["step"] == "themes"].copy()
    if len(themes):
        lines += ["### Themes per question (fit on a 30k sample, every answer assigned; embeddings from the cache)", "",
                  "Command: `python benchmarks/bench_scale.py --steps themes bertopic`", ""]
        cols = ["question", "answers", "fitted_on", "themes", "share_assigned", "seconds", "peak_rss_mb"]
        table = themes.loc[~themes["question"].str.startswith("HEAD"), cols].sort_values("question").copy()
        table["share_assigned"] = table["share_assigned"].round(3)
        table["seconds"] = table["seconds"].round(1)
        table[["fitted_on", "themes"]] = table[["fitted_on", "themes"]].astype(int)
        lines += [markdown(table), "", f"{len(table)} model(s) measured: {table['seconds'].sum() / 60:.1f} min of theme "
                  f"fitting and assignment in all; peak {table['peak_rss_mb'].max()} MB. `ALL` = the 12 questions "
                  "pooled in one model.", ""]
        growth = themes[themes["question"].str.startswith("HEAD") | (themes["question"] == "ALL")].copy()
        if len(growth) > 1:
            growth["seconds"] = growth["seconds"] + growth["read_seconds"].fillna(0)
            g = _growth(growth[["question", "answers", "seconds", "peak_rss_mb"]])
            g["seconds"] = g["seconds"].round(1)
            lines += ["Growth (reading + fit on at most 30k + assignment; `--questions HEAD10000 HEAD100000 ALL`):", "",
                      markdown(g), ""]
        stab = themes.dropna(subset=["ari"]) if "ari" in themes else themes.iloc[0:0]
        for row in stab.itertuples():
            lines += [f"Stability on {row.question}: two fits on different 30k samples (seeds 0 and 1), every answer "
                      f"assigned by both: ARI {row.ari:.2f}, NMI {row.nmi:.2f} (ARI {row.ari_assigned:.2f} on the "
                      f"answers both assign); {int(row.themes)} and {int(row.themes_second)} themes.", ""]
    lines += _targets(ok)
    bert = frame[frame["step"] == "bertopic"]
    if len(bert):
        lines += ["### Vanilla BERTopic on all of FIS_01 (same embeddings, default settings)", ""]
        for row in bert.itertuples():
            if row.status == "ok":
                lines += [f"{int(row.answers):,} answers: {row.seconds / 60:.1f} min, peak {int(row.peak_rss_mb)} MB, "
                          f"{int(row.themes)} topics, {row.share_assigned:.1%} of answers assigned (not outliers).", ""]
            else:
                lines += [f"Failed after {row.wall_s / 60:.1f} min: {row.error}", ""]
    replace_section(path, "## Scale", "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", nargs="*", default=[], choices=list(STEPS))
    parser.add_argument("--sizes", nargs="*", default=["10000", "100000", "all"])
    parser.add_argument("--workers", nargs="*", type=int, default=[1])
    parser.add_argument("--questions", nargs="*", default=None)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    # by default: the 12 questions pooled in one model (ALL), then FIS_01, then each other question
    questions = args.questions or ["ALL", *sorted((p.name.split(".")[0] for p in files()), key=lambda c: c != "FIS_01")]
    for step in args.steps:
        if step in ("terms", "embed"):
            for size in args.sizes:
                for w in args.workers:
                    run(step, (size, w), args.timeout)
        elif step == "themes":
            for code in questions:
                run(step, (code, code in ("ALL", "FIS_01")), args.timeout)
        else:
            run(step, ("FIS_01",), args.timeout)
    if args.write:
        write(args.write)


if __name__ == "__main__":
    main()
