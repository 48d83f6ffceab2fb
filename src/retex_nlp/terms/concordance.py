"""Keyword in context: every occurrence of a term in the answers, with its left and right context."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd

from ..answers import ok_answers
from ..normalize import normalize_text
from ..text.analyzer import FrenchAnalyzer, default_analyzer

__all__ = ["concordance"]


def concordance(
    answers: pd.DataFrame | pd.Series | Sequence[str],
    query: str,
    *,
    width: int = 60,
    analyzer: FrenchAnalyzer | None = None,
    text: str = "text",
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``query`` as a term (its lemma, variants and
    expressions: "visio" finds "visios" and "visio-conférence"; "s'adapter" finds "nous nous
    adaptons"), with ``width`` characters of left and right context.

    Returns a DataFrame with ``answer_id`` (when known), ``left``, ``match``, ``right``.
    """
    analyzer = analyzer or default_analyzer()
    frame = ok_answers(answers, text)
    target = analyzer.term_of(query)
    texts = frame["text"].astype(str).tolist()
    ids = frame["answer_id"].tolist() if "answer_id" in frame.columns else list(range(len(frame)))
    records = []
    for answer_id, raw, tokens in zip(ids, texts, analyzer.transform(texts), strict=True):
        norm = None
        for t in tokens:
            if t.lemma == target or (t.pos != "MWE" and t.text.lower() == target):
                norm = norm if norm is not None else _flat(normalize_text(raw))
                left = norm[max(0, t.start - width):t.start]
                right = norm[t.end:t.end + width]
                records.append({"answer_id": answer_id, "left": left.rjust(width), "match": norm[t.start:t.end],
                                "right": right.ljust(width)})
    return pd.DataFrame(records, columns=["answer_id", "left", "match", "right"])


def _flat(text: str) -> str:
    return re.sub(r"\s", " ", text)
