"""Read survey exports into one answers DataFrame, losing no answer.

:func:`read_answers` returns one row per (respondent, open question) with the columns

``answer_id``      unique id of the answer (the respondent id, plus ``:column`` when stacked)
``respondent_id``  the id column's value, or the row number in the file
``open_question``  the open-question column the answer comes from
``text``           the answer as written (decoded, nothing removed)
``status``         ``ok``, ``empty``, ``non_answer``, ``duplicate`` or ``unreadable``
``status_note``    why a row is not ``ok`` (in plain words), empty otherwise
``source_row``     where the answer is in the file: line for CSV/TXT/JSONL/IRaMuTeQ,
                   spreadsheet row for XLSX/ODS (the sheet's own numbers), n-th object
                   of a JSON list
plus the user's own columns (service, profession, ``id``…) under their own names (see
:mod:`retex_nlp.answers`, the contract).

``df.attrs`` holds the file, format, encoding and separator, and ``notes``: what the reader
decided for the user (another sheet, title rows skipped, no header line), in French.
:func:`status_summary` counts the statuses.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import difflib
import gzip
import hashlib
import io
import itertools
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from ..answers import (
    ANSWER_COLUMNS,
    RENAMED_SUFFIX,
    RESERVED,
    STATUS_LABELS_FR,
    STATUSES,
    non_answer_list,
    require_columns,
)
from ..errors import ColumnNotFoundError, MissingDependencyError, RetexInputError
from ..normalize import fold, normalize_answer, strip_accents, strip_controls
from .documents import document_text
from .encoding import (
    SEPARATORS,
    _best_single_byte,
    _utf16_without_bom,
    _zeroed_end,
    decode_bytes,
    sniff_separator,
)
from .iramuteq import looks_like_iramuteq, parse_iramuteq
from .refi import read_refi_sources

__all__ = ["read_answers", "iter_answers", "read_table", "inspect_file", "likely_text_column", "status_summary", "FileInfo", "STATUSES", "STATUS_LABELS_FR"]

#: Column names taken as the respondent id when ``id=`` is not given (case and accents ignored).
ID_NAMES = ("id", "identifiant", "respondent_id", "id_repondant", "id repondant", "id_respondent")
_FORMATS = {".csv": "csv", ".tsv": "csv", ".tab": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx", ".ods": "ods", ".htm": "html",
            ".html": "html",
            ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".txt": "txt", ".gz": "csv", ".qdpx": "qdpx",
            ".qde": "qdpx", ".docx": "document", ".odt": "document"}
_HTML_START = re.compile(r"\s*<(?:!doctype\s+html|html|table|head|body|meta)\b", re.I)
_EXCEL_ERRORS = {"#N/A", "#VALUE!", "#REF!", "#DIV/0!", "#NUM!", "#NAME?", "#NULL!", "#SPILL!", "#CALC!"}
#: The longest answer read whole (characters); a longer cell is cut there and its row marked
#: unreadable, with the length found and this limit in its note.
MAX_CELL_CHARS = 1_000_000
#: The most columns a file may have (beyond, a clear error says to keep only the useful ones).
MAX_COLUMNS = 20_000
#: The most rows read_answers holds in memory (beyond, iter_answers and the commands that stream
#: the file, such as retex terms, read it in chunks).
MAX_ROWS = 5_000_000
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # the guard is MAX_CELL_CHARS, not csv's 131,072
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
    #: how sure the encoding choice is (1.0: BOM, strict UTF-8, forced; lower: a code page
    #: chosen on French plausibility, see :func:`retex_nlp.io.encoding.french_score`)
    encoding_confidence: float | None = None
    #: every sheet of a workbook, in order (``sheet`` is the one read)
    sheets: list[str] = field(default_factory=list)
    #: what the reader decided for the user, in French (no header line, title rows skipped,
    #: another sheet read…): shown by ``retex inspect`` and kept in the answers' ``attrs``
    notes: list[str] = field(default_factory=list)
    #: the column that seems to hold the free answers (:func:`likely_text_column`), to offer the
    #: user, never to read without asking
    text_column: str | None = None
    #: the column named like a respondent id, if exactly one is
    id_column: str | None = None

    def damaged_rows(self) -> dict[int, str]:
        """The rows whose cells may be cut short or shifted (more cells than the header, a quote
        never closed, invalid JSON…): every problem but a line decoded with a code page, which
        is read whole."""
        return {row: problem for row, problem in self.problems.items() if not problem.startswith(_READ_WHOLE)}

    def require_whole_rows(self, values: str) -> None:
        """Raise the French error of the first row the reader could not read whole: for a file of
        codes, of a codebook or of metadata, where a cell cut short would silently lose a value.
        ``values``: what several values in one cell are ("codes", "mots-clés"), for the hint
        given when a « ; » file has a row of more cells than its header."""
        damaged = self.damaged_rows()
        if not damaged:
            return
        row = min(damaged)
        problem = damaged[row]
        hint = ""
        if self.separator == ";" and _EXTRA_CELLS in problem:
            hint = (f" ; dans un fichier séparé par « ; », une cellule qui en contient (plusieurs {values}) se met "
                    'entre guillemets ("a;b"), ou enregistrez le fichier depuis Excel')
        raise RetexInputError(f"ligne illisible : {problem}{hint}", path=self.path, row=row)


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
    fmt = _FORMATS.get(path.suffix.lower(), "csv")
    if fmt == "csv" and path.suffix.lower() != ".gz" and path.is_file():
        # what some tools save as ".xls": an Excel 97-2003 workbook, or a web page holding a table
        with contextlib.suppress(OSError), path.open("rb") as fh:
            head = fh.read(2048)
            if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") and path.suffix.lower() in (".xls", ".csv", ""):
                return "xls"
            start = _head_text(head)
            if _HTML_START.match(start):
                return "html"
            if "urn:schemas-microsoft-com:office:spreadsheet" in start:
                return "xmlss"
    if fmt == "txt" and path.is_file() and _tab_table(path):
        return "csv"
    return fmt


def _head_text(head: bytes) -> str:
    """The first bytes of a file as text, enough to recognise a web page or an XML workbook,
    in UTF-16 too (with or without its BOM)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    utf16 = _utf16_without_bom(head)
    if utf16:
        return head.decode(utf16, "ignore")
    return head.removeprefix(b"\xef\xbb\xbf").decode("latin-1")


def _tab_table(path: Path) -> bool:
    """Whether a ".txt" file is a table with tab-separated columns, as Excel saves one ("Texte
    Unicode", UTF-16): a first line of short column names separated by tabs, tabs on most of
    the lines that follow. A text with a tab here and there stays one answer per line."""
    with contextlib.suppress(OSError, RetexInputError, UnicodeError), path.open("rb") as fh:
        head = fh.read(65536)
        if len(head) == 65536:  # a character may be cut at the end: decode whole lines only
            head = head[:head.rfind(b"\n\x00" if head[:2] == b"\xff\xfe" else b"\n") + 1] or head
        text = decode_bytes(head, path).text
        lines = [x for x in itertools.islice(split_lines(text), 60) if x.strip()]
        if len(lines) < 2 or "\t" not in lines[0] or looks_like_iramuteq(text):
            return False
        names = [c.strip().strip('"') for c in lines[0].rstrip("\r\n").split("\t")]
        if not 2 <= len(names) <= MAX_COLUMNS or sum(bool(c) for c in names) * 2 < len(names) \
                or max(len(c) for c in names) > 80 or header_is_an_answer(names):
            return False
        rest = lines[1:-1] if len(lines) > 2 else lines[1:]
        return sum("\t" in x for x in rest) >= 0.6 * len(rest)
    return False


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RetexInputError(f"fichier illisible ({exc.strerror or exc})", path=path) from exc
    if path.suffix.lower() == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise RetexInputError(_gzip_problem(exc), path=path) from exc
    return raw


