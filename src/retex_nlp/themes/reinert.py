"""IRaMuTeQ's lexicometry on the project's French analysis: Reinert classes and their profiles.

>>> result = rx.reinert(answers, k=10, by=["profession"])
>>> result.classes        # class, segments, share, top terms
>>> result.profiles       # per class and term: segments of the class / of the corpus with it, %, chi2, p
>>> result.modalities     # the same for the respondents' variables (*profession_psychologue…)
>>> result.typical        # each class's most typical segments

Corpus preparation, as IRaMuTeQ does it:

- long answers are cut into text segments of about ``segment_size`` words at sentence ends
  (:func:`retex_nlp.split_segments`); short answers stay one segment each;
- each segment is analysed by the project's :class:`~retex_nlp.FrenchAnalyzer`: lemmas and
  multiword expressions; **active forms** are nouns, proper nouns, verbs, adjectives, adverbs
  and expressions, **supplementary forms** the other words (function words, and negations and
  intensifiers such as "pas", "plus", "très", as IRaMuTeQ's dictionary has them), profiled but
  not classified; the respondents' variables are supplementary too (IRaMuTeQ's star variables);
- an active form is kept when present in at least ``min_freq`` segments (3).

The classification is :class:`~retex_nlp.ReinertCHD` on the segments x active forms
presence table. A class's profile lists, for each form, the segments of the class containing it,
the segments of the corpus containing it, the percentage, and the signed chi-squared of the
2 x 2 table (in the class or not x containing the form or not) with its p-value; the most typical
segments of a class are those whose forms' chi-squared values add up highest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import chi2 as chi2_distribution

from ..answers import RESERVED, ok_answers, require_columns
from ..privacy import Pseudonymizer, strip_placeholders
from ..privacy.columns import mask_user_columns
from ..terms.afc import correspondence_analysis
from ..terms.concordance import concordance
from ..terms.keyness import class_keyness, document_term_matrix
from ..terms.similitudes import similitudes
from ..text.analyzer import FrenchAnalyzer, default_analyzer
from ..text.lexicon import NEGATIONS_AND_INTENSIFIERS
from ..text.segment import segment_answers
from .chd import ReinertCHD

__all__ = ["reinert", "ReinertResult", "ACTIVE_POS", "presence_chi2", "presence_profiles"]

#: Universal POS tags of IRaMuTeQ's active forms (``MWE``: the lexicon's multiword expressions).
ACTIVE_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "MWE"})


def presence_chi2(in_class: np.ndarray, total: np.ndarray, n_class: int, n_total: int) -> tuple[np.ndarray, np.ndarray]:
    """Signed chi-squared and p of the 2 x 2 table (segments of the class or not x containing the
    form or not), for arrays of forms: ``in_class`` segments of the class containing each form,
    ``total`` segments of the corpus containing it. Positive: over-represented in the class."""
    a = np.asarray(in_class, dtype=float)
    b = np.asarray(total, dtype=float) - a
    c = n_class - a
    d = (n_total - n_class) - b
    n = float(n_total)
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = n * (a * d - b * c) ** 2 / ((a + b) * (c + d) * (a + c) * (b + d))
    chi2 = np.nan_to_num(chi2)
    expected = (a + b) * n_class / n
    signed = np.where(a >= expected, chi2, -chi2)
    return signed, 1 - chi2_distribution.cdf(chi2, 1)


def presence_profiles(presence, groups: dict, names: Sequence[str], *, max_p: float = 0.05) -> pd.DataFrame:
    """Each group's forms by decreasing signed chi-squared (ties by name), ``p <= max_p``: for the
    units (segments, answers) of ``presence`` (units x forms, 0/1) and ``groups`` (name -> boolean
    mask over the units; a unit may be in several), ``class``, ``rank``, ``term``, ``in_group`` (units
    of the group with the form), ``total`` (units with it), ``percent``, ``chi2``, ``p``."""
    matrix = sp.csr_matrix(presence)
    total = np.asarray(matrix.sum(axis=0)).ravel()
    names = np.asarray(names, dtype=object)
    parts = []
    for value, inside in groups.items():
        in_group = np.asarray(matrix[inside].sum(axis=0)).ravel()
        chi2, p = presence_chi2(in_group, total, int(inside.sum()), matrix.shape[0])
        keep = np.flatnonzero((in_group > 0) & (p <= max_p))
        keep = keep[np.lexsort((names[keep].astype(str), -chi2[keep]))]
        parts.append(pd.DataFrame({
            "class": value, "rank": np.arange(1, len(keep) + 1), "term": names[keep],
            "in_group": in_group[keep].astype(int), "total": total[keep].astype(int),
            "percent": 100 * in_group[keep] / np.maximum(total[keep], 1), "chi2": chi2[keep], "p": p[keep]}))
    columns = ["class", "rank", "term", "in_group", "total", "percent", "chi2", "p"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)


@dataclass
class ReinertResult:
    """What :func:`reinert` computed (see the module docstring)."""

    segments: pd.DataFrame  #: segment_id, answer_id, text, class (0: unclassified), the answers' columns
    counts: sp.csr_matrix  #: segments x active forms, presence
    features: list[str]  #: the active forms (columns of ``counts``)
    chd: ReinertCHD  #: the fitted classification
    supplementary: sp.csr_matrix  #: segments x supplementary forms, presence
    supplementary_features: list[str]
    by: list[str] = field(default_factory=list)

    def partition(self, k: int | None = None) -> np.ndarray:
        """Each segment's class at level ``k`` (default: the last one), 0 for unclassified."""
        return self.chd.labels_ if k is None else self.chd.partition(k)

    @cached_property
    def classes(self) -> pd.DataFrame:
        """``class``, ``segments``, ``share`` (of classified segments), ``answers``, ``top_terms``."""
        labels = self.partition()
        classified = int((labels > 0).sum())
        prof = self.profiles
        rows = []
        for value in range(1, self.chd.n_clusters_ + 1):
            inside = labels == value
            top = prof[(prof["class"] == value) & (prof["chi2"] > 0)].head(8)["term"].tolist()
            rows.append({"class": value, "segments": int(inside.sum()), "share": round(inside.sum() / max(classified, 1), 4),
                         "answers": int(self.segments.loc[inside, "answer_id"].nunique()), "top_terms": ", ".join(top)})
        return pd.DataFrame(rows, columns=["class", "segments", "share", "answers", "top_terms"])

    def _profile(self, matrix: sp.csr_matrix, names: Sequence[str], kind: str, max_p: float) -> pd.DataFrame:
        labels = self.partition()
        classified = labels > 0
        groups = {value: labels[classified] == value for value in range(1, self.chd.n_clusters_ + 1)}
        table = presence_profiles(matrix[classified], groups, names, max_p=max_p)
        table = table.rename(columns={"in_group": "segments_in_class", "total": "segments_total"})
        table.insert(3, "kind", kind)
        return table.round({"percent": 2, "chi2": 3})

    @cached_property
    def profiles(self) -> pd.DataFrame:
        """Each class's active forms by decreasing chi-squared (over-represented first), with
        ``p <= 0.05``: ``class``, ``rank``, ``term``, ``kind``, ``segments_in_class``,
        ``segments_total``, ``percent``, ``chi2`` (signed), ``p``."""
        return self._profile(self.counts, self.features, "active", 0.05)

    @cached_property
    def supplementary_profiles(self) -> pd.DataFrame:
        """The same for the supplementary forms (function words)."""
        return self._profile(self.supplementary, self.supplementary_features, "supplementary", 0.05)

    @cached_property
    def modalities(self) -> pd.DataFrame:
        """The same for the respondents' variables: which modalities (``*variable_modality``)
        over- or under-represent each class."""
        if not self.by:
            return pd.DataFrame(columns=["class", "rank", "term", "kind", "segments_in_class", "segments_total",
                                         "percent", "chi2", "p", "variable", "modality"])
        columns, names, pairs = [], [], {}
        for variable in self.by:
            values = self.segments[variable].fillna("").astype(str)
            for modality in sorted(set(values) - {""}):
                columns.append((values == modality).to_numpy())
                names.append(f"*{variable}_{modality}")
                pairs[names[-1]] = (variable, modality)
        matrix = sp.csr_matrix(np.column_stack(columns).astype(float))
        table = self._profile(matrix, names, "variable", 1.0)
        table["variable"] = [pairs[t][0] for t in table["term"]]
        table["modality"] = [pairs[t][1] for t in table["term"]]
        return table

    def typical(self, n: int = 10) -> pd.DataFrame:
        """Each class's ``n`` most typical segments: the sum of the positive chi-squared values of
        the class's forms they contain (``score``)."""
        labels = self.partition()
        prof = self.profiles
        index = {t: j for j, t in enumerate(self.features)}
        rows = []
        for value in range(1, self.chd.n_clusters_ + 1):
            weights = np.zeros(len(self.features))
            positive = prof[(prof["class"] == value) & (prof["chi2"] > 0)]
            weights[[index[t] for t in positive["term"]]] = positive["chi2"].to_numpy()
            members = np.flatnonzero(labels == value)
            scores = np.asarray(self.counts[members] @ weights).ravel()
            for rank, k in enumerate(np.argsort(-scores, kind="stable")[:n], start=1):
                seg = self.segments.iloc[members[k]]
                rows.append({"class": value, "rank": rank, "segment_id": seg["segment_id"],
                             "answer_id": seg["answer_id"], "score": round(float(scores[k]), 2), "text": seg["text"]})
        return pd.DataFrame(rows, columns=["class", "rank", "segment_id", "answer_id", "score", "text"])

    def keyness(self, n_terms: int | None = 30, show_negative: bool = True) -> pd.DataFrame:
        """The classes' forms by rainette's statistic (chi-squared on counts, Yates when an
        expected count is under 5; see :func:`retex_nlp.class_keyness`)."""
        return class_keyness(self.counts, self.partition(), self.features, n_terms=n_terms,
                             show_negative=show_negative)

    def concordance(self, term: str, cls: int, width: int = 60, analyzer: FrenchAnalyzer | None = None
                    ) -> pd.DataFrame:
        """Keyword in context inside class ``cls``: every occurrence of ``term`` (its lemma,
        variants, expressions) in the class's segments: ``segment_id``, ``left``, ``match``, ``right``."""
        members = self.segments[self.partition() == cls]
        frame = pd.DataFrame({"answer_id": members["segment_id"].to_numpy(), "text": members["text"].to_numpy()})
        found = concordance(frame, term, width=width, analyzer=analyzer)
        return found.rename(columns={"answer_id": "segment_id"})

    def afc(self, n_terms: int = 40, min_class_size: int = 10) -> dict[str, pd.DataFrame]:
        """Correspondence analysis of the classes x forms table (segments of each class containing
        each form), on the ``n_terms`` most over-represented forms of each class, the respondents'
        modalities projected as supplementary columns: ``{"classes", "terms", "modalities",
        "eigenvalues", "left_out"}`` (coordinates ``dim1``, ``dim2``; a term's ``class`` is the one it
        is most over-represented in). Classes of fewer than ``min_class_size`` segments (a rare
        word's two or three segments) are left out: they would take the axes to themselves."""
        labels = self.partition()
        sizes = np.bincount(labels, minlength=self.chd.n_clusters_ + 1)
        classes = [c for c in range(1, self.chd.n_clusters_ + 1) if sizes[c] >= min_class_size]
        left_out = [c for c in range(1, self.chd.n_clusters_ + 1) if sizes[c] < min_class_size]
        if len(classes) < 2:
            classes, left_out = list(range(1, self.chd.n_clusters_ + 1)), []
        prof = self.profiles
        chosen = prof[(prof["chi2"] > 0) & prof["class"].isin(classes)].groupby("class").head(n_terms)
        chosen = chosen.sort_values("chi2", ascending=False).drop_duplicates("term")
        index = [self.features.index(t) for t in chosen["term"]]
        table = np.vstack([np.asarray(self.counts[labels == c][:, index].sum(axis=0)).ravel() for c in classes])
        supplementary = None
        names: list[str] = []
        if self.by:
            columns = []
            for variable in self.by:
                values = self.segments[variable].fillna("").astype(str).to_numpy()
                for modality in sorted(set(values) - {""}):
                    columns.append([int(((labels == c) & (values == modality)).sum()) for c in classes])
                    names.append(f"*{variable}_{modality}")
            supplementary = np.array(columns, dtype=float).T
        ca = correspondence_analysis(table, supplementary_columns=supplementary)
        rows = ca["rows"].assign(**{"class": list(classes), "segments": table.sum(axis=1)})
        terms = ca["columns"].assign(term=chosen["term"].to_numpy(), **{"class": chosen["class"].to_numpy()},
                                     chi2=chosen["chi2"].to_numpy())
        modalities = (ca["supplementary"].assign(modality=names) if supplementary is not None
                      else pd.DataFrame(columns=["dim1", "dim2", "modality"]))
        return {"classes": rows, "terms": terms, "modalities": modalities, "eigenvalues": ca["eigenvalues"],
                "left_out": left_out}

    def similitudes(self, n_terms: int = 60, measure: str = "cooccurrence") -> nx.Graph:
        """The similitudes graph of the corpus's ``n_terms`` most frequent active forms (see
        :func:`retex_nlp.similitudes`)."""
        return similitudes(self.counts, self.features, n_terms=n_terms, measure=measure, seed=self.chd.seed)


