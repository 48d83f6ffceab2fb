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

Choices made by a person survive a re-run: :class:`QuoteChoices` (a small YAML file) pins
answers to put first and bans answers never to quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .agreement import split_codes
from .embed import Embedder, MemoEmbedder, get_embedder, unit_rows
from .privacy import Pseudonymizer
from .text.segment import split_sentences

__all__ = ["representative_quotes", "QuoteChoices", "attribution", "readability", "theme_assignments"]

_WORDS = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)
_FUNCTION_WORDS = set(["le", "la", "les", "l", "un", "une", "des", "du", "de", "d", "à", "au", "aux", "et", "ou", "mais", "donc", "or", "ni", "car", "que", "qu", "qui", "quoi", "dont", "où", "ce", "cet", "cette", "ces", "c", "il", "ils", "elle", "elles", "on", "je", "j", "tu", "nous", "vous", "me", "m", "te", "t", "se", "s", "lui", "leur", "leurs", "y", "en", "ne", "n", "pas", "plus", "son", "sa", "ses", "mon", "ma", "mes", "ton", "ta", "tes", "notre", "nos", "votre", "vos", "est", "sont", "était", "étaient", "a", "ont", "avait", "avaient", "être", "avoir", "fait", "été", "pour", "par", "avec", "sans", "sur", "sous", "dans", "chez", "entre", "très", "bien", "aussi", "tout", "tous", "toute", "toutes", "même", "comme", "si"])


@dataclass
class QuoteChoices:
    """Quotes a person pinned (put first in their theme) or banned (never quoted), by answer id.
    Saved as YAML next to the report so that a re-run keeps them."""

    pin: list[str] = field(default_factory=list)
    ban: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, path: str | Path) -> QuoteChoices:
        path = Path(path)
        if not path.exists():
            return cls()
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls([str(x) for x in data.get("pin") or []], [str(x) for x in data.get("ban") or []])

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text("# Citations épinglées (pin) et écartées (ban), par identifiant de réponse.\n"
                        + yaml.safe_dump({"pin": self.pin, "ban": self.ban}, allow_unicode=True), encoding="utf-8")
        return path


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


def theme_assignments(themes: pd.DataFrame) -> pd.DataFrame:
    """(answer_id, theme) pairs from a :class:`ThemeFinder` result (``theme_label``), a
    :class:`CodebookCoder` result (``codes``, several per answer) or any frame with
    ``answer_id`` and ``theme``. Unassigned answers (theme -1, ``autre``, empty) are left out."""
    if "codes" in themes.columns:
        values = themes["codes"]
    elif "theme_label" in themes.columns:
        values = themes["theme_label"].where(themes.get("theme", 0) != -1, "")
    elif "theme" in themes.columns:
        values = themes["theme"].astype(str).where(themes["theme"].astype(str) != "-1", "")
    else:
        raise KeyError(f"no 'codes', 'theme_label' or 'theme' column; columns are {list(themes.columns)}")
    pairs = [(str(a), t) for a, v in zip(themes["answer_id"], values, strict=True) for t in split_codes(v)
             if t and t != "autre" and not t.startswith("(")]
    return pd.DataFrame(pairs, columns=["answer_id", "theme"])


