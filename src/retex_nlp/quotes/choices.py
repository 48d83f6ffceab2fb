"""Quotes a person pinned or banned, by their text, kept across re-runs and re-renders."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import RetexInputError
from ..files import atomic_write
from ..io.yaml_file import read_yaml, text_items
from ..normalize import normalize_answer

__all__ = ["QuoteChoices"]

_MIN_OVERLAP = 20  # shorter texts match only whole: banning "non" bans no other answer


@dataclass
class QuoteChoices:
    """Quotes to put first in their theme (``pin``) or never to show (``ban``), by text.

    A text matches a quote or an answer when, once normalised (case, spacing, apostrophes and
    the punctuation around it ignored), they are equal or, for texts of at least 20
    characters, one contains the other: banning a quote bans every
    copy of it, in any answer, and the other cuts of the same passage; pinning a quote pins it
    wherever it is said. Saved as YAML next to the report, so that a re-run keeps them.
    """

    pin: list[str] = field(default_factory=list)
    ban: list[str] = field(default_factory=list)

    @staticmethod
    def _matches(text: str, chosen: list[str]) -> bool:
        key = normalize_answer(text)
        if not key:
            return False
        for c in map(normalize_answer, chosen):
            if c == key or (min(len(c), len(key)) >= _MIN_OVERLAP and (c in key or key in c)):
                return True
        return False

    def is_banned(self, text: str) -> bool:
        return self._matches(text, self.ban)

    def is_pinned(self, text: str) -> bool:
        return self._matches(text, self.pin)

    @classmethod
    def read(cls, path: str | Path) -> QuoteChoices:
        """The choices saved in ``path`` (none when the file does not exist)."""
        path = Path(path)
        if not path.exists():
            return cls()
        data = read_yaml(path, "fichier de choix de citations") or {}
        if not isinstance(data, dict) or not set(data) <= {"pin", "ban"}:
            raise RetexInputError("le fichier de choix de citations doit contenir les listes « pin » et « ban »",
                                  path=path)
        lists = []
        for key in ("pin", "ban"):
            value = data.get(key) or []
            value = [value] if isinstance(value, str) else value  # one quote typed without its "- "
            if isinstance(value, list):
                with contextlib.suppress(ValueError):  # a mapping among the quotes: said below
                    lists.append(text_items(value))
                    continue
            raise RetexInputError(f"« {key} » doit être une liste de citations, une par ligne « - … » ; lu : "
                                  f"{value!r}", path=path)
        return cls(*lists)

    def save(self, path: str | Path) -> Path:
        return atomic_write(path, "# Citations épinglées (pin : mises en tête de leur thème) et écartées (ban : "
                            "jamais\n# citées, ni aucune copie), par leur texte.\n"
                            + yaml.safe_dump({"pin": self.pin, "ban": self.ban}, allow_unicode=True, width=1000))
