"""Exports a director can open and hand on: no formula, no control character, no half-written
file, small groups protected, a method note, A4. The answers come from tests/data/."""

from __future__ import annotations

import errno
import os
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
        assert not [v for v in cells if v.startswith(FORMULA_START)], name
    coded = pd.read_csv(project_dir / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert coded.loc[1, "text"] == "'=1+1" and coded.loc[6, "service"] == "'=1+1"
    assert coded.loc[4, "text"].startswith("'-5 % de TVA")
    # the API keeps a raw CSV for programs
    raw = write_csv(pd.DataFrame({"a": ["=1+1", "-2"]}), project_dir.parent / "brut.csv", raw=True)
    assert pd.read_csv(raw, dtype=str)["a"].tolist() == ["=1+1", "-2"]
    assert neutralize_formula("@x") == "'@x" and neutralize_formula(3) == 3 and neutralize_formula("a=b") == "a=b"


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
