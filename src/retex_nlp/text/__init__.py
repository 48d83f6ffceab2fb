"""French text processing: normalisation, lexicon, tokenisation/lemmatisation, segments."""

from .analyzer import FrenchAnalyzer, Token, load_spacy, ngrams
from .lexicon import Lexicon, default_lexicon
from .normalize import normalize_answer, normalize_text

__all__ = ["FrenchAnalyzer", "Token", "Lexicon", "default_lexicon", "load_spacy", "ngrams",
           "normalize_text", "normalize_answer"]
