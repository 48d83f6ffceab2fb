"""Read survey exports into one answers DataFrame, losing no answer.

:func:`read_answers` returns one row per (respondent, open question) with the columns

``answer_id``  unique id of the answer (the respondent id, plus ``:question`` when stacked)
``respondent_id``  the id column's value, or the row number in the file
``question``   the open-question column the answer comes from
``text``       the answer as written (decoded, nothing removed)
``status``     ``ok``, ``empty``, ``non_answer``, ``duplicate`` or ``unreadable``
``note``       why a row is not ``ok`` (in plain words), empty otherwise
``row``        where the answer is in the file: line for CSV/TXT/JSONL/IRaMuTeQ, spreadsheet
               row for XLSX (header = row 1)
plus one column per respondent variable (service, profession…).

``df.attrs`` holds the file, format, encoding and separator. :func:`status_summary` counts
the statuses.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import ColumnNotFoundError, RetexInputError
from ..text.lexicon import load_non_answers
from ..text.normalize import fold, normalize_answer
from .encoding import decode_bytes, sniff_separator
from .iramuteq import looks_like_iramuteq, parse_iramuteq

__all__ = ["read_answers", "read_table", "inspect_file", "status_summary", "FileInfo", "STATUSES", "STATUS_LABELS_FR"]

STATUSES = ("ok", "empty", "non_answer", "duplicate", "unreadable")
#: How each status is named for French readers (command line, reports).
STATUS_LABELS_FR = {"ok": "réponses exploitables", "empty": "vides", "non_answer": "non-réponses (RAS, néant…)",
                    "duplicate": "doublons", "unreadable": "illisibles"}
_FORMATS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt", ".gz": "csv"}
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_HAS_WORD = re.compile(r"[^\W_]")
_NOT_WORD = re.compile(r"[\W_]+")


@dataclass
class FileInfo:
    """What was found when a file was opened."""

    path: str
    format: str
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    columns: list[str] = field(default_factory=list)
    n_rows: int = 0
    #: rows that could not be parsed cleanly: row number -> reason
    problems: dict[int, str] = field(default_factory=dict)


@dataclass
class _Table:
    frame: pd.DataFrame  # all cells as str (or None), in file order
    rows: list[int]  # row number of each record, for messages
    info: FileInfo


# -- loading tables --------------------------------------------------------------------------

def _format_of(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    if path.is_dir():
        return "txt"
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes[-2:] in ([".csv", ".gz"], [".tsv", ".gz"]):
        return "csv"
    return _FORMATS.get(path.suffix.lower(), "csv")


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if path.suffix.lower() == ".gz":
        import gzip

        raw = gzip.decompress(raw)
    return raw


def _load_csv(path: Path, encoding: str | None, sep: str | None) -> _Table:
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    text = decoded.text
    if not text.strip():
        raise RetexInputError("the file is empty (no header, no answer)", path=path)
    sep = sep or sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise RetexInputError(f"cannot parse the header: {exc}", path=path, row=1) from exc
    header = [h.strip() for h in header]
    width = len(header)
    records: list[list[str | None]] = []
    rows: list[int] = []
    problems: dict[int, str] = {}
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a NUL byte or an unclosed quote at end of file
            problems[line] = f"CSV error: {exc}"
            records.append([None] * width)
            rows.append(line)
            line = reader.line_num + 1
            continue
        if not record:  # blank line between records
            line = reader.line_num + 1
            continue
        if len(record) > width:
            extra = [x for x in record[width:] if x.strip()]
            if extra:
                problems[line] = f"{len(record)} fields where the header has {width}"
            record = record[:width]
        elif len(record) < width:
            record = record + [None] * (width - len(record))
        if any(ln in decoded.fallback_lines for ln in range(line, reader.line_num + 1)):
            problems.setdefault(line, f"line not UTF-8, decoded as {decoded.encoding.split('+ ')[-1].rstrip(')')}")
        records.append(record)
        rows.append(line)
        line = reader.line_num + 1
    frame = pd.DataFrame(records, columns=_dedupe_names(header), dtype=object)
    info = FileInfo(str(path), "csv", decoded.encoding, sep, None, list(frame.columns), len(frame), problems)
    return _Table(frame, rows, info)


def _dedupe_names(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"colonne_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _load_xlsx(path: Path, sheet: str | int | None) -> _Table:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException…
        raise RetexInputError(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", path=path) from exc
    names = book.sheetnames
    if sheet is None:
        sheet = 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise RetexInputError(f"sheet index {sheet} out of range; the workbook has sheets {names}", path=path)
        sheet_name = names[sheet]
    else:
        if sheet not in names:
            close = [n for n in names if fold(n) == fold(sheet)]
            if len(close) != 1:
                raise RetexInputError(f"no sheet named {sheet!r}; the workbook has sheets {names}", path=path)
            sheet = close[0]
        sheet_name = sheet
    ws = book[sheet_name]
    it = ws.iter_rows(values_only=True)
    header_row = next(it, None)
    if header_row is None:
        raise RetexInputError(f"sheet {sheet_name!r} is empty", path=path)
    header = _dedupe_names(["" if h is None else str(h).strip() for h in header_row])
    width = len(header)
    records, rows = [], []
    for number, values in enumerate(it, start=2):
        cells = [None if v is None else (v if isinstance(v, str) else _cell_text(v)) for v in values[:width]]
        if all(c is None for c in cells):
            continue
        records.append(cells + [None] * (width - len(cells)))
        rows.append(number)
    book.close()
    frame = pd.DataFrame(records, columns=header, dtype=object)
    return _Table(frame, rows, FileInfo(str(path), "xlsx", None, None, sheet_name, header, len(frame)))


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _load_jsonl(path: Path, encoding: str | None) -> _Table:
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    records: list[dict] = []
    rows: list[int] = []
    problems: dict[int, str] = {}
    for number, line in enumerate(decoded.text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict):
                raise ValueError(f"a JSON {type(obj).__name__}, not an object")
        except ValueError as exc:
            problems[number] = f"invalid JSON: {exc}"
            obj = {}
        records.append({k: (None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                        for k, v in obj.items()})
        rows.append(number)
    frame = pd.DataFrame.from_records(records).astype(object) if records else pd.DataFrame()
    frame = frame.where(frame.notna(), None)
    info = FileInfo(str(path), "jsonl", decoded.encoding, None, None, list(frame.columns), len(frame), problems)
    return _Table(frame, rows, info)


def _load_txt(path: Path, encoding: str | None) -> _Table:
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".txt")
        if not files:
            raise RetexInputError("the folder holds no .txt testimony", path=path)
        records, problems, encodings = [], {}, set()
        for i, f in enumerate(files, start=1):
            try:
                decoded = decode_bytes(f.read_bytes(), f, encoding)
                records.append({"file": f.name, "text": decoded.text.strip()})
                encodings.add(decoded.encoding)
            except RetexInputError as exc:
                records.append({"file": f.name, "text": None})
                problems[i] = str(exc)
        frame = pd.DataFrame(records, dtype=object)
        info = FileInfo(str(path), "txt-folder", ", ".join(sorted(encodings)), None, None,
                        ["file", "text"], len(frame), problems)
        return _Table(frame, list(range(1, len(frame) + 1)), info)
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    if looks_like_iramuteq(decoded.text):
        return _iramuteq_table(path, decoded.text, decoded.encoding)
    lines = decoded.text.splitlines()
    frame = pd.DataFrame({"text": lines}, dtype=object)
    info = FileInfo(str(path), "txt", decoded.encoding, None, None, ["text"], len(frame))
    return _Table(frame, list(range(1, len(lines) + 1)), info)


def _iramuteq_table(path: Path, content: str, encoding: str) -> _Table:
    texts = parse_iramuteq(content, path)
    records = []
    for t in texts:
        rec = dict(t.variables)
        rec["text"] = t.text
        if t.theme is not None:
            rec["thematique"] = t.theme
        records.append(rec)
    frame = pd.DataFrame.from_records(records).astype(object)
    frame = frame.where(frame.notna(), None)
    info = FileInfo(str(path), "iramuteq", encoding, None, None, list(frame.columns), len(frame))
    return _Table(frame, [t.line for t in texts], info)


def read_table(
    source: str | Path | pd.DataFrame,
    *,
    format: str | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
) -> _Table:
    """Load any supported source into a table of text cells (used by :func:`read_answers`)."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        info = FileInfo("<DataFrame>", "dataframe", None, None, None, [str(c) for c in frame.columns], len(frame))
        return _Table(frame, list(range(1, len(frame) + 1)), info)
    path = Path(source)
    if not path.exists():
        raise RetexInputError("no such file or folder", path=path)
    fmt = _format_of(path, format)
    if fmt == "csv":
        return _load_csv(path, encoding, sep)
    if fmt == "xlsx":
        return _load_xlsx(path, sheet)
    if fmt == "jsonl":
        return _load_jsonl(path, encoding)
    if fmt == "iramuteq":
        decoded = decode_bytes(_read_bytes(path), path, encoding)
        return _iramuteq_table(path, decoded.text, decoded.encoding)
    if fmt == "txt":
        return _load_txt(path, encoding)
    raise RetexInputError(f"unknown format {fmt!r}; use csv, xlsx, jsonl, txt or iramuteq", path=path)