def _gzip_problem(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "archive .gz tronquée (fichier coupé pendant une copie ou un téléchargement ?) : rien n'a été lu"
    return "ce fichier porte l'extension .gz mais n'est pas une archive gzip : renommez-le sans « .gz »"


def _title_rows(text: str, sep: str | None) -> tuple[int, list[str], str | None]:
    """A CSV that opens with a title ("Enquête ODPE 2023 - assistants familiaux") and blank lines
    above its header, as an export with a title row is saved: the number of records above the
    header, the titles, and the separator. ``(0, [], None)`` when the first line holds a
    separator, or when no row below reads as a header followed by rows of the same width."""
    lines = [x.rstrip("\r\n") for x in itertools.islice(split_lines(text), 200)]  # the lines the CSV reader sees
    blank = next((i for i, x in enumerate(lines) if x.strip()), 0)
    candidates = (sep,) if sep else SEPARATORS
    seps = [c for c in candidates if c in lines[blank]] if blank < len(lines) else []
    # a title in the first cell of a row of empty ones ("Enquête ODPE 2024;;", as Excel saves a
    # sheet with a title in A1) is a title row too
    if seps and not all(sum(map(_filled, next(csv.reader([lines[blank]], delimiter=c)))) <= 1 for c in seps):
        return (blank, [], sep or sniff_separator("\n".join(lines[blank:]))) if blank else (0, [], None)
    best: tuple[int, list[str], str | None] = (0, [], None)
    width_best = 0
    for candidate in candidates:
        rows = list(csv.reader(io.StringIO("\n".join(lines), newline=""), delimiter=candidate))[:80]
        start = next((i for i, r in enumerate(rows) if sum(map(_filled, r)) >= 2), None)
        if start is None or start > 5 or any(sum(map(_filled, r)) > 1 for r in rows[:start]):
            continue
        header = [c.strip() for c in rows[start]]
        titles = [" ".join(c.strip() for c in r if _filled(c)) for r in rows[:start] if any(map(_filled, r))]
        # a title is words ("Enquête ODPE 2023"), not one column name ("réponse"); column names
        # are short and end no sentence; a row that comes back below is an answer, not a header
        if not all(header) or header_is_an_answer(header) or any(len(t.split()) < 2 for t in titles) \
                or any(len(c) > 80 or c[-1] in ".!…" or re.fullmatch(r"[\d.,/ -]+", c) for c in header):
            continue  # a number is no column name: that row is a record
        after = [r for r in rows[start + 1:start + 21] if r]
        if any([c.strip() for c in r] == header for r in after):
            continue
        same = sum(len(r) == len(header) for r in after)
        # a comma is also in the answers of a one-column file: then nearly every row must agree
        if same < 2 or same < (0.9 if candidate == "," else 0.6) * len(after) or len(set(header)) < len(header):
            continue
        if len(header) > width_best:
            best, width_best = (start, titles, candidate), len(header)
    return best


def _csv_start(head: str, lines: _Lines, sep: str | None, path: Path):
    """Open a CSV read line by line: the separator (given, Excel's "sep=;" line, or sniffed on
    ``head``, the file's first lines), the reader placed after the header (past a "sep=" line,
    title and blank lines, row numbers staying the file's), the header, the records already read
    (a first row that is an answer), their line numbers, and the notes saying what was decided."""
    sep = _check_sep(sep, path)
    hint = _sep_hint(head)
    titled, titles, title_sep = (0, [], None) if hint else _title_rows(head, sep)
    sep = sep or hint or title_sep or sniff_separator(head)
    reader = csv.reader(lines, delimiter=sep)
    if hint:
        next(reader)  # Excel's "sep=;" line: not the header (read so that row numbers stay the file's)
    title_notes = []
    if titled:
        for _ in range(titled):
            next(reader)
        what = f"(titre : « {' / '.join(titles)[:80]} »)" if titles else "(vides)"
        title_notes.append(f"ligne(s) au-dessus de l'en-tête ignorée(s) {what} : en-tête lu ligne {reader.line_num + 1}")
    header, records, rows, notes = _csv_header(reader, path, reader.line_num + 1)
    return sep, reader, header, records, rows, title_notes + notes


def _load_csv(path: Path, encoding: str | None, sep: str | None) -> _Table:
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    text = decoded.text
    if not text.strip():
        raise RetexInputError("le fichier est vide (ni en-tête, ni réponse)", path=path)
    lines = _Lines(split_lines(text))
    sep, reader, header, records, rows, notes = _csv_start(text, lines, sep, path)
    notes = decoded.notes + notes
    problems: dict[int, str] = {}
    fallback = decoded.encoding.split("+ ")[-1].rstrip(")")
    for line, record, problem in _csv_records(reader, lines, sep, len(header), decoded.fallback_lines, fallback):
        records.append(record)
        rows.append(line)
        if problem:
            problems[line] = problem
    frame = pd.DataFrame(records, columns=_dedupe_names(header, notes), dtype=object)
    _note_joined(problems, notes)
    info = FileInfo(str(path), "csv", decoded.encoding, sep, None, list(frame.columns), len(frame), problems,
                    decoded.confidence, notes=notes)
    return _Table(frame, rows, info)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, split on ``\\r\\n``, ``\\r`` (old Mac exports) or
    ``\\n`` only (not on the other characters ``str.splitlines`` takes: ``\\v``, ``\\x85``…)."""
    for match in _LINE.finditer(text):
        yield match.group(0)


class _Lines:
    """A line iterator that keeps the lines the CSV reader took for its current record, so a
    record can be read again line by line when a stray quote swallowed the lines after it."""

    def __init__(self, lines) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        return line


_SEP_HINT = re.compile(r'^\ufeff?"?sep=(.)"?\s*$', re.I)


def _sep_hint(text: str) -> str | None:
    """The separator Excel writes on a first line "sep=;" (then the header is on line 2)."""
    first = text[:200].split("\n", 1)[0].rstrip("\r")
    m = _SEP_HINT.match(first)
    return m.group(1) if m else None


def _check_sep(sep: str | None, path) -> str | None:
    if sep is not None and len(sep) != 1:
        raise RetexInputError(f"séparateur {sep!r} : un séparateur de colonnes est un seul caractère "
                              "(; , tabulation ou |)", path=path)
    return sep


def _csv_header(reader, path: Path, line: int) -> tuple[list[str], list[list[str]], list[int], list[str]]:
    """The header of a CSV (its first row, at ``line``), and the records, their line numbers and
    the notes a reader starts with: none, or, when that row is an answer (a file saved without
    header), that row as the first record and a note saying so."""
    try:
        cells = next(reader)
    except StopIteration:
        raise RetexInputError("le fichier est vide (ni en-tête, ni réponse)", path=path) from None
    except csv.Error as exc:
        raise RetexInputError(f"en-tête illisible : {exc}", path=path, row=line) from exc
    header = [h.strip() for h in cells]
    headerless = _headerless(header, line)
    if headerless is None:
        return header, [], [], []
    names, note = headerless
    return names, [list(cells)], [line], [note]


#: A cell that reads as a sentence someone wrote: several words, ending with . ! or …
_SENTENCE = re.compile(r"\S+(?:\s+\S+){3,}[.!…][\s»\"')\]]*")
#: A cell that reads as an id or a number ("12", "R-001", "2025-03-01").
_ID_LIKE = re.compile(r"[\w./:-]{0,24}\d[\w./:-]{0,24}")
#: How a question or an instruction to the respondent starts: such a first row is a header, even
#: when it ends with a full stop ("Décrivez les difficultés rencontrées.").
_PROMPT = re.compile(
    r"^\s*(?:Q?\d+[.)]?\s*[-–:.]?\s*)?(?:décrivez|indiquez|précisez|expliquez|citez|donnez|listez|merci\s+de|"
    r"veuillez|pouvez-vous|pourriez-vous|avez-vous|êtes-vous|selon\s+vous|quels?|quelles?|comment|pourquoi|que\b|"
    r"qu['’]|en\s+quelques\s+mots|vos?\b|votre\b|commentaires?|remarques?|réponses?\b|verbatims?\b)", re.I)


def header_is_an_answer(cells: Sequence[str | None]) -> bool:
    """Whether a first row is data rather than column names: at least one cell is a sentence
    (four words or more, ending like a sentence: a column name or a question does not) and every
    other filled cell is a sentence or an id. Column names such as "Profession", a question
    ("…?") or an instruction to the respondent ("Décrivez …", "Vos remarques.") keep the row a
    header."""
    filled = [str(c).strip() for c in cells if c is not None and str(c).strip()]
    if not any(_SENTENCE.fullmatch(c) for c in filled) or any("?" in c or _PROMPT.match(c) for c in filled):
        return False
    return all(_SENTENCE.fullmatch(c) or _ID_LIKE.fullmatch(c) for c in filled)


def _headerless(header: Sequence[str], line: int) -> tuple[list[str], str] | None:
    """For a first row (``header``, stripped cells, at ``line``) that is an answer: the columns'
    names (``text`` for the one answer column, the default text column; ``colonne_N`` for the
    others) and the note saying so; ``None`` for a real header."""
    if not header_is_an_answer(header):
        return None
    sentences = [i for i, c in enumerate(header) if _SENTENCE.fullmatch(c)]
    names = ["text" if sentences == [i] else f"colonne_{i + 1}" for i in range(len(header))]
    first = header[sentences[0]]
    return names, (f"pas de ligne d'en-tête : la ligne {line} (« {first[:60]}{'…' if len(first) > 60 else ''} ») "
                   f"est une réponse et a été lue comme telle ; colonnes nommées {names}")


def _alone(line: str, sep: str) -> list[str]:
    """One physical line as a record: read as CSV when its quotes are balanced, else with its
    quotes taken literally."""
    line = line.rstrip("\r\n")
    try:
        return next(csv.reader([line], delimiter=sep, strict=True), [])
    except csv.Error:
        return next(csv.reader([line], delimiter=sep, quoting=csv.QUOTE_NONE), [])


def _swallowed(taken: list[str], sep: str, width: int) -> bool:
    """True when a record that spans several lines looks like rows merged by a stray quote:
    a following line reads alone as a whole record (the header's number of fields), and, for
    files of two columns or fewer, begins like the first line (an id of the same shape)."""
    if len(taken) < 2 or width < 2:
        return False
    shape = re.sub(r"\d", "0", re.sub(r"[^\W\d_]", "a", _alone(taken[0], sep)[0] if taken[0].strip() else ""))
    for line in taken[1:]:
        fields = _alone(line, sep)
        if len(fields) == width and (width >= 3 or re.sub(r"\d", "0", re.sub(r"[^\W\d_]", "a", fields[0])) == shape):
            return True
    return False


def _csv_records(reader, lines: _Lines, sep: str, width: int, fallback_lines: set[int] | dict[int, str],
                 fallback: str = ""):
    """(line, record, problem) for each record of a CSV reader after its header (see
    :func:`_csv_raw_records`), a line that continues the answer above it joined to it: an
    answer written on several lines without quotes ("1;Première ligne" then "la suite de la
    réponse") was read as two rows, the second with its text in the id column and no answer.
    A line is taken for such a continuation when it holds no separator and a phrase (letters
    and a space) that does not look like the first column above it (an id), and the row above
    ends in a phrase in its last column; it is said in that answer's note. A line of several
    cells continues a row cut short only when one of its other cells is a value its column
    holds in a whole row (of the first 5,000: "suite de la réponse;ASE"): a file whose rows lack their last
    cells ("AF;Bonne réponse" then "ES;Autre réponse") keeps its rows, never merged."""
    held = None
    known: list[set[str]] = [set() for _ in range(width)]  # short values of each column, in whole rows
    learning = 5000  # whole rows left to learn them from
    for line, record, problem, fields in _csv_raw_records(reader, lines, sep, width, fallback_lines, fallback):
        target = None if held is None else _continued_cell(held, record, problem, fields, width)
        if target is not None and fields > 1 and not any(
                (cell or "").strip() in known[target + k] for k, cell in enumerate(record[1:fields], start=1)):
            target = None
        if learning and not problem and fields == width:  # the first whole rows show each column's values
            learning -= 1
            for column, cell in enumerate(record):
                if cell and len(cell) <= 60:
                    known[column].add(cell.strip())
        if target is not None:
            first, above, note = held
            above[target] = f"{above[target]}\n{record[0]}"
            above[target + 1:target + fields] = record[1:fields]
            joined = f"{_JOINED} {line}" if not note else f"{note}, {line}"
            held = (first, above, joined)
            continue
        if held is not None:
            yield held
        held = (line, record, problem)
    if held is not None:
        yield held


#: The note of an answer written on several lines without quotes, its next lines joined to it.
_JOINED = "réponse écrite sur plusieurs lignes sans guillemets : suite lue ligne"


_JOINED_NOTE = "réponse(s) écrite(s) sur plusieurs lignes sans guillemets"


def _note_joined(problems: dict[int, str], notes: list[str], before: Sequence[int] = ()) -> list[int]:
    """Say in the file's notes which answers were read on several lines (see
    :func:`_csv_records`), in one note that replaces the one about ``before`` (the answers of
    the chunks read so far, when a file is read in chunks); the lines said so far."""
    joined = [*before, *(line for line, problem in problems.items() if problem.startswith(_JOINED))]
    if joined:
        shown = ", ".join(str(n) for n in joined[:5]) + (", …" if len(joined) > 5 else "")
        notes[:] = [n for n in notes if _JOINED_NOTE not in n]
        notes.append(f"{len(joined)} {_JOINED_NOTE} (ligne(s) {shown}) : les lignes qui les continuent leur sont "
                     "rattachées")
    return joined


def _shape(value: str) -> str:
    """A value's shape: letters as ``a``, digits as ``0`` ("R12" -> "a00")."""
    return re.sub(r"\d", "0", re.sub(r"[^\W\d_]", "a", value.strip()))


def _continued_cell(held: tuple, record: list, problem: str, fields: int, width: int) -> int | None:
    """The cell of the answer ``held`` that ``record`` (``fields`` cells as read) continues (see
    :func:`_csv_records`), or ``None``: a line of one cell continues the row's last cell read; a
    line of several continues a row cut short (an answer in a middle column, written on two
    lines: "1;Première partie" then "suite de la réponse;ASE") when the two make the header's
    number of cells exactly."""
    _, above, above_problem = held
    if fields >= width or problem or (above_problem and not above_problem.startswith(_JOINED)):
        return None  # a whole row continues nothing (and a one-column file has no continuation)
    read = next((i + 1 for i in range(width - 1, -1, -1) if above[i] is not None), 0)  # cells the row had
    text, first = record[0] or "", above[0]
    if read < 2 or _ALPHA_RE.search(text) is None or (isinstance(first, str) and _shape(first) == _shape(text)):
        return None
    last = above[read - 1]
    if not isinstance(last, str) or _ALPHA_RE.search(last) is None:
        return None
    if fields == 1:
        return read - 1 if " " in last.strip() and " " in text.strip() else None
    return read - 1 if read < width and read + fields - 1 == width else None


_ALPHA_RE = re.compile(r"[^\W\d_]{2}")


def _csv_raw_records(reader, lines: _Lines, sep: str, width: int, fallback_lines: set[int] | dict[int, str],
                     fallback: str = ""):
    """(line, record, problem, fields read) for each record of a CSV reader after its header: records cut
    or padded to the header's width; CSV errors, badly encoded lines and over-long cells
    reported, not dropped; a field opening with a quote that is never closed (the reader then
    swallows the lines after it) is caught: each line is read alone and the first one flagged."""
    line = reader.line_num + 1
    while True:
        lines.taken = []
        try:
            record = next(reader)
            broken = ""
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. an unclosed quote at the end of the file
            record, broken = None, f"erreur CSV : {exc}"
        if record is not None and _swallowed(lines.taken, sep, width):
            broken = "guillemet ouvrant jamais fermé : les lignes suivantes auraient été fusionnées"
        if broken:
            taken = lines.taken or [""]
            for k, raw in enumerate(taken):
                fields = _alone(raw, sep)
                if not fields and k:
                    continue
                count = len(fields)
                fields = (fields + [None] * width)[:width]
                yield line + k, fields, broken if k == 0 else "", count
            line = reader.line_num + 1
            continue
        if not "".join(record).strip():  # a blank line, or a row of empty cells (";;", as Excel
            line = reader.line_num + 1        # saves the formatted rows under a table): no answer, as in a sheet
            continue
        problem = ""
        count = len(record)
        if len(record) > width:
            last = max(i for i, x in enumerate(record) if x.strip() or i < width)
            if last >= width:  # cells beyond the header's: kept in the last column, never dropped
                problem = f"{last + 1} {_EXTRA_CELLS} {width}"
                record = [*record[:width - 1], sep.join(record[width - 1:last + 1])]
            else:
                record = record[:width]
        elif len(record) < width:
            record = record + [None] * (width - len(record))
        if not problem:
            for ln in range(line, reader.line_num + 1):
                if ln in fallback_lines:
                    code_page = fallback_lines[ln] if isinstance(fallback_lines, dict) else fallback
                    problem = f"{_RECODED}, décodée en {code_page}"
                    break
        yield line, record, problem, count
        line = reader.line_num + 1


#: The note of a line decoded with a code page in a UTF-8 file (two exports pasted together).
_RECODED = "ligne qui n'est pas en UTF-8"
#: The note of an answer holding the file's separator without quotes, its cells joined back.
_SEP_IN_ANSWER = "réponse contenant le séparateur"
#: The problems that only say how a row was read: its answer is whole and counts.
_READ_WHOLE = (_RECODED, _JOINED, _SEP_IN_ANSWER)
#: The note of a CSV row with more (non-empty) cells than its header, after their number.
_EXTRA_CELLS = "champs alors que l'en-tête en a"
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def _dedupe_names(names: Sequence[str], notes: list[str] | None = None) -> list[str]:
    """Column names as a user types them: invisible characters (a zero-width space or a BOM
    pasted from the web), outer spaces and the quotes of a name quoted after a space (``"id" ;
    " Votre réponse "``, where CSV takes them literally) removed, an empty one named
    ``colonne_N``, a repeated one suffixed ``.1``, ``.2``… (said in ``notes``)."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = _INVISIBLE.sub("", name or "").replace("\u00a0", " ").strip()
        if len(name) >= 2 and name[0] == name[-1] == '"' and '"' not in name[1:-1]:
            name = name[1:-1].strip()
        name = name or f"colonne_{i + 1}"
        if name in seen:
            seen[name] += 1
            if notes is not None:
                notes.append(f"colonne « {name} » en double (colonne {i + 1}) : lue sous le nom « {name}.{seen[name]} »")
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
        problem = ("archive ZIP sans classeur Excel : un .docx ou un .ods renommé ?" if isinstance(exc, KeyError)
                   else f"{type(exc).__name__} : {exc}")
        raise RetexInputError(f"classeur XLSX illisible ({problem})", path=path) from exc
    names = book.sheetnames
    try:
        sheet_name, notes = _pick_sheet(path, names, sheet, lambda n: _sheet_rows(book[n]))
        return _grid_table(path, "xlsx", sheet_name, names, _sheet_rows(book[sheet_name]), notes,
                           formulas=lambda grid, width, first: _formulas_without_value(path, sheet_name, grid, width,
                                                                                       first),
                           merged=_merged_ranges(book, sheet_name))
    finally:
        book.close()


def _load_ods(path: Path, sheet: str | int | None) -> _Table:
    """A LibreOffice Calc sheet (read by pandas with odfpy), with the same header rules as a
    workbook."""
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object, engine="odf")
    except Exception as exc:  # a damaged archive, a file that is not ODF
        raise RetexInputError(f"classeur ODS illisible ({type(exc).__name__} : {exc})", path=path) from exc
    names = list(sheets)

    def rows(name: str):
        frame = sheets[name].astype(object).where(sheets[name].notna(), None)
        return _filled_rows(enumerate(frame.itertuples(index=False, name=None), start=1))

    sheet_name, notes = _pick_sheet(path, names, sheet, rows)
    return _grid_table(path, "ods", sheet_name, names, rows(sheet_name), notes,
                       merged=_ods_merged_ranges(path, sheet_name))


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_merged_ranges(path: Path, sheet_name: str) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column), from 1, of the merged cells of a sheet of
    a LibreOffice Calc file (pandas reads the cells they cover as empty), read from its XML as it
    streams by; ``[]`` when it cannot be read (pandas has read the cells already)."""
    import xml.etree.ElementTree as ET
    import zipfile

    t = _ODS_TABLE
    found: list[tuple[int, int, int, int]] = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open("content.xml") as fh:
            inside, row, col = False, 0, 0
            for event, elem in ET.iterparse(fh, events=("start", "end")):
                if elem.tag == f"{t}table":
                    if event == "start":
                        inside = elem.get(f"{t}name") == sheet_name
                    elif inside:
                        break
                    continue
                if not inside:
                    if event == "end" and elem.tag == f"{t}table-row":
                        elem.clear()
                    continue
                if elem.tag == f"{t}table-row":
                    if event == "start":
                        row, col = row + 1, 0
                    else:
                        row += int(elem.get(f"{t}number-rows-repeated", "1")) - 1
                        elem.clear()
                elif event == "start" and elem.tag in (f"{t}table-cell", f"{t}covered-table-cell"):
                    rows = int(elem.get(f"{t}number-rows-spanned", "1"))
                    cols = int(elem.get(f"{t}number-columns-spanned", "1"))
                    if rows > 1 or cols > 1:
                        found.append((row, row + rows - 1, col + 1, col + cols))
                    col += int(elem.get(f"{t}number-columns-repeated", "1"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ET.ParseError):
        return []
    return found


def _load_xls(path: Path, sheet: str | int | None) -> _Table:
    """An Excel 97-2003 workbook (read with xlrd), with the same header rules as a workbook."""
    import xlrd

    try:
        try:  # with its formatting, for the merged cells
            book = xlrd.open_workbook(str(path), on_demand=True, formatting_info=True)
        except Exception:  # a file whose formatting xlrd cannot read: its cells still
            book = xlrd.open_workbook(str(path), on_demand=True)
    except Exception as exc:  # a damaged or password-protected file
        raise RetexInputError(f"classeur XLS illisible ({type(exc).__name__} : {exc})", path=path) from exc
    names = book.sheet_names()

    def value(cell, datemode: int):
        if cell.ctype == xlrd.XL_CELL_DATE:
            with contextlib.suppress(Exception):
                return xlrd.xldate.xldate_as_datetime(cell.value, datemode)
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#N/A")
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
            return int(cell.value)
        return None if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK) else cell.value

    def rows(name: str):
        ws = book.sheet_by_name(name)
        return _filled_rows((r + 1, tuple(value(c, book.datemode) for c in ws.row(r))) for r in range(ws.nrows))

    try:
        sheet_name, notes = _pick_sheet(path, names, sheet, rows)
        merged = [(r1 + 1, r2, c1 + 1, c2) for r1, r2, c1, c2 in book.sheet_by_name(sheet_name).merged_cells]
        return _grid_table(path, "xls", sheet_name, names, rows(sheet_name), notes, merged=merged)
    finally:
        book.release_resources()


def _load_xml_spreadsheet(path: Path, sheet: str | int | None) -> _Table:
    """Excel's "XML Spreadsheet 2003", which some survey tools save as ".xls": its sheets'
    rows and cells (``ss:Index`` says where a cell after empty ones sits), read with lxml."""
    from lxml import etree

    ns = "{urn:schemas-microsoft-com:office:spreadsheet}"
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise RetexInputError(f"classeur XML (Excel 2003) illisible : {exc}", path=path) from exc
    sheets = {ws.get(f"{ns}Name") or f"Feuille{i + 1}": ws for i, ws in enumerate(root.iter(f"{ns}Worksheet"))}
    if not sheets:
        raise RetexInputError("classeur XML (Excel 2003) sans feuille", path=path)
    names = list(sheets)

    def numbered(name: str):
        number = 0
        for row in sheets[name].iter(f"{ns}Row"):
            number = int(row.get(f"{ns}Index") or number + 1)
            values: list = []
            for cell in row.iter(f"{ns}Cell"):
                index = int(cell.get(f"{ns}Index") or len(values) + 1)
                values += [None] * (index - 1 - len(values))
                data = cell.find(f"{ns}Data")
                values.append(None if data is None else "".join(data.itertext()))
            yield number, tuple(values)

    def rows(name: str):
        return _filled_rows(numbered(name))

    sheet_name, notes = _pick_sheet(path, names, sheet, rows)
    return _grid_table(path, "xmlss", sheet_name, names, rows(sheet_name), notes)


def _load_html(path: Path, text: str) -> _Table:
    """A web page holding the answers as a table: what some survey tools save as ".xls" (and
    Excel's "Page Web"). The table with the most cells is read; row numbers are its rows."""
    from io import StringIO

    try:
        tables = pd.read_html(StringIO(text), flavor="lxml", header=None, keep_default_na=False)
    except ValueError as exc:  # no table in the page
        raise RetexInputError("page web (HTML) sans tableau de réponses", path=path) from exc
    table = max(tables, key=lambda t: t.size).astype(object)
    table = table.where(table.notna(), None)
    records = list(table.itertuples(index=False, name=None))
    if not isinstance(table.columns, pd.RangeIndex):  # pandas took the <th> row as the column names
        records.insert(0, tuple(" ".join(map(str, c)) if isinstance(c, tuple) else c for c in table.columns))
    grid = ((n, tuple(None if str(v).strip() == "" else v for v in values)) for n, values in enumerate(records, start=1))
    notes = [f"page web (HTML) lue comme un tableau{' (la plus grande de ses ' + str(len(tables)) + ' tables)' if len(tables) > 1 else ''}"]
    return _grid_table(path, "html", "tableau", ["tableau"], _filled_rows(grid), notes)


#: A first sheet with at most this many rows is passed over for a sheet with more than twice as
#: many (a "Consignes" or "Lisez-moi" sheet before the answers).
_SMALL_SHEET = 10


def _pick_sheet(path: Path, names: list[str], sheet: str | int | None, rows) -> tuple[str, list[str]]:
    """The sheet to read (by name, any case or accents, or index; by default the first with
    data, unless it is a few lines before a much fuller sheet) and the note saying why another
    sheet than the first was read. ``rows(name)`` iterates over a sheet's non-empty rows."""
    if sheet is None:
        count = {n: sum(1 for _ in itertools.islice(rows(n), 2 * _SMALL_SHEET + 1)) for n in names}
        name = next((n for n in names if count[n]), names[0])
        fuller = max(names, key=lambda n: count[n])
        if 0 < count[name] <= _SMALL_SHEET and count[fuller] > 2 * count[name]:
            return fuller, [f"la feuille {name!r} n'a que {count[name]} ligne(s) remplie(s) : lecture de la feuille "
                            f"{fuller!r}, la plus remplie (une autre avec --sheet)"]
        notes = [f"la feuille {names[0]!r} est vide : lecture de la feuille {name!r}"] if name != names[0] else []
        return name, notes
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise RetexInputError(f"pas de feuille numéro {sheet} ; le classeur a les feuilles {names}", path=path)
        return names[sheet], []
    close = [n for n in names if n == sheet] or [n for n in names if fold(n) == fold(sheet)]
    if len(close) != 1:
        raise RetexInputError(f"pas de feuille nommée {sheet!r} ; le classeur a les feuilles {names}", path=path)
    return close[0], []


def _grid_table(path: Path, fmt: str, sheet_name: str, names: list[str], it: Iterator[tuple[int, tuple]],
                notes: list[str], formulas=None, merged: Sequence[tuple[int, int, int, int]] = ()) -> _Table:
    """A sheet's non-empty rows ((row number, values)) as a table: title rows above the header
    skipped, a first row that is an answer kept as one, row numbers the sheet's own; ``merged``:
    the sheet's merged cells (:func:`_fill_merged`)."""
    head = [row for _, row in zip(range(_HEADER_SEARCH), it, strict=False)]  # range first: zip must not pull one row too many
    start = _header_position(head)
    if start is None:
        raise RetexInputError(f"la feuille {sheet_name!r} est vide", path=path)
    skipped = [str(next(v for v in values if _filled(v))).strip() for _, values in head[:start]]
    groups = _group_header(head, start, merged)
    start += bool(groups)
    header_number, header_row = head[start]
    if skipped:
        notes.append(f"ligne(s) au-dessus de l'en-tête ignorée(s) (titre : « {' / '.join(skipped)[:80]} ») : "
                     f"en-tête lu ligne {header_number}")
    if groups:
        notes.append(f"ligne {head[start - 1][0]} : des groupes de colonnes (« {' », « '.join(g[:40] for g in groups[:6])} »), "
                     f"pas leurs noms : en-tête lu ligne {header_number}")
    header = ["" if h is None else str(h).strip() for h in header_row]
    if groups:  # a column named on both rows (merged down): its name is on the row above
        above = head[start - 1][1]
        header = [h or ("" if c >= len(above) or not _filled(above[c]) else str(above[c]).strip())
                  for c, h in enumerate(header)]
    width = len(header)
    headerless = _headerless(header, header_number)
    if headerless is not None:  # the first row is an answer: it is read as one
        header, note = headerless
        notes.append(note)
    first_data = start + (headerless is None)
    grid: dict[int, list] = {}
    beyond: set[int] = set()  # columns right of the header holding a value (a note in the margin)
    for number, values in (*head[first_data:], *it):
        cells = [None if v is None else (v if isinstance(v, str) else _cell_text(v)) for v in values]
        if len(cells) > width:
            beyond.update(i for i in range(width, len(cells)) if _filled(cells[i]))
        grid[number] = cells
    extra = sorted(beyond)
    for number, cells in grid.items():
        grid[number] = [*cells[:width], *[None] * (width - len(cells)),
                        *(cells[i] if i < len(cells) else None for i in extra)]
    if extra:
        from openpyxl.utils import get_column_letter

        notes.append(f"cellules remplies à droite de l'en-tête (colonne(s) {', '.join(get_column_letter(i + 1) for i in extra[:5])}"
                     f"{', …' if len(extra) > 5 else ''}) : lues dans des colonnes sans nom, rien n'est perdu")
        header = [*header, *(f"colonne_{i + 1}" for i in extra)]
    named = [bool(h) for h in header[:width]] + [True] * len(extra)
    width = len(header)
    header = _dedupe_names(header, notes)
    if formulas is not None and any(c is None for cells in grid.values() for c in cells) and len(grid) * width <= 500_000:
        formulas(grid, width, header_number + (headerless is None))
    if merged:
        _fill_merged(grid, merged, header_number + (headerless is None), width, notes)
    rows = sorted(n for n, cells in grid.items() if any(c is not None for c in cells))
    records = [grid[n] for n in rows]
    frame = pd.DataFrame(records, columns=header, dtype=object)
    # a table placed lower right (at C3): the sheet's columns left of it, unnamed and empty, are no columns
    unnamed = [i for i in range(width) if not named[i] and not frame.iloc[:, i].map(_filled).any()]
    if unnamed:
        frame = frame.drop(columns=[header[i] for i in unnamed])
    return _Table(frame, rows, FileInfo(str(path), fmt, None, None, sheet_name, list(frame.columns), len(frame),
                                        sheets=list(names), notes=notes))


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})([0-9]+):([A-Z]{1,3})([0-9]+)"')


