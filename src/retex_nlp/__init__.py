"""retex_nlp: qualitative analysis of French free-text survey answers and testimonies.

The data flows one way, one package per stage::

    io (read) -> text -> terms | embed -> themes / coding -> quotes (+ privacy) -> report
                                                          project (analyse, edit, re-render)

:mod:`retex_nlp.answers` holds the contracts every stage shares; :mod:`retex_nlp.scale` runs
the stages that grow with the corpus in chunks or on Dask; the command line (``retex``) is a
thin shell over this API.

>>> import retex_nlp as rx
>>> answers = rx.read_answers("enquete.csv", text="difficultes")
>>> rx.status_summary(answers)
>>> rx.term_frequencies(answers, by="profession")
>>> project = rx.analyse("enquete.csv", text="difficultes", by="profession", out="projet/")
>>> project.rename(2, "Lien avec les familles").save()
"""

from .answers import NO_THEME, STATUSES, with_themes
from .coding import (
    Codebook,
    CodebookCoder,
    MixedCoder,
    Theme,
    agreement_by_theme,
    cohen_kappa,
    krippendorff_alpha,
)
from .embed import (
    CachedEmbedder,
    EmbeddingCache,
    SentenceTransformerEmbedder,
    TfidfEmbedder,
    USEEmbedder,
    embedding_model,
    get_embedder,
    register_embedder,
)
from .errors import (
    ColumnNotFoundError,
    MissingDependencyError,
    ModelNotFoundError,
    RetexError,
    RetexInputError,
    RetexOutputError,
)
from .io import (
    FileInfo,
    inspect_file,
    iter_answers,
    parse_iramuteq,
    read_answers,
    status_summary,
    write_iramuteq,
)
from .privacy import Pseudonymizer, pseudonymize
from .project import AnalysisPipeline, Project, analyse
from .quotes import QuoteChoices, representative_quotes
from .report import Report, theme_by_group, write_qdpx, write_reinert
from .terms import (
    TermCounter,
    TermCounts,
    class_keyness,
    concordance,
    document_term_matrix,
    lafon_scores,
    log_likelihood,
    specificities,
    term_frequencies,
    word_cloud,
    word_clouds,
)
from .text import (
    FrenchAnalyzer,
    Lexicon,
    Token,
    default_analyzer,
    default_lexicon,
    normalize_answer,
    normalize_text,
)
from .text.segment import segment_answers, split_segments, split_sentences
from .themes import (
    ReinertCHD,
    ReinertCHD2,
    ReinertResult,
    ThemeFinder,
    register_clusterer,
    reinert,
    theme_stability,
)

__version__ = "0.2.0"

__all__ = [
    "read_answers", "iter_answers", "inspect_file", "status_summary", "FileInfo", "write_iramuteq", "parse_iramuteq",
    "STATUSES", "NO_THEME", "with_themes",
    "segment_answers", "split_sentences", "split_segments",
    "FrenchAnalyzer", "Token", "Lexicon", "default_lexicon", "default_analyzer", "normalize_text", "normalize_answer",
    "term_frequencies", "TermCounter", "TermCounts", "concordance", "specificities", "lafon_scores", "log_likelihood",
    "word_cloud", "word_clouds", "document_term_matrix", "class_keyness", "correspondence_analysis", "similitudes",
    "USEEmbedder", "SentenceTransformerEmbedder", "TfidfEmbedder", "EmbeddingCache", "CachedEmbedder", "get_embedder",
    "embedding_model", "register_embedder",
    "ThemeFinder", "ReinertCHD", "ReinertCHD2", "reinert", "ReinertResult", "write_reinert", "theme_stability", "register_clusterer", "Codebook", "CodebookCoder", "Theme", "MixedCoder",
    "theme_by_group", "cohen_kappa", "krippendorff_alpha", "agreement_by_theme",
    "Pseudonymizer", "pseudonymize", "representative_quotes", "QuoteChoices", "Report", "write_qdpx",
    "AnalysisPipeline", "analyse", "Project",
    "RetexError", "RetexInputError", "ColumnNotFoundError", "ModelNotFoundError", "MissingDependencyError",
    "RetexOutputError",
]
