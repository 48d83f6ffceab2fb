"""Data shipped with retex_nlp (sources and licences in ``SOURCES.md``), and the loaders of the
name lists that several stages read: the spelling rules (a first name or a town is never taken
for a misspelt word) and the pseudonymisation (they are what it masks)."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

from ..normalize import strip_accents

__all__ = ["communes", "first_names", "surnames"]


def _names(file: str) -> frozenset[str]:
    """The names of a shipped list (one per line, ``#`` comments), lower case, with and without
    accents."""
    text = resources.files(__name__).joinpath(file).read_text(encoding="utf-8")
    names = {w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")}
    return frozenset(names | {strip_accents(n) for n in names})


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The first names common in France (``prenoms.txt``), lower case, with and without accents."""
    return _names("prenoms.txt")


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Frequent surnames in France (``noms.txt``), lower case, with and without accents."""
    return _names("noms.txt")


@lru_cache(maxsize=1)
def communes() -> frozenset[str]:
    """France's commune names (INSEE's COG, ``communes.txt.gz``), as written ("Villeneuve-d'Ascq")."""
    with resources.files(__name__).joinpath("communes.txt.gz").open("rb") as raw, \
            gzip.open(raw, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().replace("’", "'") for line in fh if line.strip())