def _merged_ranges(book, sheet_name: str) -> list[tuple[int, int, int, int]]:
    """(first row, last row, first column, last column), from 1, of the merged cells of a sheet
    of a workbook opened read-only (which does not give them: they are read from the sheet's XML,
    in pieces, so that a large sheet is never held whole)."""
    from openpyxl.utils import column_index_from_string

    ws = book[sheet_name]
    archive, member = getattr(book, "_archive", None), getattr(ws, "_worksheet_path", None)
    if archive is None or member is None:  # a workbook opened for writing has them at hand
        return [(r.min_row, r.max_row, r.min_col, r.max_col) for r in getattr(ws, "merged_cells", ())]
    found: set[tuple[int, int, int, int]] = set()
    tail = b""
    with archive.open(member) as fh:
        while chunk := fh.read(1 << 22):
            data = tail + chunk
            for m in _MERGE_CELL.finditer(data):
                c1, r1, c2, r2 = m.groups()
                found.add((int(r1), int(r2), column_index_from_string(c1.decode()),
                           column_index_from_string(c2.decode())))
            tail = data[-200:]  # a cell reference cut between two pieces is found in the next
    return sorted(found)


def _fill_merged(grid: dict[int, list], merged: Sequence[tuple[int, int, int, int]], first_row: int,
                 width: int, notes: list[str]) -> None:
    """A cell merged over several rows of answers ("ASE" once, beside every answer of the
    service) holds its value for each of those rows: Excel shows it so, and each answer keeps it
    (read as it is stored, every row but the first would have lost its service). Only down the
    range's first column: a cell merged across columns belongs to its first column alone; the
    header and title rows are left as they are."""
    from openpyxl.utils import get_column_letter

    filled, shown = 0, []
    for r1, r2, c1, _c2 in merged:
        if r1 < first_row or r2 <= r1 or c1 > width or r1 not in grid:
            continue
        value = grid[r1][c1 - 1]
        if value is None:
            continue
        count = 0
        for r in range(r1 + 1, r2 + 1):
            if r in grid and grid[r][c1 - 1] is None:
                grid[r][c1 - 1] = value
                count += 1
        if count:
            filled += count
            shown.append(f"{get_column_letter(c1)}{r1}:{get_column_letter(c1)}{r2}")
    if filled:
        more = f", … ({len(shown)} plages)" if len(shown) > 3 else ""
        notes.append(f"cellules fusionnées sur plusieurs lignes ({', '.join(shown[:3])}{more}) : leur valeur est "
                     f"reprise sur chacune de leurs lignes ({filled} cellule(s))")


