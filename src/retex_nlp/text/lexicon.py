"""The field lexicon: multiword expressions, spelling variants, acronyms and stopword lists.

A :class:`Lexicon` is plain data. The default one ships in ``retex_nlp/data/lexicon.yml``;
users add their own expressions and variant groups from a YAML file of the same shape::

    expressions: [lien avec les familles, cellule de crise]
    variants:
      visio: [visio, zoom, teams]
    acronyms: [SAU]
    keep_words: [seul]
    stopwords: [madame]
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from ..errors import RetexInputError
from ..io.yaml_file import text_items

__all__ = ["Lexicon", "default_lexicon"]

_KEYS = ("expressions", "variants", "acronyms", "keep_words", "stopwords")


#: Words counted as terms (they carry meaning: "pas de moyens") that say nothing on their own in
#: a theme label or a word cloud: negations and intensifiers.
NEGATIONS_AND_INTENSIFIERS = frozenset({
    "pas", "plus", "ne", "non", "sans", "moins", "trop", "rien", "jamais", "aucun", "aucune", "très", "tout",
    "tous", "toute", "toutes", "bien", "même", "aussi", "encore", "déjà"})

@dataclass
class Lexicon:
    """Expressions, variants and word lists used by :class:`~retex_nlp.FrenchAnalyzer`."""

    expressions: list[str] = field(default_factory=list)
    variants: dict[str, list[str]] = field(default_factory=dict)
    acronyms: list[str] = field(default_factory=list)
    keep_words: list[str] = field(default_factory=list)
    stopwords: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> Lexicon:
        """Build a lexicon from a mapping with the keys of the YAML file."""
        if not isinstance(data, dict):
            raise RetexInputError("un lexique est une fiche de listes (expressions, variants, acronyms…)", path=source)
        unknown = set(data) - set(_KEYS)
        if unknown:
            raise RetexInputError(f"clés de lexique inconnues {sorted(map(str, unknown))} ; clés possibles : {list(_KEYS)}",
                                  path=source)
        variants = data.get("variants") or {}
        if not isinstance(variants, dict):
            raise RetexInputError("« variants » doit associer à chaque terme la liste de ses graphies", path=source)
        return cls(
            expressions=_items(data.get("expressions"), "expressions", source),
            variants={str(k): _items(v, f"variants › {k}", source) for k, v in variants.items()},
            acronyms=_items(data.get("acronyms"), "acronyms", source),
            keep_words=_items(data.get("keep_words"), "keep_words", source),
            stopwords=_items(data.get("stopwords"), "stopwords", source),
        )

    @classmethod
    def from_yaml(cls, path: str | Path) -> Lexicon:
        """Read a lexicon YAML file."""
        from ..io.yaml_file import read_yaml

        return cls.from_dict(read_yaml(path, "lexique") or {}, source=str(path))

    def merged(self, other: Lexicon | None) -> Lexicon:
        """This lexicon extended with ``other`` (whose variant groups win on the same key)."""
        if other is None:
            return self
        variants = {k: list(v) for k, v in self.variants.items()}
        for key, spellings in other.variants.items():
            variants[key] = list(dict.fromkeys([*variants.get(key, []), *spellings]))
        return Lexicon(
            expressions=list(dict.fromkeys([*self.expressions, *other.expressions])),
            variants=variants,
            acronyms=list(dict.fromkeys([*self.acronyms, *other.acronyms])),
            keep_words=list(dict.fromkeys([*self.keep_words, *other.keep_words])),
            stopwords=list(dict.fromkeys([*self.stopwords, *other.stopwords])),
        )

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in _KEYS}


def _items(value: object, key: str, source: str) -> list[str]:
    """A list of the lexicon as the YAML gives it: a list, or one line of items separated by
    ``,`` or ``;`` (``expressions: cellule de crise, visite médiatisée``) — never the letters of a
    string taken one by one."""
    if value is None:
        return []
    items = re.split(r"[,;\n]", value) if isinstance(value, str) else value
    if isinstance(items, list):
        with contextlib.suppress(ValueError):  # a mapping among the items: said below, with the key
            return text_items(items)
    raise RetexInputError(f"« {key} » doit être une liste de mots ou d'expressions (une par ligne « - … », "
                          f"ou séparées par des virgules) ; lu : {items!r}", path=source)


def default_lexicon() -> Lexicon:
    """The lexicon shipped with retex_nlp (child protection and social work)."""
    text = resources.files("retex_nlp.data").joinpath("lexicon.yml").read_text(encoding="utf-8")
    return Lexicon.from_dict(yaml.safe_load(text), source="retex_nlp/data/lexicon.yml")
