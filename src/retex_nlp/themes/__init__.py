"""Inductive themes: embeddings grouped by a clusterer, labelled by their distinctive terms."""

from .chd import ReinertCHD, ReinertCHD2, grouped_chi2, merge_segments
from .clusterers import (
           HDBSCANClusterer,
           KMeansClusterer,
           make_clusterer,
           register_clusterer,
           theme_params,
)
from .finder import (
           ThemeFinder,
           docs_by_theme,
           format_key_terms,
           label_apart,
           label_coverage,
           label_from_terms,
           split_members,
           theme_key_terms,
           theme_labels,
)
from .reinert import ReinertResult, reinert
from .stability import theme_stability

__all__ = ["ReinertCHD", "ReinertCHD2", "merge_segments", "grouped_chi2", "reinert", "ReinertResult", "ThemeFinder", "theme_stability", "theme_params", "HDBSCANClusterer", "KMeansClusterer",
           "make_clusterer", "register_clusterer", "split_members", "theme_key_terms", "label_from_terms", "label_apart", "label_coverage", "docs_by_theme", "theme_labels",
           "format_key_terms"]
