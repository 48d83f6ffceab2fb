"""YAML files a person writes (codebook, lexicon, quote choices, a project's journal), read with
a French error naming the file and the line where the YAML breaks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from ..errors import RetexInputError

__all__ = ["read_yaml", "text_items"]


def text_items(values: Sequence) -> list[str]:
    """The items of a list a person wrote in YAML, as text, blank ones dropped. A ValueError (in
    French) names the first item that is a mapping or a list: ``- taxe: habitation`` typed without
    quotes is a mapping to YAML, not the text the person meant."""
    odd = next((x for x in values if isinstance(x, (dict, list, tuple))), None)
    if odd is not None:
        raise ValueError(f"« {odd} » n'est pas un texte : mettez-le entre guillemets")
    return [str(x).strip() for x in values if x is not None and str(x).strip()]


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key written twice in one mapping (``name: A`` then
    ``name: B`` in one theme): PyYAML would keep the last and lose the first, silently."""

    def construct_mapping(self, node, deep=False):
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # a key that is a list or a mapping: let PyYAML say what it says
                continue
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"clé « {key} » écrite deux fois (déjà ligne {first}) : une seule valeur serait gardée",
                    key_node.start_mark)
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: str | Path, what: str) -> object:
    """The document in ``path``; ``what`` names it in French in the errors ("grille",
    "lexique"…): a missing file says so, malformed YAML gives the line, an unreadable file the
    reason."""
    path = Path(path)
    if not path.is_file():
        raise RetexInputError(f"{what} introuvable", path=path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RetexInputError(f"{what} : YAML mal formé : {exc}", path=path,
                              row=mark.line + 1 if mark is not None else None) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RetexInputError(f"{what} illisible ({exc})", path=path) from exc
