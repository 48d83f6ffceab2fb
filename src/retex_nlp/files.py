"""Writing files people open: atomically, with no formula, with no control character.

- :func:`atomic_path` / :func:`atomic_write`: a file is written beside its final name and
  renamed over it once complete, so a full disk or a killed process never leaves a
  half-written file looking complete; a folder that cannot be written gives a French
  :class:`~retex_nlp.errors.RetexOutputError` naming the file.
- :func:`neutralize_formula`: a value a spreadsheet would run as a formula (``=``, ``+``,
  ``-``, ``@``, tab or carriage return first: OWASP's "CSV injection" list) gets a leading
  apostrophe, so ``=HYPERLINK(...)`` shows as the text it is. :func:`write_csv` applies it to
  every text cell unless ``raw=True`` (pipelines that read the CSV with a program).
- :func:`clean_text`: characters no XML file (XLSX, DOCX, REFI-QDA) may hold are removed
  (C0 controls but tab and newlines, ``\\ufffe``/``\\uffff``, lone surrogates).
- :func:`excel_cell` / :func:`excel_parts`: what Excel can open: a text longer than a cell
  holds (32,767 characters) is cut and says so at its end; a table longer than a sheet
  (1,048,576 rows) continues on the next sheets (openpyxl refused it with a ValueError).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .errors import RetexOutputError

__all__ = ["atomic_path", "atomic_write", "make_dir", "neutralize_formula", "clean_text", "map_text", "safe_frame",
           "write_csv", "write_xlsx", "cells_as_text", "excel_cell", "excel_parts", "put_sheets", "FORMULA_START", "EXCEL_CELL_CHARS",
           "EXCEL_ROWS"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def make_dir(path: str | Path) -> Path:
    """Create the folder ``path`` (and its parents) or raise a French RetexOutputError."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RetexOutputError(path, exc) from exc
    return path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block ends without error it replaces
    ``path`` (else it is removed and ``path`` is left as it was)."""
    path = Path(path)
    make_dir(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
    except OSError as exc:
        raise RetexOutputError(path, exc) from exc
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise RetexOutputError(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)
    return Path(path)


#: A signed number ("-1", "+2,5"): a spreadsheet reads it as the number it is, never as a formula.
_SIGNED_NUMBER = re.compile(r"[+-]\d+(?:[.,]\d+)?")


def neutralize_formula(value):
    """``"=1+1"`` -> ``"'=1+1"``; a signed number (``"-1"``, the theme id of "no theme") and any
    other value are returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def clean_text(value):
    """A string without the characters XML forbids (others are returned unchanged)."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return _NOT_XML.sub("", value)
    return value


#: Excel's limits: the characters a cell holds, the rows of a sheet (its header included).
EXCEL_CELL_CHARS = 32_767
EXCEL_ROWS = 1_048_576


def excel_cell(value):
    """:func:`clean_text`, and a text longer than an Excel cell holds cut, saying so at its end
    (Excel would call the whole workbook damaged and cut it without a word)."""
    value = clean_text(value)
    if isinstance(value, str) and len(value) > EXCEL_CELL_CHARS:
        mark = (f" […] (texte coupé ici : {len(value):,} caractères, au-delà des {EXCEL_CELL_CHARS:,} qu'une cellule "
                "Excel peut contenir ; le texte entier est dans les fichiers CSV et le projet)").replace(",", " ")
        return value[:EXCEL_CELL_CHARS - len(mark)] + mark
    return value


def excel_parts(frame: pd.DataFrame) -> list[pd.DataFrame]:
    """``frame`` in pieces a sheet can hold (:data:`EXCEL_ROWS` rows with the header), the first
    one even when it is empty; every row is in one of them."""
    size = EXCEL_ROWS - 1
    return [frame.iloc[i:i + size] for i in range(0, max(len(frame), 1), size)]


def put_sheets(writer, frame: pd.DataFrame, name: str, title=lambda name: name[:31]) -> None:
    """``frame`` as the sheet ``title(name)`` of an open ``pd.ExcelWriter``, within Excel's limits
    (:func:`excel_cell`, :func:`excel_parts`): a longer table goes on ``title("<name> (2)")``…"""
    for i, part in enumerate(excel_parts(frame)):
        sheet = title(name) if i == 0 else title(f"{name[:25]} ({i + 1})")
        map_text(part, excel_cell).to_excel(writer, sheet_name=sheet, index=False)


def map_text(frame: pd.DataFrame, fn) -> pd.DataFrame:
    """A copy of ``frame`` with ``fn`` applied to its text cells and column names."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(fn)
    out.columns = [fn(str(c)) for c in out.columns]
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas."""
    return map_text(frame, neutralize_formula)


def write_csv(frame: pd.DataFrame, path: str | Path, *, raw: bool = False) -> Path:
    """``frame`` as a UTF-8 CSV (with a BOM, so that Excel reads the accents), atomically; text
    cells that a spreadsheet would run as formulas are neutralised unless ``raw``."""
    table = frame if raw else safe_frame(frame)
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8" if raw else "utf-8-sig")
    return Path(path)


def cells_as_text(book) -> None:
    """Every cell of an openpyxl workbook that would be written as a formula (a value starting
    with "=") is stored as the text it is."""
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"


def write_xlsx(sheets: dict[str, pd.DataFrame], path: str | Path) -> Path:
    """A workbook of plain sheets, atomically: every text cell stored as text (a user's
    ``=…`` is never a formula), characters XML forbids removed, within Excel's limits
    (:func:`excel_cell`, :func:`excel_parts`: "Feuille (2)" continues "Feuille"), first row
    bold and frozen."""
    from openpyxl.styles import Font

    with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            put_sheets(writer, frame, name)
        cells_as_text(writer.book)
        for ws in writer.book.worksheets:
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
    return Path(path)
