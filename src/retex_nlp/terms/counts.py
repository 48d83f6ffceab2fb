"""Term counts: forms, lemmas, n-grams, one-word answers, per group; specificities of groups."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import pandas as pd
from sklearn.base import BaseEstimator

from ..answers import ok_answers, require_columns
from ..normalize import normalize_answer
from ..text.analyzer import UNITS, FrenchAnalyzer, default_analyzer
from ..text.spelling import restore_spelling
from .specificities import specificity_table

__all__ = ["term_frequencies", "specificities", "TermCounter", "TermCounts", "answer_terms"]

def _one_word_key(text: str, variants: dict[str, str]) -> str:
    key = normalize_answer(restore_spelling(text))  # "epuisant", "ÉPUISANT !" -> "épuisant"
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
    counter = TermCounter(unit, by, one_word=one_word, ngram_range=ngram_range, analyzer=analyzer, text=text)
    return counter.fit(answers).counts_.frequencies(min_count=min_count, top=top)


@dataclass
class TermCounts:
    """Term counts per group, mergeable: the result of counting a corpus, or a chunk of it.

    ``counts[g][term]`` occurrences, ``docs[g][term]`` answers using the term, ``n_answers[g]``
    answers counted, ``values[g]`` the ``by`` values of group key ``g`` (``""`` without groups).
    Two counts of disjoint chunks :meth:`merge` into the counts of the whole, exactly (integer
    sums), whatever the order: what makes chunked and distributed counting give the same result.
    """

    by: list[str] = field(default_factory=list)
    counts: dict[str, Counter] = field(default_factory=dict)
    docs: dict[str, Counter] = field(default_factory=dict)
    n_answers: Counter = field(default_factory=Counter)
    values: dict[str, tuple] = field(default_factory=dict)

    def add(self, groups: Sequence[str], values: Sequence[tuple], terms: Sequence[Sequence[str]]) -> TermCounts:
        """Count the terms of answers, each in its group."""
        members: dict[str, list[int]] = {}
        for i, (group, vals) in enumerate(zip(groups, values, strict=True)):
            members.setdefault(group, []).append(i)
            self.values.setdefault(group, vals)
        for group, idx in members.items():
            ts = [terms[i] for i in idx]
            self.n_answers[group] += len(idx)
            # Counter(iterable) counts in C: much faster than one update() per answer
            self.counts.setdefault(group, Counter()).update(Counter(chain.from_iterable(ts)))
            self.docs.setdefault(group, Counter()).update(Counter(chain.from_iterable(map(set, ts))))
        return self

    def merge(self, other: TermCounts) -> TermCounts:
        """Add ``other``'s counts to these (in place) and return them."""
        if other.by != self.by:
            raise ValueError(f"cannot merge counts grouped by {other.by} into counts grouped by {self.by}")
        self.n_answers.update(other.n_answers)
        for g, vals in other.values.items():
            self.values.setdefault(g, vals)
        for g, c in other.counts.items():
            self.counts.setdefault(g, Counter()).update(c)
        for g, c in other.docs.items():
            self.docs.setdefault(g, Counter()).update(c)
        return self

    def total(self) -> TermCounts:
        """The same counts with every group merged into one (the whole corpus)."""
        whole = TermCounts([], n_answers=Counter({"": sum(self.n_answers.values())}))
        for g in self.counts:
            whole.counts.setdefault("", Counter()).update(self.counts[g])
            whole.docs.setdefault("", Counter()).update(self.docs[g])
            whole.values[""] = ()
        return whole

    def frequencies(self, min_count: int = 1, top: int | None = None) -> pd.DataFrame:
        """One row per (group, term): ``count``, ``n_answers``, ``share_answers`` (see
        :func:`term_frequencies`), most frequent first."""
        by_cols = self.by
        parts = []
        for group in sorted(self.counts):
            c = self.counts[group]
            part = pd.DataFrame({"term": list(c.keys()), "count": list(c.values())})
            part["n_answers"] = part["term"].map(self.docs[group]).astype(int)
            part["share_answers"] = (part["n_answers"] / max(self.n_answers[group], 1)).round(4)
            part = part[part["count"] >= min_count].sort_values(["count", "term"], ascending=[False, True])
            if top:
                part = part.head(top)
            for i, col in enumerate(by_cols):
                part.insert(i, col, self.values[group][i])
            parts.append(part)
        columns = [*by_cols, "term", "count", "n_answers", "share_answers"]
        result = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
        result.attrs["n_answers"] = dict(self.n_answers) if by_cols else self.n_answers[""]
        return result

    def specificities(self, min_count: int = 3, top: int | None = None) -> pd.DataFrame:
        """Lafon specificities and log-likelihood of each group against the whole (see
        :func:`retex_nlp.specificities`); needs counts grouped by one variable."""
        if len(self.by) != 1:
            raise ValueError(f"specificities compare the groups of one variable; these counts are grouped by {self.by}")
        return specificity_table(self.counts, self.by[0], min_count=min_count, top=top)


