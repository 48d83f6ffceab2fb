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

from ..errors import RetexInputError

__all__ = ["IramuteqText", "parse_iramuteq", "write_iramuteq", "looks_like_iramuteq"]

_VAR = re.compile(r"\*([^\s_*]+)_(\S+)")
_NOT_IN_MODALITY = re.compile(r"[^\w.-]+")


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
                    "text before the first '****' line: not an IRaMuTeQ corpus", path=path, row=number
                )
        else:
            lines.append(line)
    close()
    return texts


def _modality(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = _NOT_IN_MODALITY.sub("_", text.strip()).strip("_")
    return text or "NA"


def _variable_name(name: str) -> str:
    # IRaMuTeQ splits "*name_modality" on the first underscore: names cannot hold one.
    cleaned = _NOT_IN_MODALITY.sub("", str(name)).replace("_", "")
    return cleaned or "var"


def write_iramuteq(
    answers: pd.DataFrame,
    path: str | Path,
    variables: list[str] | None = None,
    text: str = "text",
    theme: str | None = None,
    encoding: str = "utf-8",
) -> Path:
    """Write answers as an IRaMuTeQ corpus.

    ``variables`` are written as ``*name_modality`` (spaces and punctuation become ``_``,
    underscores are removed from names, as IRaMuTeQ requires). ``theme`` names a column written
    as a ``-*theme`` line before each text. Stars in texts are removed (IRaMuTeQ reserves them).
    Only answers with status ``ok`` are written when a ``status`` column exists.
    """
    path = Path(path)
    rows = answers
    if "status" in rows.columns:
        rows = rows[rows["status"] == "ok"]
    variables = list(variables or [])
    missing = [c for c in [text, *variables, *([theme] if theme else [])] if c not in rows.columns]
    if missing:
        raise RetexInputError(f"columns not found: {missing}; have {list(rows.columns)}")
    out = []
    for _, row in rows.iterrows():
        stars = " ".join(f"*{_variable_name(v)}_{_modality(row[v])}" for v in variables)
        out.append(f"**** {stars}".rstrip())
        if theme:
            out.append(f"-*{_modality(row[theme])}")
        body = str(row[text]).replace("*", " ")
        out.append(" ".join(body.split()))
        out.append("")
    path.write_text("\n".join(out), encoding=encoding)
    return path