def _candidates(text: str, min_words: int, max_words: int) -> list[str]:
    """The quotable pieces of an answer: the whole answer when short enough, else runs of one to
    three consecutive whole sentences."""
    text = re.sub(r"[ \t]+", " ", text.strip())
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
    by: str | None = None,
    template: str | None = None,
    embedder: str | Embedder | None = "use",
    min_words: int = 12,
    max_words: int = 60,
    diversity: float = 0.3,
    choices: QuoteChoices | str | Path | None = None,
    pseudonymizer: Pseudonymizer | None | bool = True,
) -> pd.DataFrame:
    """Up to ``n`` quotes per theme (see the module docstring).

    ``answers`` has ``answer_id`` and ``text`` (and the variables used by ``by``/``template``);
    ``themes`` is what :class:`ThemeFinder.transform`, :class:`CodebookCoder.transform` or
    :class:`MixedCoder.fit_transform` returned for them. ``template`` defaults to ``"{by}"``.
    Returns ``theme``, ``rank``, ``quote``, ``attribution``, ``answer_id``, ``score``,
    ``centrality``, ``readability``, ``pinned`` (and ``group`` with ``by``).
    """
    if "answer_id" not in answers.columns:
        raise KeyError("answers need an 'answer_id' column (read them with read_answers)")
    if isinstance(choices, (str, Path)):
        choices = QuoteChoices.read(choices)
    choices = choices or QuoteChoices()
    banned = set(map(str, choices.ban))
    pinned = list(map(str, choices.pin))
    if template is None and by:
        template = "{" + by + "}"
    if pseudonymizer is True:
        pseudonymizer = Pseudonymizer()
    embedder = embedder if isinstance(embedder, MemoEmbedder) else MemoEmbedder(get_embedder(embedder))

    frame = answers.assign(answer_id=answers["answer_id"].astype(str)).drop_duplicates("answer_id").set_index("answer_id")
    if "status" in frame.columns:
        frame = frame[frame["status"] == "ok"]
    pairs = theme_assignments(themes)
    pairs = pairs[pairs["answer_id"].isin(frame.index)]
    columns = ["theme", "rank", "quote", "attribution", "answer_id", "score", "centrality", "readability", "pinned"]
    rows: list[dict] = []
    for theme, members in pairs.groupby("theme", sort=False):
        ids = members["answer_id"].drop_duplicates().tolist()
        texts = frame.loc[ids, "text"].astype(str).tolist()
        answer_emb = embedder.encode(texts)
        centroid = unit_rows(answer_emb.mean(axis=0, keepdims=True))[0]
        # only the answers nearest the centre are cut into pieces (pinned ones always)
        answer_sim = unit_rows(answer_emb) @ centroid
        keep = set(np.argsort(-answer_sim, kind="stable")[: max(8 * n, 40)].tolist())
        cands: list[tuple[str, str]] = []  # (answer_id, piece)
        for k, (answer_id, text) in enumerate(zip(ids, texts, strict=True)):
            if answer_id in banned or (k not in keep and answer_id not in pinned):
                continue
            cands += [(answer_id, piece) for piece in _candidates(text, min_words, max_words)]
        if not cands:
            continue
        emb = unit_rows(embedder.encode([c[1] for c in cands]))
        central = emb @ centroid
        read = np.array([readability(c[1], min_words, max_words) for c in cands])
        base = np.clip(central, 0, None) * read
        chosen = _select(cands, emb, base, n, diversity, frame, by, pinned)
        for rank, i in enumerate(chosen, start=1):
            answer_id, piece = cands[i]
            row = frame.loc[answer_id]
            rows.append({"theme": theme, "rank": rank, "quote": piece, "attribution": attribution(row, template),
                         "answer_id": answer_id, "score": round(float(base[i]), 4),
                         "centrality": round(float(central[i]), 4), "readability": float(read[i]),
                         "pinned": answer_id in pinned, **({"group": str(row.get(by))} if by else {})})
    result = pd.DataFrame(rows, columns=columns + (["group"] if by else []))
    replacements = pd.DataFrame(columns=["answer_id", "original", "placeholder", "rule", "start", "end"])
    if pseudonymizer and len(result):
        result["quote"], replacements = pseudonymizer.transform(result["quote"], ids=result["answer_id"])
        result["attribution"] = [pseudonymizer.pseudonymize(a)[0] for a in result["attribution"]]
    result.attrs["replacements"] = replacements
    return result


def _select(cands: list[tuple[str, str]], emb: np.ndarray, base: np.ndarray, n: int, diversity: float,
            frame: pd.DataFrame, by: str | None, pinned: list[str]) -> list[int]:
    """Pinned answers first, then maximal marginal relevance with one piece per answer and a
    penalty for groups already quoted."""
    chosen: list[int] = []
    used_answers: set[str] = set()
    group_count: dict[str, int] = {}
    groups = [str(frame.loc[a].get(by)) if by else "" for a, _ in cands]
    for pin in pinned:
        options = [i for i, (a, _) in enumerate(cands) if a == pin]
        if options and len(chosen) < n:
            best = max(options, key=lambda i: base[i])
            chosen.append(best)
            used_answers.add(pin)
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
            if by:
                value -= 0.15 * base.max() * group_count.get(groups[i], 0)
            if value > best_value + 1e-12:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        used_answers.add(cands[best][0])
        group_count[groups[best]] = group_count.get(groups[best], 0) + 1
    return chosen
