"""The app's pages and what each control does: Shiny for Python over the public API.

Every step is a call to the library (:func:`retex_nlp.inspect_file`, :func:`retex_nlp.read_answers`,
:func:`retex_nlp.analyse`, :class:`retex_nlp.Project` and its edits, :meth:`Project.review`,
:meth:`Project.train`, :meth:`Project.render`); what the app adds is choosing from lists, showing
tables, and running the long steps in a process of their own (:mod:`retex_nlp.app.worker`) whose
progress the page polls. The state is the project folder: a refreshed page (``?projet=NOM``)
reopens it where the analyst left it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import traceback
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pandas as pd
from shiny import App, reactive, render, ui
from shiny.types import SilentException

import retex_nlp as rx

from .worker import ANALYSE_STEPS

PROJECT_FILE = "projet.json"
FORMATS = [".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods", ".htm", ".html", ".json", ".jsonl", ".zip", ".qdpx", ".docx", ".odt"]
CODEBOOK_FORMATS = [".yml", ".yaml", ".xlsx", ".ods", ".csv", ".qdc", ".qdpx"]
NONE = ""  # "no column" in a select

#: Report files offered for download: (output id, file in rapport/, button label).
DOWNLOADS = [("dl_html", "report.html", "Rapport HTML"), ("dl_xlsx", "report.xlsx", "Classeur Excel"),
             ("dl_docx", "report.docx", "Document Word"), ("dl_qdpx", "project.qdpx", "Projet REFI-QDA (.qdpx)"),
             ("dl_csv", "answers_coded.csv", "Réponses codées (CSV)")]
LEXICOMETRY_DOWNLOADS = [("dl_chd_html", "lexicometrie/chd.html", "Résultats lexicométriques (HTML)"),
                         ("dl_chd_docx", "lexicometrie/lexicometrie.docx", "Résultats lexicométriques (Word)"),
                         ("dl_chd_xlsx", "lexicometrie/lexicometrie.xlsx", "Tableaux lexicométriques (Excel)")]

_CSS = """
.retex-quote { border-left: 4px solid #1f5f99; padding: .3rem .8rem; margin: .4rem 0; background: #f4f7fb; }
.retex-muted { color: #4a4a4a; }
.retex-steps li.fait { color: #1b5e20; } .retex-steps li.encours { font-weight: bold; }
.retex-review { border: 1px solid #c8c8c8; border-radius: .3rem; padding: .6rem; margin-bottom: .6rem; }
table.retex-table { font-size: .92rem; } .navbar-brand { font-weight: bold; }
.shiny-file-input-progress .progress-bar { font-size: 0; }
.shiny-file-input-progress .progress-bar::after { content: "Fichier chargé"; font-size: .75rem; }
"""


# -- the workspace: where uploaded files become projects --------------------------------------------------
def recent_projects(workspace: Path) -> list[Path]:
    """The project folders in ``workspace``, the last modified first."""
    if not workspace.is_dir():
        return []
    found = [p for p in workspace.iterdir() if (p / PROJECT_FILE).exists()]
    return sorted(found, key=lambda p: (p / PROJECT_FILE).stat().st_mtime, reverse=True)


def _safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", Path(name).stem, flags=re.UNICODE).strip("._") or "fichier"
    return stem[:40]


def new_project_dir(workspace: Path, file_name: str) -> Path:
    """A new folder for the project of ``file_name``: its name and the time."""
    base = workspace / f"{_safe_name(file_name)}_{datetime.now():%Y%m%d-%H%M%S}"
    folder, k = base, 1
    while folder.exists():
        k += 1
        folder = base.with_name(f"{base.name}_{k}")
    return folder


#: Most a .zip of testimonies may hold once unpacked (a zip bomb stops there).
MAX_UNZIPPED = 500 * 1024 * 1024


def unpack_testimonies(archive: Path, target: Path) -> Path:
    """A .zip of testimonies (.txt, .docx or .odt files, and their metadonnees.csv/.xlsx)
    unpacked flat into ``target``, the folder ``read_answers`` reads; other kinds of files and
    folders' paths are left out (no file is written outside ``target``). A French error names the
    archive when it is not a zip, holds no testimony, or is too large once unpacked."""
    import zipfile

    from ..io.read import TESTIMONY_SUFFIXES

    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and not Path(m.filename).name.startswith((".", "~$"))
                       and "__MACOSX" not in Path(m.filename).parts
                       and m.filename.lower().endswith((*TESTIMONY_SUFFIXES, ".csv", ".xlsx"))]
            if not any(m.filename.lower().endswith(TESTIMONY_SUFFIXES) for m in members):
                raise rx.RetexInputError("l'archive ne contient aucun témoignage (.txt, .docx, .odt)", path=archive)
            if sum(m.file_size for m in members) > MAX_UNZIPPED:
                raise rx.RetexInputError(f"l'archive dépasse {MAX_UNZIPPED // 2**20} Mo une fois décompressée",
                                         path=archive)
            target.mkdir(parents=True, exist_ok=True)
            for m in members:
                name = Path(m.filename).name  # flat: a path in the archive never leaves target
                if (target / name).exists():
                    raise rx.RetexInputError(f"deux fichiers « {name} » dans l'archive", path=archive)
                (target / name).write_bytes(zf.read(m))
    except zipfile.BadZipFile as exc:
        raise rx.RetexInputError("archive .zip illisible", path=archive) from exc
    return target


def project_zip(folder: Path) -> Path:
    """The project folder as a zip, its embedding cache left out (it is rebuilt when needed)."""
    import zipfile

    target = Path(tempfile.mkdtemp(prefix="retex_zip_")) / f"{folder.name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and relative.parts[0] != "cache":
                archive.write(path, Path(folder.name) / relative)
    return target


def _file_input(id: str, label: str, accept: list[str], placeholder: str) -> ui.Tag:
    """Shiny's file input, with a label on its read-only box too (the chosen file's name)."""
    tag = ui.input_file(id, label, accept=accept, button_label="Choisir…", placeholder=placeholder)

    def label_box(node) -> None:
        for child in getattr(node, "children", []):
            if getattr(child, "name", None) == "input" and "readonly" in child.attrs:
                child.attrs["aria-label"] = f"{label} : fichier choisi"
            label_box(child)

    label_box(tag)
    return tag


def _table(frame: pd.DataFrame, caption: str | None = None) -> ui.Tag:
    """An accessible HTML table (header cells, caption) of a small DataFrame."""
    head = ui.tags.thead(ui.tags.tr(*[ui.tags.th(str(c), scope="col") for c in frame.columns]))
    body = ui.tags.tbody(*[ui.tags.tr(*[ui.tags.td("" if pd.isna(v) else str(v)) for v in row])
                           for row in frame.itertuples(index=False)])
    return ui.tags.table(ui.tags.caption(caption) if caption else None, head, body,
                         class_="table table-sm table-striped retex-table")


def _ui(workspace: Path) -> ui.Tag:
    fichier = ui.nav_panel(
        "1. Fichier",
        ui.layout_columns(
            ui.card(ui.card_header("Ouvrir un fichier de réponses"),
                    _file_input("fichier", "Fichier (CSV, Excel .xlsx ou .xls, LibreOffice, page web, JSON, TXT, export IRaMuTeQ, projet REFI-QDA .qdpx de NVivo ou ATLAS.ti, un témoignage .docx ou .odt, .zip de témoignages .txt, .docx ou .odt)", FORMATS,
                                "Aucun fichier choisi"),
                    ui.p("Le fichier reste sur cet ordinateur : rien n'est envoyé sur Internet.",
                         class_="retex-muted")),
            ui.card(ui.card_header("Ou reprendre un projet"),
                    ui.input_select("recent", "Projets récents", choices={}),
                    ui.input_action_button("ouvrir", "Ouvrir ce projet", class_="btn-secondary")),
        ),
        ui.output_ui("inspection"),
        ui.output_ui("choix_colonnes"),
        ui.output_ui("apercu"),
        value="fichier")
    analyse = ui.nav_panel(
        "2. Analyse",
        ui.card(ui.card_header("Choisir l'analyse"),
                ui.input_radio_buttons("methode", "Méthode", {
                    "themes": "Thèmes trouvés automatiquement dans les réponses",
                    "reinert": "Classification de Reinert (mondes lexicaux, comme IRaMuTeQ)",
                    "grille": "Codage avec une grille de thèmes (définitions, mots-clés, exemples)"}),
                ui.panel_conditional("input.methode !== 'grille'",
                                     ui.input_numeric("n_themes", "Nombre de thèmes ou de classes (0 : automatique ; "
                                                      "Reinert : 10)", value=0, min=0, max=60)),
                ui.panel_conditional("input.methode === 'grille'", ui.output_ui("grille_ui")),
                ui.input_text("titre", "Titre du rapport", value="Analyse des réponses libres", width="100%"),
                ui.input_action_button("lancer", "Lancer l'analyse", class_="btn-primary")),
        ui.output_ui("avancement"),
        value="analyse")
    themes = ui.nav_panel(
        "3. Thèmes",
        ui.output_ui("entete_projet"),
        ui.output_ui("table_themes"),
        ui.layout_columns(
            ui.card(ui.card_header("Modifier les thèmes"),
                    ui.input_select("theme", "Thème", choices={}),
                    ui.input_text("nouveau_nom", "Nouveau nom du thème"),
                    ui.input_action_button("renommer", "Renommer"),
                    ui.hr(),
                    ui.input_selectize("a_fusionner", "Thèmes à fusionner (le premier garde son numéro)", choices={},
                                       multiple=True),
                    ui.input_action_button("fusionner", "Fusionner"),
                    ui.hr(),
                    ui.input_numeric("parties", "Scinder le thème choisi en", value=2, min=2, max=6),
                    ui.input_action_button("scinder", "Scinder"),
                    ui.hr(),
                    ui.input_action_button("annuler_modif", "Annuler la dernière modification",
                                           class_="btn-outline-secondary"),
                    ui.output_ui("historique")),
            ui.card(ui.card_header("Citations et réponses du thème choisi"),
                    ui.output_ui("citations"),
                    ui.input_action_button("epingler", "Épingler (en tête du thème)"),
                    ui.input_action_button("ecarter", "Écarter (ne jamais montrer)"),
                    ui.hr(),
                    ui.input_selectize("reponses", "Réponses à déplacer", choices={}, multiple=True),
                    ui.input_select("cible", "Vers le thème", choices={}),
                    ui.input_action_button("deplacer", "Déplacer")),
            col_widths=[5, 7]),
        value="themes")
    revue = ui.nav_panel(
        "4. Revue du codage",
        ui.output_ui("revue_intro"),
        ui.input_numeric("n_revue", "Nombre de réponses à revoir", value=10, min=2, max=100),
        ui.input_action_button("proposer", "Proposer des réponses à revoir"),
        ui.output_ui("revue_liste"),
        ui.output_ui("accord"),
        value="revue")
    groupes = ui.nav_panel(
        "5. Groupes et mots",
        ui.layout_columns(
            ui.card(ui.card_header("Thèmes par groupe"),
                    ui.input_select("variable", "Variable", choices={}),
                    ui.output_ui("par_groupe")),
            ui.card(ui.card_header("Mots"),
                    ui.input_radio_buttons("unite", "Compter", {"termes": "les termes (lemmes, expressions)",
                                                                "un_mot": "les réponses en un mot"}),
                    ui.output_ui("mots"))),
        value="groupes")
    rapport = ui.nav_panel(
        "6. Rapport",
        ui.card(ui.card_header("Rapport et projet"),
                ui.p("Le rapport reprend l'état du projet : thèmes renommés, fusionnés, citations choisies. "
                     "Les textes y sont pseudonymisés ; relisez les citations avant de le diffuser."),
                ui.input_action_button("preparer", "Préparer le rapport", class_="btn-primary"),
                ui.output_ui("avancement_rapport"),
                ui.div(*[ui.download_button(key, label) for key, _, label in DOWNLOADS],
                       ui.download_button("dl_projet", "Projet complet (.zip, données personnelles incluses)"),
                       class_="d-flex flex-wrap gap-2")),
        ui.card(ui.card_header("Analyse lexicométrique (comme IRaMuTeQ)"),
                ui.p("Classification de Reinert des segments de texte, profils des classes, analyse factorielle "
                     "des correspondances et graphe de similitudes, sur les textes pseudonymisés du projet."),
                ui.input_numeric("k_reinert", "Nombre de classes", value=8, min=2, max=20),
                ui.input_action_button("lexicometrie", "Calculer l'analyse lexicométrique"),
                ui.output_ui("avancement_lexicometrie"),
                ui.div(*[ui.download_button(key, label) for key, _, label in LEXICOMETRY_DOWNLOADS],
                       class_="d-flex flex-wrap gap-2")),
        value="rapport")
    return ui.page_navbar(
        fichier, analyse, themes, revue, groupes, rapport,
        title="retex_nlp", id="etapes", lang="fr", window_title="retex_nlp — réponses libres",
        header=ui.TagList(ui.tags.style(_CSS), ui.output_ui("adresse"), ui.output_ui("erreur")),
        footer=ui.p(f"Dossier de travail : {workspace}", class_="retex-muted small m-2"))


def make_server(workspace: Path, start_project: Path | None = None):
    """The Shiny server function for a workspace folder (and a project to open first)."""

    def server(input, output, session):  # noqa: A002 - Shiny's names
        source = reactive.Value(None)  # {"path": Path, "project_dir": Path}
        info = reactive.Value(None)
        project = reactive.Value(None)
        version = reactive.Value(0)  # bumped after each edit: the project object changes in place
        job = reactive.Value(None)
        events = reactive.Value([])
        error = reactive.Value("")
        book_rows = reactive.Value([])
        review = reactive.Value(None)
        previous_kappa = reactive.Value(None)
        opened = reactive.Value("")  # the open project's folder name, kept in the page's address

        @render.ui
        def adresse():
            name = opened.get()
            if not name:
                return None
            return ui.tags.script(f"history.replaceState(null, '', '?projet=' + {json.dumps(name)});")

        def fail(exc: BaseException) -> None:
            if isinstance(exc, SilentException):  # an input not there yet: Shiny's way to wait
                raise exc
            if isinstance(exc, rx.RetexError):
                message = str(exc)
            else:
                traceback.print_exc(file=sys.stderr)
                message = f"erreur inattendue ({type(exc).__name__} : {exc})"
            error.set(message)
            ui.notification_show(message, type="error", duration=15)

        def ok() -> None:
            error.set("")

        @contextmanager
        def attempt():
            """A step the user asked for: its error becomes the French message shown, else the
            message is cleared (never a traceback on the page)."""
            try:
                yield
            except Exception as exc:  # noqa: BLE001
                fail(exc)
            else:
                ok()

        def current() -> rx.Project:
            version.get()
            p = project.get()
            if p is None:
                raise rx.RetexError("aucun projet ouvert : choisissez un fichier (étape 1) ou un projet récent")
            return p

        def open_project(folder: Path) -> None:
            p = rx.Project.open(folder)
            project.set(p)
            version.set(version.get() + 1)
            review.set(None)
            opened.set(folder.name)
            _refresh_recent(selected=folder.name)

        def _refresh_recent(selected: str | None = None) -> None:
            choices = {p.name: p.name for p in recent_projects(workspace)}
            ui.update_select("recent", choices=choices, selected=selected if selected in choices else None)

        @reactive.effect
        def _start():
            with reactive.isolate():
                _refresh_recent()
                search = session.input[".clientdata_url_search"]()
            wanted = re.search(r"projet=([^&]+)", search or "")
            folder = workspace / wanted.group(1) if wanted else start_project
            if folder is not None and (folder / PROJECT_FILE).exists():
                with reactive.isolate():
                    try:
                        open_project(folder)
                        ui.update_navset("etapes", selected="themes")
                    except Exception as exc:  # noqa: BLE001
                        fail(exc)

        @render.ui
        def erreur():
            message = error.get()
            if not message:
                return ui.div(role="alert", aria_live="assertive")
            return ui.div(ui.strong("Erreur : "), message, role="alert", aria_live="assertive",
                          class_="alert alert-danger m-2", id="message_erreur")

        # -- 1. the file ---------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.fichier)
        def _upload():
            files = input.fichier()
            if not files:
                return
            upload = files[0]
            try:
                folder = new_project_dir(workspace, upload["name"])
                target = folder / "prive" / "source" / Path(upload["name"]).name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(upload["datapath"], target)
                if target.suffix.lower() == ".zip":  # a folder of testimonies, zipped
                    target = unpack_testimonies(target, target.with_suffix(""))
                source.set({"path": target, "project_dir": folder})
                info.set(rx.inspect_file(target))
                project.set(None)
                ok()
            except Exception as exc:  # noqa: BLE001
                info.set(None)
                fail(exc)

        @reactive.effect
        @reactive.event(input.feuille)
        def _sheet():
            src = source.get()
            if src is None or not input.feuille():
                return
            with attempt():
                info.set(rx.inspect_file(src["path"], sheet=input.feuille()))

        @reactive.effect
        @reactive.event(input.ouvrir)
        def _open_recent():
            name = input.recent()
            if not name:
                fail(rx.RetexError("aucun projet à reprendre dans ce dossier de travail"))
                return
            with attempt():
                open_project(workspace / name)
                ui.update_navset("etapes", selected="themes")

        @render.ui
        def inspection():
            fi = info.get()
            if fi is None:
                return None
            confidence = "" if fi.encoding_confidence is None else f" (confiance {fi.encoding_confidence:.0%})"
            rows = [("Fichier", Path(fi.path).name), ("Format", fi.format),
                    ("Encodage", f"{fi.encoding or '—'}{confidence}"),
                    ("Séparateur", repr(fi.separator) if fi.separator else "—"),
                    ("Lignes", str(fi.n_rows)), ("Colonnes", str(len(fi.columns)))]
            if fi.problems:
                rows.append(("Lignes signalées", "; ".join(f"ligne {k} : {v}" for k, v in list(fi.problems.items())[:5])))
            rows += [("Remarque", note) for note in fi.notes]
            sheet = (ui.input_select("feuille", "Feuille du classeur", choices=fi.sheets, selected=fi.sheet)
                     if len(fi.sheets) > 1 else None)
            return ui.card(ui.card_header("Ce que contient le fichier"),
                           _table(pd.DataFrame(rows, columns=["information", "valeur"])), sheet)

        @render.ui
        def choix_colonnes():
            fi = info.get()
            if fi is None:
                return None
            columns = [c for c in fi.columns if c]
            # what the reader takes the columns for (by name, else the cells holding sentences)
            guess = [fi.text_column] if fi.text_column in columns else []
            ids = {NONE: "(aucune : numéroter les lignes)", **{c: c for c in columns}}
            id_guess = fi.id_column if fi.id_column in columns else NONE
            return ui.card(ui.card_header("Choisir les colonnes"),
                           ui.input_selectize("questions", "Question(s) ouverte(s) à analyser", choices=columns,
                                              selected=guess, multiple=True, width="100%"),
                           ui.input_select("identifiant", "Identifiant du répondant", choices=ids, selected=id_guess),
                           ui.input_selectize("variables", "Variables à comparer (profession, service…)",
                                              choices=columns, multiple=True, width="100%"))

        @reactive.calc
        def preview_answers() -> pd.DataFrame | None:
            src, fi = source.get(), info.get()
            if src is None or fi is None or not input.questions():
                return None
            return rx.read_answers(src["path"], text=list(input.questions()), id=input.identifiant() or None,
                                   sheet=fi.sheet)

        @render.ui
        def apercu():
            try:
                answers = preview_answers()
            except Exception as exc:  # noqa: BLE001
                fail(exc)
                return None
            if answers is None:
                return None
            summary = rx.status_summary(answers)
            first = answers.loc[answers["status"] == "ok", ["answer_id", "text"]].head(8)
            first = first.assign(text=first["text"].astype(str).str.slice(0, 220))
            return ui.card(ui.card_header("Aperçu"),
                           _table(summary.rename(columns={"status": "état", "n": "réponses"}),
                                  "État des réponses lues"),
                           _table(first.rename(columns={"answer_id": "identifiant", "text": "réponse"}),
                                  "Premières réponses exploitables"),
                           ui.input_action_button("vers_analyse", "Continuer : choisir l'analyse",
                                                  class_="btn-primary"))

        @reactive.effect
        @reactive.event(input.vers_analyse)
        def _to_analyse():
            ui.update_navset("etapes", selected="analyse")

        # -- 2. the analysis ---------------------------------------------------------------------------
        @render.ui
        def grille_ui():
            rows = book_rows.get()
            codes = any(r.get("code") for r in rows)
            listed = _table(pd.DataFrame([{**({"code": r.get("code", "")} if codes else {}), "thème": r["name"],
                                           "définition": r.get("description", ""),
                                           "mots-clés": ", ".join(r.get("keywords", [])),
                                           "exemples": len(r.get("examples", [])),
                                           "contre-exemples": len(r.get("counter_examples", []))} for r in rows]),
                            "Thèmes de la grille") if rows else ui.p("Aucun thème pour l'instant.", class_="retex-muted")
            return ui.TagList(
                _file_input("grille_fichier", "Grille de codage (YAML, Excel, LibreOffice, CSV ou REFI-QDA)", CODEBOOK_FORMATS, "Aucune grille"),
                ui.p("Ou écrivez les thèmes un par un :"),
                ui.layout_columns(ui.input_text("g_nom", "Nom du thème"),
                                  ui.input_text("g_definition", "Définition (une phrase)", width="100%"),
                                  col_widths=[4, 8]),
                ui.layout_columns(ui.input_text("g_mots", "Mots-clés (séparés par des virgules)", width="100%"),
                                  ui.input_text_area("g_exemples", "Exemples (un par ligne)", rows=2, width="100%"),
                                  col_widths=[6, 6]),
                ui.input_action_button("g_ajouter", "Ajouter ce thème"),
                ui.input_action_button("g_retirer", "Retirer le dernier thème", class_="btn-outline-secondary"),
                listed)

        @reactive.effect
        @reactive.event(input.g_ajouter)
        def _add_theme():
            name = (input.g_nom() or "").strip()
            if not name:
                fail(rx.RetexError("donnez un nom au thème avant de l'ajouter"))
                return
            if any(r["name"].casefold() == name.casefold() for r in book_rows.get()):
                fail(rx.RetexError(f"la grille a déjà un thème « {name} »"))
                return
            row = {"name": name, "description": (input.g_definition() or "").strip(),
                   "keywords": [k.strip() for k in (input.g_mots() or "").split(",") if k.strip()],
                   "examples": [e.strip() for e in (input.g_exemples() or "").splitlines() if e.strip()]}
            book_rows.set([*book_rows.get(), row])
            for key in ("g_nom", "g_definition", "g_mots"):
                ui.update_text(key, value="")
            ui.update_text_area("g_exemples", value="")
            ok()

        @reactive.effect
        @reactive.event(input.g_retirer)
        def _remove_theme():
            book_rows.set(book_rows.get()[:-1])

        @reactive.effect
        @reactive.event(input.grille_fichier)
        def _upload_book():
            files = input.grille_fichier()
            if not files:
                return
            with attempt():
                src = files[0]
                folder = Path(tempfile.mkdtemp(prefix="retex_grille_"))
                path = folder / Path(src["name"]).name
                shutil.copyfile(src["datapath"], path)
                book = rx.Codebook.read(path)
                book_rows.set([t.to_dict() for t in book.themes])  # counter-examples and codes kept

        def start(action: str, args: dict, folder: Path) -> None:
            if job.get() is not None:
                raise rx.RetexError("un calcul est déjà en cours : attendez qu'il finisse ou annulez-le")
            jobs = workspace / ".travaux" / f"{datetime.now():%Y%m%d-%H%M%S-%f}"
            jobs.mkdir(parents=True, exist_ok=True)
            log = jobs / "avancement.jsonl"
            log.touch()
            spec = jobs / "travail.json"
            spec.write_text(json.dumps({"action": action, "args": args, "log": str(log)}, ensure_ascii=False),
                            encoding="utf-8")
            with (jobs / "sortie.log").open("wb") as out:
                proc = subprocess.Popen([sys.executable, "-m", "retex_nlp.app.worker", str(spec)],
                                        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            events.set([])
            job.set({"proc": proc, "log": log, "action": action, "folder": folder,
                     "started": datetime.now()})

        @reactive.effect
        @reactive.event(input.lancer)
        def _run():
            with attempt():
                src = source.get()
                if src is None:
                    raise rx.RetexError("choisissez d'abord un fichier de réponses (étape 1)")
                questions = list(input.questions() or [])
                if not questions:
                    raise rx.RetexError("choisissez la colonne des réponses à analyser (étape 1)")
                folder: Path = src["project_dir"]
                if (folder / PROJECT_FILE).exists():  # a second run on the same upload: a new project
                    folder = new_project_dir(workspace, src["path"].name)
                    (folder / "prive" / "source").mkdir(parents=True)
                    shutil.copyfile(src["path"], folder / "prive" / "source" / src["path"].name)
                    src = {"path": folder / "prive" / "source" / src["path"].name, "project_dir": folder}
                    source.set(src)
                codebook = None
                if input.methode() == "grille":
                    rows = book_rows.get()
                    if not rows:
                        raise rx.RetexError("la grille de codage est vide : chargez-en une ou ajoutez des thèmes")
                    codebook = folder / "grille.yml"
                    rx.Codebook.from_dict({"themes": rows}).to_yaml(codebook)
                args = {"source": str(src["path"]), "text": questions if len(questions) > 1 else questions[0],
                        "id": input.identifiant() or None, "by": list(input.variables() or []),
                        "sheet": info.get().sheet if info.get() is not None else None,
                        "codebook": str(codebook) if codebook else None,
                        "n_themes": int(input.n_themes() or 0) or None, "title": input.titre() or None,
                        "clusterer": "reinert" if input.methode() == "reinert" else "hdbscan",
                        "out": str(folder)}
                start("analyse", args, folder)

        @reactive.effect
        def _poll():
            current_job = job.get()
            if current_job is None:
                return
            reactive.invalidate_later(0.4)
            lines = current_job["log"].read_text(encoding="utf-8").splitlines()
            seen = [json.loads(line) for line in lines if line.strip()]
            with reactive.isolate():
                if len(seen) != len(events.get()):
                    events.set(seen)
            final = next((e for e in seen if "done" in e or "error" in e), None)
            code = current_job["proc"].poll()
            if final is None and code is None:
                return
            if final is None:  # the process ended without a word: killed, out of memory…
                final = {"error": f"le calcul s'est arrêté de façon inattendue (code {code}) ; détails dans "
                                  f"{current_job['log'].parent / 'sortie.log'}"}
            if code is None:
                current_job["proc"].wait(timeout=30)
            with reactive.isolate():
                job.set(None)
                if "error" in final:
                    fail(rx.RetexError(final["error"]))
                    return
                try:
                    open_project(Path(final["project"]))
                    ok()
                    if current_job["action"] == "analyse":
                        ui.update_navset("etapes", selected="themes")
                        ui.notification_show("Analyse terminée.", type="message")
                    elif current_job["action"] == "train":
                        ui.notification_show("Le codeur a appris de vos corrections ; réponses recodées.",
                                             type="message")
                    elif current_job["action"] == "lexicometry":
                        ui.notification_show("Analyse lexicométrique prête : vous pouvez la télécharger.", type="message")
                    else:
                        ui.notification_show("Rapport prêt : vous pouvez le télécharger.", type="message")
                except Exception as exc:  # noqa: BLE001
                    fail(exc)

        def progress_panel(actions: tuple[str, ...]):
            current_job = job.get()
            if current_job is None or current_job["action"] not in actions:
                return None
            seen = [e for e in events.get() if "step" in e]
            steps = ANALYSE_STEPS if current_job["action"] == "analyse" else []
            n = seen[-1]["n"] if seen else len(steps) or 1
            names = steps or [e["step"] for e in seen]
            done = len(seen)
            items = [ui.tags.li(name + (" ✓" if i < done - 1 else " …" if i == done - 1 else ""),
                                class_="fait" if i < done - 1 else "encours" if i == done - 1 else "")
                     for i, name in enumerate(names)]
            elapsed = (datetime.now() - current_job["started"]).seconds
            return ui.card(ui.card_header("Calcul en cours"),
                           ui.tags.progress(value=str(max(done - 1, 0)), max=str(n), aria_label="Avancement"),
                           ui.p(f"Étape {max(done, 1)} sur {n} — {elapsed} s écoulées", id="etape_en_cours",
                                role="status", aria_live="polite"),
                           ui.tags.ol(*items, class_="retex-steps"),
                           ui.input_action_button("annuler_calcul", "Annuler le calcul", class_="btn-warning"))

        @render.ui
        def avancement():
            return progress_panel(("analyse",))

        @render.ui
        def avancement_rapport():
            return progress_panel(("render",))

        @render.ui
        def avancement_lexicometrie():
            return progress_panel(("lexicometry",))

        @reactive.effect
        @reactive.event(input.lexicometrie)
        def _lexicometry():
            with attempt():
                p = current()
                start("lexicometry", {"project": str(p.path), "k": int(input.k_reinert() or 8)}, p.path)

        @reactive.effect
        @reactive.event(input.annuler_calcul)
        def _cancel():
            current_job = job.get()
            if current_job is None:
                return
            proc = current_job["proc"]
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            job.set(None)
            ui.notification_show("Calcul annulé : rien n'a été modifié.", type="warning")

        # -- 3. themes -------------------------------------------------------------------------------------
        @reactive.calc
        def themes_table() -> pd.DataFrame:
            return current().themes

        @reactive.effect
        def _theme_choices():
            try:
                table = themes_table()
            except rx.RetexError:
                return
            choices = {str(t): f"{t} · {label} ({size})" for t, label, size in
                       zip(table["theme_id"], table["label"], table["size"], strict=True)}
            with reactive.isolate():
                keep = input.theme() if input.theme() in choices else None
            ui.update_select("theme", choices=choices, selected=keep)
            ui.update_selectize("a_fusionner", choices=choices, selected=[])
            ui.update_select("cible", choices={**choices, "-1": "(aucun thème)"})
            p = current()
            ui.update_select("variable", choices={v: v for v in p.by})

        @render.ui
        def entete_projet():
            try:
                p = current()
            except rx.RetexError as exc:
                return ui.div(str(exc), class_="alert alert-info m-2")
            counts = p.answers["status"].value_counts()
            return ui.div(ui.h2(p.settings.get("title") or "Analyse des réponses libres", class_="h4"),
                          ui.p(f"Projet « {p.path.name} » — {p.settings.get('method_label', '')} — "
                               f"{len(p.answers)} réponses lues, {int(counts.get('ok', 0))} exploitables, "
                               f"{len(p.themes)} thèmes, {len(p.journal)} modification(s).",
                               class_="retex-muted"))

        @render.ui
        def table_themes():
            try:
                table = themes_table()
            except rx.RetexError:
                return None
            segmented = "testimonies" in table.columns
            shown = pd.DataFrame({"n°": table["theme_id"], "thème": table["label"],
                                  "segments" if segmented else "réponses": table["size"],
                                  **({"témoignages": table["testimonies"]} if segmented else {}),
                                  "part": [f"{s:.0%}" for s in table["share"]],
                                  "termes caractéristiques": [", ".join(k.split(", ")[:6]) for k in table["key_terms"]]})
            return ui.div(_table(shown, "Thèmes"), id="themes_liste")

        def edit(action) -> None:
            with attempt():
                p = current()
                action(p)
                p.save(render=False)
                version.set(version.get() + 1)

        def chosen_theme() -> int:
            if not input.theme():
                raise rx.RetexError("choisissez un thème")
            return int(input.theme())

        @reactive.effect
        @reactive.event(input.renommer)
        def _rename():
            name = (input.nouveau_nom() or "").strip()
            if not name:
                fail(rx.RetexError("écrivez le nouveau nom du thème"))
                return
            edit(lambda p: p.rename(chosen_theme(), name))
            ui.update_text("nouveau_nom", value="")

        @reactive.effect
        @reactive.event(input.fusionner)
        def _merge():
            chosen = [int(t) for t in input.a_fusionner() or []]
            if len(chosen) < 2:
                fail(rx.RetexError("choisissez au moins deux thèmes à fusionner"))
                return
            edit(lambda p: p.merge(chosen))

        @reactive.effect
        @reactive.event(input.scinder)
        def _split():
            edit(lambda p: p.split(chosen_theme(), int(input.parties() or 2)))

        @reactive.effect
        @reactive.event(input.annuler_modif)
        def _undo():
            edit(lambda p: p.undo())

        @render.ui
        def historique():
            try:
                lines = current().history()
            except rx.RetexError:
                return None
            if not lines:
                return ui.p("Aucune modification.", class_="retex-muted")
            return ui.div(ui.h3("Journal des modifications", class_="h6"), ui.tags.ol(*[ui.tags.li(s) for s in lines]))

        @reactive.calc
        def theme_quotes() -> pd.DataFrame:
            p = current()
            if not input.theme():
                return pd.DataFrame(columns=["quote", "attribution"])
            quotes = p.quotes
            return quotes[quotes["theme_id"].astype(int) == int(input.theme())].reset_index(drop=True)

        @render.ui
        def citations():
            try:
                quotes = theme_quotes()
            except rx.RetexError:
                return None
            if quotes.empty:
                return ui.p("Pas de citation pour ce thème.", class_="retex-muted")
            segmented = "testimony_id" in current().answers.columns
            whole = quotes["whole_text"].fillna("") if "whole_text" in quotes.columns else [""] * len(quotes)

            def entire(text: str):  # a piece of a long answer or testimony: the whole text, folded
                if not text:
                    return None
                return ui.tags.details(ui.tags.summary("Lire le témoignage entier" if segmented else
                                                       "Lire la réponse entière"), ui.p(text), class_="retex-muted")

            choices = {str(i): ui.span(f"« {t} »", ui.tags.small(f" — {a}" if a else "", class_="retex-muted"), entire(w))
                       for i, (t, a, w) in enumerate(zip(quotes["quote"], quotes["attribution"].fillna(""), whole,
                                                         strict=True))}
            return ui.input_radio_buttons("citation", "Citations du thème", choices=choices)

        @reactive.effect
        def _answers_of_theme():
            try:
                p = current()
                theme = chosen_theme()
            except rx.RetexError:
                return
            table = p.assignments
            ids = table.loc[table["theme_id"].astype(str).str.split(";").map(lambda ts: str(theme) in ts),
                            "answer_id"].astype(str).head(300)
            shown = dict(zip(p.texts["answer_id"].astype(str), p.texts["shown"], strict=True))
            ui.update_selectize("reponses", choices={a: f"{a} : {shown.get(a, '')[:90]}" for a in ids}, selected=[])

        def chosen_quote() -> str:
            quotes = theme_quotes()
            if input.citation() is None or quotes.empty:
                raise rx.RetexError("choisissez une citation")
            return str(quotes["quote"].iloc[int(input.citation())])

        @reactive.effect
        @reactive.event(input.epingler)
        def _pin():
            edit(lambda p: p.pin_quote(chosen_quote()))

        @reactive.effect
        @reactive.event(input.ecarter)
        def _ban():
            edit(lambda p: p.ban_quote(chosen_quote()))

        @reactive.effect
        @reactive.event(input.deplacer)
        def _move():
            chosen = list(input.reponses() or [])
            if not chosen or not input.cible():
                fail(rx.RetexError("choisissez les réponses à déplacer et le thème où les mettre"))
                return
            edit(lambda p: p.move(chosen, int(input.cible())))

        # -- 4. review loop ---------------------------------------------------------------------------------
        @render.ui
        def revue_intro():
            try:
                p = current()
            except rx.RetexError as exc:
                return ui.div(str(exc), class_="alert alert-info")
            if p.settings.get("method") != "codebook":
                return ui.div("La revue sert au codage par grille : le codeur propose des codes, vous les acceptez "
                              "ou les corrigez, il apprend de vos corrections. Ce projet a des thèmes trouvés "
                              "automatiquement : modifiez-les à l'étape 3.", class_="alert alert-info")
            n = len(p.training_codes())
            return ui.p(f"Le codeur propose les réponses dont la correction lui apprendra le plus. Cochez les bons "
                        f"thèmes, puis validez : il apprend de tous vos tours ({n} réponses codées jusqu'ici) et "
                        "recode toutes les réponses.")

        @reactive.effect
        @reactive.event(input.proposer)
        def _propose():
            with attempt():
                review.set(current().review(int(input.n_revue() or 10)))

        @render.ui
        def revue_liste():
            queue = review.get()
            if queue is None:
                return None
            if queue.empty:
                return ui.p("Plus aucune réponse à revoir.")
            names = list(current().model.codebook_.names) if current().model is not None else \
                current().themes["label"].tolist()
            blocks = []
            for k, row in enumerate(queue.itertuples(index=False)):
                proposed = [c for c in str(row.proposed).split(";") if c]
                blocks.append(ui.div(
                    ui.p(ui.strong(f"Réponse {row.answer_id}"), f" (incertitude {row.uncertainty:.2f})"),
                    ui.p(str(row.text)),
                    ui.input_checkbox_group(f"rev_{k}", "Thèmes de cette réponse", choices=names,
                                            selected=proposed, inline=True),
                    class_="retex-review"))
            return ui.div(*blocks, ui.input_action_button("valider_revue", "Valider ce tour et ré-entraîner le codeur",
                                                          class_="btn-primary"),
                          ui.output_ui("avancement_revue"))

        @render.ui
        def avancement_revue():
            return progress_panel(("train",))

        @reactive.effect
        @reactive.event(input.valider_revue)
        def _train():
            queue = review.get()
            if queue is None:
                return
            with attempt():
                p = current()
                codes = {str(a): ";".join(input[f"rev_{k}"]() or []) for k, a in enumerate(queue["answer_id"])}
                if p.agreement is not None and len(p.agreement):
                    previous_kappa.set(float(p.agreement["kappa"].mean()))
                start("train", {"project": str(p.path), "codes": codes}, p.path)
                review.set(None)

        @render.ui
        def accord():
            try:
                p = current()
            except rx.RetexError:
                return None
            table = p.agreement
            if table is None or not len(table):
                return None
            mean = float(table["kappa"].mean())
            before = previous_kappa.get()
            change = f" (tour précédent : {before:.2f})" if before is not None and before == before else ""
            shown = table.rename(columns={"theme": "thème", "n_coded": "codées", "threshold": "seuil",
                                          "precision": "précision", "recall": "rappel", "f1": "F1", "kappa": "kappa"})
            return ui.card(ui.card_header("Accord du codeur avec votre codage (validation croisée)"),
                           ui.p(f"Kappa moyen : {'non mesuré' if mean != mean else f'{mean:.2f}'}{change} — "
                                f"{p.settings.get('training', {}).get('n_coded', 0)} "
                                "réponses codées à la main.", id="kappa_moyen"),
                           _table(shown, "Accord par thème"))

        # -- 5. groups and words --------------------------------------------------------------------------------
        @render.ui
        def par_groupe():
            try:
                p = current()
            except rx.RetexError:
                return None
            if not p.by:
                return ui.p("Aucune variable choisie à l'étape 1 (profession, service…).", class_="retex-muted")
            var = input.variable() or p.by[0]
            table = p.by_group.get(var)
            if table is None:
                return None
            shown = table.rename(columns={"theme": "thème", "group": "groupe", "group_size": "effectif du groupe",
                                          "n": "réponses", "pct": "%", "expected": "attendu", "residual": "résidu",
                                          "small": "petit effectif"})
            if "petit effectif" in shown:
                shown["petit effectif"] = shown["petit effectif"].map({True: "* oui", False: ""})
            return ui.TagList(_table(shown, f"Thèmes selon {var}"),
                              ui.p("Les pourcentages portent sur les réponses exploitables de chaque groupe (effectif "
                                   "indiqué) ; * : moins de 5 réponses ou répondants, à lire avec prudence.",
                                   class_="retex-muted small"))

        @render.ui
        def mots():
            try:
                p = current()
            except rx.RetexError:
                return None
            if input.unite() == "un_mot":
                ok_rows = p.answers["status"] == "ok"
                table = rx.term_frequencies(p.texts.loc[ok_rows.to_numpy(), "shown"].astype(str).tolist(),
                                            one_word=True, top=30)
            else:
                table = p.terms.head(30)
            table = table.rename(columns={"term": "terme", "count": "occurrences", "n_answers": "réponses",
                                          "share_answers": "part des réponses"})
            if "part des réponses" in table:
                table["part des réponses"] = [f"{v:.1%}" for v in table["part des réponses"]]
            return _table(table, "Les plus fréquents")

        # -- 6. report ------------------------------------------------------------------------------------------
        @reactive.effect
        @reactive.event(input.preparer)
        def _render():
            with attempt():
                p = current()
                start("render", {"project": str(p.path)}, p.path)

        def report_file(name: str) -> str:
            p = current()
            path = p.path / "rapport" / name
            if not path.exists():
                raise rx.RetexError("ce fichier n'est pas encore prêt : cliquez sur « Préparer le rapport » ou "
                                    "« Calculer l'analyse lexicométrique »")
            return str(path)

        def downloader(name: str):
            def handler():
                try:
                    return report_file(name)
                except Exception as exc:  # noqa: BLE001
                    fail(exc)
                    return None
            return handler

        # shiny 1.8 renamed render.download (now deprecated, with a warning in the terminal)
        download = getattr(render, "download_button", None) or render.download
        for key, name, _label in DOWNLOADS + LEXICOMETRY_DOWNLOADS:  # one output per file, named by its button
            output(id=key)(download(downloader(name), filename=Path(name).name))

        @download(filename=lambda: f"{project.get().path.name if project.get() else 'projet'}.zip")
        def dl_projet():
            try:
                return str(project_zip(current().path))
            except Exception as exc:  # noqa: BLE001
                fail(exc)
                return None

    return server


def create_app(workspace: str | Path, project: str | Path | None = None) -> App:
    """The Shiny app for a workspace folder (created if needed); ``project``: one to open first."""
    workspace = Path(workspace)
    workspace.mkdir(parents=True, exist_ok=True)
    return App(_ui(workspace), make_server(workspace, Path(project) if project else None))
