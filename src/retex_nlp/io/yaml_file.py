"""YAML files a person writes (codebook, lexicon, quote choices, a project's journal), read with
a French error naming the file and the line where the YAML breaks."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import RetexInputError

__all__ = ["read_yaml"]


def read_yaml(path: str | Path, what: str) -> object:
    """The document in ``path``; ``what`` names it in French in the errors ("grille",
    "lexique"…): a missing file says so, malformed YAML gives the line, an unreadable file the
    reason."""
    path = Path(path)
    if not path.is_file():
        raise RetexInputError(f"{what} introuvable", path=path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RetexInputError(f"{what} : YAML mal formé : {exc}", path=path,
                              row=mark.line + 1 if mark is not None else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RetexInputError(f"{what} illisible ({exc})", path=path) from exc
