"""Representative quotes per theme: central, readable, diverse, attributed, pseudonymised.

:func:`representative_quotes` takes the answers (with their respondent variables) and what
themes or codes each answer got, and picks per theme up to ``n`` quotes that:

- are **central**: similar to the theme's centroid (mean embedding of its answers);
- are **readable**: whole sentences, about ``min_words`` to ``max_words`` words; long
  testimonies are cut to the one or two consecutive sentences that carry the theme, never in
  the middle of a sentence; answers in capitals, lists of keywords and fragments are pushed
  down;
- are **diverse**: maximal marginal relevance (no two quotes saying the same thing), and spread
  across the groups of ``by`` when it is given;
- carry their **attribution** from a template over the respondent variables
  (``"{profession}"`` -> "Assistante familiale");
- are **pseudonymised** (on by default), the replacements being listed in
  ``result.attrs["replacements"]``.

Choices made by a person survive a re-run: :class:`~retex_nlp.quotes.QuoteChoices` pins
quotes to put first and bans quotes never to show, **by their text**, so that every copy of a
banned answer stays out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..answers import assignment_pairs, split_codes
from ..embed import Embedder, embedding_model, unit_rows
from ..privacy import Pseudonymizer
from ..text.segment import split_sentences
from .choices import QuoteChoices

__all__ = ["representative_quotes", "attribution", "safe_attributions", "readability", "labels_in_result"]

_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_FUNCTION_WORDS = set(["le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "à", "au", "aux", "et", "ou", "mais", "donc", "or", "ni", "car", "que", "qu", "qui", "quoi", "dont", "où", "ce", "cet", "cette", "ces", "c", "il", "ils", "elle", "elles", "on", "je", "j", "tu", "nous", "vous", "me", "m", "te", "t", "se", "s", "lui", "leur", "leurs", "y", "en", "ne", "n", "pas", "plus", "son", "sa", "ses", "mon", "ma", "mes", "ton", "ta", "tes", "notre", "nos", "votre", "vos", "est", "sont", "était", "étaient", "a", "ont", "avait", "avaient", "être", "avoir", "fait", "été", "pour", "par", "avec", "sans", "sur", "sous", "dans", "chez", "entre", "très", "bien", "aussi", "tout", "tous", "toute", "toutes", "même", "comme", "si"])


def attribution(row: pd.Series | dict, template: str | None) -> str:
    """The attribution of a quote from its respondent variables: ``"{profession}, {service}"``.
    Missing or empty variables are dropped with their separator."""
    if not template:
        return ""
    fields = re.findall(r"{([^{}]+)}", template)
    values = {f: ("" if pd.isna(row.get(f)) else str(row.get(f)).strip()) for f in fields}
    text = template.format(**values)
    text = re.sub(r"\s*,\s*(?=,|$)", "", text)
    return re.sub(r"^\s*,\s*", "", re.sub(r"\s+", " ", text)).strip()


def safe_attributions(frame: pd.DataFrame, template: str | None, min_group: int = 5) -> pd.Series:
    """The attribution of each row of ``frame`` (respondents' answers) such that at least
    ``min_group`` respondents share it: when fewer share the full attribution
    (``"{profession}, {service}"``), the template's last fields are dropped one by one
    (``"{profession}"``); when even one field singles out fewer than ``min_group`` respondents,
    the attribution is left empty. Respondents are counted by ``respondent_id`` (else rows)."""
    if not template:
        return pd.Series("", index=frame.index, dtype=object)
    fields = re.findall(r"{([^{}]+)}", template)
    who = frame["respondent_id"].astype(str) if "respondent_id" in frame.columns else pd.Series(
        range(len(frame)), index=frame.index).astype(str)
    result = pd.Series("", index=frame.index, dtype=object)
    pending = pd.Series(True, index=frame.index)
    for k in range(len(fields), 0, -1):
        partial = template
        for f in fields[k:]:  # drop the last fields, with their separator
            partial = re.sub(r"[^{}]*{" + re.escape(f) + r"}", "", partial)
        labels = frame.apply(lambda row, t=partial: attribution(row, t), axis=1) if len(frame) else \
            pd.Series(dtype=object)
        sizes = pd.DataFrame({"label": labels, "who": who}).groupby("label")["who"].nunique()
        enough = labels.map(sizes).fillna(0) >= min_group
        take = pending & enough & (labels != "")
        result[take] = labels[take]
        pending &= ~take
        if not pending.any():
            break
    return result


def readability(text: str, min_words: int = 12, max_words: int = 60) -> float:
    """A 0-1 score: 1 for a well-formed sentence or two of the right length; lower for fragments,
    keyword lists, capitals, repeated punctuation, or lengths outside ``min_words``-``max_words``."""
    words = _WORDS.findall(text)
    n = len(words)
    if n == 0:
        return 0.0
    score = 1.0
    if n < min_words:
        score *= max(0.1, n / min_words) ** 1.5
    elif n > max_words:
        score *= max(0.1, max_words / n)
    letters = [c for c in text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) / len(letters) > 0.3:
        score *= 0.3  # shouting
    function = sum(w.lower() in _FUNCTION_WORDS for w in words) / n
    if n >= 6 and function < 0.15:
        score *= 0.4  # a list of keywords, not a sentence
    if re.search(r"[!?]{2,}|\.{4,}", text):
        score *= 0.7
    if text.count("\n") >= 2 or len(re.findall(r"(?m)^\s*[-•*]\s", text)) >= 2:
        score *= 0.5  # bullet list
    if text[:1].islower():
        score *= 0.8  # starts like a fragment
    return round(score, 4)


def labels_in_result(result: pd.DataFrame) -> dict[int, str]:
    """Theme id -> label, read from a result's ``theme_id`` and ``theme_label`` columns."""
    labels: dict[int, str] = {}
    for ids, names in zip(result["theme_id"], result.get("theme_label", pd.Series([""] * len(result))), strict=True):
        for t, name in zip(split_codes(ids), split_codes(names) or [""] * len(split_codes(ids)), strict=False):
            labels.setdefault(int(t), name)
    return labels


def _flat(text: str) -> str:
    return re.sub(r"[ \t]+", " ", str(text).strip())


def _candidates(text: str, min_words: int, max_words: int) -> list[str]:
    """The quotable pieces of an answer: the whole answer when short enough, else runs of one to
    three consecutive whole sentences."""
    text = _flat(text)
    if len(_WORDS.findall(text)) <= max_words:
        return [text]
    sentences = split_sentences(text)
    out = []
    for i in range(len(sentences)):
        for j in range(i + 1, min(i + 4, len(sentences) + 1)):
            piece = " ".join(sentences[i:j])
            if len(_WORDS.findall(piece)) > max_words and j > i + 1:
                break
            out.append(piece)
    return out or [text]


def representative_quotes(
    answers: pd.DataFrame,
    themes: pd.DataFrame,
    n: int = 5,
    *,
    by: str | Sequence[str] | None = None,
    template: str | None = None,
    embedder: str | Embedder | None = "use",
    cache_dir: str | Path | None = None,
    min_words: int = 12,
    max_words: int = 60,
    diversity: float = 0.3,
    choices: QuoteChoices | str | Path | None = None,
    pseudonymizer: Pseudonymizer | None | bool = True,
    min_group: int = 5,
    min_readability: float = 0.5,
    core: float = 0.25,
) -> pd.DataFrame:
    """Up to ``n`` quotes per theme (see the module docstring).

    ``answers`` has ``answer_id`` and ``text`` (and the columns used by ``by``/``template``);
    ``themes`` says which themes each answer is in (``answer_id``, ``theme_id``, ``theme_label``:
    what :class:`~retex_nlp.ThemeFinder`, :class:`~retex_nlp.CodebookCoder` and
    :class:`~retex_nlp.MixedCoder` return). ``by`` (one column or several) spreads the quotes
    across groups; ``template`` (any column of ``answers``, e.g. ``"{profession}, {service}"``)
    defaults to the ``by`` columns; an attribution shared by fewer than ``min_group``
    respondents is made coarser (:func:`safe_attributions`), so that nobody is recognised from
    it (``min_group=1`` keeps every attribution whole). Quotes come from the theme's core (its
    answers but the ``core`` share least similar to its centre), read well (readability at least
    ``min_readability``) and, when the answers of several questions are pooled, from the
    question most of the theme's answers come from; other pieces are used only when these run
    out. Returns ``theme_id``, ``theme_label``,
    ``rank``, ``quote``, ``attribution``, ``answer_id``, ``score``, ``centrality``,
    ``readability``, ``pinned``, ``whole_text`` (the whole answer when the quote is a piece
    of it, else empty) (and ``group`` with ``by``).
    """
    if "answer_id" not in answers.columns:
        raise KeyError("answers need an 'answer_id' column (read them with read_answers)")
    if isinstance(choices, (str, Path)):
        choices = QuoteChoices.read(choices)
    choices = choices or QuoteChoices()
    by_cols = [by] if isinstance(by, str) else list(by or [])
    if template is None and by_cols:
        template = ", ".join("{" + c + "}" for c in by_cols)
    if pseudonymizer is True:
        pseudonymizer = Pseudonymizer()
    embedder = embedding_model(embedder, cache_dir)

    frame = answers.assign(answer_id=answers["answer_id"].astype(str)).drop_duplicates("answer_id").set_index("answer_id")
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    labels = labels_in_result(themes)
    pairs = assignment_pairs(themes)
    pairs = pairs[pairs["answer_id"].isin(frame.index)]
    groups = (frame[by_cols].astype(str).agg(" | ".join, axis=1) if by_cols
              else pd.Series("", index=frame.index))
    attributions = safe_attributions(frame, template, min_group) if template else None
    columns = ["theme_id", "theme_label", "rank", "quote", "attribution", "answer_id", "score", "centrality",
               "readability", "pinned", "whole_text"]
    rows: list[dict] = []
    for theme, members in pairs.groupby("theme_id", sort=True):
        ids = members["answer_id"].drop_duplicates().tolist()
        texts = frame.loc[ids, "text"].astype(str).tolist()
        answer_emb = embedder.encode(texts)
        centroid = unit_rows(answer_emb.mean(axis=0, keepdims=True))[0]
        # only the answers nearest the centre are cut into pieces (pinned ones always)
        answer_sim = unit_rows(answer_emb) @ centroid
        keep = set(np.argsort(-answer_sim, kind="stable")[: max(8 * n, 40)].tolist())
        floor = float(np.quantile(answer_sim, core)) if len(ids) >= 8 else -np.inf
        in_core = {a for a, v in zip(ids, answer_sim, strict=True) if v >= floor}
        main_question = None
        if "open_question" in frame.columns:
            asked = frame.loc[ids, "open_question"].astype(str)
            top = asked.value_counts()
            if len(top) > 1 and top.iloc[0] >= 0.5 * len(ids):
                main_question = top.index[0]
                in_core &= set(asked.index[asked == main_question])
        cands: list[tuple[str, str]] = []  # (answer_id, piece)
        for k, (answer_id, text) in enumerate(zip(ids, texts, strict=True)):
            if choices.is_banned(text) or (k not in keep and not choices.is_pinned(text)):
                continue
            cands += [(answer_id, piece) for piece in _candidates(text, min_words, max_words)
                      if not choices.is_banned(piece)]
        if not cands:
            continue
        emb = unit_rows(embedder.encode([c[1] for c in cands]))
        central = emb @ centroid
        read = np.array([readability(c[1], min_words, max_words) for c in cands])
        base = np.clip(central, 0, None) * read
        # outside the theme's core, from another question, or hard to read: only if nothing else is left
        weak = np.array([a not in in_core or r < min_readability for (a, _), r in zip(cands, read, strict=True)])
        base = np.where(weak, base * 0.01, base)
        pinned = [i for i, (_, piece) in enumerate(cands) if choices.is_pinned(piece)]
        chosen = _select(cands, emb, base, n, diversity, [groups[a] for a, _ in cands], bool(by_cols), pinned)
        for rank, i in enumerate(chosen, start=1):
            answer_id, piece = cands[i]
            rows.append({"theme_id": int(theme), "theme_label": labels.get(int(theme), ""), "rank": rank,
                         "quote": piece, "attribution": attributions[answer_id] if attributions is not None else "",
                         "answer_id": answer_id,
                         "score": round(float(base[i]), 4), "centrality": round(float(central[i]), 4),
                         "readability": float(read[i]), "pinned": i in pinned,
                         "whole_text": "" if piece == _flat(frame.at[answer_id, "text"]) else
                         str(frame.at[answer_id, "text"]).strip(),
                         **({"group": groups[answer_id]} if by_cols else {})})
    result = pd.DataFrame(rows, columns=columns + (["group"] if by_cols else []))
    replacements = pd.DataFrame(columns=["answer_id", "original", "placeholder", "rule", "start", "end"])
    if pseudonymizer and len(result):
        result["quote"], replacements = pseudonymizer.transform(result["quote"], ids=result["answer_id"])
        result["whole_text"] = [pseudonymizer.pseudonymize(t)[0] if t else "" for t in result["whole_text"]]
        result["attribution"] = [pseudonymizer.pseudonymize(a)[0] for a in result["attribution"]]
    result.attrs["replacements"] = replacements
    return result


def _select(cands: list[tuple[str, str]], emb: np.ndarray, base: np.ndarray, n: int, diversity: float,
            groups: list[str], spread: bool, pinned: list[int]) -> list[int]:
    """Pinned pieces first (best first, one per answer), then maximal marginal relevance with one
    piece per answer and, when ``spread``, a penalty for groups already quoted."""
    chosen: list[int] = []
    used_answers: set[str] = set()
    group_count: dict[str, int] = {}
    for best in sorted(pinned, key=lambda i: -base[i]):
        if len(chosen) < n and cands[best][0] not in used_answers:
            chosen.append(best)
            used_answers.add(cands[best][0])
            group_count[groups[best]] = group_count.get(groups[best], 0) + 1
    while len(chosen) < n:
        best, best_value = -1, -np.inf
        for i, (a, _) in enumerate(cands):
            if a in used_answers:
                continue
            redundancy = max((float(emb[i] @ emb[j]) for j in chosen), default=0.0)
            if redundancy > 0.92:
                continue  # says the same thing as a chosen quote
            value = (1 - diversity) * base[i] - diversity * redundancy * base.max()
            if spread:
                value -= 0.15 * base.max() * group_count.get(groups[i], 0)
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used_answers.add(cands[best][0])
        group_count[groups[best]] = group_count.get(groups[best], 0) + 1
    return chosen
