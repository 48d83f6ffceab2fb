"""The two contracts every stage shares: the answers table, and "answer -> themes".

**Answers.** :func:`retex_nlp.read_answers` returns one row per (respondent, open question)
with the tool's columns :data:`ANSWER_COLUMNS` first, then the user's own columns, unchanged
and under their own names (``id``, ``question``, ``theme``… stay what they were):

``answer_id``      unique id of the answer (the respondent id, plus ``:column`` when several
                   open questions are stacked)
``respondent_id``  the id column's value (``id`` when the file has one, or ``id=``), else the
                   row of the file
``open_question``  the open-question column the answer comes from
``text``           the answer as written
``status``         one of :data:`STATUSES`; only ``ok`` answers are analysed
``status_note``    why a row is not ``ok``, in plain words
``source_row``     where the answer is in the file (line, or spreadsheet row)

A user column whose name is one of the tool's (:data:`RESERVED`) is kept with the suffix
:data:`RENAMED_SUFFIX` (listed in ``attrs["renamed_columns"]``): nothing is overwritten.

**Answer -> themes.** Every method that puts answers in themes (themes found in the answers,
codebook coding, mixed coding, Reinert classes) gives one row per input answer with
``answer_id``, ``status``, ``theme_id`` and ``theme_label``. ``theme_id`` holds the theme ids
(``int``; several joined by ``;`` for multi-label codes), ``theme_label`` their labels joined
by ``;``. An answer in no theme has :data:`NO_THEME` (``-1``) as ``theme_id`` and an empty
label; answers that are not ``ok`` are never in a theme. :func:`assignment_pairs` turns that
into ``(answer_id, theme_id)`` pairs, the form the project stores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from .errors import ColumnNotFoundError

__all__ = [
    "ANSWER_COLUMNS", "RESULT_COLUMNS", "RESERVED", "RENAMED_SUFFIX", "STATUSES", "STATUS_LABELS_FR", "NO_THEME",
    "ok_answers", "all_answers", "require_columns", "split_codes", "join_codes", "assignment_pairs", "non_answer_list", "with_themes",
]

ANSWER_COLUMNS = ("answer_id", "respondent_id", "open_question", "text", "status", "status_note", "source_row")
#: Columns the tool adds to results: never a user column's name in an output.
RESULT_COLUMNS = ("theme_id", "theme_label", "codes", "similarity", "reason", "new_theme", "source_file",
                  "testimony_id", "segment")
RESERVED = frozenset(ANSWER_COLUMNS + RESULT_COLUMNS)
RENAMED_SUFFIX = " (fichier)"

STATUSES = ("ok", "empty", "non_answer", "duplicate", "unreadable")
#: How each status is named for French readers (command line, reports).
STATUS_LABELS_FR = {"ok": "réponses exploitables", "empty": "vides", "non_answer": "non-réponses (RAS, néant…)",
                    "duplicate": "doublons", "unreadable": "illisibles"}

#: The theme id of an answer in no theme (the only "no theme" value; its label is "").
NO_THEME = -1


@lru_cache(maxsize=1)
def non_answer_list() -> tuple[str, ...]:
    """The shipped list of non-answers ("RAS", "néant", "je ne sais pas"…)."""
    text = resources.files("retex_nlp.data").joinpath("non_answers.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def ok_answers(answers: pd.DataFrame | pd.Series | Sequence[str], text: str = "text") -> pd.DataFrame:
    """The answers to analyse as a DataFrame with a ``text`` column: only ``ok`` answers when a
    ``status`` column exists; a list or Series of strings is wrapped."""
    if isinstance(answers, pd.DataFrame):
        if text not in answers.columns:
            raise ColumnNotFoundError(f"colonne de texte introuvable : {text!r} ; colonnes : {list(answers.columns)}")
        frame = answers[answers["status"] == "ok"] if "status" in answers.columns else answers
        if text != "text":
            frame = frame.rename(columns={text: "text"})
        return frame
    series = pd.Series(list(answers), dtype=object)
    return pd.DataFrame({"text": series.where(series.notna(), "").astype(str)})


def all_answers(answers: pd.DataFrame | pd.Series | Sequence[str]) -> pd.DataFrame:
    """All the answers (not only ``ok`` ones) with ``answer_id`` and ``status`` columns, for
    results that keep one row per input answer; plain texts get ids 0, 1… and status ``ok``."""
    frame = answers if isinstance(answers, pd.DataFrame) else ok_answers(answers)
    if "status" not in frame.columns:
        frame = frame.assign(status="ok")
    if "answer_id" not in frame.columns:
        frame = frame.assign(answer_id=[str(i) for i in range(len(frame))])
    return frame


def split_codes(value) -> list[str]:
    """``"a;b"`` / ``["a", "b"]`` / ``None`` -> list of theme names (or ids, as strings). A line
    break separates codes too: one code per line in a cell (Alt+Entrée in Excel)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    if isinstance(value, str):
        return [c.strip() for c in re.split(r"[;\r\n]", value) if c.strip()]
    if isinstance(value, (int, np.integer)):
        return [] if value == NO_THEME else [str(int(value))]
    return [str(c) for c in value]


def join_codes(values: Iterable) -> str:
    """The inverse of :func:`split_codes`: ``["a", "b"]`` -> ``"a;b"`` (``""`` for none)."""
    return ";".join(str(v) for v in values)


def require_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """A :class:`~retex_nlp.errors.ColumnNotFoundError` when some of ``columns`` are not in
    ``frame``: ``what`` says in French what they were asked for, then come the missing columns
    and those there are."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnNotFoundError(f"{what} : {missing} ; colonnes : {list(frame.columns)}")


def assignment_pairs(result: pd.DataFrame) -> pd.DataFrame:
    """``(answer_id, theme_id)`` pairs from a result with ``answer_id`` and ``theme_id`` (an
    ``int`` or ids joined by ``;``). Answers in no theme have no pair."""
    if "theme_id" not in result.columns:
        raise ColumnNotFoundError(f"pas de colonne « theme_id » dans le résultat ; colonnes : {list(result.columns)}")
    pairs = [(str(a), int(t)) for a, v in zip(result["answer_id"], result["theme_id"], strict=True)
             for t in split_codes(v) if int(t) != NO_THEME]
    return pd.DataFrame(pairs, columns=["answer_id", "theme_id"]).astype({"theme_id": int})


def with_themes(answers: pd.DataFrame, result: pd.DataFrame, *, text: bool = False) -> pd.DataFrame:
    """The answers as read (every user column under its own name) with a method's result columns
    (``theme_id``, ``theme_label``, scores, reason…) added, row for row; ``text=False`` leaves
    the answers' text out (a table to share about the answers, not of them)."""
    if len(result) != len(answers) or ("answer_id" in result.columns and result["answer_id"].astype(str).tolist()
                                       != answers["answer_id"].astype(str).tolist()):
        raise ValueError("the result does not have one row per answer, in the answers' order")
    table = answers.reset_index(drop=True) if text else answers.drop(columns=["text"]).reset_index(drop=True)
    added = result.drop(columns=[c for c in ("answer_id", "status") if c in result.columns]).reset_index(drop=True)
    return pd.concat([table, added], axis=1)
