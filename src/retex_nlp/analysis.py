"""The whole chain in one call: read, check, terms, themes or coding, quotes, pseudonymised report.

>>> report = rx.analyse("enquete.csv", text="difficultes", by=["profession"])
>>> report.themes, report.quotes, report.by_group["profession"]
>>> report.write("resultats/")       # report.html, report.xlsx, report.docx, answers_coded.csv…

This is what ``retex analyse`` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from .codebook import OTHER, Codebook, CodebookCoder
from .crosstab import theme_by_group
from .embed import Embedder, MemoEmbedder, get_embedder
from .io.read import read_answers, status_summary
from .mixed import MixedCoder
from .privacy import Pseudonymizer, strip_placeholders
from .quotes import QuoteChoices, representative_quotes
from .report import Report
from .specificities import specificities
from .terms import term_frequencies
from .themes import OUTLIER, ThemeFinder

__all__ = ["analyse"]


def analyse(
    data: pd.DataFrame | str | Path,
    text: str | Sequence[str] = "text",
    *,
    by: str | Sequence[str] | None = None,
    id: str | None = None,
    codebook: Codebook | str | Path | None = None,
    new_themes: bool = False,
    n_themes: int | None = None,
    embedder: str | Embedder | None = "use",
    n_quotes: int = 5,
    attribution: str | None = None,
    names: Sequence[str] | str | Path | None = None,
    pseudonymize: bool = True,
    mask_institutions: bool = False,
    choices: QuoteChoices | str | Path | None = None,
    title: str | None = None,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    **read_kwargs,
) -> Report:
    """Run the whole analysis and return a :class:`Report` (write it with :meth:`Report.write`).

    ``data`` is a file (any format :func:`read_answers` reads) or a DataFrame; ``text`` the
    open-question column; ``by`` the respondent variables to compare (service, profession…).
    With a ``codebook`` the answers are coded against it (``new_themes=True`` also looks for
    themes in the answers it leaves as ``autre``); without one, themes are found inductively
    (``n_themes`` to ask for a number). Quotes are attributed with ``attribution`` (a template
    such as ``"{profession}, {service}"``; default: the ``by`` variables) and, like every text
    of the report, pseudonymised (``names``: a list or file of names to always mask).
    ``choices`` is a YAML file of pinned/banned quotes (kept across re-runs).
    """
    say = progress or (lambda message: None)
    by = [by] if isinstance(by, str) else list(by or [])
    say("Lecture des réponses")
    answers = read_answers(data, text=text, id=id, variables=by or None, **read_kwargs)
    summary = status_summary(answers)
    n_ok = int((answers["status"] == "ok").sum())
    if n_ok == 0:
        raise ValueError(f"no answer to analyse in {answers.attrs.get('source', 'the data')}: "
                         + ", ".join(f"{s} {n}" for s, n in zip(summary["status"], summary["n"], strict=True)))
    shared = MemoEmbedder(get_embedder(embedder))

    # Pseudonymise first: every later step (terms, clouds, theme labels, quotes) sees no name.
    texts = answers["text"].fillna("").astype(str)
    replacements = pd.DataFrame(columns=["answer_id", "original", "placeholder", "rule", "start", "end"])
    if pseudonymize:
        say("Pseudonymisation")
        pseudo = Pseudonymizer(names, mask_institutions=mask_institutions)
        shown, replacements = pseudo.transform(texts, ids=answers["answer_id"])
        shown = pd.Series(shown, index=answers.index)
        work = answers.assign(text=shown.map(strip_placeholders))
    else:
        shown, work = texts, answers

    say("Termes")
    terms = term_frequencies(work, top=200)
    specs = specificities(work, by=by[0]) if by else pd.DataFrame()

    book = None
    if codebook is not None:
        say("Codage avec la grille")
        coder = CodebookCoder(codebook, shared, cache_dir=cache_dir, seed=seed)
        book = coder.codebook
        if new_themes:
            coded = MixedCoder(coder, seed=seed, cache_dir=cache_dir).fit_transform(work)
        else:
            coded = coder.transform(work)
        labels = coded["codes"].where(coded["status"] == "ok", "")
        labels = labels.where(labels != OTHER, "")
        themes = _code_table(labels, book, n_ok)
    else:
        say("Recherche des thèmes")
        finder = ThemeFinder(shared, n_themes=n_themes, seed=seed, cache_dir=cache_dir)
        coded = finder.fit_transform(work)
        labels = coded["theme_label"].where(coded["theme"] != OUTLIER, "")
        overview = finder.themes_
        themes = overview[overview["theme"] != OUTLIER].reset_index(drop=True)

    say("Citations représentatives")
    template = attribution if attribution is not None else (", ".join("{" + v + "}" for v in by) or None)
    assigned = pd.DataFrame({"answer_id": coded["answer_id"].to_numpy(), "codes": labels.to_numpy()})
    quotes = representative_quotes(answers.assign(text=shown), assigned, n=n_quotes, by=by[0] if by else None,
                                   template=template, embedder=shared, choices=choices, pseudonymizer=False)

    table = answers[["answer_id", "row", "status", "note", *by]].copy()
    if "question" in answers.columns and answers["question"].nunique() > 1:
        table.insert(3, "question", answers["question"])
    table["text"] = shown.to_numpy()
    table["themes"] = labels.to_numpy()
    for col in ("theme", "similarity", "reason"):
        if col in coded.columns:
            table[col] = coded[col].to_numpy()
    if codebook is not None:
        for col in [c for c in coded.columns if c.startswith("score_")]:
            table[col] = coded[col].to_numpy()

    by_group = {}
    ok_table = table[table["status"] == "ok"]
    for var in by:
        by_group[var] = theme_by_group(ok_table.assign(themes=ok_table["themes"].replace("", "(non classé)")), var,
                                       theme="themes")
    meta = {"source": answers.attrs.get("source", "DataFrame"), "question(s)": ", ".join(
        map(str, answers.attrs.get("text_columns", [text] if isinstance(text, str) else text))),
            "date": f"{datetime.now():%d/%m/%Y}", "méthode": "grille de codage" if codebook is not None else
            "thèmes trouvés dans les réponses (BERTopic)", "graine": seed,
            "plongements": shared.name}
    report = Report(title=title or "Analyse des réponses libres", answers=table, summary=summary, themes=themes,
                    quotes=quotes, terms=terms, specificities=specs, by_group=by_group,
                    codebook=book.to_frame() if book is not None else None, replacements=replacements, meta=meta)
    say("Graphiques")
    report.charts()
    return report


def _code_table(labels: pd.Series, book: Codebook, n_ok: int) -> pd.DataFrame:
    """Theme overview for codes: name, size, share of ok answers, description."""
    from .agreement import split_codes

    counts: dict[str, int] = {}
    for value in labels:
        for code in split_codes(value):
            counts[code] = counts.get(code, 0) + 1
    n = max(n_ok, 1)
    desc = {t.name: t.description for t in book.themes}
    names = [t.name for t in book.themes] + sorted(c for c in counts if c not in desc)
    rows = [{"theme": i, "label": name, "size": counts.get(name, 0), "share": round(counts.get(name, 0) / n, 4),
             "key_terms": "", "description": desc.get(name, "")}
            for i, name in enumerate(names)]
    return pd.DataFrame(rows)
