"""One place where an embedder is named and made: ``"use"``, ``"st:PATH"``, ``"tfidf"``, plug-ins.

A spec is a name, optionally followed by ``:`` and an argument (``"st:models/minilm"``). The
built-in names are ``use`` (the offline default), ``st`` (a local sentence-transformers model)
and ``tfidf``. A third-party package adds its own with :func:`register_embedder`, or by
declaring an entry point in the group ``retex_nlp.embedders`` whose object is a factory
``factory(argument: str) -> Embedder``::

    [project.entry-points."retex_nlp.embedders"]
    camembert = "my_package:make_embedder"     # then embedder="camembert:models/camembert"

:func:`embedding_model` is what every estimator calls: the embedder behind a spec, wrapped in
a :class:`~retex_nlp.embed.CachedEmbedder` (``cache_dir``: on disk, else in memory).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

from .base import Embedder
from .cache import CachedEmbedder
from .sentence_transformers import SentenceTransformerEmbedder
from .tfidf import TfidfEmbedder
from .use import USEEmbedder

__all__ = ["get_embedder", "register_embedder", "available_embedders", "embedding_model", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "retex_nlp.embedders"


def _sentence_transformer(argument: str, **kwargs) -> Embedder:
    if not argument:
        raise ValueError("st: needs a model folder or name, e.g. 'st:models/paraphrase-multilingual-MiniLM-L12-v2'")
    embedder = SentenceTransformerEmbedder(argument, **kwargs)
    embedder.path  # noqa: B018 - fail now, with the message saying how to get the model, not at first use
    return embedder


_FACTORIES: dict[str, Callable[..., Embedder]] = {
    "use": lambda argument="", **kwargs: USEEmbedder(**kwargs),
    "st": _sentence_transformer,
    "tfidf": lambda argument="", **kwargs: TfidfEmbedder(**kwargs),
}


def register_embedder(name: str, factory: Callable[..., Embedder]) -> None:
    """Make ``name`` (and ``name:argument``) an embedder spec: ``factory(argument, **kwargs)``."""
    if not name or ":" in name:
        raise ValueError(f"an embedder name has no ':' and is not empty: {name!r}")
    _FACTORIES[name] = factory


def _plugins() -> dict[str, Callable[..., Embedder]]:
    return {ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name not in _FACTORIES}


def available_embedders() -> list[str]:
    """The embedder names this installation knows (built-ins, registered, plug-ins)."""
    return sorted({*_FACTORIES, *(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))})


def get_embedder(spec: str | Embedder | None = "use", **kwargs) -> Embedder:
    """The embedder named by ``spec`` (``None`` means ``"use"``); an embedder passes through."""
    if spec is None:
        spec = "use"
    if not isinstance(spec, str):
        return spec
    name, _, argument = spec.partition(":")
    factory = _FACTORIES.get(name) or _plugins().get(name)
    if factory is None:
        raise ValueError(f"embedder inconnu {spec!r} : utilisez {', '.join(available_embedders())} "
                         "(st:CHEMIN pour un modèle sentence-transformers local)")
    return factory(argument, **kwargs)


def embedding_model(spec: str | Embedder | None = "use", cache_dir: str | Path | None = None) -> CachedEmbedder:
    """The embedder of ``spec`` behind an embedding cache (on disk in ``cache_dir``, else in
    memory). A :class:`CachedEmbedder` passes through, so steps that share one share vectors."""
    if isinstance(spec, CachedEmbedder):
        return spec
    return CachedEmbedder(get_embedder(spec), cache_dir)
