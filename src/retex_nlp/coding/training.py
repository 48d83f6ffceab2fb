"""Hand-coded answers in and out: the file a person codes (or corrects), read back to teach the coder.

A training file is a CSV or an Excel sheet with one row per coded answer: the answer's id (the
``answer_id`` of ``answers_coded.csv`` or of a review file, or the respondent id column) and
``codes``, the theme names joined by ``;`` (empty: in no theme). :func:`write_review` writes
the answers a coder asks about (:meth:`CodebookCoder.to_review`) in that form, the proposed
codes already in the ``codes`` column, to be corrected and read back with :func:`read_codes`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..answers import ok_answers, split_codes
from ..errors import RetexInputError
from ..files import write_xlsx
from ..io.read import read_table
from ..normalize import fold
from .codebook import Codebook, Theme

__all__ = ["read_codes", "known_codes", "write_review", "HandCodes", "CODES_COLUMN"]

CODES_COLUMN = "codes"
_ID_NAMES = ("answer_id", "id", "identifiant", "respondent_id")
_CODES_NAMES = ("codes", "code", "themes", "thèmes", "theme_label")
#: Taken for the codes column too, but only when no column is named after a theme (a survey may
#: have a column "Thème" beside one column per theme).
_MAYBE_CODES_NAMES = ("thème", "étiquettes", "étiquette", "catégories", "catégorie")


#: What a person types in a theme's column of a file coded one column per theme: marked…
_MARKED = frozenset({"x", "1", "1.0", "oui", "o", "yes", "y", "vrai", "true", "✓", "✔", "☑", "×"})
#: … and not marked.
_UNMARKED = frozenset({"", "0", "0.0", "non", "n", "no", "faux", "false", "-", "☐"})
#: Column names that say "in no theme" in a file coded one column per theme.
_NONE_NAMES = ("autre", "aucun", "aucun thème", "sans thème", "hors thème", "none")
_NONE = frozenset(fold(n) for n in _NONE_NAMES)


def _column(columns: Sequence[str], wanted: Sequence[str], path: Path, what: str, more: str = "") -> str:
    found = {fold(c): c for c in columns}
    for name in wanted:
        if fold(name) in found:
            return found[fold(name)]
    raise RetexInputError(f"pas de colonne {what} ({' ou '.join(wanted)}){more} ; colonnes : {list(columns)}", path=path)


def _known(themes: Sequence[str] | Codebook) -> dict[str, str]:
    """Folded name (or code, for a codebook's themes that have one) -> the theme's name."""
    return themes.aliases() if isinstance(themes, Codebook) else {fold(t): t for t in themes}


def _theme_columns(columns: Sequence[str], themes: Sequence[str] | Codebook | None) -> dict[str, str | None]:
    """In a file coded one column per theme: column -> theme (None for a column saying "in no
    theme"), matched by name or code, case and accents aside; empty when no column is named
    like a theme."""
    known = _known(themes) if themes is not None else {}
    marks: dict[str, str | None] = {c: known[fold(c)] for c in columns if fold(c) in known}
    if marks:
        marks.update({c: None for c in columns if fold(c) in _NONE})
    return marks


def _marked_codes(row: dict, marks: dict[str, str | None], path: Path, line: int) -> list[str] | None:
    """The themes marked on one row of a file coded one column per theme; None when nothing is
    marked (an answer not coded yet: "in no theme" is said by marking a column "autre")."""
    names, marked = [], False
    for column, theme in marks.items():
        value = row[column]
        text = "" if value is None else str(value).strip().casefold()
        if text in _MARKED:
            marked = True
            if theme is not None:
                names.append(theme)
        elif text not in _UNMARKED:
            what = f"du thème « {theme} »" if theme is not None else "d'aucun thème"
            raise RetexInputError(f"case « {value} » : marquez-la d'un « x » (ou 1, oui) si la réponse relève {what}, "
                                  "laissez-la vide sinon", path=path, row=line, column=column)
    return names if marked else None


class HandCodes(dict):
    """``answer_id -> "theme a;theme b"`` as read by :func:`read_codes`, remembering where each
    answer's codes were read (file, row, id column) so that an error can point at them."""

    def __init__(self) -> None:
        super().__init__()
        self.origin: dict[str, tuple[Path, int, str]] = {}

    def require(self, answers: pd.DataFrame, what: str = "les réponses exploitables") -> HandCodes:
        """Check that every coded answer is among the usable (``ok``) ``answers``; else a French
        error naming the file, row and column of the first that is not."""
        known = set(ok_answers(answers)["answer_id"].astype(str))
        missing = [a for a in self if a not in known]
        if missing:
            path, row, column = self.origin[missing[0]]
            more = f" (et {len(missing) - 1} autre(s))" if len(missing) > 1 else ""
            raise RetexInputError(f"réponse codée introuvable parmi {what} : {missing[0]!r}{more} ; un identifiant "
                                  "d'un autre fichier, ou une réponse vide, en double, non exploitable ?",
                                  path=path, row=row, column=column)
        return self


def read_codes(paths: str | Path | Sequence[str | Path], id_col: str | None = None,
               themes: Sequence[str] | Codebook | None = None) -> HandCodes:
    """``answer_id -> "theme a;theme b"`` from one or several training files (a later file
    overrides an earlier one for the same answer: correction rounds read in order). The id is
    read from ``id_col`` (the answers' respondent id column) or a column named ``answer_id``,
    ``id``…; the codes from a ``codes`` column, or, with ``themes``, from one column per theme
    marked "x" (or 1, oui; a row with no mark is not coded yet, a column "autre" marked says "in
    no theme"; any other value is an error naming its cell). A REFI-QDA project (``.qdpx``,
    coded in NVivo, ATLAS.ti…) gives the codes put on its sources, each source known by its
    number (as :func:`~retex_nlp.read_answers` numbers them) or by ``id_col``; a source with no
    code is not coded yet. With
    ``themes`` (names, or a :class:`Codebook`, whose themes' codes are then read as their
    names), a code that is no theme of the codebook gives an error naming the file, row and
    code (a typo would otherwise become a theme of its own). One answer coded twice in one file
    with other codes is an error naming both rows (which one is right is the coder's call)."""
    paths = [paths] if isinstance(paths, (str, Path)) else list(paths)
    codes = HandCodes()
    for path in map(Path, paths):
        table = read_table(path)
        frame, rows = table.frame, table.rows
        frame.columns = columns = [str(c) for c in frame.columns]
        refi = table.info.format == "qdpx"  # a project coded in NVivo, ATLAS.ti…: sources read as the answers are
        if refi:
            ids = _column(columns, [id_col], path, "d'identifiant") if id_col else None
            wide, col = {}, "codes_refi"
        else:
            ids = _column(columns, list(dict.fromkeys([id_col, *_ID_NAMES])) if id_col else _ID_NAMES, path,
                          "d'identifiant")
            wide = {} if any(fold(c) in {fold(n) for n in _CODES_NAMES} for c in columns) else _theme_columns(columns, themes)
            col = None if wide else _column(columns, _CODES_NAMES + _MAYBE_CODES_NAMES, path, "de codes",
                                             " ni de colonne par thème de la grille" if themes else "")
            table.info.require_whole_rows("codes")  # codes cut short would be lost: say so (not for a project,
            # whose problems are texts kept outside it)
        here: dict[str, int] = {}
        for row, record in zip(rows, frame.to_dict("records"), strict=True):
            answer = record[ids] if ids else row  # a project's sources without id column: their number
            if answer is None or not str(answer).strip():
                continue
            if refi and record[col] is None:  # a source nobody coded: not coded yet
                continue
            if wide:
                names = _marked_codes(record, wide, path, row)
                if names is None:  # no mark at all: not coded yet
                    continue
            else:
                value = record[col]
                names = split_codes(value if value is not None else "")
                if themes is not None:
                    names = known_codes(names, themes, path=path, row=row, column=col)
            key, joined = str(answer).strip(), ";".join(names)
            if key in here and codes[key] != joined:
                raise RetexInputError(f"la réponse {key!r} est déjà codée ligne {here[key]} avec d'autres codes "
                                      f"({codes[key]!r} puis {joined!r}) : gardez une seule ligne par réponse",
                                      path=path, row=row, column=col)
            here[key] = row
            codes[key] = joined
            codes.origin[key] = (path, row, ids or "file")
        if not here:
            what = ("aucune case cochée" if wide else "aucune source codée" if refi else
                    f"aucune ligne avec un identifiant dans la colonne « {ids} »")
            raise RetexInputError(f"aucune réponse codée dans ce fichier ({what})", path=path)
    return codes


def known_codes(names: Sequence[str], themes: Sequence[str] | Codebook, *, path: str | Path | None = None,
                row: int | None = None, column: str | None = None) -> list[str]:
    """``names`` as the codebook spells its themes (case and accents aside; with a
    :class:`Codebook`, a theme's code stands for its name; "autre", "aucun", "sans thème" say
    "in no theme" and are dropped unless a theme is so named); a code that is no theme (a typo
    would otherwise become a theme of its own) is a French error naming where it is."""
    known = _known(themes)
    names = [c for c in names if fold(c) in known or fold(c) not in _NONE]  # "Autre", "aucun": in no theme
    unknown = [c for c in names if fold(c) not in known]
    if unknown:
        parts = [p.strip() for p in re.split(r"[,/|+]", unknown[0]) if p.strip()]
        hint = (" ; séparez les codes par « ; » (" + " ; ".join(known[fold(p)] for p in parts) + ")"
                if len(parts) > 1 and all(fold(p) in known for p in parts) else "")
        listed = ([f"{t.code} ({t.name})" if t.code else t.name for t in themes.themes]
                  if isinstance(themes, Codebook) else list(themes))
        raise RetexInputError(f"code inconnu {unknown[0]!r} ; les thèmes de la grille sont {listed}{hint}",
                              path=path, row=row, column=column)
    return list(dict.fromkeys(known[fold(c)] for c in names))


def write_review(review: pd.DataFrame, path: str | Path, themes: Sequence[str] | Codebook) -> Path:
    """The answers to review as a workbook: ``answer_id``, ``text``, ``proposed`` (what the
    model proposes), ``codes`` (the same, to correct), ``uncertainty``; a sheet of instructions
    and one listing the themes (and their short codes, which may be typed in place of names)."""
    book = themes if isinstance(themes, Codebook) else Codebook([Theme(t) for t in themes])
    listed = pd.DataFrame({"thème": book.names})
    if any(t.code for t in book.themes):
        listed["code"] = [t.code for t in book.themes]
    sheet = review.assign(**{CODES_COLUMN: review["proposed"]})[["answer_id", "text", "proposed", CODES_COLUMN,
                                                                  "uncertainty"]]
    sheet = sheet.rename(columns={"text": "texte", "proposed": "codes_proposés", "uncertainty": "incertitude"})
    how = pd.DataFrame({"consignes": [
        "Corrigez la colonne « codes » : les noms (ou codes) des thèmes séparés par « ; », vide pour aucun thème.",
        "Ne changez pas la colonne answer_id.",
        "Puis : retex code FICHIER --codebook GRILLE --train CE_FICHIER.xlsx (avec les fichiers des tours "
        "précédents, dans l'ordre).",
        "Ces réponses sont celles dont la correction apprendra le plus au codeur (les plus incertaines, variées).",
    ]})
    return write_xlsx({"À revoir": sheet, "Thèmes": listed, "Consignes": how}, path)
