"""French text processing: normalisation, lexicon, tokenisation/lemmatisation, segments."""

from ..normalize import normalize_answer, normalize_text
from .analyzer import FrenchAnalyzer, Token, default_analyzer, load_spacy, ngrams
from .lexicon import Lexicon, default_lexicon

__all__ = ["FrenchAnalyzer", "Token", "Lexicon", "default_lexicon", "default_analyzer", "load_spacy", "ngrams",
           "normalize_text", "normalize_answer"]
