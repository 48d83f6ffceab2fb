"""Counting what people wrote: term counts per group, specificities, concordance, word clouds."""

from .afc import correspondence_analysis
from .clouds import word_cloud, word_clouds
from .concordance import concordance
from .counts import TermCounter, TermCounts, answer_terms, specificities, term_frequencies
from .keyness import class_keyness, document_term_matrix
from .similitudes import similitudes
from .specificities import lafon_scores, log_likelihood, specificity_table

__all__ = ["document_term_matrix", "class_keyness", "correspondence_analysis", "similitudes", "term_frequencies", "specificities", "TermCounter", "TermCounts", "answer_terms", "concordance",
           "lafon_scores", "log_likelihood", "specificity_table", "word_cloud", "word_clouds"]
