"""Split long testimonies into sentences or ~40-word segments, each linked to its answer."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["split_sentences", "split_segments", "segment_answers", "segment_testimonies", "is_testimony_corpus"]

# Abbreviations after which a full stop does not end a sentence.
_ABBREV = {"m", "mm", "mme", "mmes", "mlle", "dr", "pr", "me", "st", "ste", "etc", "cf", "ex", "p", "n", "no",
           "env", "av", "bd", "vs", "art", "al", "éd", "fig", "tél", "tel", "chap", "vol"}
_END = re.compile(r"[.!?…]+[»\")\]]*(?=\s+|$)|\n+")
_WORD = re.compile(r"\S+")


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences on ``. ! ? …`` and line breaks, not after "M.", "Dr.", "etc."
    or initials, nor inside numbers ("3.5")."""
    sentences, start = [], 0
    for m in _END.finditer(text):
        end = m.end()
        if m.group(0).startswith(".") and not m.group(0).startswith("\n"):
            before = re.search(r"(\w+)$", text[start:m.start()])
            word = before.group(1).lower() if before else ""
            if word in _ABBREV or (len(word) == 1 and word.isalpha()):
                continue
        piece = text[start:end].strip()
        if piece:
            sentences.append(piece)
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def split_segments(text: str, size: int = 40, *, paragraphs: bool = False) -> list[str]:
    """IRaMuTeQ-style segments of about ``size`` words: whole sentences are grouped until a
    segment reaches ``size`` words; a sentence longer than 1.5 x ``size`` is cut at the comma or
    semicolon nearest to ``size`` words (or at ``size`` words when it has none). With
    ``paragraphs`` a segment never runs across a line break (a paragraph of a testimony often
    turns to another subject); a paragraph shorter than ``size`` is a segment of its own."""
    if paragraphs:
        return [seg for par in re.split(r"\s*\n\s*", text) if par.strip() for seg in split_segments(par, size)]
    segments: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in split_sentences(text):
        words = _WORD.findall(sentence)
        while len(words) > 1.5 * size:
            cut = _best_cut(words, size)
            if current:
                segments.append(" ".join(current))
                current, count = [], 0
            segments.append(" ".join(words[:cut]))
            words = words[cut:]
        current.extend(words)
        count += len(words)
        if count >= size:
            segments.append(" ".join(current))
            current, count = [], 0
    if current:
        if segments and count < size // 4:
            segments[-1] += " " + " ".join(current)
        else:
            segments.append(" ".join(current))
    return segments


def _best_cut(words: list[str], size: int) -> int:
    best, best_dist = size, None
    for i, w in enumerate(words[: int(1.5 * size)], start=1):
        if w.endswith((",", ";", ":")):
            dist = abs(i - size)
            if best_dist is None or dist < best_dist:
                best, best_dist = i, dist
    return best


def segment_answers(answers: pd.DataFrame, method: str = "sentence", size: int = 40) -> pd.DataFrame:
    """One row per segment of each ``ok`` answer, with ``segment_id``, ``answer_id``,
    ``segment`` (1, 2…), ``text`` and the answer's other columns."""
    if method not in ("sentence", "words"):
        raise ValueError("method must be 'sentence' or 'words'")
    ok = answers[answers["status"] == "ok"] if "status" in answers.columns else answers
    records = []
    others = [c for c in ok.columns if c not in ("text", "answer_id")]
    for row in ok.to_dict("records"):
        pieces = split_sentences(row["text"]) if method == "sentence" else split_segments(row["text"], size)
        for k, piece in enumerate(pieces, start=1):
            rec = {"segment_id": f"{row['answer_id']}/{k}", "answer_id": row["answer_id"], "segment": k,
                   "text": piece}
            rec.update({c: row[c] for c in others})
            records.append(rec)
    columns = ["segment_id", "answer_id", "segment", "text", *others]
    return pd.DataFrame(records, columns=columns)


#: Median length (words) of the usable answers from which ``segments="auto"`` treats them as
#: testimonies to cut into segments (survey answers are mostly 5-40 words).
TESTIMONY_MEDIAN_WORDS = 80


def is_testimony_corpus(answers: pd.DataFrame) -> bool:
    """Whether ``answers`` are testimonies rather than survey answers: read from a folder of
    .txt files (or one Word or Writer document), or usable answers of at least :data:`TESTIMONY_MEDIAN_WORDS` words (median)."""
    if answers.attrs.get("format") in ("txt-folder", "document"):
        return True
    ok = answers[answers["status"] == "ok"] if "status" in answers.columns else answers
    if not len(ok):
        return False
    lengths = ok["text"].fillna("").astype(str).map(lambda t: len(_WORD.findall(t)))
    return float(lengths.median()) >= TESTIMONY_MEDIAN_WORDS


def segment_testimonies(answers: pd.DataFrame, size: int = 40) -> pd.DataFrame:
    """The answers with each long usable one cut into segments of whole sentences of about
    ``size`` words, never across a line break (:func:`split_segments`), one row per segment, for
    themes, coding and quotes.

    A segment keeps every column of its answer (respondent id, file, profession, service…) and
    gets the ``answer_id`` ``"<id>/<k>"``; ``testimony_id`` is the id of the whole answer and
    ``segment`` its number (1, 2…). An answer that stays in one piece keeps its id, and rows
    that are not usable (empty, duplicate…) are kept as they are: nothing is lost, and the
    segments of a testimony joined in order give its text back (spaces aside).
    """
    if not len(answers):
        return answers.assign(testimony_id=pd.Series(dtype=object), segment=pd.Series(dtype=int))
    records = []
    for row in answers.to_dict("records"):
        answer_id = row["answer_id"]
        pieces = [row["text"]]
        if row.get("status", "ok") == "ok" and isinstance(row["text"], str):
            pieces = split_segments(row["text"], size, paragraphs=True) or [row["text"]]
        for k, piece in enumerate(pieces, start=1):
            records.append({**row, "answer_id": answer_id if len(pieces) == 1 else f"{answer_id}/{k}",
                            "text": piece, "testimony_id": answer_id, "segment": k})
    frame = pd.DataFrame.from_records(records, columns=[*answers.columns, "testimony_id", "segment"])
    frame.attrs.update(answers.attrs)
    return frame