#: Rows of a sheet searched for its header (title rows above it are skipped).
_HEADER_SEARCH = 30


def _filled(value) -> bool:
    return value is not None and str(value).strip() != ""


def _sheet_rows(ws) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of the non-empty rows of a sheet, lazily, texts unescaped
    (:func:`_ooxml_unescape`)."""
    if hasattr(ws, "reset_dimensions"):  # a wrong declared size ("A1:XFD1048576") would pad every row
        ws.reset_dimensions()
    rows = ((n, tuple(_ooxml_unescape(v) if isinstance(v, str) and "_x" in v else v for v in values))
            for n, values in enumerate(ws.iter_rows(values_only=True), start=1))
    return _filled_rows(rows)


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _ooxml_unescape(text: str) -> str:
    """A workbook's text as typed: OOXML writes some characters as ``_xHHHH_`` (a line break
    typed in a cell as ``_x000D_`` before its line feed, as Excel and XlsxWriter save it; a
    literal ``_x`` as ``_x005F_x``), which openpyxl leaves as they are ("Première
    ligne_x000D_\\nDeuxième" is read "Première ligne\\nDeuxième", the line break Excel shows)."""
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text).replace("\r\n", "\n")


def _filled_rows(numbered: Iterable[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    """The (row number, values) pairs of a sheet whose row holds at least one filled cell."""
    return ((n, values) for n, values in numbered if any(_filled(v) for v in values))


def _group_header(head: list[tuple[int, tuple]], start: int, merged: Sequence[tuple[int, int, int, int]]) -> list[str]:
    """The names of a row of groups above the header ("Identification", "Questions ouvertes",
    each merged across its columns, as a formatted survey table has them), or ``[]``. Every
    filled cell of the row at ``start`` begins a merged range (across columns, or down onto the
    next row: a column named on both rows), one at least across columns; the next row holds
    more cells, all text, none a sentence (column names, not a first answer)."""
    if start + 1 >= len(head):
        return []
    number, values = head[start]
    below_number, below_values = head[start + 1]
    starts = {(c1, c2 > c1) for r1, r2, c1, c2 in merged if r1 == number and r2 in (number, below_number)}
    filled = [c for c, v in enumerate(values, start=1) if _filled(v)]
    if not any(across for _, across in starts) or not set(filled) <= {c for c, _ in starts}:
        return []
    below = [v for v in below_values if _filled(v)]
    if len(below) <= len(filled) or not all(isinstance(v, str) and not _SENTENCE.fullmatch(v.strip()) for v in below):
        return []
    return [str(values[c - 1]).strip() for c in filled]


def _header_position(head: list[tuple[int, tuple]]) -> int | None:
    """Index in ``head`` (the first non-empty rows) of the header: the first row, unless it and
    the rows after it hold a single text cell (a title, "Enquête ODPE 2025") above a row of two or
    more column names, all text; ``None`` for an empty sheet."""
    if not head:
        return None
    counts = [sum(_filled(v) for v in values) for _, values in head]
    for i, (count, (_, values)) in enumerate(zip(counts, head, strict=True)):
        if count >= 2:
            names_ok = all(isinstance(v, str) for v in values if _filled(v))
            titles = all(counts[j] == 1 and isinstance(next(v for v in head[j][1] if _filled(v)), str)
                         for j in range(i))
            return i if names_ok and titles and i < 5 else 0
    return 0


def _formulas_without_value(path: Path, sheet_name: str, grid: dict[int, list], width: int, first_row: int = 2) -> None:
    """A formula cell saved without its computed value (a file written by a script, never
    opened in Excel) reads as empty; its text ("=1+1", "=HYPERLINK(…)") is what the person
    typed: it is kept as the answer rather than lost."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    ws = book[sheet_name]
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()
    for number, values in enumerate(ws.iter_rows(min_row=first_row, values_only=True), start=first_row):
        cells = grid.get(number)
        if cells is None:
            if not any(isinstance(v, str) and v.startswith("=") for v in values[:width]):
                continue
            cells = grid[number] = [None] * width  # a row holding only formulas
        for j, value in enumerate(values[:width]):
            if cells[j] is None and isinstance(value, str) and value.startswith("="):
                cells[j] = value
    book.close()


def _cell_text(value) -> str:
    """A workbook cell that is no text, as the person saw it: 12 for 12.0, a date without the
    midnight Excel stores with it ("2021-03-12", not "2021-03-12 00:00:00")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return str(value)


def _load_jsonl(path: Path, encoding: str | None) -> _Table:
    return _jsonl_table(path, decode_bytes(_read_bytes(path), path, encoding))


def _jsonl_table(path: Path, decoded) -> _Table:
    frame, rows, problems = _jsonl_records([x.rstrip("\r\n") for x in split_lines(decoded.text)], 1)
    info = FileInfo(str(path), "jsonl", decoded.encoding, None, None, list(frame.columns), len(frame), problems,
                    decoded.confidence, notes=list(decoded.notes))
    return _Table(frame, rows, info)


def _load_json(path: Path, encoding: str | None) -> _Table:
    """A JSON export: a list of objects (one answer each), or an object holding such a list
    (``{"reponses": [...]}``); a list of strings is a list of answers. A file of JSON lines
    named ``.json`` is read as JSON lines."""
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    try:
        data = json.loads(decoded.text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and sum(x.lstrip().startswith("{") for x in split_lines(decoded.text)) > 1:
            return _jsonl_table(path, decoded)
        raise RetexInputError(f"JSON invalide : {exc.msg}", path=path, row=exc.lineno) from None
    notes: list[str] = list(decoded.notes)
    if isinstance(data, dict):
        lists = [k for k, v in data.items() if isinstance(v, list) and any(isinstance(x, dict) for x in v)]
        if not lists:
            raise RetexInputError("ce JSON ne contient pas de liste de réponses (une liste d'objets, un par réponse)",
                                  path=path)
        key = max(lists, key=lambda k: len(data[k]))
        if len(data) > 1:
            notes.append(f"réponses lues dans la clé {key!r} ({len(data[key])} objets)")
        data = data[key]
    if not isinstance(data, list):
        raise RetexInputError("ce JSON ne contient pas de liste de réponses (une liste d'objets, un par réponse)",
                              path=path)
    items = [{"text": x} if isinstance(x, str) or x is None else x for x in data]
    frame, rows, problems = _object_records(enumerate(items, start=1))  # row n = the n-th object of the list
    return _Table(frame, rows, FileInfo(str(path), "json", decoded.encoding, None, None, list(frame.columns),
                                        len(frame), problems, decoded.confidence, notes=notes))


def _jsonl_records(lines: Sequence[str], first: int) -> tuple[pd.DataFrame, list[int], dict[int, str]]:
    """One record per non-blank JSON line (line numbers from ``first``); bad lines give an empty
    record and a problem, so they are reported, not dropped."""
    def parsed():
        for number, line in enumerate(lines, start=first):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except ValueError as exc:
                    yield number, exc

    return _object_records(parsed())


def _object_records(objects) -> tuple[pd.DataFrame, list[int], dict[int, str]]:
    """One record per (row number, parsed JSON value or its parsing error); what is not an
    object gives an empty record and a problem, so that it is reported, not dropped."""
    records: list[dict] = []
    rows: list[int] = []
    problems: dict[int, str] = {}
    for number, obj in objects:
        if not isinstance(obj, dict):
            problems[number] = "JSON invalide : " + (str(obj) if isinstance(obj, ValueError)
                                                     else f"un {type(obj).__name__} JSON, pas un objet")
            obj = {}
        records.append({k: (None if v is None else v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))
                        for k, v in obj.items()})
        rows.append(number)
    frame = pd.DataFrame.from_records(records).astype(object) if records else pd.DataFrame()
    frame = frame.where(frame.notna(), None)
    return frame, rows, problems


#: Names of the metadata file of a folder of testimonies, found in the folder without asking.
METADATA_NAMES = ("metadonnees.csv", "métadonnées.csv", "metadata.csv", "metadonnees.xlsx", "métadonnées.xlsx",
                  "metadata.xlsx")
_FILE_COLUMNS = ("file", "fichier", "nom_fichier", "nom du fichier", "temoignage", "document")


def _metadata(folder: Path, metadata: str | Path | None) -> tuple[pd.DataFrame | None, Path | None]:
    """The metadata of a folder of testimonies (file name -> profession, service…): the file
    given, else one named like :data:`METADATA_NAMES` in the folder, else none."""
    path = Path(metadata) if metadata is not None else next(
        (folder / n for n in METADATA_NAMES if (folder / n).is_file()), None)
    if path is None:
        return None, None
    table = read_table(path)
    table.info.require_whole_rows("valeurs")  # a profession cut short or shifted into the service column would be lost
    columns = {fold(str(c)): str(c) for c in table.frame.columns}
    key = next((columns[c] for c in _FILE_COLUMNS if c in columns), None)
    if key is None:
        raise RetexInputError(f"le fichier de métadonnées doit avoir une colonne « fichier » (le nom de chaque "
                              f"témoignage) ; colonnes : {list(table.frame.columns)}", path=path)
    frame = table.frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    frame["_key"] = [Path(str(v)).stem.strip().casefold() if v is not None else "" for v in frame[key]]
    frame["_name"] = ["" if v is None else str(v).strip() for v in frame[key]]
    seen: dict[str, int] = {}
    for row, k, name in zip(table.rows, frame["_key"], frame["_name"], strict=True):
        if k and k in seen:  # which row holds the right profession is the analyst's call
            raise RetexInputError(f"témoignage « {name} » décrit deux fois (déjà ligne {seen[k]}) : gardez une seule "
                                  "ligne par fichier", path=path, row=row, column=key)
        seen.setdefault(k, row)
    return frame.drop(columns=[key]), path


def _metadata_notes(files: list[str], keys: list[str], meta: pd.DataFrame, meta_path: Path | None) -> list[str]:
    """What the analyst should know of a metadata file that does not match the folder: testimonies
    it does not describe, and rows that name no testimony of the folder (a typo in a name)."""
    name = meta_path.name if meta_path is not None else "métadonnées"
    described = set(meta["_key"])
    notes = []
    missing = [f for f, k in zip(files, keys, strict=True) if k not in described]
    if missing:
        notes.append(f"{len(missing)} témoignage(s) sans ligne dans {name} (profession, service… vides) : "
                     + ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""))
    known = set(keys)
    orphans = [n for k, n in zip(meta["_key"], meta["_name"], strict=True) if k and k not in known]
    if orphans:
        notes.append(f"{len(orphans)} ligne(s) de {name} ne correspondent à aucun témoignage du dossier : "
                     + ", ".join(orphans[:5]) + (" …" if len(orphans) > 5 else ""))
    return notes


#: The files of a folder read as testimonies: plain text, Word and LibreOffice Writer documents.
TESTIMONY_SUFFIXES = (".txt", ".docx", ".odt")


def _load_txt(path: Path, encoding: str | None, metadata: str | Path | None = None) -> _Table:
    if path.is_dir():
        meta, meta_path = _metadata(path, metadata)
        present = [p for p in path.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))]  # ~$: Word's lock
        files = sorted(p for p in present if p.suffix.lower() in TESTIMONY_SUFFIXES)
        if not files:
            raise RetexInputError("le dossier ne contient aucun témoignage (.txt, .docx, .odt)", path=path)
        left = sorted(p.name for p in present if p.suffix.lower() not in TESTIMONY_SUFFIXES
                      and p != meta_path and p.name.casefold() not in METADATA_NAMES)
        records, problems, encodings = [], {}, set()
        for i, f in enumerate(files, start=1):
            try:
                if f.suffix.lower() in (".docx", ".odt"):
                    records.append({"file": f.name, "text": document_text(f).strip()})
                    encodings.add(f.suffix.lower().lstrip("."))
                    continue
                decoded = decode_bytes(f.read_bytes(), f, encoding)
                records.append({"file": f.name, "text": decoded.text.strip()})
                encodings.add(decoded.encoding)
            except (RetexInputError, MissingDependencyError) as exc:
                records.append({"file": f.name, "text": None})
                problems[i] = str(exc)
        frame = pd.DataFrame(records, dtype=object)
        notes: list[str] = []
        if left:  # said, never dropped silently: a .pdf or an old .doc among the testimonies
            notes.append(f"{len(left)} fichier(s) du dossier non lu(s), ni .txt, ni .docx, ni .odt : "
                         + ", ".join(left[:5]) + (" …" if len(left) > 5 else "")
                         + " (enregistrez-les en .txt ou .docx pour les analyser)")
        if meta is not None:  # each testimony gets its row of metadata (profession, service…)
            keys = frame["file"].map(lambda f: Path(f).stem.casefold())
            notes += _metadata_notes(frame["file"].tolist(), keys.tolist(), meta, meta_path)
            extra = meta.set_index("_key").reindex(keys.tolist())
            extra = extra.loc[:, [c for c in extra.columns if c not in ("file", "text", "_name")]]
            frame = pd.concat([frame, extra.reset_index(drop=True).astype(object).where(extra.notna().to_numpy(), None)],
                              axis=1)
        info = FileInfo(str(path), "txt-folder", ", ".join(sorted(encodings)), None, None,
                        list(frame.columns), len(frame), problems, notes=notes)
        return _Table(frame, list(range(1, len(frame) + 1)), info)
    decoded = decode_bytes(_read_bytes(path), path, encoding)
    if looks_like_iramuteq(decoded.text):
        return _iramuteq_table(path, decoded.text, decoded.encoding)
    lines = [x.rstrip("\r\n") for x in split_lines(decoded.text)]
    frame = pd.DataFrame({"text": lines}, dtype=object)
    info = FileInfo(str(path), "txt", decoded.encoding, None, None, ["text"], len(frame), {}, decoded.confidence,
                    notes=decoded.notes)
    return _Table(frame, list(range(1, len(lines) + 1)), info)


