"""Exports a director can open and hand on: no formula, no control character, no half-written
file, small groups protected, a method note, A4. The answers come from tests/data/."""

from __future__ import annotations

import errno
import os
import re
import socket
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pytest

import retex_nlp as rx
from retex_nlp.files import FORMULA_START, atomic_write, neutralize_formula, write_csv

DATA = Path(__file__).resolve().parent / "data"
FORMULAS = DATA / "formules_et_controles.csv"


@pytest.fixture(scope="module")
def project_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("exports") / "projet"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
        rx.analyse(FORMULAS, text="text", by=["service", "question_code"], attribution="{question_code}, {service}",
                   embedder="tfidf", clusterer="kmeans", n_themes=3, n_quotes=3, out=out, seed=0)
    return out


def test_reading_removes_control_characters_and_keeps_the_answer():
    answers = rx.read_answers(FORMULAS, text="text")
    assert len(answers) == 60 and (answers["status"] == "ok").all()
    word = answers.loc[5, "text"]
    assert word == "Texte collé depuis Word\navec un saut de ligne manuel et une sonnerie au milieu"
    assert answers.loc[7, "service"] == "\tTabulation"  # a tab is a character, not a control to drop


def test_no_cell_of_the_workbook_is_a_formula(project_dir):
    book = openpyxl.load_workbook(project_dir / "rapport" / "report.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and not [c.coordinate for c in cells if c.data_type == "f"]
    sheet = book["Réponses"]
    values = {c.value for row in sheet.iter_rows() for c in row}
    # the user's data is there, as the text it is
    assert '=HYPERLINK("http://exemple.invalid/x","clic")' in values and "=1+1" in values
    assert not any(isinstance(v, str) and "\x0b" in v for v in values)


def test_csv_values_cannot_run_as_formulas(project_dir):
    for name in ("answers_coded.csv", "quotes.csv", "themes.csv"):
        table = pd.read_csv(project_dir / "rapport" / name, dtype=str, keep_default_na=False)
        cells = [str(v) for v in table.to_numpy().ravel()] + list(table.columns)
        # a signed number ("-1": no theme) is read as the number it is; anything else is text
        assert not [v for v in cells if v.startswith(FORMULA_START) and not re.fullmatch(r"[+-]\d+(?:[.,]\d+)?", v)], name
    coded = pd.read_csv(project_dir / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert coded.loc[1, "text"] == "'=1+1" and coded.loc[6, "service"] == "'=1+1"
    assert coded.loc[4, "text"].startswith("'-5 % de TVA")
    # the API keeps a raw CSV for programs
    raw = write_csv(pd.DataFrame({"a": ["=1+1", "-2"]}), project_dir.parent / "brut.csv", raw=True)
    assert pd.read_csv(raw, dtype=str)["a"].tolist() == ["=1+1", "-2"]
    assert neutralize_formula("@x") == "'@x" and neutralize_formula(3) == 3 and neutralize_formula("a=b") == "a=b"
    assert neutralize_formula("-1") == "-1" and neutralize_formula("-1+1") == "'-1+1"
    safe = write_csv(pd.DataFrame({"theme_id": ["-1", "2"]}), project_dir.parent / "ids.csv")
    assert pd.read_csv(safe)["theme_id"].tolist() == [-1, 2]  # "no theme" stays the number -1


def test_xml_exports_are_well_formed_and_linked(project_dir):
    with zipfile.ZipFile(project_dir / "rapport" / "project.qdpx") as z:
        root = ET.fromstring(z.read("project.qde"))  # raises on a control character
    q = "{urn:QDA-XML:project:1.0}"
    sources = {s.get("guid") for s in root.iter(f"{q}TextSource")}
    cases = list(root.iter(f"{q}Case"))
    assert cases and all({r.get("targetGUID") for r in c.iter(f"{q}SourceRef")} <= sources for c in cases)
    assert all(list(c.iter(f"{q}SourceRef")) for c in cases)  # each case is linked to its answer
    variables = {v.get("name") for v in root.iter(f"{q}Variable")}
    assert {"service", "question_code"} <= variables and not [v for v in variables if v.startswith("score_")]
    book = ET.parse(project_dir / "rapport" / "grille.qdc").getroot()
    assert book.tag == "{urn:QDA-XML:codebook:1.0}CodeBook" and len(list(book.iter(
        "{urn:QDA-XML:codebook:1.0}Code"))) == 3
    with zipfile.ZipFile(project_dir / "rapport" / "report.docx") as z:
        document = z.read("word/document.xml").decode("utf-8")
    assert 'w:w="11906"' in document and 'w:h="16838"' in document  # A4 in twentieths of a point


def test_reports_show_group_sizes_flag_small_cells_and_explain_the_method(project_dir):
    html = (project_dir / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Est (n = 20)" in html and "ECO_06 (n = 30)" in html
    assert "*" in html and "à lire avec prudence" in html
    assert "<h2>Méthode</h2>" in html and "Pseudonymisation" in html and "graine 0" in html
    assert str(FORMULAS.parent) not in html  # the input file by name only, never its path
    assert "formules_et_controles.csv" in html
    book = openpyxl.load_workbook(project_dir / "rapport" / "report.xlsx")
    assert "Méthode" in book.sheetnames
    table = pd.read_excel(project_dir / "rapport" / "report.xlsx", sheet_name="Thèmes x service")
    assert {"group_size", "small"} <= set(table.columns)


def test_quotes_of_small_groups_get_a_coarser_attribution():
    frame = pd.DataFrame({"respondent_id": [str(i) for i in range(14)],
                          "profession": ["Assistante familiale"] * 8 + ["Psychologue"] * 6,
                          "service": ["Nord"] * 5 + ["Sud"] * 3 + ["Nord"] * 2 + ["Sud"] * 4})
    labels = rx.quotes.safe_attributions(frame, "{profession}, {service}").tolist()
    assert labels[:5] == ["Assistante familiale, Nord"] * 5  # 5 share it: kept whole
    assert labels[5:8] == ["Assistante familiale"] * 3  # 3 in Sud: the service is dropped
    assert labels[8:] == ["Psychologue"] * 6
    alone = rx.quotes.safe_attributions(pd.concat([frame.head(5), frame.tail(2)]), "{profession}").tolist()
    assert alone[5:] == ["", ""]  # 2 respondents: no attribution at all


def test_writes_are_atomic_and_failures_are_french(tmp_path, monkeypatch):
    target = tmp_path / "rapport.csv"
    atomic_write(target, "avant")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(rx.RetexOutputError, match="disque est plein") as err:
        write_csv(pd.DataFrame({"a": ["x"] * 1000}), target)
    assert "rapport.csv" in str(err.value)
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "avant"  # the previous file is whole
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.csv"]  # no temporary left behind
    blocker = tmp_path / "fichier"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(rx.RetexOutputError, match="impossible d'écrire"):
        atomic_write(blocker / "dessous" / "report.html", "<html>")


def test_a_report_in_a_folder_that_cannot_be_written_gives_a_french_error(project_dir, tmp_path):
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    blocker = tmp_path / "pas_un_dossier"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(project_dir), "--out", str(blocker / "rapport")])
    assert result.exit_code == 2 and "impossible d'écrire" in result.output and "Traceback" not in result.output


PLANTED_NAMES = ["marion", "Marion", "lucas", "Lucas", "Kenza", "zoé", "Villeneuve-d'Ascq", "impasse des Acacias",
                 "2015-09-30", "2 85 05 78 006 084 36", "06 12 34 56 78"]


def _texts_of(folder: Path) -> dict[str, str]:
    """Every file of a folder as text; Office and REFI-QDA files (zip) by their XML parts."""
    out = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix in (".xlsx", ".docx", ".qdpx"):
            with zipfile.ZipFile(path) as z:
                out[str(path)] = "\n".join(z.read(n).decode("utf-8", errors="replace") for n in z.namelist()
                                           if n.endswith((".xml", ".qde", ".txt")))
        elif path.suffix in (".csv", ".html", ".qdc", ".txt"):
            out[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    return out


def test_no_planted_name_reaches_a_shared_output(tmp_path):
    """Testimonies whose texts and file names carry names, places, dates and numbers: nothing of
    it reaches rapport/ (only prive/, the private table, holds them)."""
    source = pd.read_csv(Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv", dtype=str)
    texts = source[source["question_code"] == "FIS_05"]["text"].head(40).tolist()
    folder = tmp_path / "temoignages"
    folder.mkdir()
    planted = {
        "af_marion.txt": "Ma sœur zoé et moi, on a vu la juge. " + texts[0],
        "es_lucas.txt": "Lucas, 7 ans, vit impasse des Acacias à Villeneuve-d'Ascq. " + texts[1],
        "psy_kenza.txt": "Kenza est née le 2015-09-30, NIR 2 85 05 78 006 084 36. " + texts[2],
        "cadre_nord.txt": "Appelez le 06 12 34 56 78. " + texts[3],
    }
    for name, text in planted.items():
        (folder / name).write_text(text, encoding="utf-8")
    for i, text in enumerate(texts[4:], start=1):
        (folder / f"t{i:02d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "projet"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
        rx.analyse(folder, text="text", attribution="{file}", embedder="tfidf", clusterer="kmeans", n_themes=3,
                   n_quotes=8, out=out, seed=0)
    shared = _texts_of(out / "rapport")
    assert len(shared) >= 8
    leaks = [(Path(p).name, s) for p, t in shared.items() for s in PLANTED_NAMES if s in t]
    assert not leaks, leaks
    private = "\n".join(_texts_of(out / "prive").values())
    assert "Villeneuve-d'Ascq" in private and "Kenza" in private  # the table of what was masked


def test_refi_qda_exports_validate_against_the_official_schemas(project_dir):
    from lxml import etree

    schemas = DATA / "refi_qda"
    project_schema = etree.XMLSchema(etree.parse(str(schemas / "Project-mrt2019.xsd")))
    codebook_schema = etree.XMLSchema(etree.parse(str(schemas / "Codebook.xsd")))
    with zipfile.ZipFile(project_dir / "rapport" / "project.qdpx") as z:
        qde = etree.fromstring(z.read("project.qde"))
        names = set(z.namelist())
    assert project_schema.validate(qde), project_schema.error_log
    # every source's text is in the archive where plainTextPath says
    paths = {s.get("plainTextPath").replace("internal://", "Sources/") for s in
             qde.iter("{urn:QDA-XML:project:1.0}TextSource")}
    assert paths and paths <= names
    qdc = etree.parse(str(project_dir / "rapport" / "grille.qdc"))
    assert codebook_schema.validate(qdc), codebook_schema.error_log


def test_retex_analyse_without_network_on_formulas_control_characters_and_names(tmp_path):
    """The command a user runs, in a network namespace with no interface up: no formula cell, no
    planted name in the shared outputs, the names in the private table only."""
    import shutil
    import subprocess
    import sys

    if not shutil.which("unshare") or subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode:
        pytest.skip("unshare -n is not available here")
    frame = pd.read_csv(FORMULAS, sep=";", dtype=str, keep_default_na=False)
    frame.loc[10, "text"] = "Théo, 6 ans, vit avec sa sœur zoé impasse des Acacias à Villeneuve-d'Ascq. " + frame.loc[10, "text"]
    frame.loc[11, "text"] = "Né le 2015-09-30, NIR 1 85 05 78 006 084 36. " + frame.loc[11, "text"]
    source = tmp_path / "enquete.csv"
    frame.to_csv(source, sep=";", index=False)
    out = tmp_path / "projet"
    retex = Path(sys.executable).with_name("retex")
    done = subprocess.run(["unshare", "-n", str(retex), "analyse", str(source), "--text-col", "text", "--by", "service",
                           "--attribution", "{service}", "--embedder", "tfidf", "--method", "kmeans", "--n-themes", "3",
                           "--out", str(out)], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    book = openpyxl.load_workbook(out / "rapport" / "report.xlsx")
    assert not [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    shared = _texts_of(out / "rapport")
    for secret in ("Théo", "zoé", "Acacias", "Villeneuve-d'Ascq", "2015-09-30", "1 85 05 78 006 084 36"):
        assert not [p for p, t in shared.items() if secret in t], secret
    assert "Villeneuve-d'Ascq" in "\n".join(_texts_of(out / "prive").values())


def test_a_broken_hand_edited_quote_choices_file_names_its_line(tmp_path):
    path = tmp_path / "citations_choix.yml"
    rx.QuoteChoices(pin=["Le calme est revenu."], ban=["Mme [Nom] nous l'a dit"]).save(path)
    assert rx.QuoteChoices.read(path).ban == ["Mme [Nom] nous l'a dit"]
    path.write_text("pin:\n  - Le calme est revenu.\nban: [\"non fermé\n  - autre\n", encoding="utf-8")
    with pytest.raises(rx.RetexInputError, match=r"citations_choix\.yml.*ligne \d+"):
        rx.QuoteChoices.read(path)
    path.write_text("- juste une liste\n", encoding="utf-8")
    with pytest.raises(rx.RetexInputError, match="pin.*ban"):
        rx.QuoteChoices.read(path)
    # one quote typed without its "- " is that quote, not its letters one by one
    path.write_text("ban: Mme [Nom] nous l'a dit à l'audience\n", encoding="utf-8")
    choices = rx.QuoteChoices.read(path)
    assert choices.ban == ["Mme [Nom] nous l'a dit à l'audience"]
    assert choices.is_banned("Mme [Nom] nous l'a dit à l'audience.")
    path.write_text("pin:\n  - Le calme: revenu\n", encoding="utf-8")  # YAML reads a mapping: quotes are needed
    with pytest.raises(rx.RetexInputError, match="« pin » doit être une liste de citations"):
        rx.QuoteChoices.read(path)


def test_the_workbook_stays_within_what_excel_opens(tmp_path, monkeypatch):
    """Excel holds 32,767 characters in a cell and 1,048,576 rows in a sheet: a longer text made
    Excel call the whole report damaged, a longer table made openpyxl raise a ValueError (a
    traceback instead of a report). A long text is cut in the workbook and says so; a long
    table continues on "Réponses (2)"…; the CSV keeps every character."""
    import retex_nlp.files as files

    bundled = pd.read_csv(Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv", dtype=str)
    texts = bundled["text"].dropna().head(14).tolist()
    long = " ".join(["Je suis assistante familiale depuis douze ans et l'accueil de cet enfant a changé ma vie."] * 450)
    assert len(long) > files.EXCEL_CELL_CHARS
    pd.DataFrame({"id": range(1, 16), "text": [*texts, long]}).to_csv(tmp_path / "long.csv", index=False)
    monkeypatch.setattr(files, "EXCEL_ROWS", 7)  # a sheet of 6 answers: three sheets for 15
    out = tmp_path / "projet"
    rx.analyse(tmp_path / "long.csv", text="text", embedder="tfidf", clusterer="kmeans", n_themes=2, n_quotes=2,
               out=out, seed=0)
    book = openpyxl.load_workbook(out / "rapport" / "report.xlsx")
    parts = [name for name in book.sheetnames if name.startswith("Réponses")]
    assert parts == ["Réponses", "Réponses (2)", "Réponses (3)"]
    rows = [row for name in parts for row in book[name].iter_rows(min_row=2, values_only=True)]
    header = [c.value for c in book["Réponses"][1]]
    assert all([c.value for c in book[name][1]] == header for name in parts)
    assert len(rows) == 15 and max(len(r) for r in book["Réponses"].iter_rows(values_only=True)) == len(header)
    cells = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert max(map(len, cells)) <= files.EXCEL_CELL_CHARS
    cut = [v for v in cells if v.startswith("Je suis assistante familiale")]
    assert cut and all(v.endswith("qu'une cellule Excel peut contenir ; le texte entier est dans les fichiers CSV et "
                                  "le projet)") for v in cut)
    coded = pd.read_csv(out / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert long in coded["text"].tolist()
