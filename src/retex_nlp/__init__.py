"""retex_nlp: qualitative analysis of French free-text survey answers and testimonies.

The data flows one way: read -> text -> terms | embed -> themes / coding -> quotes -> report.
Corpora too large for memory go through :mod:`retex_nlp.scale` (chunks, Dask).

>>> import retex_nlp as rx
>>> answers = rx.read_answers("enquete.csv", text="difficultes", variables=["profession"])
>>> rx.status_summary(answers)
>>> rx.term_frequencies(answers, by="profession")
"""

from .agreement import agreement_by_theme, cohen_kappa, krippendorff_alpha
from .analysis import analyse
from .clouds import word_cloud, word_clouds
from .codebook import Codebook, CodebookCoder, Theme
from .crosstab import theme_by_group
from .embed import (
    EmbeddingCache,
    MemoEmbedder,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    USEEmbedder,
    get_embedder,
)
from .errors import ColumnNotFoundError, ModelNotFoundError, RetexError, RetexInputError
from .io import (
    FileInfo,
    inspect_file,
    iter_answers,
    parse_iramuteq,
    read_answers,
    status_summary,
    write_iramuteq,
)
from .io.qdpx import write_qdpx
from .mixed import MixedCoder
from .privacy import Pseudonymizer, pseudonymize
from .quotes import QuoteChoices, representative_quotes
from .report import Report
from .specificities import lafon_scores, log_likelihood, specificities
from .terms import TermCounter, TermCounts, concordance, default_analyzer, term_frequencies
from .text import FrenchAnalyzer, Lexicon, Token, default_lexicon, normalize_answer, normalize_text
from .text.segment import segment_answers, split_segments, split_sentences
from .themes import ThemeFinder, theme_stability

__version__ = "0.1.0"

__all__ = [
    "read_answers", "iter_answers", "inspect_file", "status_summary", "FileInfo", "write_iramuteq", "parse_iramuteq",
    "segment_answers", "split_sentences", "split_segments",
    "FrenchAnalyzer", "Token", "Lexicon", "default_lexicon", "normalize_text", "normalize_answer",
    "term_frequencies", "TermCounter", "TermCounts", "concordance", "default_analyzer", "specificities", "lafon_scores", "log_likelihood",
    "word_cloud", "word_clouds",
    "USEEmbedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "EmbeddingCache", "MemoEmbedder", "get_embedder",
    "ThemeFinder", "theme_stability", "Codebook", "CodebookCoder", "Theme", "MixedCoder", "theme_by_group",
    "cohen_kappa", "krippendorff_alpha", "agreement_by_theme",
    "Pseudonymizer", "pseudonymize", "representative_quotes", "QuoteChoices", "Report", "analyse", "write_qdpx",
    "RetexError", "RetexInputError", "ColumnNotFoundError", "ModelNotFoundError",
]
