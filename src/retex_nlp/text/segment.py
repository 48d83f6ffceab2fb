"""Split long testimonies into sentences or ~40-word segments, each linked to its answer."""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["split_sentences", "split_segments", "segment_answers"]

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


def split_segments(text: str, size: int = 40) -> list[str]:
    """IRaMuTeQ-style segments of about ``size`` words: whole sentences are grouped until a
    segment reaches ``size`` words; a sentence longer than 1.5 x ``size`` is cut at the comma or
    semicolon nearest to ``size`` words (or at ``size`` words when it has none)."""
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
