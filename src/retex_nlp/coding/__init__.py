"""Coding answers against a codebook: zero-shot, learned from hand-coded answers, or mixed."""

from .agreement import agreement_by_theme, code_matrix, cohen_kappa, krippendorff_alpha
from .codebook import OTHER, Codebook, Theme
from .coder import CodebookCoder
from .mixed import NEW_PREFIX, MixedCoder
from .training import known_codes, read_codes, write_review

__all__ = ["Codebook", "Theme", "CodebookCoder", "MixedCoder", "OTHER", "NEW_PREFIX", "agreement_by_theme",
           "cohen_kappa", "krippendorff_alpha", "code_matrix", "read_codes", "known_codes", "write_review"]