def inspect_file(source: str | Path, **kwargs) -> FileInfo:
    """Open a file and say what it is: format, encoding, separator, columns, rows, problems."""
    return read_table(source, **kwargs).info


# -- answers ---------------------------------------------------------------------------------

def _resolve_column(name: str, columns: Sequence[str], path: str) -> str:
    if name in columns:
        return name
    matches = [c for c in columns if fold(str(c)) == fold(name)]
    if len(matches) == 1:
        return matches[0]
    hint = difflib.get_close_matches(name, [str(c) for c in columns], n=3, cutoff=0.5)
    extra = f"; did you mean {hint}?" if hint else ""
    raise ColumnNotFoundError(
        f"column not found; the columns are {list(columns)}{extra}", path=path, column=name
    )


def _compact(key: str) -> str:
    """"n.s.p" -> "nsp", "r a s" -> "ras": initials typed with dots or spaces."""
    return _NOT_WORD.sub("", key) if len(key) <= 12 else key


def _status_of(text: object, non_answers: set[str]) -> tuple[str, str]:
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "empty", ""
    text = str(text)
    if not text.strip():
        return "empty", ""
    stripped = text.strip()
    if stripped in _EXCEL_ERRORS:
        return "unreadable", f"spreadsheet error value {stripped}"
    if "\ufffd" in text:
        return "unreadable", "characters that could not be decoded (U+FFFD)"
    controls = _CONTROL.findall(text)
    if controls and len(controls) > max(2, len(text) // 20):
        return "unreadable", "binary or control characters"
    if not _HAS_WORD.search(text):
        return "non_answer", "no letter or digit"
    key = normalize_answer(text)
    if key in non_answers or _compact(key) in non_answers:
        return "non_answer", f"non-answer {stripped[:30]!r}"
    return "ok", ""


def read_answers(
    source: str | Path | pd.DataFrame,
    text: str | Sequence[str] | None = None,
    id: str | None = None,
    variables: Sequence[str] | None = None,
    *,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    format: str | None = None,
    non_answers: Sequence[str] | None = None,
    duplicates: str | Sequence[str] | None = "auto",
) -> pd.DataFrame:
    """Read a survey export into an answers DataFrame (see the module docstring).

    Parameters
    ----------
    source:
        A CSV (``;``/``,``/tab/``|`` sniffed; UTF-8, UTF-8 with BOM, Windows-1252, Latin-1,
        UTF-16 detected; ``.csv.gz`` too), an XLSX workbook, a JSONL file, a TXT file (one
        answer per line, or an IRaMuTeQ corpus), a folder of ``.txt`` testimonies (one per
        file), or a DataFrame.
    text:
        The open-question column, or several: they are stacked (one row per respondent and
        question, ``question`` names the column). Defaults to ``text`` where it exists.
    id:
        Respondent id column. Without it, the respondent is the row of the file.
    variables:
        Respondent variables to keep (service, profession…). ``None`` keeps every other column.
    sheet:
        XLSX sheet, by name or index (default: the first).
    non_answers:
        Extra answers that say nothing (added to "RAS", "néant", "je ne sais pas"…).
    duplicates:
        What makes a duplicate: ``"auto"`` (same respondent id, question and text, when ``id``
        is given; nothing otherwise), ``"row"`` (a whole row repeated, every column equal), a
        list of columns that identify a respondent (plus question and text), or ``None``. The first
        occurrence stays ``ok``; identical answers from different respondents are never
        duplicates ("s'adapter" said by 79 people counts 79 times).
    """
    table = read_table(source, format=format, sheet=sheet, encoding=encoding, sep=sep)
    frame, info = table.frame, table.info
    where = info.path
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if text is None:
        if "text" in columns:
            text = "text"
        elif len(columns) == 1:
            text = columns[0]
        else:
            raise ColumnNotFoundError(f"say which column holds the answers (text=...); the columns are {columns}",
                                      path=where)
    text_cols = [text] if isinstance(text, str) else list(text)
    if not text_cols:
        raise RetexInputError("text= names no column", path=where)
    text_cols = [_resolve_column(c, columns, where) for c in text_cols]
    id_col = _resolve_column(id, columns, where) if id else None
    if variables is None:
        var_cols = [c for c in columns if c not in text_cols and c != id_col]
    else:
        var_cols = [_resolve_column(v, columns, where) for v in variables]
    stacked = len(text_cols) > 1 or "thematique" in columns and info.format == "iramuteq"
    na_set = {normalize_answer(x) for x in [*load_non_answers(), *(non_answers or [])]}
    na_set |= {_compact(x) for x in na_set if len(_compact(x)) >= 2}

    n = len(frame)
    rows = table.rows
    if id_col:
        resp = [str(v).strip() if v is not None and str(v).strip() else f"ligne_{r}" for v, r in zip(frame[id_col], rows, strict=True)]
    else:
        resp = [str(r) for r in rows]
    out = []
    for col in text_cols:
        values = frame[col].tolist()
        question = col
        for i in range(n):
            raw = values[i]
            status, note = _status_of(raw, na_set)
            problem = info.problems.get(rows[i])
            if problem and status != "empty" or problem and raw is None:
                status, note = "unreadable", problem
            rec = {"respondent_id": resp[i], "question": question,
                   "text": "" if raw is None else str(raw), "status": status, "note": note, "row": rows[i]}
            out.append(rec)
    answers = pd.DataFrame(out)
    if info.format == "iramuteq" and "thematique" in columns:
        answers["question"] = [v if v is not None else "" for v in frame["thematique"]]
        var_cols = [c for c in var_cols if c != "thematique"]
    for v in var_cols:
        vals = [None if x is None else str(x) for x in frame[v].tolist()]
        answers[v] = vals * len(text_cols)
    if stacked:
        answers["answer_id"] = answers["respondent_id"] + ":" + answers["question"].astype(str)
    else:
        answers["answer_id"] = answers["respondent_id"]
    dup = answers["answer_id"].duplicated(keep=False)
    if dup.any():
        counter = answers.groupby("answer_id").cumcount() + 1
        answers.loc[dup, "answer_id"] = answers.loc[dup, "answer_id"] + "#" + counter[dup].astype(str)
    _flag_duplicates(answers, frame, text_cols, id_col, var_cols, duplicates)
    ordered = ["answer_id", "respondent_id", "question", "text", "status", "note", "row", *var_cols]
    answers = answers[ordered]
    answers.attrs.update(
        source=info.path, format=info.format, encoding=info.encoding, separator=info.separator,
        sheet=info.sheet, text_columns=text_cols, id_column=id_col, variables=var_cols,
    )
    return answers


def _flag_duplicates(answers: pd.DataFrame, frame: pd.DataFrame, text_cols: list[str], id_col: str | None,
                     var_cols: list[str], duplicates: str | Sequence[str] | None) -> None:
    if duplicates is None:
        return
    if duplicates == "auto":
        if not id_col:
            return  # without an id, two equal answers are two respondents
        key_cols = ["respondent_id"]
    elif duplicates == "row":
        # a whole row repeated (every column equal): an export or a submission made twice
        answers["_key"] = frame.astype(str).agg("\x1f".join, axis=1).tolist() * len(text_cols)
        key_cols = ["_key"]
    else:
        key_cols = [duplicates] if isinstance(duplicates, str) else list(duplicates)
        missing = [c for c in key_cols if c not in answers.columns]
        if missing:
            raise ColumnNotFoundError(f"duplicates= names columns not found: {missing}")
    norm = answers["text"].map(normalize_answer)
    candidates = answers["status"].eq("ok")
    keys = answers.loc[candidates, key_cols].astype(str).agg("\x1f".join, axis=1) + "\x1f" + \
        answers.loc[candidates, "question"].astype(str) + "\x1f" + norm[candidates]
    first_of = {}
    for idx, key in keys.items():
        if key in first_of:
            answers.at[idx, "status"] = "duplicate"
            answers.at[idx, "note"] = f"same respondent and text as answer {answers.at[first_of[key], 'answer_id']}"
        else:
            first_of[key] = idx
    answers.drop(columns=["_key"], errors="ignore", inplace=True)


def status_summary(answers: pd.DataFrame) -> pd.DataFrame:
    """Counts and shares of each status (every status listed, zeros included)."""
    counts = answers["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    total = int(counts.sum())
    return pd.DataFrame({
        "status": counts.index,
        "n": counts.to_numpy(),
        "share": (counts / total).round(4).to_numpy() if total else [0.0] * len(counts),
    })
