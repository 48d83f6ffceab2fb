"""A project: an analysis that keeps its state on disk, takes the analyst's edits and re-renders.

>>> project = rx.analyse("enquete.csv", text="difficultes", by="profession", out="projet/")
>>> project.themes                         # theme_id, label, size, share, key_terms, description
>>> project.rename(3, "Lien avec les familles").merge([1, 4]).ban_quote("Mme [Nom] nous l'a dit")
>>> project.save()                         # journal + state, then projet/rapport/ re-rendered
>>> rx.Project.open("projet/").report()    # the same state, reopened: nothing is refitted

What an analysis found (the answers as read, the themes and which answers are in them, the
terms, the fitted model) is written once; the edits are a journal replayed over it
(:mod:`retex_nlp.project.edits`), so every state can be rebuilt and explained. Rendering
(:meth:`Project.report`, :meth:`Project.render`) reads that state and never fits anything.
The folder layout is described in :mod:`retex_nlp.project.store`; ``retex report DIR`` and
``retex edit DIR`` are this class's methods on the command line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ..answers import (
    NO_THEME,
    RESERVED,
    STATUS_LABELS_FR,
    assignment_pairs,
    join_codes,
    split_codes,
    with_themes,
)
from ..coding import CodebookCoder, known_codes, read_codes
from ..embed import CachedEmbedder, embedding_model, fit_embedder
from ..errors import RetexInputError
from ..files import atomic_write, write_csv
from ..io.read import status_summary
from ..privacy import Pseudonymizer
from ..privacy.columns import identifying_ids, mask_user_columns, with_id_pseudonyms
from ..quotes import representative_quotes
from ..report import Report, theme_by_group
from ..themes import docs_by_theme, theme_key_terms, theme_labels
from .edits import ThemeInfo, ThemeState, apply_edit, describe_edit
from .store import (
    FORMAT,
    JOURNAL_FILE,
    PROJECT_FILE,
    SCHEMA_VERSION,
    read_journal,
    read_json,
    read_rows,
    write_journal,
    write_json,
    write_rows,
)

__all__ = ["Project", "NO_THEME_LABEL"]

#: How answers in no theme are named in tables for readers.
NO_THEME_LABEL = "(sans thème)"
SHOWN, ANALYSED = "retex:texte_affiché", "retex:texte_analysé"


class Project:
    """An analysis to work on (see the module docstring). Made by :func:`retex_nlp.analyse`
    or opened with :meth:`Project.open`.

    Attributes
    ----------
    answers:
        Every row read, as :func:`retex_nlp.read_answers` gave it (the user's columns intact).
    settings:
        How the analysis was run (question columns, ``by``, attribution, method, seed, embedder…).
    journal:
        The edits, in order (see :mod:`retex_nlp.project.edits`).
    path:
        The project folder, once saved or opened.
    """

    def __init__(self, answers: pd.DataFrame, texts: pd.DataFrame, settings: dict, base_themes: pd.DataFrame,
                 base_pairs: pd.DataFrame, *, terms: pd.DataFrame, specificities: pd.DataFrame,
                 answer_terms: pd.DataFrame, replacements: pd.DataFrame, journal: Sequence[dict] = (),
                 model=None, path: str | Path | None = None, embedder: CachedEmbedder | None = None,
                 agreement: pd.DataFrame | None = None) -> None:
        self.answers = answers
        self.texts = texts  # answer_id, shown (pseudonymised), analysed (what was embedded)
        self.settings = dict(settings)
        self.base_themes = base_themes
        self.base_pairs = base_pairs
        self.terms = terms
        self.specificities = specificities
        self.answer_terms = answer_terms
        self.replacements = replacements
        self.model = model
        #: cross-validated agreement of a coder with the hand-coded answers it learned from
        self.agreement = agreement
        #: the hand-coded files of each learning round, copied into ``apprentissage/`` on save
        self.training_files: list[Path] = []
        self.path = Path(path) if path is not None else None
        self._embedder = embedder
        self._model_changed = False
        self.journal: list[dict] = []
        self._state = self._base_state()
        for edit in journal:
            self._record(edit)
        self._cache: dict = {}
        self._masked: tuple[pd.DataFrame, dict[str, str]] | None = None

    # -- state ----------------------------------------------------------------------------------------
    def _base_state(self) -> ThemeState:
        themes = {int(r.theme_id): ThemeInfo(str(r.label), bool(r.user_label), str(r.description or ""),
                                             str(r.origin)) for r in self.base_themes.itertuples(index=False)}
        ok_ids = self.answers.loc[self.answers["status"] == "ok", "answer_id"].astype(str)
        pairs: dict[str, list[int]] = {a: [] for a in ok_ids}
        for a, t in zip(self.base_pairs["answer_id"].astype(str), self.base_pairs["theme_id"].astype(int), strict=True):
            if a in pairs and t in themes:
                pairs[a].append(t)
        state = ThemeState(themes, pairs)
        for text in self.settings.get("pinned") or []:
            state.choices.pin.append(text)
        for text in self.settings.get("banned") or []:
            state.choices.ban.append(text)
        return state

    def _record(self, edit: dict) -> dict:
        if not isinstance(edit, dict):
            raise RetexInputError(f"modification illisible : {edit!r}")
        done = apply_edit(self._state, edit, self._embed_answers, seed=int(self.settings.get("seed", 0)))
        done["date"] = edit.get("date") or f"{datetime.now():%Y-%m-%d %H:%M}"
        self.journal.append(done)
        self._cache = {}
        return done

    def _embedding_model(self) -> CachedEmbedder:
        if self._embedder is None:
            self._embedder = embedding_model(self.settings.get("embedder") or "use", self._cache_path())
            # an embedder that learns from the corpus (TF-IDF) is learned again on the same answers
            fit_embedder(self._embedder, self.texts.loc[self._ok_mask(), "analysed"].tolist())
        return self._embedder

    def _ok_mask(self) -> np.ndarray:
        return (self.answers["status"] == "ok").to_numpy()

    def _embed_answers(self, answer_ids: Sequence[str]) -> np.ndarray:
        analysed = self.texts.set_index("answer_id")["analysed"]
        return self._embedding_model().encode(analysed.loc[list(answer_ids)].astype(str).tolist())

    # -- edits ---------------------------------------------------------------------------------------
    def rename(self, theme: int, label: str) -> Project:
        """Give theme ``theme`` (its ``theme_id``) the label ``label``, everywhere."""
        self._record({"action": "renommer", "thème": theme, "nom": label})
        return self

    def merge(self, themes: Sequence[int], label: str | None = None) -> Project:
        """Merge ``themes`` into the first one (optionally renamed ``label``)."""
        self._record({"action": "fusionner", "thèmes": list(themes), **({"nom": label} if label else {})})
        return self

    def split(self, theme: int, n: int = 2) -> list[int]:
        """Split a theme in ``n`` by re-clustering its answers (k-means on their embeddings,
        seeded); returns the ids of the parts (the first keeps ``theme``)."""
        return self._record({"action": "scinder", "thème": theme, "parts": n})["nouveaux"]

    def move(self, answers: str | Sequence[str], theme: int) -> Project:
        """Put answers (their ``answer_id``) in ``theme`` only (``-1``: in no theme)."""
        answers = [answers] if isinstance(answers, str) else list(answers)
        self._record({"action": "déplacer", "réponses": answers, "thème": theme})
        return self

    def recode(self, answer: str, themes: Sequence[int | str]) -> Project:
        """Give an answer exactly these themes (ids, or labels as shown in ``themes``)."""
        by_label = {info.label: t for t, info in self._state.themes.items()}
        by_label.update(dict(zip(self.themes["label"], self.themes["theme_id"], strict=True)))
        ids = [by_label[t] if isinstance(t, str) and t in by_label else t for t in themes]
        self._record({"action": "recoder", "réponse": str(answer), "thèmes": ids})
        return self

    def pin_quote(self, text: str) -> Project:
        """Put the quote with this text first in its theme (matched on the text, all copies)."""
        self._record({"action": "épingler", "texte": text})
        return self

    def ban_quote(self, text: str) -> Project:
        """Never show a quote with this text, nor any copy of it, in any theme."""
        self._record({"action": "écarter", "texte": text})
        return self

    def undo(self) -> dict:
        """Take the last edit back (the journal is replayed without it); returns it."""
        if not self.journal:
            raise RetexInputError("aucune modification à annuler")
        last, kept = self.journal[-1], self.journal[:-1]
        self.journal, self._state = [], self._base_state()
        for edit in kept:
            self._record(edit)
        self._cache = {}
        return last

    def history(self) -> list[str]:
        """The edits, one French sentence each."""
        return [f"{e.get('date', '')} : {describe_edit(e)}" for e in self.journal]

    # -- teaching the coder ------------------------------------------------------------------------------
    def _coder(self) -> CodebookCoder:
        if self.settings.get("method") != "codebook":
            raise RetexInputError("l'apprentissage et la liste à revoir demandent un codage par grille "
                                  "(sans nouveaux thèmes) : ce projet a été fait "
                                  f"par « {self.settings.get('method_label') or self.settings.get('method')} »")
        coder = self.load_model()
        if not isinstance(coder, CodebookCoder):
            raise RetexInputError("le codeur de ce projet est introuvable (dossier modele/)", path=self.path)
        return coder

    def _working_answers(self) -> pd.DataFrame:
        """The answers as the method saw them: pseudonymised, placeholders removed."""
        return self.answers.assign(text=self.texts["analysed"].to_numpy())

    def training_rounds(self) -> list[Path]:
        """The files of hand-coded answers the coder learned from, in order (``apprentissage/``)."""
        rounds = list(self.training_files)
        if not rounds and self.path is not None and (self.path / "apprentissage").is_dir():
            rounds = sorted((self.path / "apprentissage").glob("tour_*"))
        return rounds

    def training_codes(self) -> dict[str, str]:
        """``answer_id -> "theme a;theme b"``: every answer coded by hand so far (a later round
        overrides an earlier one)."""
        rounds = self.training_rounds()
        if not rounds:
            return {}
        model = self.load_model() if self.settings.get("method") == "codebook" else None
        themes = model.codebook_ if isinstance(model, CodebookCoder) else None  # theme codes, a file of theme columns
        return read_codes(rounds, id_col=self.settings.get("id_column"), themes=themes)

    def review(self, n: int = 20) -> pd.DataFrame:
        """The ``n`` answers a person should code or correct next (codebook projects): those
        the coder is least sure of, kept diverse, not coded by hand yet (before any hand coding:
        one answer per group of similar answers, see :meth:`CodebookCoder.to_review`). ``answer_id``,
        ``text`` (pseudonymised, as shown), ``proposed`` (the coder's codes, theme names joined
        by ``;``), ``uncertainty`` (0-1). Correct ``proposed`` and give it back to :meth:`train`."""
        coder = self._coder()
        done = set(self.training_codes())
        work = self._working_answers()
        work = work[~work["answer_id"].astype(str).isin(done)]
        review = coder.to_review(n, work)
        shown = dict(zip(self.texts["answer_id"].astype(str), self.texts["shown"], strict=True))
        return review.assign(text=review["answer_id"].astype(str).map(shown).fillna(review["text"]))

    def train(self, codes: dict[str, str] | str | Path) -> Project:
        """Teach the codebook coder from a new round of hand-coded answers and code every
        answer again. ``codes``: ``answer_id -> "theme a;theme b"`` (empty: in no theme), or a
        file of them (CSV/XLSX, ``answer_id`` + ``codes``, as :meth:`review` gives them). The
        coder learns from every round so far (kept in ``apprentissage/``); its cross-validated
        agreement with them is in :attr:`agreement`. The journal's edits are applied again over
        the new coding (a renamed theme keeps its name, a recoded answer its codes)."""
        coder = self._coder()
        book = coder.codebook_
        previous = self.training_rounds()
        if isinstance(codes, (str, Path)):
            new_round = Path(codes)
            read_codes(new_round, id_col=self.settings.get("id_column"), themes=book)  # a wrong code: French error naming file, row, column
        else:
            if not codes:  # a round file of no answer would make every later reading of the rounds fail
                raise RetexInputError("aucune réponse codée : rien à apprendre")
            rows = pd.DataFrame({"answer_id": [str(a) for a in codes], "codes": [str(v or "") for v in codes.values()]})
            for row, value in enumerate(rows["codes"], start=2):  # row as in the round file to be written
                known_codes(split_codes(value), book, row=row, column="codes")
            folder = (self.path / "apprentissage") if self.path is not None else None
            if folder is None:
                raise ValueError("save() the project first: each round of hand coding is kept in it")
            new_round = folder / f"tour_{len(previous) + 1:02d}.csv"
            write_csv(rows, new_round)
        rounds = [*previous, new_round]
        all_codes = read_codes(rounds, id_col=self.settings.get("id_column"), themes=book)
        work = self._working_answers()
        all_codes.require(work)
        fresh = CodebookCoder(coder.codebook_, self.settings.get("embedder") or "use", seed=int(self.settings.get("seed", 0)),
                              cache_dir=self._cache_path())
        assigned = fresh.fit(work, all_codes).transform(work)
        self.base_pairs = assignment_pairs(assigned[assigned["status"] == "ok"])
        self.model, self.agreement, self._model_changed = fresh, getattr(fresh, "report_", None), True
        self.training_files = rounds
        self.settings["training"] = {"rounds": [p.name for p in rounds], "n_coded": len(all_codes)}
        kept, self.journal, self._state = self.journal, [], self._base_state()
        for edit in kept:
            self._record(edit)
        self._cache = {}
        return self

    def _cache_path(self) -> Path | None:
        cache = self.settings.get("cache_dir")
        if cache and self.path is not None and not Path(cache).is_absolute():
            return self.path / cache
        return Path(cache) if cache else None

    # -- what the state says ------------------------------------------------------------------------------
    def _key_terms(self) -> dict[int, list[tuple[str, float]]]:
        if "key_terms" not in self._cache:
            docs = dict(zip(self.answer_terms["answer_id"].astype(str), self.answer_terms["terms"], strict=True))
            topics, texts = [], []
            for a, ts in self._state.pairs.items():
                for t in ts:
                    topics.append(t)
                    texts.append(docs.get(a) or "_")
            self._cache["key_terms"] = theme_key_terms(topics, texts, 10)
            self._cache["members"] = docs_by_theme(topics, texts)
        return self._cache["key_terms"]

    @property
    def themes(self) -> pd.DataFrame:
        """``theme_id``, ``label``, ``size`` (ok answers in it), ``share`` (of ok answers),
        ``key_terms`` (with their specificity), ``description``, ``origin`` (and, when the
        answers were cut into segments, ``testimonies``: how many testimonies have a segment in
        the theme)."""
        if "themes" not in self._cache:
            n_ok = max(len(self._state.pairs), 1)
            sizes: dict[int, int] = {}
            for ts in self._state.pairs.values():
                for t in ts:
                    sizes[t] = sizes.get(t, 0) + 1
            words = self._key_terms()
            # a person's label, or none to say better, stays; the others come from the key terms
            fixed = {t: info.label for t, info in self._state.themes.items() if info.user_label or not words.get(t)}
            labels = theme_labels(sorted(self._state.themes), words, fixed, self._cache.get("members"))
            rows = [{"theme_id": t, "label": labels[t], "size": sizes.get(t, 0),
                     "share": round(sizes.get(t, 0) / n_ok, 4),
                     "key_terms": ", ".join(f"{w} ({s:g})" for w, s in words.get(t, [])),
                     "description": info.description, "origin": info.origin}
                    for t, info in sorted(self._state.themes.items())]
            seen: dict[str, int] = {}
            for row in rows:  # two themes never share a label: tables, charts and REFI-QDA codes key on it
                seen[row["label"]] = seen.get(row["label"], 0) + 1
                if seen[row["label"]] > 1:
                    row["label"] = f"{row['label']} ({seen[row['label']]})"
            table = pd.DataFrame(rows, columns=["theme_id", "label", "size", "share", "key_terms", "description",
                                                "origin"])
            if "testimony_id" in self.answers.columns:  # segments: how many testimonies speak of each theme
                testimony = dict(zip(self.answers["answer_id"].astype(str), self.answers["testimony_id"].astype(str),
                                     strict=True))
                speakers: dict[int, set] = {}
                for a, ts in self._state.pairs.items():
                    for t in ts:
                        speakers.setdefault(t, set()).add(testimony.get(a, a))
                table.insert(3, "testimonies", [len(speakers.get(t, ())) for t in table["theme_id"]])
            if self.settings.get("method") == "themes":  # found themes: largest first, as they were found
                table = table.sort_values(["size", "theme_id"], ascending=[False, True], kind="stable")
            self._cache["themes"] = table.reset_index(drop=True)
        return self._cache["themes"]

    @property
    def assignments(self) -> pd.DataFrame:
        """One row per answer read: ``answer_id``, ``status``, ``theme_id`` (ids joined by
        ``;``, ``-1`` for none), ``theme_label`` (labels joined by ``;``, empty for none)."""
        labels = dict(zip(self.themes["theme_id"], self.themes["label"], strict=True))
        ids, names = [], []
        for a in self.answers["answer_id"].astype(str):
            ts = self._state.pairs.get(a, [])
            ids.append(join_codes(ts) or str(NO_THEME))
            names.append(";".join(labels[t] for t in ts))
        return pd.DataFrame({"answer_id": self.answers["answer_id"].to_numpy(), "status": self.answers["status"].to_numpy(),
                             "theme_id": ids, "theme_label": names})

    @property
    def answers_read(self) -> pd.DataFrame:
        """One row per answer of the files (the first segment of a testimony cut into segments):
        what status counts are about."""
        if "segment" in self.answers.columns:
            return self.answers[self.answers["segment"].astype(int) == 1]
        return self.answers

    @property
    def by(self) -> list[str]:
        return list(self.settings.get("by") or [])

    @property
    def quotes(self) -> pd.DataFrame:
        """The representative quotes of the current themes (pins and bans applied)."""
        if "quotes" not in self._cache:
            shown = self._shown_answers()
            template = self.settings.get("attribution")
            quotes = representative_quotes(
                shown, self.assignments, n=int(self.settings.get("n_quotes", 5)), by=self.by or None,
                template=template, embedder=self._embedding_model(), choices=self._state.choices,
                pseudonymizer=False)
            if "testimony_id" in shown.columns and len(quotes):  # a segment: the whole testimony to read
                whole = self._testimonies(shown)
                testimony = shown.set_index(shown["answer_id"].astype(str))["testimony_id"].astype(str)
                of = quotes["answer_id"].map(testimony)
                pieces = of.map(whole["segments"]).fillna(1)
                quotes["whole_text"] = np.where(pieces > 1, of.map(whole["text"]).fillna(""), quotes["whole_text"])
            self._cache["quotes"] = quotes
        return self._cache["quotes"]

    def testimonies(self) -> pd.DataFrame:
        """The testimonies of a project whose answers were cut into segments, whole again:
        indexed by ``testimony_id``, with ``text`` (pseudonymised segments joined in order),
        ``segments`` (how many) and ``themes`` (labels of the themes its segments are in, the most
        frequent first). Empty when the answers were not segmented."""
        return self._testimonies(self._shown_answers())

    def _testimonies(self, shown: pd.DataFrame) -> pd.DataFrame:
        if "testimony_id" not in shown.columns:
            return pd.DataFrame(columns=["text", "segments", "themes"]).rename_axis("testimony_id")
        labels = self.assignments.set_index(self.assignments["answer_id"].astype(str))["theme_label"]
        rows = []
        for testimony, part in shown.sort_values("segment", kind="stable").groupby(
                shown["testimony_id"].astype(str), sort=False):
            found = pd.Series([t for a in part["answer_id"].astype(str) for t in str(labels.get(a) or "").split(";")
                               if t]).value_counts()
            rows.append({"testimony_id": testimony, "text": " ".join(part["text"].fillna("").astype(str)),
                         "segments": len(part), "themes": ";".join(found.index)})
        return pd.DataFrame(rows, columns=["testimony_id", "text", "segments", "themes"]).set_index("testimony_id")

    @property
    def by_group(self) -> dict[str, pd.DataFrame]:
        """``{variable: theme x group table}`` (see :func:`retex_nlp.theme_by_group`)."""
        ok = self.coded_answers()
        ok = ok[ok["status"] == "ok"]
        return {var: theme_by_group(ok.assign(theme_label=ok["theme_label"].replace("", NO_THEME_LABEL)), var)
                for var in self.by if var in ok.columns}

    def coded_answers(self) -> pd.DataFrame:
        """The answers as read, text pseudonymised, with ``theme_id`` and ``theme_label``
        added: the user's columns keep their names and values."""
        return with_themes(self._shown_answers(), self.assignments, text=True)

    #: Columns the tool fills with file names (testimony folders, several files): names in them
    #: ("af_marion.txt") are masked in what is shown.
    LABEL_COLUMNS = ("file", "source_file")

    def _shown_answers(self) -> pd.DataFrame:
        """The answers as shown in reports: pseudonymised texts, file names with no first name,
        the user's columns that identify a respondent masked and their free-text columns
        pseudonymised (:func:`retex_nlp.privacy.columns.mask_user_columns`)."""
        shown = self.answers.assign(text=self.texts["shown"].to_numpy())
        if self.settings.get("pseudonymize", True):
            masker = self._masker()
            for column in self.LABEL_COLUMNS:
                if column in shown.columns:
                    shown[column] = shown[column].map(masker.mask_label)
            masked, _ = self._masked_columns()
            for column in masked.columns:
                shown[column] = masked[column].to_numpy()
        return shown

    def identifying_ids(self) -> str | None:
        """What the respondents' ids hold when they are personal data, in French words ("des
        adresses électroniques", as a survey read with ``--id-col`` on its e-mail column gives),
        else ``None``. The project keeps them (they join hand-coded files and review rounds to
        the answers); the shared files give them pseudonyms (R0001…)."""
        return identifying_ids(self.answers)

    def _with_shared_ids(self, answers: pd.DataFrame, quotes: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                      pd.DataFrame]:
        """``answers`` and ``quotes`` with pseudonyms for the respondent ids ("R0001"…,
        :func:`~retex_nlp.privacy.columns.with_id_pseudonyms`) when they are personal data
        (:meth:`identifying_ids`) and the analysis pseudonymises, and the table of both (for the
        private folder); else unchanged. The project itself keeps the ids as read: they join
        hand-coded files and review rounds to the answers."""
        if not self.settings.get("pseudonymize", True) or not self.identifying_ids():
            return answers, quotes, pd.DataFrame()
        answers, renamed, keys = with_id_pseudonyms(answers)
        if "answer_id" in quotes.columns:
            quotes = quotes.assign(answer_id=quotes["answer_id"].astype(str).map(lambda a: renamed.get(a, a)))
        return answers, quotes, keys

    def _masker(self) -> Pseudonymizer:
        """The pseudonymiser of the analysis (with the user's names file when it is still there)."""
        names = self.settings.get("names_file")
        return Pseudonymizer(names if names and Path(names).exists() else None)

    def _masked_columns(self) -> tuple[pd.DataFrame, dict[str, str]]:
        """The user's columns changed for what is shared, and how (computed once: the answers
        do not change with edits)."""
        if self._masked is None:
            user = [c for c in self.answers.columns if c not in RESERVED and c not in self.LABEL_COLUMNS]
            if not self.settings.get("pseudonymize", True) or not user:
                self._masked = (pd.DataFrame(index=self.answers.index), {})
            else:
                fields = re.findall(r"\{([^{}]+)\}", str(self.settings.get("attribution") or ""))
                frame, done = mask_user_columns(self.answers, user, self._masker(), keep=[*self.by, *fields])
                self._masked = (frame[list(done)], done)
        return self._masked

    def lexical_profiles(self, n: int = 10, min_answers: int = 3) -> pd.DataFrame:
        """Each theme's (or Reinert class's) profile as IRaMuTeQ shows it: its ``n`` most
        over-represented terms with ``answers_in_theme`` containing the term, ``answers_total``
        (among the answers in a theme), ``percent``, signed ``chi2`` and ``p`` of the 2 x 2 table
        (in the theme or not x containing the term or not); terms in at least ``min_answers``
        answers, ``p <= 0.05``."""
        from ..terms.keyness import document_term_matrix
        from ..themes.reinert import presence_profiles

        pairs = self._state.pairs
        classified = [a for a, ts in pairs.items() if ts]
        docs = dict(zip(self.answer_terms["answer_id"].astype(str), self.answer_terms["terms"], strict=True))
        counts, features = document_term_matrix([(docs.get(a) or "").split() for a in classified], min_answers)
        counts.data[:] = 1.0
        labels = dict(zip(self.themes["theme_id"], self.themes["label"], strict=True))
        groups = {labels[t]: np.array([t in pairs[a] for a in classified], dtype=bool) for t in self.themes["theme_id"]}
        table = presence_profiles(counts, {k: v for k, v in groups.items() if v.any()},
                                  [f.replace("_", " ") for f in features])
        table = table[table["chi2"] > 0].groupby("class", sort=False).head(n)
        table = table.rename(columns={"class": "theme", "in_group": "answers_in_theme", "total": "answers_total"})
        return table.round({"percent": 1, "chi2": 2})[
            ["theme", "term", "answers_in_theme", "answers_total", "percent", "chi2", "p"]].reset_index(drop=True)

    # -- rendering ------------------------------------------------------------------------------------
    def report(self) -> Report:
        """The report of the current state (nothing is fitted)."""
        meta = {"source": ", ".join(Path(s).name for s in self.settings.get("sources", [])) or "DataFrame",
                "question(s)": ", ".join(map(str, self.settings.get("text_columns", []))),
                "date": f"{datetime.now():%d/%m/%Y}", "méthode": self.settings.get("method_label", ""),
                "graine": self.settings.get("seed", 0), "plongements": self.settings.get("embedder_name", "")}
        if self.journal:
            meta["modifications"] = len(self.journal)
        themes = self.themes.drop(columns=["origin"])
        codebook = None
        if self.settings.get("method") in ("codebook", "mixed"):
            codebook = pd.DataFrame({"name": themes["label"], "description": themes["description"]})
        answers, quotes, keys = self._with_shared_ids(self.coded_answers(), self.quotes)
        report = Report(title=self.settings.get("title") or "Analyse des réponses libres", answers=answers,
                        summary=status_summary(self.answers_read), themes=themes, quotes=quotes, terms=self.terms,
                        specificities=self.specificities, by_group=self.by_group, codebook=codebook,
                        replacements=self.replacements, meta=meta, method=self.method_note(),
                        agreement=self.agreement, respondent_keys=keys,
                        lexicometry=self.lexical_profiles() if self.settings.get("clusterer") == "reinert" else None)
        report.charts()
        return report

    def method_note(self) -> list[str]:
        """What was done, with which settings, and its limits: a short note in French for the
        reader of the report (one paragraph per item)."""
        st = self.settings
        counts = self.answers_read["status"].value_counts()
        n_ok = int(counts.get("ok", 0))
        sources = ", ".join(Path(s).name for s in st.get("sources", [])) or "un tableau de données"
        left = ", ".join(f"{int(counts[s])} {label}" for s, label in STATUS_LABELS_FR.items()
                         if s != "ok" and counts.get(s))
        note = [f"Données : {len(self.answers_read)} réponses lues depuis {sources} (question(s) : "
                f"{', '.join(map(str, st.get('text_columns', []))) or 'texte'}) ; {n_ok} réponses exploitables"
                + (f", les autres étant signalées et gardées dans les fichiers : {left}" if left else "") + "."]
        if st.get("segments"):
            seg = st["segments"]
            note.append(f"Témoignages : {seg['testimonies']} textes longs ont été découpés en {seg['segments']} "
                        f"segments de phrases entières d'environ {seg['size']} mots"
                        + (f" ({seg['whole']} textes courts restent d'un seul tenant)" if seg.get("whole") else "")
                        + " ; thèmes, codage et citations portent sur les segments, chacun relié à son témoignage "
                        "(colonnes testimony_id et segment) et à ses métadonnées. Le nombre de témoignages qui "
                        "abordent chaque thème est donné à côté du nombre de segments.")
        if st.get("pseudonymize", True):
            note.append("Pseudonymisation : avant toute analyse, les noms, prénoms, lieux, dates, adresses et "
                        "coordonnées repérés ont été remplacés par des mentions entre crochets ([Prénom], [Lieu]…), "
                        "par des règles, une liste de prénoms et la reconnaissance d'entités de spaCy. Aucun outil "
                        "ne repère tous les noms : relisez les citations avant de diffuser ce rapport.")
            _, done = self._masked_columns()
            whole = [f"{c} ({how})" for c, how in done.items() if how.startswith("[")]
            free = [c for c, how in done.items() if not how.startswith("[")]
            if whole:
                note.append("Colonnes qui identifient les répondants, masquées dans ce qui est partagé : "
                            + ", ".join(whole) + " (elles restent dans le dossier privé du projet).")
            if free:
                note.append("Colonnes de texte libre pseudonymisées comme les réponses : " + ", ".join(free) + ".")
            held = self.identifying_ids()
            if held:
                note.append(f"Identifiants : ceux des répondants sont {held} ; dans les fichiers partagés, ils sont "
                            "remplacés par R0001, R0002… (la correspondance est dans le dossier privé du projet, "
                            "identifiants_repondants.csv).")
        method = st.get("method")
        embedder = st.get("embedder_name") or st.get("embedder") or "use"
        if method == "themes" and st.get("clusterer") == "reinert":
            note.append("Thèmes : classification descendante hiérarchique de Reinert (méthode d'IRaMuTeQ) sur la "
                        "présence des lemmes dans les réponses (lemmes présents dans au moins 3 réponses) : la classe "
                        "la plus grande est divisée en deux, encore et encore, selon le chi² des vocabulaires ; "
                        f"graine {st.get('seed', 0)}. Chaque classe est un « monde lexical », nommé par ses termes "
                        "caractéristiques ; une réponse sans terme retenu n'est dans aucune classe.")
        elif method == "themes":
            note.append(f"Thèmes : chaque réponse est représentée par un plongement de phrase ({embedder}, calculé "
                        f"sur cette machine), les réponses proches sont regroupées ({st.get('clusterer') or 'hdbscan'}"
                        f", graine {st.get('seed', 0)}) et chaque thème est nommé par ses termes caractéristiques. "
                        "Un thème est un regroupement statistique : il se lit et se nomme, il ne prouve rien à lui seul ; "
                        "une réponse peut n'être dans aucun thème.")
        elif st.get("training"):
            training = st["training"]
            mean = self.agreement["kappa"].mean() if self.agreement is not None and len(self.agreement) else float("nan")
            note.append(f"Codage appris : le codeur a appris de {training.get('n_coded')} réponses codées à la main "
                        f"({len(training.get('rounds') or [])} tour(s) de codage, gardés dans le projet) et code les "
                        f"autres (selon le sens de la réponse, ses mots sans accents ni majuscules et ses lemmes ; "
                        f"il code le thème le plus probable et tout autre thème dont il est aussi sûr) ; son accord "
                        + (f"avec ce codage manuel, mesuré par validation croisée, est un kappa moyen de {mean:.2f} "
                           "(détail par thème dans le tableau d'accord)" if mean == mean else
                           "avec ce codage manuel n'a pas pu être mesuré (trop peu de réponses codées par thème : il en "
                           "faut au moins 2 avec le thème et 2 sans)")
                        + ". Grille : "
                        f"{st.get('codebook') or 'grille fournie'}, plongements {embedder}, graine {st.get('seed', 0)}.")
        else:
            note.append(f"Codage : chaque réponse est comparée aux thèmes de la grille de codage "
                        f"({st.get('codebook') or 'grille fournie'}) par leurs définitions, exemples et mots-clés "
                        f"(plongements {embedder}, graine {st.get('seed', 0)}) : un mot-clé (expression entière, sans "
                        "tenir compte des accents) code son thème sauf si le sens de la réponse en est très éloigné ; "
                        "pour un thème sans mots-clés, un mot de son nom joue ce rôle si la réponse en est plus proche "
                        "par le sens que la moitié des réponses ; sinon le thème le plus proche, s'il l'est assez ; "
                        "une réponse peut recevoir plusieurs codes, ou aucun." + (" Les réponses hors grille ont été regroupées en nouveaux thèmes."
                                             if method == "mixed" else ""))
        note.append("Citations : choisies parmi les réponses les plus proches du centre de leur thème, lisibles et "
                    "diverses ; leur attribution est élargie (ou retirée) quand moins de 5 répondants la partagent.")
        if self.by:
            note.append(f"Comparaisons ({', '.join(self.by)}) : les pourcentages portent sur les réponses exploitables "
                        "de chaque groupe, dont l'effectif est indiqué ; les cases de moins de 5 réponses et les groupes "
                        "de moins de 5 répondants sont signalés (*) et à lire avec prudence ; + et − marquent un écart "
                        "significatif à 5 % (résidu ajusté).")
        if self.journal:
            note.append(f"Travail de l'analyste : {len(self.journal)} modification(s) des résultats automatiques "
                        "(thèmes renommés, fusionnés, scindés, réponses recodées, citations choisies), consignées "
                        "dans le journal du projet.")
        note.append("Limites : les réponses courtes ou hors sujet se regroupent mal ; les effectifs par groupe "
                    "reflètent qui a répondu, pas une population ; ce rapport aide la lecture des réponses, il ne la "
                    "remplace pas.")
        return note

    def render(self, directory: str | Path | None = None, *, private_dir: str | Path | None = None
               ) -> dict[str, Path]:
        """Write every output of the current state: in ``rapport/`` and ``prive/`` of the
        project folder by default."""
        if directory is None:
            if self.path is None:
                raise ValueError("save() the project first, or give the folder to write the report in")
            directory, private_dir = self.path / "rapport", private_dir or self.path / "prive"
        return self.report().write(directory, private_dir=private_dir)

    # -- on disk --------------------------------------------------------------------------------------
    def save(self, path: str | Path | None = None, *, render: bool = True) -> dict[str, Path]:
        """Write the project in ``path`` (default: where it was opened or last saved), then
        render its outputs (``render=False``: the state only). Returns the files written."""
        if path is not None:
            target = Path(path)
            if self.path is not None and target.resolve() != self.path.resolve() and self._embedder is None:
                self._embedding_model()  # keep using the cache where it is
            self.path = target
        if self.path is None:
            raise ValueError("give the project folder: save(path)")
        root = self.path
        root.mkdir(parents=True, exist_ok=True)
        state = root / "etat"
        # etat/ holds the pseudonymised texts only; the answers as written are personal data: prive/,
        # and so are the user's columns that identify a respondent or hold free text
        masked, done = self._masked_columns()
        stored = self.answers.assign(text=self.texts["shown"].to_numpy(), **{
            SHOWN: self.texts["shown"].to_numpy(), ANALYSED: self.texts["analysed"].to_numpy()})
        for column in done:
            stored[column] = masked[column].to_numpy()
        write_rows(state / "reponses.jsonl", stored)
        write_rows(root / "prive" / "textes_originaux.jsonl", self.answers[["answer_id", "text", *done]])
        write_rows(state / "themes.jsonl", self.base_themes)
        write_rows(state / "affectations.jsonl", self.base_pairs)
        write_rows(state / "termes.jsonl", self.terms)
        write_rows(state / "specificites.jsonl", self.specificities)
        write_rows(state / "termes_reponses.jsonl", self.answer_terms)
        write_rows(root / "prive" / "remplacements.jsonl", self.replacements)
        if self.agreement is not None:
            write_rows(state / "accord.jsonl", self.agreement)
        for number, source in enumerate(self.training_files, start=1):  # every round of hand coding, kept
            target = root / "apprentissage" / f"tour_{number:02d}{source.suffix.lower()}"
            if source.exists() and source.resolve() != target.resolve():
                atomic_write(target, source.read_bytes())
        if self.model is not None and (self._model_changed or not (root / "modele").exists()):
            _save_model(self.model, root / "modele")
            self._model_changed = False
        write_journal(root / JOURNAL_FILE, self.journal)
        write_json(root / PROJECT_FILE, {
            "format": FORMAT, "schema_version": SCHEMA_VERSION, "retex_nlp": _version(),
            "updated": f"{datetime.now():%Y-%m-%d %H:%M:%S}", "settings": self.settings,
            "counts": {s: int((self.answers_read["status"] == s).sum()) for s in STATUS_LABELS_FR},
            "themes": int(len(self._state.themes)), "edits": len(self.journal)})
        written = {"project": root / PROJECT_FILE, "journal": root / JOURNAL_FILE}
        if render:
            written.update(self.render())
        return written

    @classmethod
    def open(cls, path: str | Path) -> Project:
        """Open a project folder written by :meth:`save` (or ``retex analyse --out``)."""
        root = Path(path)
        if not root.is_dir():
            raise RetexInputError("dossier de projet introuvable", path=root)
        meta_path = root / PROJECT_FILE
        if not meta_path.exists():
            hint = (" : il contient un rapport d'une version antérieure de retex_nlp, sans état à reprendre ; "
                    "relancez « retex analyse » pour en faire un projet") if (root / "report.html").exists() else \
                " (aucun fichier projet.json) ; créez-le avec « retex analyse … --out DOSSIER »"
            raise RetexInputError("ce dossier n'est pas un projet retex_nlp" + hint, path=root)
        meta = read_json(meta_path)
        if meta.get("format") != FORMAT:
            raise RetexInputError(f"projet.json n'est pas un fichier de projet retex_nlp (format {meta.get('format')!r})",
                                  path=meta_path)
        version = meta.get("schema_version")
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise RetexInputError(f"projet au format {version}, plus récent que celui que cette version de "
                                  f"retex_nlp sait lire ({SCHEMA_VERSION}) : mettez retex_nlp à jour",
                                  path=meta_path)
        if version < SCHEMA_VERSION:  # pragma: no cover - no older schema exists yet
            raise RetexInputError(f"projet à l'ancien format {version} : relancez « retex analyse »", path=meta_path)
        state = root / "etat"
        stored = read_rows(state / "reponses.jsonl")
        missing = {SHOWN, ANALYSED, "answer_id", "status"} - set(stored.columns)
        if missing:
            raise RetexInputError(f"fichier endommagé : colonnes manquantes {sorted(missing)}",
                                  path=state / "reponses.jsonl")
        texts = pd.DataFrame({"answer_id": stored["answer_id"].to_numpy(), "shown": stored[SHOWN].fillna("").to_numpy(),
                              "analysed": stored[ANALYSED].fillna("").to_numpy()})
        answers = stored.drop(columns=[SHOWN, ANALYSED])
        originals = root / "prive" / "textes_originaux.jsonl"
        if originals.exists():  # without it (a copy shared without prive/), the pseudonymised texts
            raw = read_rows(originals)
            if raw["answer_id"].astype(str).tolist() != answers["answer_id"].astype(str).tolist():
                raise RetexInputError("prive/textes_originaux.jsonl ne correspond pas aux réponses du projet",
                                      path=originals)
            answers["text"] = raw["text"].to_numpy()
            for column in raw.columns.drop(["answer_id", "text"]):  # the user's columns masked in etat/
                if column in answers.columns:
                    answers[column] = raw[column].to_numpy()
        private = root / "prive" / "remplacements.jsonl"
        replacements = read_rows(private) if private.exists() else pd.DataFrame(
            columns=["answer_id", "original", "placeholder", "rule", "start", "end"])
        settings = meta.get("settings") or {}
        agreement = read_rows(state / "accord.jsonl") if (state / "accord.jsonl").exists() else None
        return cls(answers, texts, settings, read_rows(state / "themes.jsonl"), read_rows(state / "affectations.jsonl"),
                   terms=read_rows(state / "termes.jsonl"), specificities=read_rows(state / "specificites.jsonl"),
                   answer_terms=read_rows(state / "termes_reponses.jsonl"), replacements=replacements,
                   journal=read_journal(root / JOURNAL_FILE), path=root, agreement=agreement)

    def load_model(self):
        """The fitted theme model or coder saved in ``modele/`` (to code a new wave)."""
        if self.model is None and self.path is not None:
            self.model = _load_model(self.path / "modele", self.settings, self._cache_path())
        return self.model

    def _repr_html_(self) -> str:
        return self.report()._repr_html_() + (f"<p>{len(self.journal)} modification(s).</p>" if self.journal else "")

    def __repr__(self) -> str:
        where = f" in {self.path}" if self.path else ""
        return (f"<Project{where}: {len(self.answers)} answers, {len(self._state.themes)} themes, "
                f"{len(self.journal)} edits>")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("retex_nlp")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree without install
        return "inconnue"


def _save_model(model, directory: Path) -> None:
    """ThemeFinder and CodebookCoder save themselves; a MixedCoder saves its coder and new themes."""
    if hasattr(model, "coder_") and hasattr(model, "finder_"):
        model.coder_.save(directory / "grille")
        if model.finder_ is not None:
            model.finder_.save(directory / "nouveaux")
        return
    model.save(directory)


def _load_model(directory: Path, settings: dict, cache: Path | None):
    from ..themes import ThemeFinder

    if settings.get("method") == "themes":
        return ThemeFinder.load(directory, cache_dir=cache)
    if (directory / "grille").exists():
        return CodebookCoder.load(directory / "grille", cache_dir=cache)
    return CodebookCoder.load(directory, cache_dir=cache)

