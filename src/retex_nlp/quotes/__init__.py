"""Representative quotes per theme, and the quotes a person pinned or banned."""

from .choices import QuoteChoices
from .select import attribution, readability, representative_quotes, safe_attributions, theme_labels

__all__ = ["representative_quotes", "QuoteChoices", "attribution", "safe_attributions", "readability",
           "theme_labels"]
