"""Whole corpora: chunked on one machine, partitioned over a Dask cluster beyond it.

The same two steps that grow with the number of answers run here chunk by chunk:

- :func:`count_terms` reads the files in chunks (:func:`retex_nlp.iter_answers`), analyses and
  counts each chunk, and merges the counts (:class:`retex_nlp.terms.TermCounts`); memory holds
  one chunk and the counts, whatever the corpus size;
- :func:`embed_corpus` embeds the distinct texts in fixed blocks, writes each block to the
  on-disk :class:`~retex_nlp.embed.EmbeddingCache` as soon as it is done (a killed run resumes
  where it stopped) and returns float32 vectors, memory-mapped when asked.

Pass a ``dask.distributed`` ``Client`` (``client=``) and the chunks, or the blocks, are
processed on its workers: each worker loads spaCy or the embedding model once, and the results
are merged on the client. Term counts are integer sums and every block is embedded the same
way whichever worker does it, so the results are those of the single-process run.
:func:`dask_client` opens a ``LocalCluster`` of N worker processes, or connects to a running
scheduler. Fitting themes (UMAP, HDBSCAN) stays on one machine, on a sample
(:class:`retex_nlp.ThemeFinder`, :func:`retex_nlp.themes.theme_stability`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .answers import require_columns
from .embed import CachedEmbedder, Embedder, EmbeddingCache, get_embedder
from .errors import require
from .io.read import iter_answers
from .terms import TermCounter, TermCounts
from .text.analyzer import FrenchAnalyzer, default_analyzer

__all__ = ["find_themes", "count_terms", "embed_corpus", "dask_client", "iter_chunks"]

Source = str | Path | pd.DataFrame


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None, *,
                threads_per_worker: int = 1, memory_limit: str = "auto") -> Iterator:
    """A ``dask.distributed.Client``: connected to ``scheduler`` (``tcp://host:8786``), or to a
    new ``LocalCluster`` of ``workers`` processes; yields ``None`` when neither is given (run
    in this process). The cluster is closed on exit."""
    if not scheduler and not workers:
        yield None
        return
    distributed = require("dask.distributed", "scale")
    Client, LocalCluster = distributed.Client, distributed.LocalCluster
    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with LocalCluster(n_workers=int(workers), threads_per_worker=threads_per_worker, processes=True,
                      memory_limit=memory_limit, dashboard_address=":0") as cluster, Client(cluster) as client:
        yield client


def iter_chunks(sources: Source | Sequence[Source] | Iterable[pd.DataFrame], *, chunksize: int = 50_000,
                progress: bool | None = None, **read_kwargs) -> Iterator[pd.DataFrame]:
    """Answers in chunks from one or several files (each read with :func:`iter_answers` and
    ``read_kwargs``), a DataFrame, or an iterable of answer DataFrames."""
    if isinstance(sources, (str, Path, pd.DataFrame)):
        sources = [sources]
    sources = list(sources)
    paths = [Path(s) for s in sources if isinstance(s, (str, Path)) and Path(s).is_file()]
    total = sum(p.stat().st_size for p in paths)
    show = progress if progress is not None else total > 20 << 20
    # one bar over the bytes of every file: an ETA for the whole run, not file by file
    with tqdm(total=total, unit="B", unit_scale=True, desc="Lecture", disable=not show or not paths) as bar:
        for source in sources:
            if isinstance(source, pd.DataFrame) and "status" in source.columns:
                for start in range(0, max(len(source), 1), chunksize):
                    yield source.iloc[start:start + chunksize]
            else:
                before = bar.n
                yield from iter_answers(source, chunksize=chunksize, progress=bar if show else False, **read_kwargs)
                if isinstance(source, (str, Path)) and Path(source).is_file():
                    bar.update(Path(source).stat().st_size - (bar.n - before))  # files read whole


def _count_chunk(frame: pd.DataFrame, params: dict, analyzer: FrenchAnalyzer | None) -> TermCounts:
    analyzer = analyzer or default_analyzer()  # on a worker: loaded once per process
    shown, analyzer.progress = analyzer.progress, False  # the reading bar tells the progress
    try:
        return TermCounter(analyzer=analyzer, **params).count(frame)
    finally:
        analyzer.progress = shown


def count_terms(
    sources: Source | Sequence[Source] | Iterable[pd.DataFrame],
    unit: str = "lemma",
    by: str | Sequence[str] | None = None,
    *,
    one_word: bool = False,
    ngram_range: tuple[int, int] = (2, 3),
    analyzer: FrenchAnalyzer | None = None,
    chunksize: int = 50_000,
    client=None,
    progress: bool | None = None,
    **read_kwargs,
) -> TermCounts:
    """Count terms over files of any size, chunk by chunk, in this process or on ``client``'s
    workers. Returns :class:`~retex_nlp.terms.TermCounts`: ``.frequencies()`` gives what
    :func:`retex_nlp.term_frequencies` gives on the whole corpus, ``.specificities()`` the
    specificities of the ``by`` groups, ``.total()`` the counts of everything together.

    ``read_kwargs`` go to :func:`retex_nlp.iter_answers` (``text=``, ``variables=``…). Only
    ``ok`` answers are counted; ``counts.statuses`` says how many rows had each status.
    """
    params = {"unit": unit, "by": by, "one_word": one_word, "ngram_range": ngram_range}
    by_cols = [by] if isinstance(by, str) else list(by or [])
    result = TermCounts(by_cols)
    statuses: dict[str, int] = {}
    keep = ["text", "status", *by_cols]

    def lean(chunk: pd.DataFrame) -> pd.DataFrame:
        for status, n in chunk["status"].value_counts().items():
            statuses[status] = statuses.get(status, 0) + int(n)
        require_columns(chunk, by_cols, "variable(s) introuvable(s) pour grouper")
        return chunk.loc[chunk["status"] == "ok", keep].reset_index(drop=True)

    chunks = iter_chunks(sources, chunksize=chunksize, progress=progress, **read_kwargs)
    if client is not None and analyzer is not None:
        analyzer = client.scatter(analyzer, broadcast=True)  # sent to each worker once
    for _chunk, counts in _map(client, _count_chunk, (lean(chunk) for chunk in chunks), params, analyzer):
        result.merge(counts)
    result.statuses = statuses  # type: ignore[attr-defined]
    return result


def _map(client, fn, items: Iterable, *args) -> Iterator[tuple]:
    """``(item, fn(item, *args))`` for each item: in this process without ``client``, else on
    its workers, at most two items per worker in flight (``items`` is consumed lazily, so a
    reader never runs far ahead of the workers), in the order they finish."""
    if client is None:
        for item in items:
            yield item, fn(item, *args)
        return
    as_completed = require("dask.distributed", "scale").as_completed

    limit = 2 * max(1, len(client.scheduler_info().get("workers", {})))
    futures: dict = {}
    pending = as_completed()
    for item in items:
        future = client.submit(fn, item, *args, pure=False)
        futures[future] = item
        pending.add(future)
        while len(futures) >= limit:
            finished = next(pending)
            yield futures.pop(finished), finished.result()
    for finished in pending:
        yield futures.pop(finished), finished.result()


def _encode_block(texts: list[str], embedder: Embedder) -> np.ndarray:
    return np.asarray(embedder.encode(texts), dtype=np.float32)


def embed_corpus(
    texts: Sequence[str],
    embedder: str | Embedder | None = "use",
    *,
    cache_dir: EmbeddingCache | str | Path | None = None,
    client=None,
    block: int = 4096,
    out: str | Path | None = None,
    progress: bool | None = None,
) -> np.ndarray:
    """Embed many texts once: distinct texts only, in blocks of ``block`` texts.

    With ``cache_dir`` (a folder or an :class:`EmbeddingCache`), each block is written to disk
    when done and texts already there are not embedded again: a killed run started again
    continues where it stopped (without, vectors stay in memory). With ``client``, blocks are
    embedded on the Dask workers (the embedder is sent to each once). ``out`` writes the
    result as a ``.npy`` file and returns it memory-mapped (float32), so a million vectors
    need not fit in memory.
    """
    embedder = get_embedder(embedder)
    if isinstance(embedder, CachedEmbedder):  # the vectors go to this function's cache, not to that one too
        embedder = embedder.embedder
    store = cache_dir if isinstance(cache_dir, EmbeddingCache) else EmbeddingCache(cache_dir)

    def on_workers(blocks: list[list[str]]) -> Iterator[tuple[list[str], np.ndarray]]:
        if not blocks:
            return iter(())
        shared = client.scatter(embedder, broadcast=True)  # sent to each worker once
        return _map(client, _encode_block, blocks, shared)

    show = progress if progress is not None else len(texts) >= 5000
    return store.encode(embedder, texts, block=block, mapper=on_workers if client is not None else None,
                        out=out, progress=show)




def find_themes(
    answers: pd.DataFrame,
    embedder: str | Embedder | None = "use",
    *,
    cache_dir: str | Path | None = None,
    client=None,
    clusterer: str = "hdbscan",
    n_themes: int | None = None,
    sample_size: int = 30_000,
    seed: int = 0,
    stability: bool = False,
) -> tuple:
    """Themes of a corpus of any size: its ``ok`` answers embedded once (:func:`embed_corpus`,
    on ``client``'s workers if given), a :class:`~retex_nlp.ThemeFinder` fitted on at most
    ``sample_size`` of them, then every answer assigned. Returns ``(finder, assigned,
    stability)``: the fitted finder, one row per answer (the "answer -> themes" contract), and,
    with ``stability=True``, :func:`~retex_nlp.theme_stability` between samples drawn with
    ``seed`` and ``seed + 1`` (else ``None``)."""
    from .answers import ok_answers
    from .embed import embedding_model
    from .themes import ThemeFinder, theme_stability

    embedding = embedding_model(embedder, cache_dir)
    finder = ThemeFinder(embedding, clusterer=clusterer, n_themes=n_themes, seed=seed, sample_size=sample_size)
    vectors = embed_corpus(ok_answers(answers)["text"].astype(str).tolist(), embedding, cache_dir=cache_dir,
                           client=client)
    assigned = finder.fit_transform(answers, embeddings=vectors)
    report = None
    if stability:
        report = theme_stability(answers, vectors, sample_size=sample_size, seeds=(seed, seed + 1), first=finder,
                                 embedder=embedding, clusterer=clusterer, n_themes=n_themes)
    return finder, assigned, report
