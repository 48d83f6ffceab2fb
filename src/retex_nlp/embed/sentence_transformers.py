"""Any sentence-transformers model, loaded from local files only (never the network)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator

from ..errors import ModelNotFoundError, require

__all__ = ["SentenceTransformerEmbedder", "MODELS_DIR", "find_local_model"]

#: Where ``retex models pull`` saves models and where ``st:NAME`` is looked up first.
MODELS_DIR = Path(os.environ.get("RETEX_MODELS_DIR", "models"))


def find_local_model(spec: str) -> Path:
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


class SentenceTransformerEmbedder(BaseEstimator):
    """A sentence-transformers model loaded from local files only (never the network).

    ``model`` is a folder path, a name under ``models/``, or a Hugging Face id already in the
    local cache. Recommended for French: ``paraphrase-multilingual-MiniLM-L12-v2``,
    ``intfloat/multilingual-e5-small`` (give ``prefix="query: "``), ``dangvantuan/sentence-camembert-base``.
    """

    def __init__(self, model: str | Path, batch_size: int = 64, prefix: str = "", normalize: bool = True,
                 device: str = "cpu", progress: bool | None = None) -> None:
        self.model = model
        self.batch_size = batch_size
        self.prefix = prefix
        self.normalize = normalize
        self.device = device
        self.progress = progress

    @property
    def path(self) -> Path:
        """The model's folder on this machine (:class:`ModelNotFoundError` if it is not here)."""
        return find_local_model(str(self.model))

    @property
    def name(self) -> str:
        resolved = self.path.resolve()
        if resolved.name in ("model", "snapshots") or resolved.parent.name == "snapshots":
            return f"st:{resolved.parent.name}-{resolved.name}"
        return f"st:{resolved.name}"

    def _loaded(self):
        if self.__dict__.get("_model") is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            SentenceTransformer = require("sentence_transformers", "themes").SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
        return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = [self.prefix + (t if isinstance(t, str) else "") for t in texts]
        show = self.progress if self.progress is not None else len(texts) >= 2000
        vectors = self._loaded().encode(texts, batch_size=self.batch_size, normalize_embeddings=self.normalize,
                                        show_progress_bar=show, convert_to_numpy=True)
        return np.asarray(vectors, dtype=np.float32)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_model", None)
        return state