def reinert(
    answers: pd.DataFrame,
    k: int = 10,
    *,
    by: str | Sequence[str] | None = None,
    segment_size: int = 40,
    min_freq: int = 3,
    min_split_members: int = 10,
    cc_test: float = 0.3,
    tsj: int = 3,
    seed: int = 0,
    analyzer: FrenchAnalyzer | None = None,
    pseudonymize: bool = True,
    names: Sequence[str] | str | None = None,
) -> ReinertResult:
    """Segment, lemmatise and classify the ``ok`` answers with Reinert's method (see the module
    docstring); ``by``: the respondents' variables profiled with the classes. The texts are
    pseudonymised first (``names``: names to always mask), and the placeholders ([Prénom]…) are
    not counted as forms; so are the answers' other columns that identify a respondent or hold
    free text (:func:`~retex_nlp.privacy.columns.mask_user_columns`)."""
    by = [by] if isinstance(by, str) else list(by or [])
    analyzer = analyzer or default_analyzer()
    ok = ok_answers(answers)
    require_columns(ok, by, "variable(s) introuvable(s) pour profiler les classes")
    if pseudonymize:  # segments are quoted: names, places and contacts masked before anything else
        masker = Pseudonymizer(names).fit()
        shown, _ = masker.transform(ok["text"].astype(str), ids=ok["answer_id"])
        ok = ok.assign(text=list(shown))
        # and the file's other columns: a name or an e-mail column masked, a comment column pseudonymised
        masked, done = mask_user_columns(ok, [c for c in ok.columns if c not in RESERVED], masker, keep=by)
        ok = ok.assign(**{c: masked[c] for c in done})
    segments = segment_answers(ok, method="words", size=segment_size)
    tokens = analyzer.transform([strip_placeholders(t) for t in segments["text"].tolist()])
    def is_active(t) -> bool:  # negations and intensifiers ("pas", "plus", "très") are supplementary
        return t.is_content and t.pos in ACTIVE_POS and t.lemma.lower() not in NEGATIONS_AND_INTENSIFIERS

    active = [[t.lemma for t in ts if is_active(t)] for ts in tokens]
    function = [[t.lemma.lower() for t in ts if not is_active(t) and t.text.isalpha()] for ts in tokens]
    counts, features = document_term_matrix(active, min_docfreq=min_freq)
    counts.data[:] = 1.0
    supplementary, sup_features = document_term_matrix(function, min_docfreq=min_freq)
    supplementary.data[:] = 1.0
    chd = ReinertCHD(k, min_split_members=min_split_members, cc_test=cc_test, tsj=tsj, seed=seed).fit(counts)
    segments["class"] = chd.labels_
    return ReinertResult(segments, counts, features, chd, supplementary, sup_features, by)
