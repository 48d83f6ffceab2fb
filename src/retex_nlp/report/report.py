"""Reports for people who never open Python: an Excel workbook, a self-contained HTML page and a
Word document, all in French, from what an analysis produced.

:class:`Report` holds the parts as plain DataFrames (and PNG charts); :func:`retex_nlp.analyse`
fills one. Texts in a report are already pseudonymised; the table of replacements is written
next to the report (:meth:`Report.write`), never inside it.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pandas as pd

from ..answers import STATUS_LABELS_FR as _STATUS_FR
from ..errors import require
from ..files import (
    atomic_path,
    atomic_write,
    cells_as_text,
    clean_text,
    make_dir,
    put_sheets,
    write_csv,
)

__all__ = ["Report"]


_CSS = """
body{font-family:-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#1d2733;line-height:1.5}
h1{color:#17436b;border-bottom:3px solid #2b6a9e;padding-bottom:.3rem}h2{color:#17436b;margin-top:2.2rem}
h3{color:#2b6a9e;margin-bottom:.2rem}table{border-collapse:collapse;margin:.6rem 0;font-size:.92rem}
th,td{border:1px solid #c9d3dd;padding:.25rem .6rem;text-align:left}th{background:#eaf1f7}
td.n{text-align:right}img{max-width:100%;height:auto}.terms{color:#4a5a6a;font-size:.9rem}
blockquote{margin:.7rem 0;padding:.5rem 1rem;border-left:4px solid #2b6a9e;background:#f5f8fb}
blockquote .who{display:block;color:#4a5a6a;font-size:.9rem;margin-top:.2rem}
blockquote details{font-size:.9rem;margin-top:.3rem}blockquote summary{cursor:pointer;color:#2b6a9e}
.meta{color:#4a5a6a;font-size:.9rem}
"""


def _marked(whole: str, piece: str) -> str:
    """``whole`` as HTML with ``piece`` (the quote) in bold where it is, spaces aside."""
    flat, part = " ".join(whole.split()), " ".join(piece.split())
    start = flat.find(part) if part else -1
    if start < 0:
        return html.escape(flat)
    end = start + len(part)
    return f"{html.escape(flat[:start])}<strong>{html.escape(part)}</strong>{html.escape(flat[end:])}"


@dataclass
class Report:
    """What an analysis produced, ready to be written as Excel, HTML and Word.

    Attributes
    ----------
    answers:
        One row per input answer: the tool's columns (``answer_id``, ``status``…), the user's
        own columns unchanged, ``text`` (pseudonymised), ``theme_id`` and ``theme_label`` (ids
        and labels joined by ``;``; see :mod:`retex_nlp.answers`).
    summary:
        Status counts (:func:`status_summary`).
    themes:
        ``theme_id``, ``label``, ``size``, ``share``, ``key_terms``, ``description``.
    quotes:
        :func:`representative_quotes` output (pseudonymised), matched to themes by ``theme_id``.
    terms, specificities:
        Term counts and group specificities (may be empty).
    by_group:
        ``{variable: theme_by_group table}``.
    method:
        The method note, in French: one paragraph per item (what was done, with which
        settings, and its limits), shown at the end of every format.
    """

    title: str
    answers: pd.DataFrame
    summary: pd.DataFrame
    themes: pd.DataFrame
    quotes: pd.DataFrame
    terms: pd.DataFrame = field(default_factory=pd.DataFrame)
    specificities: pd.DataFrame = field(default_factory=pd.DataFrame)
    by_group: dict[str, pd.DataFrame] = field(default_factory=dict)
    codebook: pd.DataFrame | None = None
    replacements: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict = field(default_factory=dict)
    images: dict[str, bytes] = field(default_factory=dict)
    method: list[str] = field(default_factory=list)
    agreement: pd.DataFrame | None = None
    #: the classes' lexical profiles (Reinert method): theme, term, answers_in_theme, answers_total,
    #: percent, chi2, p — see :meth:`retex_nlp.Project.lexical_profiles`
    lexicometry: pd.DataFrame | None = None
    #: respondent ids that are personal data beside the pseudonyms the shared files give them
    #: (``respondent_id``, ``pseudonyme``), written in the private folder only
    respondent_keys: pd.DataFrame = field(default_factory=pd.DataFrame)

    def _lexicometry_table(self) -> pd.DataFrame:
        return self.lexicometry.drop(columns=["p"]).rename(columns={
            "theme": "classe", "term": "forme", "answers_in_theme": "réponses de la classe",
            "answers_total": "réponses classées", "percent": "%", "chi2": "chi²"})

    def _agreement_table(self) -> pd.DataFrame:
        table = self.agreement.rename(columns={"theme": "thème", "n_coded": "codées à la main", "threshold": "seuil",
                                               "precision": "précision", "recall": "rappel", "f1": "F1",
                                               "kappa": "kappa"})
        return table

    def _theme_order(self) -> list[str]:
        return [str(x) for x in self.themes["label"]] if "label" in self.themes.columns else []

    def _quotes_of(self, theme_id: int) -> pd.DataFrame:
        if not len(self.quotes):
            return self.quotes
        return self.quotes[self.quotes["theme_id"] == theme_id]

    # -- charts ---------------------------------------------------------------------------------------
    def charts(self) -> dict[str, bytes]:
        """PNG charts: ``nuage`` (word cloud), ``themes`` (sizes), ``groupe_<var>`` (heatmaps)."""
        if self.images:
            return self.images
        from .charts import figure_png, theme_group_heatmap, theme_sizes_chart, word_cloud_png

        if len(self.terms):
            with contextlib.suppress(ValueError):  # no term to draw
                self.images["nuage"] = word_cloud_png(self.terms)
        if len(self.themes):
            self.images["themes"] = figure_png(theme_sizes_chart(self.themes))
        for var, table in self.by_group.items():
            if len(table):
                self.images[f"groupe_{var}"] = figure_png(theme_group_heatmap(table, var))
        return self.images

    # -- Excel ----------------------------------------------------------------------------------------
    def to_excel(self, path: str | Path) -> Path:
        """Workbook: Synthèse, Réponses (one row per input answer), Thèmes, one sheet of quotes
        per theme, Termes, Spécificités, Thèmes x <variable>, Grille de codage."""
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        path = Path(path)
        used: set[str] = set()

        def sheet_name(name: str) -> str:
            base = re.sub(r"[\[\]:*?/\\]", " ", name)[:31].strip() or "Feuille"
            candidate, i = base, 2
            while candidate.lower() in used:
                candidate = f"{base[:27]} ({i})"
                i += 1
            used.add(candidate.lower())
            return candidate

        def put(frame: pd.DataFrame, name: str) -> None:  # a long table goes on "Réponses (2)"…
            put_sheets(writer, frame, name, sheet_name)

        with atomic_path(path) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            put(self._synthese(), "Synthèse")
            put(self.answers, "Réponses")
            put(self.themes, "Thèmes")
            for theme_id, label in zip(self.themes["theme_id"], self.themes["label"], strict=True):
                q = self._quotes_of(theme_id)
                cols = [c for c in ("rank", "quote", "attribution", "answer_id", "score", "whole_text")
                        if c in q.columns]
                put(q[cols].rename(columns={"rank": "rang", "quote": "citation", "attribution": "attribution",
                                            "answer_id": "id réponse", "score": "score",
                                            "whole_text": "réponse entière"}), f"Citations {label}")
            if len(self.terms):
                put(self.terms, "Termes")
            if len(self.specificities):
                put(self.specificities, "Spécificités")
            for var, table in self.by_group.items():
                put(table, f"Thèmes x {var}")
            if self.codebook is not None and len(self.codebook):
                put(self.codebook, "Grille de codage")
            if self.agreement is not None and len(self.agreement):
                put(self._agreement_table(), "Accord codage manuel")
            if self.lexicometry is not None and len(self.lexicometry):
                put(self._lexicometry_table(), "Profils lexicaux")
            if self.method:
                put(pd.DataFrame({"méthode": self.method}), "Méthode")
            cells_as_text(writer.book)  # a user's "=…" is text, never a formula
            for ws in writer.book.worksheets:
                for cell in ws[1]:
                    cell.font = Font(bold=True)
                    cell.fill = PatternFill("solid", fgColor="EAF1F7")
                ws.freeze_panes = "A2"
                for i, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
                    width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                    ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 80)
                    if width > 80:
                        for c in column:
                            c.alignment = Alignment(wrap_text=True, vertical="top")
        return path

    def _synthese(self) -> pd.DataFrame:
        rows = [{"élément": "Titre", "valeur": self.title}]
        rows += [{"élément": k, "valeur": str(v)} for k, v in self.meta.items()]
        rows += [{"élément": f"Réponses : {_STATUS_FR.get(s, s)}", "valeur": int(n)}
                 for s, n in zip(self.summary["status"], self.summary["n"], strict=True)]
        rows.append({"élément": "Thèmes", "valeur": len(self.themes)})
        return pd.DataFrame(rows)

    # -- HTML -----------------------------------------------------------------------------------------
    def to_html(self, path: str | Path | None = None) -> str:
        """A self-contained page (styles and images inlined, no script, no external request)."""
        images = self.charts()
        e = html.escape
        parts = [f"<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\">"
                 f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 f"<title>{e(self.title)}</title><style>{_CSS}</style></head><body>",
                 f"<h1>{e(self.title)}</h1>",
                 f"<p class=\"meta\">{e(' · '.join(f'{k} : {v}' for k, v in self.meta.items()))}</p>",
                 "<h2>Les réponses</h2>", self._summary_html()]
        if "nuage" in images:
            parts += ["<h2>Les mots les plus employés</h2>", _img(images["nuage"], "Nuage de mots des réponses")]
        parts += ["<h2>Les thèmes</h2>"]
        if "themes" in images:
            parts.append(_img(images["themes"], "Nombre de réponses par thème"))
        segmented = "testimonies" in self.themes.columns
        parts.append(_table_html(self.themes[[c for c in ("label", "size", "testimonies", "share", "key_terms")
                                              if c in self.themes]]
                                 .rename(columns={"label": "thème", "size": "segments" if segmented else "réponses",
                                                  "testimonies": "témoignages", "share": "part",
                                                  "key_terms": "termes caractéristiques"})))
        for var, table in self.by_group.items():
            if not len(table):
                continue
            parts.append(f"<h2>Les thèmes selon « {e(var)} »</h2>")
            if f"groupe_{var}" in images:
                parts.append(_img(images[f"groupe_{var}"], f"Thèmes par {var}"))
            parts += [_table_html(group_table(table, self._theme_order())), f"<p class=\"meta\">{e(SMALL_NOTE)}</p>"]
        parts.append("<h2>Ce qu'en disent les répondants</h2>")
        for _, theme in self.themes.iterrows():
            parts.append(f"<h3>{e(str(theme['label']))}</h3>")
            size = (f"{int(theme['size'])} segments de {int(theme['testimonies'])} témoignages" if segmented
                    else f"{int(theme['size'])} réponses")
            parts.append(f"<p class=\"terms\">{size}"
                         + (f" · {e(str(theme['key_terms']))}" if str(theme.get("key_terms") or "") else "") + "</p>")
            for _, q in self._quotes_of(theme["theme_id"]).iterrows():
                who = f"<span class=\"who\">({e(q['attribution'])})</span>" if q.get("attribution") else ""
                whole = str(q.get("whole_text") or "")
                more = (f"<details><summary>{'Lire le témoignage entier' if segmented else 'Lire la réponse entière'}"
                        f"</summary><p>{_marked(whole, str(q['quote']))}</p></details>") if whole else ""
                parts.append(f"<blockquote>« {e(q['quote'])} »{who}{more}</blockquote>")
        if self.agreement is not None and len(self.agreement):
            parts += ["<h2>Accord avec le codage manuel</h2>",
                      "<p class=\"meta\">Validation croisée : chaque réponse codée à la main est codée par un modèle "
                      "qui ne l'a pas vue.</p>", _table_html(self._agreement_table())]
        if self.lexicometry is not None and len(self.lexicometry):
            parts += ["<h2>Profils lexicaux des classes (méthode de Reinert)</h2>",
                      "<p class=\"meta\">Pour chaque classe, ses formes les plus sur-représentées, comme dans "
                      "IRaMuTeQ : réponses de la classe qui contiennent la forme, réponses classées qui la "
                      "contiennent, pourcentage, chi² (p ≤ 0,05).</p>", _table_html(self._lexicometry_table())]
        if self.method:
            parts.append("<h2>Méthode</h2>")
            parts += [f"<p>{e(paragraph)}</p>" for paragraph in self.method]
        parts.append(f"<p class=\"meta\">Produit par retex_nlp le {datetime.now():%d/%m/%Y}. "
                     "Les noms, lieux et coordonnées ont été remplacés par des mentions entre crochets.</p>")
        parts.append("</body></html>")
        page = clean_text("\n".join(parts))
        if path is not None:
            atomic_write(path, page)
        return page

    def _summary_html(self) -> str:
        total = int(self.summary["n"].sum())
        rows = "".join(f"<tr><td>{html.escape(_STATUS_FR.get(s, s))}</td><td class=\"n\">{int(n)}</td></tr>"
                       for s, n in zip(self.summary["status"], self.summary["n"], strict=True))
        return (f"<p>{total} réponses lues ; chacune est classée ci-dessous, aucune n'est écartée sans le dire.</p>"
                f"<table><tr><th>statut</th><th>réponses</th></tr>{rows}</table>")

    def _repr_html_(self) -> str:
        shown = self.themes[[c for c in ("label", "size", "share", "key_terms") if c in self.themes]]
        return (f"<h3>{html.escape(self.title)}</h3>" + self._summary_html()
                + "<p><b>Thèmes</b></p>" + shown.to_html(index=False)
                + f"<p>{len(self.quotes)} citations ; parties : answers, summary, themes, quotes, terms, "
                  f"specificities, by_group, charts(), replacements.</p>")

    # -- Word -----------------------------------------------------------------------------------------
    def to_docx(self, path: str | Path) -> Path:
        """A Word document with the same structure as the HTML page, to be edited."""
        Cm = require("docx.shared", "report").Cm

        images = self.charts()
        doc = a4_document()
        doc.add_heading(clean_text(self.title), level=0)
        doc.add_paragraph(clean_text(" · ".join(f"{k} : {v}" for k, v in self.meta.items())))
        doc.add_heading("Les réponses", level=1)
        _docx_table(doc, pd.DataFrame({"statut": [_STATUS_FR.get(s, s) for s in self.summary["status"]],
                                       "réponses": self.summary["n"].astype(int)}))
        if "nuage" in images:
            doc.add_heading("Les mots les plus employés", level=1)
            doc.add_picture(io.BytesIO(images["nuage"]), width=Cm(15))
        doc.add_heading("Les thèmes", level=1)
        if "themes" in images:
            doc.add_picture(io.BytesIO(images["themes"]), width=Cm(15))
        segmented = "testimonies" in self.themes.columns
        _docx_table(doc, self.themes[[c for c in ("label", "size", "testimonies", "key_terms") if c in self.themes]]
                    .rename(columns={"label": "thème", "size": "segments" if segmented else "réponses",
                                     "testimonies": "témoignages", "key_terms": "termes caractéristiques"}))
        for var, table in self.by_group.items():
            if not len(table):
                continue
            doc.add_heading(clean_text(f"Les thèmes selon « {var} »"), level=1)
            if f"groupe_{var}" in images:
                doc.add_picture(io.BytesIO(images[f"groupe_{var}"]), width=Cm(15))
            _docx_table(doc, group_table(table, self._theme_order()))
            doc.add_paragraph(SMALL_NOTE)
        doc.add_heading("Ce qu'en disent les répondants", level=1)
        for _, theme in self.themes.iterrows():
            doc.add_heading(clean_text(str(theme["label"])), level=2)
            doc.add_paragraph(f"{int(theme['size'])} segments de {int(theme['testimonies'])} témoignages"
                              if segmented else f"{int(theme['size'])} réponses")
            for _, q in self._quotes_of(theme["theme_id"]).iterrows():
                text = f"« {q['quote']} »" + (f" ({q['attribution']})" if q.get("attribution") else "")
                doc.add_paragraph(clean_text(text), style="Quote")
        if self.lexicometry is not None and len(self.lexicometry):
            doc.add_heading("Profils lexicaux des classes (méthode de Reinert)", level=1)
            _docx_table(doc, self._lexicometry_table())
        if self.method:
            doc.add_heading("Méthode", level=1)
            for paragraph in self.method:
                doc.add_paragraph(clean_text(paragraph))
        doc.add_paragraph("Les noms, lieux et coordonnées ont été remplacés par des mentions entre crochets.")
        path = Path(path)
        with atomic_path(path) as tmp:
            doc.save(str(tmp))
        return path

    # -- everything -----------------------------------------------------------------------------------
    def write(self, directory: str | Path, *, private_dir: str | Path | None = None,
              qdpx: bool = True, raw_csv: bool = False) -> dict[str, Path]:
        """Write ``report.html``, ``report.xlsx``, ``report.docx``, ``answers_coded.csv``,
        ``themes.csv``, ``quotes.csv``, ``project.qdpx`` and ``grille.qdc`` (the themes as a REFI-QDA
        codebook) in ``directory`` (what may be shared),
        and the pseudonymisation table ``pseudonymisation_a_verifier.csv`` (personal data: the
        names that were masked) and ``identifiants_repondants.csv`` (:attr:`respondent_keys`,
        when there are) in ``private_dir``, by default the sibling folder
        ``<directory>_prive``, never inside ``directory``.

        Every file is written whole or not at all (beside, then renamed). CSV cells that a
        spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``…) get a leading
        apostrophe unless ``raw_csv`` (for programs that read them)."""
        directory = Path(directory)
        private = Path(private_dir) if private_dir is not None else directory.with_name(directory.name + "_prive")
        if private.resolve() == directory.resolve() or directory.resolve() in private.resolve().parents:
            raise ValueError(f"le dossier privé {private} (table des noms remplacés) ne doit pas être dans le dossier "
                             f"partagé {directory}")
        make_dir(directory)
        make_dir(private)
        paths = {"html": directory / "report.html", "xlsx": directory / "report.xlsx",
                 "docx": directory / "report.docx", "answers": directory / "answers_coded.csv",
                 "themes": directory / "themes.csv", "quotes": directory / "quotes.csv",
                 "pseudonymisation": private / "pseudonymisation_a_verifier.csv"}
        self.to_html(paths["html"])
        self.to_excel(paths["xlsx"])
        self.to_docx(paths["docx"])
        write_csv(self.answers, paths["answers"], raw=raw_csv)
        write_csv(self.themes, paths["themes"], raw=raw_csv)
        write_csv(self.quotes, paths["quotes"], raw=raw_csv)
        write_csv(self.replacements, paths["pseudonymisation"], raw=raw_csv)
        if len(self.respondent_keys):
            paths["identifiants"] = write_csv(self.respondent_keys, private / "identifiants_repondants.csv",
                                              raw=raw_csv)
        if qdpx:
            from .qdpx import write_qdc, write_qdpx

            paths["qdpx"] = write_qdpx(self.answers, directory / "project.qdpx", codes="theme_label",
                                       title=self.title, codebook=self.codebook)
            book = self.codebook if self.codebook is not None and len(self.codebook) else pd.DataFrame(
                {"name": self.themes["label"].astype(str), "description": self.themes.get(
                    "description", pd.Series([""] * len(self.themes))).fillna("").astype(str)})
            paths["qdc"] = write_qdc(book, directory / "grille.qdc")
        return paths


#: How small cells are flagged in theme x group tables.
SMALL_NOTE = ("n = réponses exploitables du groupe. * : moins de 5 réponses dans la case, ou groupe de moins de "
              "5 répondants : à lire avec prudence, et à ne pas citer seul (risque de reconnaître quelqu'un).")


def group_table(table: pd.DataFrame, order: list[str] | None = None) -> pd.DataFrame:
    """A :func:`theme_by_group` table for readers: one row per theme (in ``order``, the others
    after), one column per group headed with its size (``"AF (n = 120)"``), cells
    ``"12 (10,0 %)"``, ``*`` on small cells."""
    sizes = table.groupby("group", sort=False)["group_size"].first() if "group_size" in table.columns else None
    header = {g: f"{g} (n = {int(sizes[g])})" if sizes is not None else str(g) for g in table["group"].unique()}
    cells = table.assign(cell=[f"{n} ({str(round(p, 1)).replace('.', ',')} %)" + (" *" if small else "")
                               for n, p, small in zip(table["n"], table["pct"], table["small"], strict=True)])
    wide = cells.pivot(index="theme", columns="group", values="cell").fillna("0")
    wide = wide[[g for g in header if g in wide.columns]].rename(columns=header)
    if order is not None:
        rows = [t for t in order if t in wide.index]
        wide = wide.loc[rows + [t for t in wide.index if t not in set(rows)]]
    return wide.reset_index().rename(columns={"theme": "thème"})


def _img(png: bytes, alt: str) -> str:
    return f"<img alt=\"{html.escape(alt)}\" src=\"data:image/png;base64,{base64.b64encode(png).decode('ascii')}\">"


#: What a table shows for a figure that could not be measured (a theme coded too rarely by hand
#: for its cross-validated agreement): not "nan".
_NOT_MEASURED = "–"


def _table_html(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(
        f"<td class=\"n\">{_NOT_MEASURED}</td>" if isinstance(v, float) and v != v else
        f"<td class=\"n\">{v:.1%}</td>" if isinstance(v, float) and c == "part" else
        f"<td class=\"n\">{v}</td>" if isinstance(v, (int, float)) else f"<td>{html.escape(str(v))}</td>"
        for c, v in row.items()) + "</tr>" for _, row in frame.iterrows())
    return f"<table><tr>{head}</tr>{body}</table>"


def a4_document():
    """A new Word document, A4 with 2 cm margins (the reports' page)."""
    Document = require("docx", "report").Document
    Cm = require("docx.shared", "report").Cm
    doc = Document()
    for section in doc.sections:
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2)
    return doc


def _docx_table(doc, frame: pd.DataFrame) -> None:
    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Light Grid Accent 1"
    for cell, name in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = clean_text(str(name))
    for _, row in frame.iterrows():
        cells = table.add_row().cells
        for cell, value in zip(cells, row.tolist(), strict=True):
            cell.text = _NOT_MEASURED if isinstance(value, float) and value != value else clean_text(str(value))