def _load_refi(path: Path) -> _Table:
    """A REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder): one row per text source."""
    records, problems, notes = read_refi_sources(path)
    columns = ["file", "text"]
    for record in records:
        columns += [k for k in record if k not in columns and k != "codes_refi"]
    columns.append("codes_refi")
    frame = pd.DataFrame.from_records(records, columns=columns).astype(object)
    frame = frame.where(frame.notna(), None)
    info = FileInfo(str(path), "qdpx", "utf-8", None, None, columns, len(frame), problems, notes=notes)
    return _Table(frame, list(range(1, len(frame) + 1)), info)


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
    metadata: str | Path | None = None,
) -> _Table:
    """Load any supported source into a table of text cells (used by :func:`read_answers`)."""
    if isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        info = FileInfo("<DataFrame>", "dataframe", None, None, None, [str(c) for c in frame.columns], len(frame))
        return _Table(frame, list(range(1, len(frame) + 1)), info)
    path = Path(source)
    if not path.exists():
        raise RetexInputError("fichier ou dossier introuvable", path=path)
    fmt = _format_of(path, format)
    if fmt == "csv":
        return _load_csv(path, encoding, sep)
    if fmt == "xlsx":
        return _load_xlsx(path, sheet)
    if fmt == "ods":
        return _load_ods(path, sheet)
    if fmt == "xls":
        return _load_xls(path, sheet)
    if fmt == "html":
        return _load_html(path, decode_bytes(_read_bytes(path), path, encoding).text)
    if fmt == "xmlss":
        return _load_xml_spreadsheet(path, sheet)
    if fmt == "jsonl":
        return _load_jsonl(path, encoding)
    if fmt == "json":
        return _load_json(path, encoding)
    if fmt == "iramuteq":
        decoded = decode_bytes(_read_bytes(path), path, encoding)
        return _iramuteq_table(path, decoded.text, decoded.encoding)
    if fmt == "txt":
        return _load_txt(path, encoding, metadata)
    if fmt == "qdpx":
        return _load_refi(path)
    if fmt == "document":  # one testimony typed in Word or Writer: read as a folder of one would be
        frame = pd.DataFrame([{"file": path.name, "text": document_text(path).strip()}], dtype=object)
        info = FileInfo(str(path), "document", path.suffix.lower().lstrip("."), None, None, list(frame.columns), 1)
        return _Table(frame, [1], info)
    raise RetexInputError(f"format inconnu {fmt!r} : csv, xlsx, xls, xmlss, ods, html, json, jsonl, txt, iramuteq, qdpx "
                          "ou document (.docx, .odt)", path=path)


