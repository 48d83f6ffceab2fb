"""A codebook: the themes an analyst expects, with definitions, keywords and examples.

In YAML::

    themes:
      - name: liens numériques
        description: Les échanges avec les familles et les enfants par visio ou téléphone.
        keywords: [visio, téléphone, appel*, "lien avec les familles"]
        examples: ["Les appels vidéo quotidiens ont maintenu le lien."]
        counter_examples: ["Pas d'ordinateur pour travailler."]

or as an XLSX, ODS or CSV sheet, one theme per row, with English or French headers (case and accents
ignored): ``name``/``nom``/``thème``/``libellé``/``catégorie``, ``description``/``définition``, ``keywords``/``mots-clés``
(several in one cell, separated by ``,`` ``;`` or line breaks), ``examples``/``exemples`` and
``counter_examples``/``contre-exemples`` (one per line: a ``;`` inside an example is kept). A
``code`` column beside the names gives each theme a short code ("A1", "FAT") that hand-coded
files may use in place of its name (alone, it names the themes). Columns an analyst keeps for
herself (``commentaire``, ``remarques``, ``notes``, ``n°``) are read past. A ``sous-thème``
column beside the themes' makes each sub-theme a theme (``Thème / Sous-thème`` when its name
alone is not unique). The YAML keys may be
French too, and a short form is read: ``Fiscalité: Baisser les impôts.`` (name: definition), or
a theme's fields under its name. A REFI-QDA codebook (``.qdc``) or project (``.qdpx``) exported
by NVivo, ATLAS.ti, MAXQDA or QualCoder is read too: its codable codes become themes, with
their descriptions.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..errors import RetexInputError
from ..io.refi import PATH_SEPARATOR
from ..io.yaml_file import text_items
from ..normalize import fold

__all__ = ["Theme", "Codebook", "OTHER"]

#: A name no codebook theme may take: in French reports, answers in no theme are "autre".
OTHER = "autre"

#: Column headers (folded: no case, no accent) and YAML keys accepted for each field.
_FIELDS = {
    "name": ("name", "nom", "theme", "themes", "intitule", "libelle", "label", "categorie", "categories"),
    "code": ("code", "codes", "abreviation", "sigle"),
    "description": ("description", "definition", "definitions"),
    "keywords": ("keywords", "mots-cles", "mots cles", "mots_cles", "mot-cle", "mot cle", "mots-clefs", "mots clefs",
                 "mots", "termes"),
    "examples": ("examples", "exemples", "exemple"),
    "counter_examples": ("counter_examples", "counter-examples", "contre-exemples", "contre exemples",
                         "contre_exemples", "contre-exemple"),
}
_ALIASES = {alias: field_name for field_name, aliases in _FIELDS.items() for alias in aliases}
#: Column headers (folded) of a codebook sheet that hold the analyst's own notes: read past.
_NOTES = frozenset({"commentaire", "commentaires", "remarque", "remarques", "note", "notes", "observations",
                    "n°", "no", "numero", "num", "ordre"})
#: French name of each field, for messages.
_SAID = {"name": "noms des thèmes", "code": "codes", "description": "définitions", "keywords": "mots-clés",
         "examples": "exemples", "counter_examples": "contre-exemples"}


def _key(key: object) -> str:
    """A column header or YAML key as the field tables hold them: folded, spaces collapsed."""
    return re.sub(r"\s+", " ", fold(str(key))).strip()


def _field(key: object) -> str | None:
    return _ALIASES.get(_key(key))


def _is_note(key: object) -> bool:
    return _key(key) in _NOTES


#: A column of sub-themes beside the themes' ("Thème", "Sous-thème"), folded.
_SUB = re.compile(r"sous[- ]?(?:theme|themes|categorie|categories|code|codes|rubrique|rubriques)")
#: Columns naming groups of themes: beside a column of themes, they are the upper level.
_GROUPS = frozenset({"categorie", "categories"})

def _sub_themes(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """A sheet of two levels ("Thème", "Sous-thème", or "Catégorie", "Thème"; one row per
    sub-theme, the theme's cell often left blank below its first row, or merged) as one column
    of names: each sub-theme is a theme, named alone when its name is unique in the sheet, else
    "Thème / Sous-thème" (as REFI-QDA sub-codes are named); a row with no sub-theme is its theme. The sheet unchanged when it has no column of sub-themes."""
    subs = [c for c in frame.columns if _SUB.fullmatch(_key(c))]
    parents = [c for c in frame.columns if _field(c) == "name"]
    wider = [c for c in parents if _key(c) in _GROUPS]
    if not subs and len(parents) == 2 and len(wider) == 1:  # "Catégorie" and "Thème": the theme is the sub-theme
        subs, parents = [c for c in parents if c not in wider], wider
    if not subs:
        return frame
    if len(subs) > 1 or len(parents) != 1:
        raise RetexInputError(f"colonnes de sous-thèmes {subs} : il faut une colonne de thèmes (nom, thème, "
                              f"catégorie) et une seule de sous-thèmes ; colonnes : {[str(c) for c in frame.columns]}",
                              path=path)
    parent, sub = parents[0], subs[0]
    themes = frame[parent].replace("", None).ffill().fillna("")
    counts = frame[sub][frame[sub] != ""].map(fold).value_counts()
    names = [(f"{t}{PATH_SEPARATOR}{c}" if t and counts[fold(c)] > 1 else c) if c else t
             for t, c in zip(themes, frame[sub], strict=True)]
    return frame.drop(columns=[sub]).assign(**{parent: names})


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
    code: str = ""  # a short code hand-coded files may use in place of the name ("A1")

    def to_dict(self) -> dict:
        """The theme's fields as YAML and the app hold them (no ``code`` when it has none)."""
        return {k: v for k, v in asdict(self).items() if k != "code" or v}


@dataclass
class Codebook:
    """A list of themes, read from and written to YAML or XLSX."""

    themes: list[Theme]

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.themes]

    def short_codes(self) -> dict[str, str]:
        """Folded short code (no case, no accent) -> the name of the theme that has it."""
        return {fold(t.code): t.name for t in self.themes if t.code}

    def aliases(self) -> dict[str, str]:
        """Folded name or code (no case, no accent) -> the theme's name: how a hand-coded
        file's codes are matched."""
        return {**self.short_codes(), **{fold(t.name): t.name for t in self.themes}}

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
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                item = {"name": item}  # a list of theme names: "- Fatigue"
            elif isinstance(item, dict) and len(item) == 1 and _field(next(iter(item))) is None and \
                    not _is_note(next(iter(item))) and isinstance(next(iter(item.values())), (str, dict, type(None))):
                key, value = next(iter(item.items()))  # "- Fatigue: l'épuisement des équipes"
                item = {"name": key, **value} if isinstance(value, dict) else {"name": key, "description": value}
            if not isinstance(item, dict):
                raise RetexInputError(f"le thème {i} n'est pas une fiche (nom, définition, mots-clés…)", path=source)
            fields = {}
            for key, value in item.items():
                name = _field(key)
                if name is None and _is_note(key):
                    continue
                if name is None:
                    raise RetexInputError(f"thème {i} : champ inconnu « {key} » ; champs possibles : nom, code, "
                                          "définition, mots-clés, exemples, contre-exemples", path=source)
                fields[name] = value
            label = "" if fields.get("name") is None else str(fields["name"]).strip()
            code = "" if fields.get("code") is None else str(fields["code"]).strip()
            if not label:  # a grid of codes only: the codes are the names
                label, code = code, ""
            if not label:
                raise RetexInputError(f"le thème {i} n'a pas de nom", path=source, row=rows[i - 1] if rows else None)
            try:
                lists = [_split(fields.get(f), keywords=f == "keywords") for f in ("keywords", "examples", "counter_examples")]
            except ValueError as exc:
                raise RetexInputError(f"thème « {label} » : {exc}", path=source,
                                      row=rows[i - 1] if rows else None) from None
            themes.append(Theme(label, str(fields.get("description") or "").strip(), *lists,
                                code="" if fold(code) == fold(label) else code))
        seen: dict[str, tuple[int, str, str]] = {}  # folded name or code -> (theme, as written, "nom"/"code")
        for i, theme in enumerate(themes):
            where = {"row": rows[i]} if rows else {}
            which = "" if rows else f"thème {i + 1} : "
            for value, kind in ((theme.name, "nom"), (theme.code, "code")):
                key = fold(value)
                if not key:
                    continue
                if key == fold(OTHER):
                    raise RetexInputError(f"{which}« {value} » est réservé aux réponses qu'aucun thème ne code : "
                                          "renommez ce thème", path=source, **where)
                if key not in seen:
                    seen[key] = (i, value, kind)
                    continue
                # hand codes are matched case and accents aside: two such names (or codes) are one
                first, written, first_kind = seen[key]
                aside = "" if written == value else " (majuscules et accents mis à part)"
                if kind == first_kind == "nom":
                    same = "deux fois" if not aside else f"comme « {written} »{aside}"
                    message = f"thème « {value} » nommé {same} : les noms de thèmes doivent être uniques"
                else:
                    message = (f"« {value} » est le {kind} du thème « {theme.name} » et déjà le {first_kind} du thème "
                               f"« {themes[first].name} »{aside} : noms et codes des thèmes doivent être uniques")
                raise RetexInputError(f"{which}{message}", path=source, **where)
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
        if suffix in (".qdc", ".qdpx"):
            from ..io.refi import read_refi_codes

            return cls.from_dict({"themes": read_refi_codes(path)}, str(path))  # "Autre" left out: OTHER
        if suffix in (".xlsx", ".xlsm", ".ods", ".csv", ".tsv"):
            from ..io.read import read_table

            table = read_table(path, format="csv" if suffix in (".csv", ".tsv") else None, sheet=sheet)
            table.info.require_whole_rows("mots-clés")  # keywords cut short or shifted would be lost
            frame = pd.DataFrame(table.frame.to_numpy(), columns=[str(c) for c in table.frame.columns],
                                 index=table.rows)
            frame = _sub_themes(frame.replace("", None).dropna(how="all").fillna(""), path)
            columns = {c: _field(c) for c in frame.columns if _field(c) or not _is_note(c)}
            if not {"name", "code"} & set(columns.values()):
                raise RetexInputError("aucune colonne de noms de thèmes (nom, thème, libellé ou name) ; colonnes : "
                                      f"{[str(c) for c in frame.columns]}", path=path)
            unknown = [str(c) for c, f in columns.items() if f is None]
            if unknown:
                raise RetexInputError(f"colonnes inconnues {unknown} ; colonnes possibles : nom, code, définition, "
                                      "mots-clés, exemples, contre-exemples (et commentaire, remarques, notes, n°, "
                                      "lues sans être gardées)", path=path)
            for name in _SAID:
                same = [str(c) for c, f in columns.items() if f == name]
                if len(same) > 1:  # the second would silently replace the first
                    raise RetexInputError(f"deux colonnes pour les {_SAID[name]} ({' et '.join(same)}) : gardez-en une",
                                          path=path)
            items = [{columns[c]: row[c] for c in columns} for _, row in frame.iterrows()]
            return cls.from_dict({"themes": items}, str(path), rows=[int(r) for r in frame.index])
        from ..io.yaml_file import read_yaml

        return cls.from_dict(read_yaml(path, "grille"), str(path))

    def to_yaml(self, path: str | Path) -> Path:
        path = Path(path)
        themes = [t.to_dict() for t in self.themes]
        path.write_text(yaml.safe_dump({"themes": themes}, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def to_frame(self) -> pd.DataFrame:
        """One row per theme, French headers, lists as :meth:`read` reads them back (keywords
        joined by ``; ``, examples one per line); a ``code`` column when a theme has a code."""
        codes = any(t.code for t in self.themes)
        return pd.DataFrame([{**({"code": t.code} if codes else {}), "nom": t.name, "définition": t.description,
                              "mots-clés": "; ".join(t.keywords), "exemples": "\n".join(t.examples),
                              "contre-exemples": "\n".join(t.counter_examples)} for t in self.themes])

    def to_xlsx(self, path: str | Path) -> Path:
        """The codebook as a workbook :meth:`read` reads back; a definition or an example
        starting with "=" stays text (never a formula)."""
        from ..files import write_xlsx

        return write_xlsx({"codebook": self.to_frame()}, path)
