"""Read and write IRaMuTeQ corpora (``**** *variable_modalite`` lines), so users can move
their answers between retex_nlp and IRaMuTeQ.

Format (IRaMuTeQ documentation, "formatage des corpus"): each text starts with a line of four
stars followed by its variables ``*name_modality``; the text follows on the next lines; a line
``-*theme`` inside a text opens a thematic part (used for one answer per question).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..answers import require_columns
from ..errors import RetexInputError
from ..files import atomic_write, write_csv
from ..normalize import strip_accents, strip_controls

__all__ = ["IramuteqText", "parse_iramuteq", "write_iramuteq", "looks_like_iramuteq", "star_modality",
           "star_name"]

_VAR = re.compile(r"\*([^\s_*]+)_(\S*)")  # "*age_" is a variable with an empty modality
_NOT_ASCII_WORD = re.compile(r"[^A-Za-z0-9]+")


@dataclass
class IramuteqText:
    """One text of an IRaMuTeQ corpus (or one thematic part of it)."""

    text: str
    variables: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    #: 1-based line of the ``****`` (or ``-*``) line that opened this text.
    line: int = 0


def looks_like_iramuteq(text: str) -> bool:
    """True when the first non-blank line is an IRaMuTeQ ``****`` line."""
    for line in text.splitlines():
        if line.strip():
            return line.lstrip().startswith("****")
    return False


def parse_iramuteq(content: str, path: str | Path | None = None) -> list[IramuteqText]:
    """Parse the text of an IRaMuTeQ corpus into its texts, with variables and themes."""
    texts: list[IramuteqText] = []
    current: IramuteqText | None = None
    lines: list[str] = []

    def close() -> None:
        if current is not None:
            current.text = "\n".join(lines).strip()
            texts.append(current)

    for number, line in enumerate(content.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("****"):
            close()
            variables = {m.group(1): m.group(2) for m in _VAR.finditer(stripped[4:])}
            current, lines = IramuteqText("", variables, None, number), []
        elif stripped.startswith("-*") and current is not None:
            if lines and any(x.strip() for x in lines) or current.theme is not None:
                close()
                current = IramuteqText("", dict(current.variables), None, number)
                lines = []
            current.theme = stripped[2:].strip() or None
        elif current is None:
            if stripped:
                raise RetexInputError(
                    "du texte avant la première ligne « **** » : ce n'est pas un corpus IRaMuTeQ", path=path, row=number
                )
        else:
            lines.append(line)
    close()
    return texts


def star_modality(value: object) -> str:
    """A modality as IRaMuTeQ's corpus checker accepts it: ``a-z A-Z 0-9 _`` only (accents
    dropped, spaces, hyphens, dots and other signs become ``_``); ``NA`` when empty."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = _NOT_ASCII_WORD.sub("_", strip_accents(text).strip()).strip("_")
    return text or "NA"


def star_name(name: object) -> str:
    """A variable name as IRaMuTeQ accepts it: ``a-z A-Z 0-9`` only (it splits ``*name_modality``
    on the first underscore, so a name holds none)."""
    return _NOT_ASCII_WORD.sub("", strip_accents(str(name))) or "var"


def write_iramuteq(
    answers: pd.DataFrame,
    path: str | Path,
    variables: list[str] | None = None,
    text: str = "text",
    theme: str | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write answers as an IRaMuTeQ corpus that passes IRaMuTeQ's corpus checker.

    ``variables`` are written as ``*name_modality`` with names and modalities in ``a-z A-Z 0-9
    _`` only (:func:`star_name`, :func:`star_modality`); when a value had to change
    ("Éducateur spécialisé" -> ``Educateur_specialise``), the correspondence is written beside
    the corpus as ``<name>_modalites.csv``. ``theme`` names a column written as a ``-*name_modality``
    line before each text. Stars and control characters are removed from the texts (IRaMuTeQ
    reserves the stars). Only answers with status ``ok`` are written when a ``status`` column
    exists.
    """
    path = Path(path)
    rows = answers
    if "status" in rows.columns:
        rows = rows[rows["status"] == "ok"]
    variables = list(variables or [])
    require_columns(rows, [text, *variables, *([theme] if theme else [])], "colonnes introuvables")
    names = {v: star_name(v) for v in [*variables, *([theme] if theme else [])]}
    changed: dict[tuple[str, str], str] = {}

    def star(column: str, value: object) -> str:
        modality = star_modality(value)
        original = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
        if modality != original or names[column] != column:
            changed[(column, original)] = f"*{names[column]}_{modality}"
        return f"*{names[column]}_{modality}"

    out = []
    for _, row in rows.iterrows():
        out.append(f"**** {' '.join(star(v, row[v]) for v in variables)}".rstrip())
        if theme:
            out.append("-" + star(theme, row[theme]))
        body = strip_controls(str(row[text])).replace("*", " ")
        out.append(" ".join(body.split()))
        out.append("")
    atomic_write(path, "\n".join(out).encode(encoding, errors="replace"))
    if changed:
        mapping = pd.DataFrame([{"variable": c, "valeur": v, "dans_iramuteq": s} for (c, v), s in changed.items()])
        write_csv(mapping, path.with_name(path.stem + "_modalites.csv"))
    return path