def inspect_file(source: str | Path, **kwargs) -> FileInfo:
    """Open a file and say what it is: format, encoding, separator, columns, rows, problems, and
    which columns seem to hold the free answers and the respondent id."""
    table = read_table(source, **kwargs)
    info = table.info
    frame = table.frame.set_axis([str(c) for c in table.frame.columns], axis=1)
    info.text_column = likely_text_column(frame)
    info.id_column = _find_id_column(list(frame.columns), [info.text_column] if info.text_column else [])
    return info


# -- answers ---------------------------------------------------------------------------------

def _resolve_column(name: str, columns: Sequence[str], path: str) -> str:
    if name in columns:
        return name
    matches = [c for c in columns if fold(str(c)) == fold(name)]
    if len(matches) == 1:
        return matches[0]
    hint = difflib.get_close_matches(name, [str(c) for c in columns], n=3, cutoff=0.5)
    extra = f" ; vouliez-vous dire {hint} ?" if hint else ""
    raise ColumnNotFoundError(
        f"colonne introuvable ; les colonnes sont {list(columns)}{extra}", path=path, column=name
    )


#: Respondent id columns as survey tools name them, folded, separators as one space: SurveyMonkey
#: "Respondent ID", LimeSurvey "ID de la réponse", Qualtrics "ResponseId", Sphinx/Excel "N°".
_SURVEY_ID_NAMES = frozenset({"respondent id", "response id", "responseid", "id de la reponse", "id reponse",
                      "id du repondant", "identifiant du repondant", "identifiant repondant", "n°", "no",
                      "numero", "numero repondant", "numero du repondant"})


def _header_key(name: str) -> str:
    """A column name as the lists of known names are written: folded, separators as one space."""
    return re.sub(r"[\s_-]+", " ", fold(str(name))).strip()


#: Every id column name, as :func:`_header_key` writes it.
_ID_KEYS = _SURVEY_ID_NAMES | {_header_key(n) for n in ID_NAMES}


def _find_id_column(columns: Sequence[str], text_cols: Sequence[str]) -> str | None:
    """The column named like a respondent id (``id``, ``identifiant``, "Respondent ID", "ID de
    la réponse"…), if exactly one is."""
    found = [c for c in columns if c not in text_cols and _header_key(c) in _ID_KEYS]
    return found[0] if len(found) == 1 else None


def _free_name(name: str, columns: Sequence[str]) -> str:
    """A name for a user column called like a tool column: ``question`` stays, ``status``
    becomes ``status (fichier)`` (then ``status (fichier 2)``… if that is taken too)."""
    candidate, i = name + RENAMED_SUFFIX, 2
    while candidate in columns or candidate in RESERVED:
        candidate = f"{name}{RENAMED_SUFFIX[:-1]} {i})"
        i += 1
    return candidate


def _compact(key: str) -> str:
    """"n.s.p" -> "nsp", "r a s" -> "ras": initials typed with dots or spaces."""
    return _NOT_WORD.sub("", key) if len(key) <= 12 else key


