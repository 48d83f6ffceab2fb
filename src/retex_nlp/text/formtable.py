"""The shipped form table: French word forms with their lemma and part of speech, learned by
``scripts/build_lemma_table.py`` from real answers tagged by spaCy. The analyser looks words up
in it before tagging (:mod:`.analyzer`); the spelling rules ask it what part of speech a word is
(:mod:`.spelling`)."""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

__all__ = ["TABLE_FILE", "default_table", "read_table"]

#: The table's file in ``retex_nlp/data``: ``form<TAB>lemma<TAB>POS`` lines, gzipped.
TABLE_FILE = "lemma_table.tsv.gz"


@lru_cache(maxsize=1)
def default_table() -> dict[str, tuple[str, str]]:
    """The shipped form table, read once per process (shared by every analyser, never modified)."""
    with resources.files("retex_nlp.data").joinpath(TABLE_FILE).open("rb") as fh:
        return read_table(fh)


def read_table(fh) -> dict[str, tuple[str, str]]:
    """A form table from an open gzipped file: form -> (lemma, POS)."""
    table = {}
    for line in gzip.decompress(fh.read()).decode("utf-8").split("\n"):
        if not line:
            continue
        form, lemma, pos = line.split("\t")
        table[form] = (lemma, pos)
    return table
