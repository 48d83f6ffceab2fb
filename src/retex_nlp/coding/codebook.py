"""A codebook: the themes an analyst expects, with definitions, keywords and examples.

In YAML::

    themes:
      - name: liens numériques
        description: Les échanges avec les familles et les enfants par visio ou téléphone.
        keywords: [visio, téléphone, appel*, "lien avec les familles"]
        examples: ["Les appels vidéo quotidiens ont maintenu le lien."]
        counter_examples: ["Pas d'ordinateur pour travailler."]

or as an XLSX, ODS or CSV sheet, one theme per row, with English or French headers (case and accents
ignored): ``name``/``nom``/``thème``, ``description``/``définition``, ``keywords``/``mots-clés``
(several in one cell, separated by ``,`` ``;`` or line breaks), ``examples``/``exemples`` and
``counter_examples``/``contre-exemples`` (one per line: a ``;`` inside an example is kept).
The YAML keys may be French too, and a short form is read: ``Fiscalité: Baisser les impôts.``
(name: definition), or a theme's fields under its name.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import RetexInputError
from ..io.yaml_file import text_items
from ..normalize import fold

__all__ = ["Theme", "Codebook", "OTHER"]

#: A name no codebook theme may take: in French reports, answers in no theme are "autre".
OTHER = "autre"

#: Column headers (folded: no case, no accent) and YAML keys accepted for each field.
_FIELDS = {
    "name": ("name", "nom", "theme", "themes", "code", "intitule"),
    "description": ("description", "definition", "definitions"),
    "keywords": ("keywords", "mots-cles", "mots cles", "mots_cles", "mot-cle", "mot cle", "mots-clefs", "mots clefs",
                 "mots", "termes"),
    "examples": ("examples", "exemples", "exemple"),
    "counter_examples": ("counter_examples", "counter-examples", "contre-exemples", "contre exemples",
                         "contre_exemples", "contre-exemple"),
}
_ALIASES = {alias: field_name for field_name, aliases in _FIELDS.items() for alias in aliases}


def _field(key: object) -> str | None:
    return _ALIASES.get(re.sub(r"\s+", " ", fold(str(key))))


def _split(value: object, keywords: bool) -> list[str]:
    """A cell or YAML value as a list: keywords split on ``,`` ``;`` and line breaks, examples
    on line breaks only."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, (list, tuple)):
        return text_items(value)
    if isinstance(value, dict):
        raise ValueError(f"« {value} » n'est pas un texte ni une liste : mettez-le entre guillemets")
    pattern = r"[,;\n]" if keywords else r"\n"
    return [x.strip() for x in re.split(pattern, str(value)) if x.strip()]


@dataclass
class Theme:
    """One codebook theme."""

    name: str
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    counter_examples: list[str] = field(default_factory=list)


