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

Names are imported on first use (``rx.analyse`` loads the analysis, ``rx.read_answers`` only the
reader): a command that counts terms does not pay for scikit-learn or the report writers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

#: Where each public name lives.
_EXPORTS: dict[str, str] = {
    "NO_THEME": ".answers", "STATUSES": ".answers", "with_themes": ".answers",
    "Codebook": ".coding", "CodebookCoder": ".coding", "MixedCoder": ".coding", "Theme": ".coding",
    "agreement_by_theme": ".coding", "cohen_kappa": ".coding", "krippendorff_alpha": ".coding",
    "CachedEmbedder": ".embed", "EmbeddingCache": ".embed", "SentenceTransformerEmbedder": ".embed",
    "TfidfEmbedder": ".embed", "USEEmbedder": ".embed", "embedding_model": ".embed", "get_embedder": ".embed",
    "register_embedder": ".embed",
    "ColumnNotFoundError": ".errors", "MissingDependencyError": ".errors", "ModelNotFoundError": ".errors",
    "RetexError": ".errors", "RetexInputError": ".errors", "RetexOutputError": ".errors",
    "FileInfo": ".io", "inspect_file": ".io", "iter_answers": ".io", "parse_iramuteq": ".io", "read_answers": ".io",
    "status_summary": ".io", "write_iramuteq": ".io",
    "Pseudonymizer": ".privacy", "pseudonymize": ".privacy",
    "AnalysisPipeline": ".project", "Project": ".project", "analyse": ".project",
    "QuoteChoices": ".quotes", "representative_quotes": ".quotes",
    "Report": ".report", "theme_by_group": ".report", "write_qdpx": ".report", "write_reinert": ".report",
    "TermCounter": ".terms", "TermCounts": ".terms", "class_keyness": ".terms", "concordance": ".terms",
    "document_term_matrix": ".terms", "lafon_scores": ".terms", "log_likelihood": ".terms",
    "specificities": ".terms", "term_frequencies": ".terms", "word_cloud": ".terms", "word_clouds": ".terms",
    "FrenchAnalyzer": ".text", "Lexicon": ".text", "Token": ".text", "default_analyzer": ".text",
    "default_lexicon": ".text", "normalize_answer": ".text", "normalize_text": ".text",
    "segment_answers": ".text.segment", "split_segments": ".text.segment", "split_sentences": ".text.segment",
    "ReinertCHD": ".themes", "ReinertCHD2": ".themes", "ReinertResult": ".themes", "ThemeFinder": ".themes",
    "register_clusterer": ".themes", "reinert": ".themes", "theme_stability": ".themes",
    "correspondence_analysis": ".terms.afc",
    "similitudes": ".terms.similitudes",
}

if TYPE_CHECKING:  # what type checkers and editors see
    from .answers import (
        NO_THEME,
        STATUSES,
        with_themes,
    )
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
    from .privacy import (
        Pseudonymizer,
        pseudonymize,
    )
    from .project import (
        AnalysisPipeline,
        Project,
        analyse,
    )
    from .quotes import (
        QuoteChoices,
        representative_quotes,
    )
    from .report import (
        Report,
        theme_by_group,
        write_qdpx,
        write_reinert,
    )
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
    from .terms.afc import (
        correspondence_analysis,
    )
    from .terms.similitudes import (
        similitudes,
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
    from .text.segment import (
        segment_answers,
        split_segments,
        split_sentences,
    )
    from .themes import (
        ReinertCHD,
        ReinertCHD2,
        ReinertResult,
        ThemeFinder,
        register_clusterer,
        reinert,
        theme_stability,
    )

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'retex_nlp' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # imported once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
