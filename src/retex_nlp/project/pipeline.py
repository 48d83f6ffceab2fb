"""The whole chain: read -> pseudonymise -> terms -> themes or coding -> a project to work on.

>>> project = rx.analyse("enquete.csv", text="difficultes", by=["profession"], out="projet/")
>>> project.themes, project.quotes, project.by_group["profession"]

:class:`AnalysisPipeline` is the chain as a scikit-learn estimator whose steps are the public
estimators (a :class:`~retex_nlp.Pseudonymizer`, a theme method: :class:`~retex_nlp.ThemeFinder`,
:class:`~retex_nlp.CodebookCoder` or :class:`~retex_nlp.MixedCoder`), which it keeps fitted;
:func:`analyse` reads the answers, fits it and returns the :class:`~retex_nlp.Project`. This is
what ``retex analyse`` runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from ..answers import STATUS_LABELS_FR, assignment_pairs, ok_answers, require_columns
from ..coding import Codebook, CodebookCoder, MixedCoder, read_codes
from ..embed import Embedder
from ..errors import RetexInputError
from ..io.read import read_answers, status_summary
from ..privacy import Pseudonymizer, strip_placeholders
from ..terms import TermCounts
from ..text.analyzer import FrenchAnalyzer, default_analyzer
from ..text.segment import is_testimony_corpus, segment_testimonies
from ..themes import ThemeFinder
from .project import Project

__all__ = ["AnalysisPipeline", "analyse"]

_REPLACEMENT_COLUMNS = ["answer_id", "original", "placeholder", "rule", "start", "end"]


class AnalysisPipeline(BaseEstimator):
    """Pseudonymise, count terms, find themes or code: the analysis as one estimator.

    Parameters
    ----------
    method:
        The theme method, an unfitted estimator with ``fit_transform(answers)`` giving
        ``answer_id``/``theme_id``/``theme_label`` (default: ``ThemeFinder()``). It is cloned:
        the fitted one is ``method_``.
    pseudonymizer:
        A :class:`Pseudonymizer` (default one when ``None``), or ``False`` to keep the texts.
        Pseudonymisation comes first: no name reaches a term, a label or a quote.
    by:
        Respondent variables whose groups are compared (term specificities).
    n_terms:
        How many of the most frequent terms the project keeps for its report.
    analyzer:
        The French analyser (default: the shared one).
    codes:
        Hand-coded answers (``answer_id -> "theme a;theme b"``) a :class:`CodebookCoder` learns
        from (see :meth:`CodebookCoder.fit`).
    """

    def __init__(self, method: BaseEstimator | None = None, *, pseudonymizer: Pseudonymizer | bool | None = None,
                 by: str | Sequence[str] | None = None, n_terms: int = 200,
                 analyzer: FrenchAnalyzer | None = None, codes: dict | None = None) -> None:
        self.method = method
        self.pseudonymizer = pseudonymizer
        self.by = by
        self.n_terms = n_terms
        self.analyzer = analyzer
        self.codes = codes

    def fit(self, answers: pd.DataFrame, y=None, *, progress: Callable[[str], None] | None = None) -> AnalysisPipeline:
        say = progress or (lambda message: None)
        by = [self.by] if isinstance(self.by, str) else list(self.by or [])
        require_columns(answers, by, "variable(s) --by introuvable(s)")
        n_ok = int((answers["status"] == "ok").sum())
        if n_ok == 0:
            summary = status_summary(answers)
            raise RetexInputError("aucune réponse exploitable à analyser (" + ", ".join(
                f"{STATUS_LABELS_FR.get(s, s)} : {n}" for s, n in zip(summary["status"], summary["n"], strict=True))
                + ")",
                path=answers.attrs.get("source"))
        texts = answers["text"].fillna("").astype(str)
        if self.pseudonymizer is not False:
            say("Pseudonymisation")
            self.pseudonymizer_ = clone(self.pseudonymizer) if self.pseudonymizer is not None else Pseudonymizer()
            shown, replacements = self.pseudonymizer_.fit().transform(texts, ids=answers["answer_id"])
            self.shown_ = pd.Series(shown, index=answers.index, dtype=object)
            self.replacements_ = replacements
        else:
            self.shown_ = texts
            self.replacements_ = pd.DataFrame(columns=_REPLACEMENT_COLUMNS)
        self.analysed_ = self.shown_.map(strip_placeholders)
        work = answers.assign(text=self.analysed_.to_numpy())

        say("Termes")
        ok = ok_answers(work)
        analyzer = self.analyzer or default_analyzer()
        terms = analyzer.terms(ok["text"].astype(str).tolist())
        self.answer_terms_ = pd.DataFrame({"answer_id": ok["answer_id"].astype(str).to_numpy(),
                                           "terms": [" ".join(t.replace(" ", "_") for t in ts) for ts in terms]})
        whole = TermCounts([]).add([""] * len(ok), [()] * len(ok), terms)
        self.terms_ = whole.frequencies(top=self.n_terms)
        parts = []
        for var in by:
            values = ok[var].fillna("").astype(str).tolist()
            counts = TermCounts([var]).add(values, [(v,) for v in values], terms)
            spec = counts.specificities(top=30)
            parts.append(spec.rename(columns={var: "group"}).assign(variable=var))
        self.specificities_ = (pd.concat(parts, ignore_index=True)[["variable", "group", *parts[0].columns[1:-1]]]
                               if parts else pd.DataFrame())

        say("Thèmes / codage")
        self.method_ = clone(self.method) if self.method is not None else ThemeFinder()
        if self.codes:
            if not isinstance(self.method_, CodebookCoder):
                raise RetexInputError("l'apprentissage sur des réponses codées à la main demande une grille de codage "
                                      "(sans --new-themes pour l'instant)")
            self.assigned_ = self.method_.fit(work, self.codes).transform(work)
        else:
            self.assigned_ = self.method_.fit_transform(work)
        return self

    def themes_table(self) -> pd.DataFrame:
        """The themes the method found or was given: ``theme_id``, ``label``, ``user_label``
        (a person's name: the codebook's), ``description``, ``origin``."""
        method = self.method_
        if isinstance(method, MixedCoder):
            table = method.themes_
            new = table["theme_id"] >= len(method.coder_.codebook_.themes)
            return table.assign(user_label=True, origin=np.where(new, "nouveau", "grille"))
        if isinstance(method, CodebookCoder):
            return method.themes_.assign(user_label=True, origin="grille")
        themes = method.themes_
        return pd.DataFrame({"theme_id": themes["theme_id"], "label": themes["label"], "user_label": False,
                             "description": "", "origin": "analyse"})

    def pairs(self) -> pd.DataFrame:
        """``(answer_id, theme_id)`` for every ok answer in a theme."""
        return assignment_pairs(self.assigned_[self.assigned_["status"] == "ok"])

    def to_project(self, answers: pd.DataFrame, settings: dict) -> Project:
        """The project of this fitted analysis of ``answers``."""
        texts = pd.DataFrame({"answer_id": answers["answer_id"].to_numpy(), "shown": self.shown_.to_numpy(),
                              "analysed": self.analysed_.to_numpy()})
        embedder = getattr(self.method_, "embedder_", None) or getattr(getattr(self.method_, "coder_", None),
                                                                       "embedder_", None)
        settings = {**settings, "embedder_name": embedder.name if embedder is not None else ""}
        agreement = getattr(self.method_, "report_", None)
        return Project(answers, texts, settings, self.themes_table(), self.pairs(), terms=self.terms_,
                       specificities=self.specificities_, answer_terms=self.answer_terms_,
                       replacements=self.replacements_, model=self.method_, embedder=embedder,
                       agreement=agreement)


def analyse(
    data: pd.DataFrame | str | Path | Sequence[str | Path],
    text: str | Sequence[str] | None = "text",
    *,
    by: str | Sequence[str] | None = None,
    id: str | None = None,
    codebook: Codebook | str | Path | None = None,
    new_themes: bool = False,
    train: str | Path | Sequence[str | Path] | None = None,
    n_themes: int | None = None,
    clusterer: str = "hdbscan",
    embedder: str | Embedder | None = "use",
    n_quotes: int = 5,
    attribution: str | None = None,
    names: Sequence[str] | str | Path | None = None,
    pseudonymize: bool = True,
    mask_institutions: bool = False,
    pinned: Sequence[str] = (),
    banned: Sequence[str] = (),
    title: str | None = None,
    segments: bool | None = None,
    segment_size: int = 40,
    seed: int = 0,
    cache_dir: str | Path | None = None,
    out: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    **read_kwargs,
) -> Project:
    """Run the whole analysis and return a :class:`~retex_nlp.Project` to read, edit and render.

    ``data`` is a file, several files, or a DataFrame; ``text`` the open-question column(s);
    ``id`` the respondent id column (a column named ``id`` is used when there is one). Every
    column of the file is kept (attributions may use any of them); ``by`` names the variables
    whose groups are compared (specificities, theme x group tables, quotes spread across them).
    With a ``codebook`` the answers are coded against it (``new_themes=True`` also looks for
    themes among the answers it leaves out); without one, themes are found in the answers
    (``n_themes`` to ask for a number, ``clusterer`` to choose the method). Quotes are
    attributed with ``attribution`` (a template such as ``"{profession}, {service}"``; default:
    the ``by`` variables) and, like every text of the report, pseudonymised (``names``: names
    to always mask). ``pinned``/``banned``: quote texts to put first / never show.
    With ``out`` the project is saved there and its report rendered in ``out/rapport/``; the
    embedding cache then defaults to ``out/cache``. ``train``: files of hand-coded answers (id
    + ``codes``, rounds in order) the codebook coder learns from; the project keeps a copy of
    each round and the cross-validated agreement. ``segments``: cut long testimonies into
    segments of whole sentences (about ``segment_size`` words) that are themed, coded and quoted
    one by one, each linked to its testimony (``testimony_id``) and its metadata; ``None``
    decides (:func:`~retex_nlp.text.segment.is_testimony_corpus`: a folder of .txt files, or
    answers of 80 words or more).
    """
    say = progress or (lambda message: None)
    by_cols = [by] if isinstance(by, str) else list(by or [])
    say("Lecture des réponses")
    answers = read_answers(data, text=text, id=id, **read_kwargs)
    segmented = None
    if segments or (segments is None and is_testimony_corpus(answers)):
        answers = segment_testimonies(answers, segment_size)
        pieces = answers[answers["status"] == "ok"].groupby("testimony_id")["segment"].size()
        segmented = {"size": segment_size, "testimonies": int((pieces > 1).sum()),
                     "segments": int(pieces[pieces > 1].sum()), "whole": int((pieces == 1).sum())}
    if cache_dir is None and out is not None:
        cache_dir = Path(out) / "cache"
    if codebook is not None:
        coder = CodebookCoder(codebook, embedder, seed=seed, cache_dir=cache_dir)
        method: BaseEstimator = MixedCoder(coder, seed=seed, cache_dir=cache_dir) if new_themes else coder
        kind, label = ("mixed", "grille de codage et nouveaux thèmes") if new_themes else ("codebook", "grille de codage")
    else:
        method = ThemeFinder(embedder, clusterer=clusterer, n_themes=n_themes, seed=seed, cache_dir=cache_dir)
        kind, label = "themes", f"thèmes trouvés dans les réponses ({clusterer})"
    pseudonymizer = Pseudonymizer(names, mask_institutions=mask_institutions) if pseudonymize else False
    rounds = [] if train is None else [Path(train)] if isinstance(train, (str, Path)) else [Path(t) for t in train]
    codes = None
    if rounds:
        if codebook is None:
            raise RetexInputError("train= demande une grille de codage (codebook=)")
        book = codebook if isinstance(codebook, Codebook) else Codebook.read(codebook)
        codes = read_codes(rounds, id_col=answers.attrs.get("id_column"), themes=book)
        if segmented:  # hand codes of whole testimonies cannot teach a coder of segments
            whole = sorted(set(map(str, codes)) - set(answers["answer_id"].astype(str))
                           & set(answers["testimony_id"].astype(str)))
            if whole:
                raise RetexInputError(
                    f"{len(whole)} témoignage(s) codé(s) en entier ({', '.join(whole[:3])}) alors que les textes sont "
                    "découpés en segments : codez les segments (identifiants « témoignage/numéro », comme dans le "
                    "fichier à revoir) ou relancez avec --no-segments", path=rounds[-1])
        codes.require(answers)
    pipeline = AnalysisPipeline(method, pseudonymizer=pseudonymizer, by=by_cols, codes=codes).fit(answers, progress=say)
    cache_setting = None
    if cache_dir is not None:
        cache_setting = str(cache_dir)
        if out is not None and Path(cache_dir).resolve().parent == Path(out).resolve():
            cache_setting = Path(cache_dir).name  # inside the project: relative, the folder can move
    settings = {
        "sources": [str(s) for s in (data if isinstance(data, (list, tuple)) else [data])
                    if not isinstance(s, pd.DataFrame)],
        "text_columns": answers.attrs.get("text_columns", []), "id_column": answers.attrs.get("id_column"),
        "by": by_cols, "attribution": attribution if attribution is not None else (
            ", ".join("{" + v + "}" for v in by_cols) or None),
        "method": kind, "method_label": label, "seed": seed, "n_quotes": n_quotes, "n_themes": n_themes,
        "clusterer": clusterer if codebook is None else None,
        "embedder": embedder if isinstance(embedder, str) or embedder is None else None,
        "codebook": Path(codebook).name if isinstance(codebook, (str, Path)) else None,
        "cache_dir": cache_setting, "title": title, "pseudonymize": pseudonymize,
        "names_file": str(names) if isinstance(names, (str, Path)) else None,
        "pinned": list(pinned), "banned": list(banned),
        "renamed_columns": answers.attrs.get("renamed_columns", {}),
        "training": {"rounds": [p.name for p in rounds], "n_coded": len(codes)} if codes else None,
        "segments": segmented,
    }
    project = pipeline.to_project(answers, settings)
    project.training_files = rounds
    if out is not None:
        say("Écriture du projet et du rapport")
        project.save(out)
    return project