@dataclass
class Codebook:
    """A list of themes, read from and written to YAML or XLSX."""

    themes: list[Theme]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>", rows: list[int] | None = None) -> Codebook:
        """A codebook from ``{"themes": [{"name": …, "description": …}, …]}`` (French or English
        field names) or ``{name: description or fields}``; ``rows``: the file row of each theme,
        for error messages."""
        items = data.get("themes", data.get("thèmes")) if isinstance(data, dict) else data
        if items is None and isinstance(data, dict) and data and all(
                isinstance(v, (str, dict)) or v is None for v in data.values()):
            # the short form a person writes: "Fiscalité: impôts et taxes", or name -> fields
            items = [{"name": k, **v} if isinstance(v, dict) else {"name": k, "description": v} for k, v in data.items()]
        if not isinstance(items, list) or not items:
            raise RetexInputError("une grille de codage demande une liste « themes » non vide", path=source)
        themes = []
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                raise RetexInputError(f"le thème {i} n'est pas une fiche (nom, définition, mots-clés…)", path=source)
            fields = {}
            for key, value in item.items():
                name = _field(key)
                if name is None:
                    raise RetexInputError(f"thème {i} : champ inconnu « {key} » ; champs possibles : nom, définition, "
                                          "mots-clés, exemples, contre-exemples", path=source)
                fields[name] = value
            label = "" if fields.get("name") is None else str(fields["name"]).strip()
            if not label:
                raise RetexInputError(f"le thème {i} n'a pas de nom", path=source, row=rows[i - 1] if rows else None)
            try:
                lists = [_split(fields.get(f), keywords=f == "keywords") for f in ("keywords", "examples", "counter_examples")]
            except ValueError as exc:
                raise RetexInputError(f"thème « {label} » : {exc}", path=source,
                                      row=rows[i - 1] if rows else None) from None
            themes.append(Theme(label, str(fields.get("description") or "").strip(), *lists))
        names = [t.name for t in themes]
        seen: dict[str, int] = {}
        for i, name in enumerate(names):
            key = fold(name)
            where = {"row": rows[i]} if rows else {}
            which = "" if rows else f"thème {i + 1} : "
            if key == fold(OTHER):
                raise RetexInputError(f"{which}« {name} » est réservé aux réponses qu'aucun thème ne code : renommez ce "
                                      "thème", path=source, **where)
            if key in seen:  # hand codes are matched case and accents aside: two such names are one
                first = names[seen[key]]
                same = "deux fois" if first == name else f"comme « {first} » (majuscules et accents mis à part)"
                raise RetexInputError(f"{which}thème « {name} » nommé {same} : les noms de thèmes doivent être uniques",
                                      path=source, **where)
            seen[key] = i
        return cls(themes)

    @classmethod
    def read(cls, path: str | Path, sheet: str | int | None = None) -> Codebook:
        """Read a codebook from ``.yml``/``.yaml``, ``.xlsx``, LibreOffice ``.ods`` or ``.csv``
        (see the module docstring for the columns, in English or French). A sheet or CSV is read
        as the answers are (:func:`~retex_nlp.io.read.read_table`): encoding and separator found,
        title rows above the header and a first sheet of instructions skipped (``sheet`` to
        choose one), and a row the reader could not read whole refused with its number."""
        path = Path(path)
        if not path.exists():
            raise RetexInputError("grille de codage introuvable", path=path)
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".ods", ".csv", ".tsv"):
            from ..io.read import read_table

            table = read_table(path, format="csv" if suffix in (".csv", ".tsv") else None, sheet=sheet)
            table.info.require_whole_rows("mots-clés")  # keywords cut short or shifted would be lost
            frame = pd.DataFrame(table.frame.to_numpy(), columns=[str(c) for c in table.frame.columns],
                                 index=table.rows)
            frame = frame.replace("", None).dropna(how="all").fillna("")
            columns = {c: _field(c) for c in frame.columns}
            if "name" not in columns.values():
                raise RetexInputError("aucune colonne de noms de thèmes (nom, thème ou name) ; colonnes : "
                                      f"{[str(c) for c in frame.columns]}", path=path)
            unknown = [str(c) for c, f in columns.items() if f is None]
            if unknown:
                raise RetexInputError(f"colonnes inconnues {unknown} ; colonnes possibles : nom, définition, mots-clés, "
                                      "exemples, contre-exemples", path=path)
            items = [{columns[c]: row[c] for c in frame.columns} for _, row in frame.iterrows()]
            return cls.from_dict({"themes": items}, str(path), rows=[int(r) for r in frame.index])
        from ..io.yaml_file import read_yaml

        return cls.from_dict(read_yaml(path, "grille"), str(path))

    def to_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(yaml.safe_dump({"themes": [asdict(t) for t in self.themes]}, allow_unicode=True,
                                       sort_keys=False), encoding="utf-8")
        return path

    def to_frame(self) -> pd.DataFrame:
        """One row per theme, French headers, lists as :meth:`read` reads them back (keywords
        joined by ``; ``, examples one per line)."""
        return pd.DataFrame([{"nom": t.name, "définition": t.description, "mots-clés": "; ".join(t.keywords),
                              "exemples": "\n".join(t.examples), "contre-exemples": "\n".join(t.counter_examples)}
                             for t in self.themes])

    def to_xlsx(self, path: str | Path) -> Path:
        """The codebook as a workbook :meth:`read` reads back; a definition or an example
        starting with "=" stays text (never a formula)."""
        from ..files import write_xlsx

        return write_xlsx({"codebook": self.to_frame()}, path)
