"""Embeddings kept on disk (or in memory) keyed by model and text, so nothing is embedded twice."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from ..normalize import sentence_case
from .base import Embedder

__all__ = ["EmbeddingCache", "CachedEmbedder"]


class EmbeddingCache:
    """Embeddings keyed by model name and text (SHA-1), on disk as ``.npy`` shards.

    ``encode(embedder, texts)`` returns the vectors, embedding only the distinct texts it has
    not stored, block by block; each block is written as soon as it is done, so an interrupted
    run resumes where it stopped. ``directory=None`` keeps the vectors in memory instead (for
    one run: nothing is written).

    Several processes may share one folder: each shard has a name no other process can take
    (time, process id, random part), its vectors are written beside and renamed into place, and
    its ``.keys`` file — written last, so a shard without it is not read — records a CRC-32 of
    the vectors. A shard whose vectors do not match their checksum (a damaged disk, a file
    edited by hand) is removed and its texts embedded again: a wrong vector is never returned.
    """

    def __init__(self, directory: str | Path | None, shard_size: int = 20_000) -> None:
        self.directory = Path(directory) if directory is not None else None
        self.shard_size = shard_size
        self._memory: dict[str, dict[str, np.ndarray]] = {}
        # shards already read and checked, by vector file, with the (size, mtime) seen: index()
        # runs before and after every encode, and reads (and checksums) only a new or changed file
        self._loaded: dict[str, tuple[tuple[int, int], tuple[list[str], np.ndarray]]] = {}

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
            shard = self._shard(keys_file)
            if shard is None:
                continue
            keys, vectors = shard
            for i, k in enumerate(keys):
                index[k] = vectors[i]
        return index

    def _shard(self, keys_file: Path) -> tuple[list[str], np.ndarray] | None:
        """A shard as :func:`_read_shard` gives it, read again only when its file changed."""
        vec_file = keys_file.with_suffix(".npy")
        try:
            stat = vec_file.stat()
        except OSError:
            self._loaded.pop(str(vec_file), None)
            return None
        seen = (stat.st_size, stat.st_mtime_ns)
        cached = self._loaded.get(str(vec_file))
        if cached is not None and cached[0] == seen:
            return cached[1]
        shard = _read_shard(keys_file)
        if shard is None:
            self._loaded.pop(str(vec_file), None)
        else:
            self._loaded[str(vec_file)] = (seen, shard)
        return shard

    def store(self, embedder: Embedder, keys: Sequence[str], vectors: np.ndarray) -> Path | None:
        """Write one shard (vectors, then keys with their checksum); each file appears whole
        or not at all, under a name no other process uses."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if len(keys) != len(vectors):
            raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
        if self.directory is None:
            self._memory.setdefault(self._name(embedder), {}).update(zip(keys, vectors, strict=True))
            return None
        folder = self.directory / self._name(embedder)
        folder.mkdir(parents=True, exist_ok=True)
        stem = folder / f"shard_{time.time_ns():020d}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        tmp_vec = stem.with_suffix(".tmp.npy")
        np.save(tmp_vec, vectors)
        os.replace(tmp_vec, stem.with_suffix(".npy"))
        header = f"# crc32={_crc(vectors):08x} n={len(vectors)}"
        tmp_keys = stem.with_suffix(".keys.tmp")
        tmp_keys.write_text("\n".join([header, *keys]), encoding="ascii")
        os.replace(tmp_keys, stem.with_suffix(".keys"))
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


def _crc(vectors: np.ndarray, step: int = 1 << 16) -> int:
    """CRC-32 of the vectors' bytes, read in row blocks (memory-mapped shards stay on disk)."""
    crc = 0
    for start in range(0, len(vectors), step):
        crc = zlib.crc32(np.ascontiguousarray(vectors[start:start + step]).data, crc)
    return crc


def _read_shard(keys_file: Path) -> tuple[list[str], np.ndarray] | None:
    """A shard's keys and memory-mapped vectors; ``None`` (and the shard removed when it is
    damaged) when it is incomplete, cut, or does not match its checksum."""
    vec_file = keys_file.with_suffix(".npy")
    try:
        lines = keys_file.read_text(encoding="ascii").split("\n")
        vectors = np.load(vec_file, mmap_mode="r")
    except (OSError, ValueError, UnicodeDecodeError):
        return None  # being written by another process, or cut by an interruption: redone
    expected = None
    if lines and lines[0].startswith("# crc32="):  # shards written before checksums have none
        fields = dict(part.split("=", 1) for part in lines[0][2:].split() if "=" in part)
        expected = int(fields.get("crc32", "0"), 16)
        lines = lines[1:]
    keys = [k for k in lines if k]
    if len(keys) != len(vectors) or (expected is not None and _crc(vectors) != expected):
        for damaged in (keys_file, vec_file):
            damaged.unlink(missing_ok=True)
        return None
    return keys, vectors


class CachedEmbedder:
    """An embedder whose vectors are kept in an :class:`EmbeddingCache`: on disk under
    ``cache_dir``, or in memory for this run when ``cache_dir`` is ``None``. Same ``name`` as
    the embedder it wraps. Every stage of an analysis (themes, coding, quotes) embeds through
    one of these (:func:`retex_nlp.embed.embedding_model`), so each text is embedded once."""

    def __init__(self, embedder: Embedder, cache_dir: str | Path | None = None) -> None:
        self.embedder = embedder
        self.cache_dir = cache_dir
        self._cache = EmbeddingCache(cache_dir)

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def is_fitted(self) -> bool:
        return getattr(self.embedder, "is_fitted", True)

    def fit(self, texts: Sequence[str], y=None) -> CachedEmbedder:
        self.embedder.fit(texts)
        return self

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of ``texts``; an answer written in capitals is embedded in normal case
        (:func:`~retex_nlp.normalize.sentence_case`), so that shouting does not make a theme."""
        texts = [sentence_case(t) if isinstance(t, str) else t for t in texts]
        # one block: the wrapped embedder sees all the missing texts in one call, as it would unwrapped
        return self._cache.encode(self.embedder, texts, block=max(1, len(texts)))

    def __repr__(self) -> str:
        return f"CachedEmbedder({self.embedder!r}, cache_dir={self.cache_dir!r})"
