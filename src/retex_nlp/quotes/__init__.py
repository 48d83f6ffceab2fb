"""Representative quotes per theme, and the quotes a person pinned or banned."""

from .choices import QuoteChoices
from .select import (
           attribution,
           labels_in_result,
           readability,
           representative_quotes,
           safe_attributions,
)

__all__ = ["representative_quotes", "QuoteChoices", "attribution", "safe_attributions", "readability",
           "labels_in_result"]
