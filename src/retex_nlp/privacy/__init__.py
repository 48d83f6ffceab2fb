"""Pseudonymisation: names, places and contact details replaced before anything is shown."""

from .pseudonymize import PLACEHOLDER, Pseudonymizer, Replacement, pseudonymize, strip_placeholders

__all__ = ["Pseudonymizer", "Replacement", "pseudonymize", "strip_placeholders", "PLACEHOLDER"]