def _status_of(text: object, non_answers: set[str], longest: int | None = None,
               replacement_ok: bool = False) -> tuple[str, str]:
    """Status and note of one cell. ``longest``: the most letters and digits a non-answer has
    (answers with many more cannot be one, and skip the costlier normalisation)."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "empty", ""
    text = str(text)
    if not text.strip():
        return "empty", ""
    stripped = text.strip()
    if stripped in _EXCEL_ERRORS:
        return "unreadable", f"valeur d'erreur du tableur {stripped}"
    if "\ufffd" in text and not replacement_ok:
        return "unreadable", "caractères qui n'ont pas pu être décodés (U+FFFD)"
    if not _HAS_WORD.search(text):
        return "non_answer", "ni lettre ni chiffre"
    if longest is not None and len(stripped) > 2 * longest + 20 and len(_NOT_WORD.sub("", stripped)) > longest + 4:
        return "ok", ""
    key = normalize_answer(text)
    if key in non_answers or _compact(key) in non_answers:
        return "non_answer", f"non-réponse {stripped[:30]!r}"
    return "ok", ""


#: Column names that say "the free answers", folded.
_TEXT_NAMES = frozenset({"text", "texte", "textes", "reponse", "reponses", "verbatim", "verbatims",
                         "commentaire", "commentaires", "temoignage", "temoignages", "votre reponse",
                         "vos reponses", "reponse libre", "reponses libres", "remarques", "observations"})


_HEADER_AGAIN = "ligne d'en-tête répétée (fichiers mis bout à bout ?)"


def _repeated_header_rows(frame: pd.DataFrame, text_cols: Sequence[str]) -> set[int]:
    """Rows (positions) that repeat the header (exports pasted one after the other): a text cell
    holds its column's name, and so do at least two cells of the row (the one cell of a
    one-column file), no more than as many other cells being filled."""
    candidates = {i for col in text_cols for i, v in enumerate(frame[col].tolist())
                  if isinstance(v, str) and v.strip() == str(col).strip()}
    least = min(2, frame.shape[1])
    found = set()
    for i in sorted(candidates):
        cells = [(str(name).strip(), v.strip()) for name, v in zip(frame.columns, frame.iloc[i].tolist(), strict=True)
                 if isinstance(v, str) and v.strip()]
        same = sum(name == v for name, v in cells)
        if same >= least and 2 * same >= len(cells):
            found.add(i)
    return found


_EXPORT_HEADER = ("ligne d'en-tête supplémentaire d'un export de questionnaire (Qualtrics : libellés des questions "
                  "ou identifiants ImportId ; SurveyMonkey : « Réponse ouverte »…), pas une réponse")
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:')
#: SurveyMonkey's second header row: what each column of a question holds.
_SUB_HEADERS = frozenset({"open-ended response", "reponse ouverte", "response", "reponse", "other (please specify)",
                          "autre (veuillez preciser)"})


def _export_header_rows(frame: pd.DataFrame) -> set[int]:
    """The rows (positions) under the column names that a survey tool's export adds. Qualtrics:
    the questions' wording, then a row of ``{"ImportId":"QID1"}``, found by that second row
    (most of its filled cells), among the first three. SurveyMonkey: a first row that says what
    each column holds ("Open-Ended Response", "Réponse ouverte", "Response"…)."""
    for i in range(min(3, len(frame))):
        cells = [v for v in frame.iloc[i].tolist() if isinstance(v, str) and v.strip()]
        if cells and 2 * sum(bool(_IMPORT_ID.match(v)) for v in cells) > len(cells):
            return set(range(i + 1))
    if len(frame):
        cells = [fold(v) for v in frame.iloc[0].tolist() if isinstance(v, str) and v.strip()]
        subs = [c for c in cells if c in _SUB_HEADERS]
        if any(c in ("open-ended response", "reponse ouverte") for c in subs) or len(subs) >= 2 \
                and 2 * len(subs) > len(cells):
            return {0}
    return set()


def likely_text_column(frame: pd.DataFrame) -> str | None:
    """The column that seems to hold the free answers: the one named so (``text``, ``texte``,
    ``réponse``, ``verbatim``…, accents and case ignored), else the one whose cells hold the most
    words on average (at least 3). For an error message or a form to offer, never read silently."""
    named = [str(c) for c in frame.columns if _header_key(c) in _TEXT_NAMES]
    if named:
        return named[0]
    best, most = None, 3.0
    for name in frame.columns:
        cells = frame[name].dropna().astype(str).head(500)
        if cells.empty:
            continue
        words = float(cells.str.split().str.len().mean())
        if words >= most:
            best, most = str(name), words
    return best


def read_answers(
    source: str | Path | pd.DataFrame | Sequence[str | Path],
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
    metadata: str | Path | None = None,
) -> pd.DataFrame:
    """Read a survey export into an answers DataFrame (see the module docstring).

    Parameters
    ----------
    source:
        A CSV (``;``/``,``/tab/``|`` sniffed; UTF-8, UTF-8 with BOM, Windows-1252, Latin-1,
        UTF-16 detected; ``.csv.gz`` too; a first line that is an answer is read as one), an
        XLSX or ODS workbook (title rows above the header skipped), a JSON list of objects, a
        JSONL file, a TXT file (one
        answer per line, or an IRaMuTeQ corpus), a folder of ``.txt`` testimonies (one per
        file), or a DataFrame. A list of files is read file by file and stacked, with a
        ``source_file`` column and ids prefixed by each file's name.
    text:
        The open-question column, or several: they are stacked (one row per respondent and
        question, ``question`` names the column). Defaults to ``text`` where it exists.
    id:
        Respondent id column. Without it, a column named ``id`` (or ``identifiant``…) is used
        when there is one; else the respondent is the row of the file. The id column is kept.
    variables:
        Respondent variables to keep (service, profession…). ``None`` (the default) keeps every
        other column, so that any of them can be used later (attributions, groups).
    sheet:
        XLSX/ODS sheet, by name or index (default: the first that is not empty).
    non_answers:
        Extra answers that say nothing (added to "RAS", "néant", "je ne sais pas"…).
    duplicates:
        What makes a duplicate: ``"auto"`` (same respondent id, question and text, when ``id``
        is given; nothing otherwise), ``"row"`` (a whole row repeated, every column equal), a
        list of columns that identify a respondent (plus question and text), or ``None``. The first
        occurrence stays ``ok``; identical answers from different respondents are never
        duplicates ("s'adapter" said by 79 people counts 79 times).
    metadata:
        For a folder of testimonies: a CSV or XLSX with a ``fichier`` column (each testimony's
        file name, with or without ``.txt``) and the columns to attach to it (profession,
        service…). A file named ``metadonnees.csv`` (or ``metadata.csv``, ``.xlsx``) in the
        folder is used without asking.
    """
    if isinstance(source, (list, tuple)):
        return _read_several(source, text=text, id=id, variables=variables, sheet=sheet, encoding=encoding, sep=sep,
                             format=format, non_answers=non_answers, duplicates=duplicates, metadata=metadata)
    table = read_table(source, format=format, sheet=sheet, encoding=encoding, sep=sep, metadata=metadata)
    if len(table.frame) > MAX_ROWS:
        raise RetexInputError(f"{len(table.frame)} lignes : au-delà de la limite de {MAX_ROWS} lignes lues en mémoire ; "
                              "lisez le fichier par paquets (iter_answers, retex terms)", path=table.info.path)
    return _AnswerBuilder(text, id, variables, non_answers, duplicates).build(table)


def _read_several(sources: Sequence[str | Path], **kwargs) -> pd.DataFrame:
    """Several files stacked: each read as one, a ``source_file`` column (the file name) after
    the tool's columns, and ids prefixed by the file's stem so that they stay unique."""
    if not sources:
        raise RetexInputError("aucun fichier à lire")
    if len(sources) == 1:
        return read_answers(sources[0], **kwargs)
    parts = []
    for path in sources:
        part = read_answers(path, **kwargs)
        name = Path(path).name
        part.insert(len(ANSWER_COLUMNS), "source_file", name)
        part["answer_id"] = name.split(".")[0] + ":" + part["answer_id"].astype(str)
        parts.append(part)
    answers = pd.concat(parts, ignore_index=True)
    answers.attrs.update(parts[0].attrs, source=", ".join(str(p) for p in sources),
                         variables=list(dict.fromkeys(v for p in parts for v in p.attrs.get("variables", []))),
                         notes=[f"{Path(path).name} : {note}" for path, part in zip(sources, parts, strict=True)
                                for note in part.attrs.get("notes", [])])
    return answers


def iter_answers(
    source: str | Path | pd.DataFrame,
    text: str | Sequence[str] | None = None,
    id: str | None = None,
    variables: Sequence[str] | None = None,
    *,
    chunksize: int = 100_000,
    progress: bool | None = None,
    sheet: str | int | None = None,
    encoding: str | None = None,
    sep: str | None = None,
    format: str | None = None,
    non_answers: Sequence[str] | None = None,
    duplicates: str | Sequence[str] | None = "auto",
) -> Iterator[pd.DataFrame]:
    """Read a survey export in chunks of about ``chunksize`` input rows, for files too large to
    hold at once (the 1.17 million Grand Débat answers).

    Yields answers DataFrames with the columns, statuses, ids and ``row`` numbers that
    :func:`read_answers` gives for the same file (duplicates are found across chunks; a repeated
    respondent id gets ``#2``, ``#3``… in both). CSV, TSV (``.gz`` too), JSONL and one-answer-
    per-line TXT files are streamed: memory holds one chunk, whatever the file size. Other
    sources (XLSX, IRaMuTeQ corpora, folders, UTF-16 files, DataFrames) are read whole and
    then cut into chunks. ``progress`` shows a bar over the file's bytes (an honest ETA); a
    ``tqdm`` bar passed as ``progress`` is advanced instead (one bar over several files).
    """
    builder = _AnswerBuilder(text, id, variables, non_answers, duplicates)
    for table in _stream_tables(source, chunksize, progress, format=format, sheet=sheet, encoding=encoding,
                                sep=sep):
        yield builder.build(table, whole=False)  # chunks share their attrs: per-chunk notes would differ


class _AnswerBuilder:
    """Turns tables (a whole file, or its chunks one after the other) into answers; keeps what
    must be known across chunks (respondent ids seen, first occurrence of each duplicate)."""

    def __init__(self, text, id, variables, non_answers, duplicates) -> None:
        self.text, self.id, self.variables, self.duplicates = text, id, variables, duplicates
        na_set = {normalize_answer(x) for x in [*non_answer_list(), *(non_answers or [])]}
        self.na_set = na_set | {_compact(x) for x in na_set if len(_compact(x)) >= 2}
        self.longest = max((len(_NOT_WORD.sub("", x)) for x in self.na_set), default=0)
        self.seen_ids: dict[str, int] = {}
        self.first_of: dict[str, str] = {}
        self.built = 0  # tables built so far: an export's extra header rows are in the first

    def build(self, table: _Table, whole: bool = True) -> pd.DataFrame:
        frame, info = table.frame, table.info
        where = info.path
        columns = [str(c) for c in frame.columns]
        if len(columns) > MAX_COLUMNS:
            raise RetexInputError(f"{len(columns)} colonnes : au-delà de la limite de {MAX_COLUMNS} colonnes "
                                  "(gardez les colonnes utiles dans un fichier à part)", path=where)
        frame.columns = columns
        text = self.text
        if text is None:
            if "text" in columns:
                text = "text"
            elif len(columns) == 1:
                text = columns[0]
            else:
                likely = likely_text_column(frame)
                hint = f" ; celle qui semble contenir les réponses libres : « {likely} »" if likely else ""
                raise ColumnNotFoundError(f"indiquez la colonne des réponses (--text-col, text=…) ; les colonnes sont "
                                          f"{columns}{hint}", path=where)
        text_cols = [text] if isinstance(text, str) else list(text)
        if not text_cols:
            raise RetexInputError("text= ne nomme aucune colonne", path=where)
        text_cols = [_resolve_column(c, columns, where) for c in text_cols]
        id_col = _resolve_column(self.id, columns, where) if self.id else _find_id_column(columns, text_cols)
        if self.variables is None:
            var_cols = [c for c in columns if c not in text_cols]
        else:
            var_cols = [_resolve_column(v, columns, where) for v in self.variables]
            var_cols = [c for c in ([id_col] if id_col and id_col not in var_cols else []) + var_cols
                        if c not in text_cols]
        stacked = len(text_cols) > 1 or "thematique" in columns and info.format == "iramuteq"
        n = len(frame)
        rows = table.rows
        if id_col:
            resp = [str(v).strip() if v is not None and str(v).strip() else f"ligne_{r}"
                    for v, r in zip(frame[id_col], rows, strict=True)]
        else:
            resp = [str(r) for r in rows]
        header_rows = _repeated_header_rows(frame, text_cols)
        export_rows = _export_header_rows(frame) if self.built == 0 else set()
        self.built += 1
        out = []
        # a row of more cells than the header holds them in its last column: when that column is
        # the answer, the row's separators were in the answer (« Trop;de;dossiers ») and it counts
        last_only = text_cols == columns[-1:] and info.format == "csv"
        for col in text_cols:
            values = frame[col].tolist()
            for i in range(n):
                raw = values[i]
                problem = info.problems.get(rows[i])
                header = _EXPORT_HEADER if i in export_rows else _HEADER_AGAIN if (
                    i in header_rows and isinstance(raw, str) and raw.strip() == col.strip()) else None
                if header:  # a header row, not an answer: kept, said
                    out.append({"respondent_id": resp[i], "open_question": col, "text": "" if raw is None else str(raw),
                                "status": "non_answer", "status_note": header, "source_row": rows[i]})
                    continue
                if isinstance(raw, str):
                    raw = strip_controls(raw)
                    if len(raw) > MAX_CELL_CHARS:
                        problem = (f"réponse de {len(raw):_} caractères, au-delà de la limite de {MAX_CELL_CHARS:_} : "
                                   "coupée à la limite").replace("_", " ")
                        raw = raw[:MAX_CELL_CHARS]
                # IRaMuTeQ analyses texts holding U+FFFD: so does retex_nlp for its corpora
                status, note = _status_of(raw, self.na_set, self.longest, info.format == "iramuteq")
                if problem and _EXTRA_CELLS in problem and last_only:  # the separator inside the answer
                    problem = (f"{_SEP_IN_ANSWER} « {info.separator} » sans guillemets ({problem}) : les cellules en trop "
                               "lui sont rattachées")
                if problem and problem.startswith(_READ_WHOLE):  # read, and said: the answer counts
                    note = f"{note} ; {problem}" if note else problem
                elif problem and status != "empty" or problem and raw is None:
                    status, note = "unreadable", problem
                out.append({"respondent_id": resp[i], "open_question": col,
                            "text": "" if raw is None else str(raw),
                            "status": status, "status_note": note, "source_row": rows[i]})
        answers = pd.DataFrame(out, columns=[c for c in ANSWER_COLUMNS if c != "answer_id"])
        if info.format == "iramuteq" and "thematique" in columns:
            answers["open_question"] = [v if v is not None else "" for v in frame["thematique"]]
            var_cols = [c for c in var_cols if c != "thematique"]
        # the user's columns under their own names; one named like a tool column gets a suffix
        renamed = {v: _free_name(v, columns) for v in var_cols if v in RESERVED}
        user = {renamed.get(v, v): [None if x is None else strip_controls(str(x))[:MAX_CELL_CHARS]
                                    for x in frame[v].tolist()] * len(text_cols) for v in var_cols}
        if user:  # all at once: thousands of columns added one by one would take minutes
            answers = pd.concat([answers, pd.DataFrame(user, index=answers.index, dtype=object)], axis=1)
        ids = answers["respondent_id"].astype(str)
        if stacked:
            ids = ids + ":" + answers["open_question"].astype(str)
        answers["answer_id"] = self._unique(ids.tolist()) if id_col or stacked else ids
        notes = list(info.notes)
        if export_rows:
            notes.append(f"export de questionnaire : les ligne(s) {', '.join(str(rows[i]) for i in sorted(export_rows))} "
                         "sous l'en-tête (libellés des questions, identifiants ImportId, « Réponse ouverte »…) ne sont pas "
                         "des réponses : gardées, marquées non-réponses.")
        if header_rows:
            at = [str(rows[i]) for i in sorted(header_rows)]
            notes.append(f"{len(at)} ligne(s) répètent l'en-tête (ligne {', '.join(at[:5])}{'…' if len(at) > 5 else ''}) : "
                         "fichiers mis bout à bout ? Gardées, marquées non-réponses.")
        # ids that _unique had to suffix ("12" -> "12#2"): said when the whole file is read
        repeated = [key for key, unique in zip(ids, answers["answer_id"], strict=True) if key != unique] \
            if whole and id_col else []
        if repeated:
            shown = ", ".join(f"« {key} »" for key in repeated[:3])
            notes.append(f"{len(repeated)} identifiant(s) en double dans la colonne « {id_col} » ({shown}"
                         f"{'…' if len(repeated) > 3 else ''}) : chaque ligne est gardée, la suivante sous "
                         f"l'identifiant suivi de « #2 », « #3 »…")
        _flag_duplicates(answers, frame, text_cols, id_col, self.duplicates, self.first_of)
        user_cols = [renamed.get(v, v) for v in var_cols]
        answers = answers[[*ANSWER_COLUMNS, *user_cols]]
        answers.attrs.update(
            source=info.path, format=info.format, encoding=info.encoding, separator=info.separator,
            encoding_confidence=info.encoding_confidence,
            sheet=info.sheet, text_columns=text_cols, id_column=id_col, variables=user_cols,
            renamed_columns=renamed, notes=notes,
        )
        return answers

    def _unique(self, ids: list[str]) -> list[str]:
        """A repeated id gets ``#2``, ``#3``… (its first occurrence keeps the plain id)."""
        out = []
        seen = self.seen_ids
        for key in ids:
            k = seen.get(key, 0) + 1
            seen[key] = k
            out.append(key if k == 1 else f"{key}#{k}")
        return out


def _stream_tables(source, chunksize: int, progress, *, format, sheet, encoding, sep) -> Iterator[_Table]:
    if chunksize < 1:
        raise ValueError("chunksize doit valoir au moins 1")
    path = None if isinstance(source, pd.DataFrame) else Path(source)
    fmt = None if path is None or not path.exists() else _format_of(path, format)
    if path is not None and path.is_file() and fmt in ("csv", "jsonl", "txt"):
        stream = _LineStream(path, encoding)
        if stream.encoding is not None and (fmt != "txt" or not stream.looks_like_iramuteq()):
            yield from stream.tables(fmt, chunksize, sep, progress)
            return
    table = read_table(source, format=format, sheet=sheet, encoding=encoding, sep=sep)
    for start in range(0, max(len(table.frame), 1), chunksize):
        frame = table.frame.iloc[start:start + chunksize].reset_index(drop=True)
        yield _Table(frame, table.rows[start:start + chunksize], table.info)


class _LineStream:
    """The decoded lines of a (possibly gzip'd) text file, read a buffer at a time; the encoding
    is detected on the first MiB, and a later line that does not decode falls back to the
    code page that suits it (reported as a problem on that line, as :func:`decode_bytes` does)."""

    HEAD = 1 << 20

    def __init__(self, path: Path, encoding: str | None) -> None:
        self.path = path
        self.fallback: dict[int, str] = {}
        try:
            with self._open() as (fh, raw):
                head = fh.read(self.HEAD)
                more = fh.read(1)
                tail = b"" if more else head  # a file ending in a block of zeros is said, as when read whole
                if more and fh is raw:
                    raw.seek(max(0, raw.seek(0, 2) - self.HEAD))
                    tail = raw.read()
        except (OSError, EOFError, zlib.error) as exc:
            raise RetexInputError(_gzip_problem(exc) if path.suffix.lower() == ".gz" else f"fichier illisible ({exc})",
                                  path=path) from exc
        self.encoding: str | None = None
        self.notes: list[str] = _zeroed_end(tail)
        if not head.replace(b"\x00", b"").strip() or head.count(b"\r") > head.count(b"\r\n"):
            # empty, or lines ended by a lone CR (old Mac exports): read whole, where both are handled
            return
        if more and b"\n" in head:
            head = head[: head.rindex(b"\n") + 1]
        decoded = decode_bytes(head, path, encoding)
        enc = decoded.encoding
        if enc.startswith("mixed"):
            enc = "utf-8"
        self.encoding: str | None = None if enc.startswith("utf-16") else enc
        self.detected = decoded.encoding
        self.confidence = decoded.confidence
        self.head_text = decoded.text

    @contextmanager
    def _open(self):
        raw = open(self.path, "rb")  # noqa: SIM115 - closed below
        try:
            fh = gzip.GzipFile(fileobj=raw) if self.path.suffix.lower() == ".gz" else raw
            yield fh, raw
        finally:
            raw.close()

    def looks_like_iramuteq(self) -> bool:
        return looks_like_iramuteq(self.head_text)

    def lines(self, bar=None) -> Iterator[str]:
        enc = self.encoding
        strict_utf8 = enc in ("utf-8", "utf-8-sig")
        # An all-ASCII head says nothing: the first accented line decides, as for a whole file.
        undecided = strict_utf8 and enc == "utf-8" and self.head_text.isascii()
        with self._open() as (fh, raw):
            done = 0
            for number, line in enumerate(_guarded(fh, self.path), start=1):
                if b"\x00" in line:
                    line = line.replace(b"\x00", b"")
                if number == 1 and enc == "utf-8-sig" and line.startswith(b"\xef\xbb\xbf"):
                    line = line[3:]
                if strict_utf8 and not line.isascii():
                    try:
                        text = line.decode("utf-8")
                        undecided = False
                    except UnicodeDecodeError:
                        code_page = _best_single_byte(line)
                        text = line.decode(code_page)
                        if undecided:  # a single-byte export whose first MiB had no accent
                            enc, strict_utf8 = code_page, False
                            self.detected = code_page
                        else:
                            self.fallback[number] = code_page
                else:
                    text = line.decode(enc if not strict_utf8 else "ascii")
                if text.startswith("\ufeff"):  # another file's byte order mark, pasted after this one
                    text = text[1:]                # (as decode_bytes)
                if bar is not None and number % 2000 == 0:
                    pos = raw.tell()
                    bar.update(pos - done)
                    done = pos
                yield text
            if bar is not None:
                bar.update(raw.tell() - done)

    def tables(self, fmt: str, chunksize: int, sep: str | None, progress) -> Iterator[_Table]:
        path = self.path
        size = path.stat().st_size
        if isinstance(progress, tqdm):  # a bar shared by several files (see scale.iter_chunks)
            bar_context = contextlib.nullcontext(progress)
        else:
            show = progress if progress is not None else size > 20 << 20
            bar_context = tqdm(total=size, unit="B", unit_scale=True, desc=f"Lecture de {path.name}",
                               disable=not show)
        with bar_context as bar:
            lines = self.lines(bar)
            if fmt == "csv":
                yield from self._csv_tables(lines, chunksize, sep)
            elif fmt == "jsonl":
                yield from self._jsonl_tables(lines, chunksize)
            else:
                yield from self._txt_tables(lines, chunksize)

    def _info(self, fmt: str, sep: str | None, columns: list[str], n: int, problems: dict[int, str],
              notes: list[str] | None = None) -> FileInfo:
        return FileInfo(str(self.path), fmt, self.detected, sep, None, columns, n, problems, self.confidence,
                        notes=list(notes if notes is not None else self.notes))

    def _csv_tables(self, lines: Iterator[str], chunksize: int, sep: str | None) -> Iterator[_Table]:
        recorded = _Lines(lines)
        sep, reader, header, records, rows, notes = _csv_start(self.head_text, recorded, sep, self.path)
        notes = self.notes + notes
        header = _dedupe_names(header, notes)
        problems = {}
        yielded = False
        joined: list[int] = []
        for line, record, problem in _csv_records(reader, recorded, sep, len(header), self.fallback):
            records.append(record)
            rows.append(line)
            if problem:
                problems[line] = problem
                if problem.startswith(_JOINED):
                    joined = _note_joined({line: problem}, notes, joined)
            if len(records) >= chunksize:
                yield _Table(pd.DataFrame(records, columns=header, dtype=object), rows,
                             self._info("csv", sep, header, len(records), problems, notes))
                records, rows, problems = [], [], {}
                yielded = True
        if records or not yielded:
            yield _Table(pd.DataFrame(records, columns=header, dtype=object), rows,
                         self._info("csv", sep, header, len(records), problems, notes))

    def _jsonl_tables(self, lines: Iterator[str], chunksize: int) -> Iterator[_Table]:
        for batch, first in _line_batches(lines, chunksize):
            yield self._jsonl_table(batch, first)

    def _jsonl_table(self, lines: list[str], first: int) -> _Table:
        frame, rows, problems = _jsonl_records(lines, first)
        for number in rows:
            if number in self.fallback:
                problems.setdefault(number, f"{_RECODED}, décodée en {self.fallback[number]}")
        return _Table(frame, rows, self._info("jsonl", None, list(frame.columns), len(frame), problems))

    def _txt_tables(self, lines: Iterator[str], chunksize: int) -> Iterator[_Table]:
        for batch, first in _line_batches((line.rstrip("\r\n") for line in lines), chunksize):
            yield self._txt_table(batch, first)

    def _txt_table(self, lines: list[str], first: int) -> _Table:
        rows = list(range(first, first + len(lines)))
        problems = {n: f"{_RECODED}, décodée en {self.fallback[n]}" for n in rows if n in self.fallback}
        frame = pd.DataFrame({"text": lines}, dtype=object)
        return _Table(frame, rows, self._info("txt", None, ["text"], len(frame), problems))


def _guarded(lines, path: Path):
    """The lines of a file; a gzip archive found cut or damaged midway gives a French error."""
    try:
        yield from lines
    except (OSError, EOFError, zlib.error) as exc:
        raise RetexInputError(_gzip_problem(exc), path=path) from exc


def _line_batches(lines: Iterator[str], size: int) -> Iterator[tuple[list[str], int]]:
    """Batches of ``size`` lines with the number of their first line (one empty batch for an
    empty file, so that it still gives a table)."""
    batch: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        batch.append(line)
        if len(batch) >= size:
            yield batch, first
            batch, first = [], number + 1
    if batch or first == 1:
        yield batch, first


def _flag_duplicates(answers: pd.DataFrame, frame: pd.DataFrame, text_cols: list[str], id_col: str | None,
                     duplicates: str | Sequence[str] | None, first_of: dict[str, str]) -> None:
    """Mark as ``duplicate`` the answers whose key (respondent, question, normalised text) was
    seen before, in this table or an earlier chunk (``first_of``: key -> first answer id)."""
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
        require_columns(answers, key_cols, "duplicates= nomme des colonnes introuvables")
    candidates = answers["status"].eq("ok")
    if candidates.any():
        # typed with or without accents, it is the same answer ("Épuisant" / "epuisant")
        norm = answers.loc[candidates, "text"].map(lambda t: strip_accents(normalize_answer(t)))
        keys = answers.loc[candidates, key_cols].astype(str).agg("\x1f".join, axis=1) + "\x1f" + \
            answers.loc[candidates, "open_question"].astype(str) + "\x1f" + norm
        for idx, key in keys.items():
            digest = hashlib.blake2b(key.encode("utf-8"), digest_size=16).digest()
            if digest in first_of:
                answers.at[idx, "status"] = "duplicate"
                answers.at[idx, "status_note"] = f"même répondant et même texte que la réponse {first_of[digest]}"
            else:
                first_of[digest] = answers.at[idx, "answer_id"]
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