class TermCounter(BaseEstimator):
    """Count terms chunk by chunk: ``partial_fit`` each chunk of answers, read ``counts_``.

    The estimator behind :func:`term_frequencies` and :func:`retex_nlp.specificities`, for
    corpora read in chunks (:func:`retex_nlp.iter_answers`) or counted on several workers
    (:mod:`retex_nlp.scale`). Parameters are those of :func:`term_frequencies`.
    """

    def __init__(
        self,
        unit: str = "lemma",
        by: str | Sequence[str] | None = None,
        *,
        one_word: bool = False,
        ngram_range: tuple[int, int] = (2, 3),
        analyzer: FrenchAnalyzer | None = None,
        text: str = "text",
    ) -> None:
        self.unit = unit
        self.by = by
        self.one_word = one_word
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.text = text

    def _by_cols(self) -> list[str]:
        return [self.by] if isinstance(self.by, str) else list(self.by or [])

    def fit(self, answers: pd.DataFrame | pd.Series | Sequence[str], y=None) -> TermCounter:
        """Count the terms of ``answers`` (forgetting earlier counts)."""
        self.counts_ = TermCounts(self._by_cols())
        return self.partial_fit(answers)

    def partial_fit(self, answers: pd.DataFrame | pd.Series | Sequence[str], y=None) -> TermCounter:
        """Add the terms of one more chunk of answers to ``counts_`` (created on the first call)."""
        counts = self.count(answers)
        if not hasattr(self, "counts_"):
            self.counts_ = TermCounts(self._by_cols())
        self.counts_.merge(counts)
        return self

    def count(self, answers: pd.DataFrame | pd.Series | Sequence[str]) -> TermCounts:
        """The counts of ``answers`` alone (``counts_`` is left as it is)."""
        if self.unit not in UNITS:
            raise ValueError(f"unité inconnue {self.unit!r} : {', '.join(UNITS)}")
        frame = ok_answers(answers, self.text)
        by_cols = self._by_cols()
        require_columns(frame, by_cols, "variable(s) introuvable(s) pour grouper")
        terms = answer_terms(frame, self.unit, one_word=self.one_word, analyzer=self.analyzer,
                             ngram_range=self.ngram_range)
        if by_cols:
            cells = frame[by_cols].astype(str)
            values = list(cells.itertuples(index=False, name=None))
            groups = [" | ".join(v) for v in values]
        else:
            values, groups = [()] * len(frame), [""] * len(frame)
        return TermCounts(by_cols).add(groups, values, terms)


def specificities(
    answers: pd.DataFrame,
    by: str,
    unit: str = "lemma",
    *,
    min_count: int = 3,
    top: int | None = None,
    one_word: bool = False,
    analyzer: FrenchAnalyzer | None = None,
    text: str = "text",
) -> pd.DataFrame:
    """Terms over- and under-used by each group of ``by`` compared with the whole corpus.

    Returns one row per (group, term) with ``count`` (in the group), ``total`` (in the corpus),
    ``expected`` (under independence), ``specificity`` (Lafon, signed) and ``loglik`` (signed
    log-likelihood), most specific first within each group. Terms seen fewer than ``min_count``
    times in the corpus are left out. ``top`` keeps the ``top`` most over-used and the ``top``
    most under-used terms of each group. See :mod:`retex_nlp.terms.specificities`.
    """
    frame = ok_answers(answers, text)
    require_columns(frame, [by], "variable introuvable pour comparer")
    counter = TermCounter(unit, by, one_word=one_word, analyzer=analyzer, text=text)
    return specificity_table(counter.fit(frame).counts_.counts, by, min_count=min_count, top=top)
