"""Quotes, reports (Excel, HTML, Word), REFI-QDA export and `retex analyse` end to end, offline."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd
import pytest

from retex_nlp import QuoteChoices, read_answers, representative_quotes
from retex_nlp.quotes import attribution, readability
from retex_nlp.text.segment import split_sentences

from .conftest import BUNDLED

PLANTED = {  # name -> sentence planted in a real answer
    "Ibrahim": "Mon fils Ibrahim (12 ans) en parle souvent.",
    "Durand": "Mme Durand nous l'a expliqué.",
    "Jade": "Jade est inquiète pour sa grand-mère.",
    "Wattrelos": "J'habite à Wattrelos depuis dix ans.",
    "0612345678": "Appelez-moi au 0612345678.",
}


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    """The bundled corpus with names planted in some answers, as a survey export."""
    frame = pd.read_csv(BUNDLED)
    frame = frame[frame["question_code"].isin(["FIS_05", "ECO_06"])].reset_index(drop=True)
    for i, sentence in enumerate(PLANTED.values()):
        for j in range(i * 7, len(frame), 60):
            frame.loc[j, "text"] = f"{frame.loc[j, 'text']} {sentence}"
    path = tmp_path_factory.mktemp("survey") / "enquete.csv"
    frame.to_csv(path, index=False, sep=";", encoding="cp1252", errors="replace")
    return path


def test_readability_prefers_sentences():
    good = "Les visites médiatisées se faisaient en visio, les enfants ont pu garder le lien avec leurs parents."
    assert readability(good) == 1.0
    assert readability(good.upper()) < 0.5
    assert readability("visio, lien, parents, enfants, école, tablette, ordinateur, réseau") < 0.5
    assert readability("Trop court.") < 0.3


def test_attribution_template():
    row = {"profession": "Assistante familiale", "service": "UTPAS Lille", "age": None}
    assert attribution(row, "{profession}") == "Assistante familiale"
    assert attribution(row, "{profession}, {service}") == "Assistante familiale, UTPAS Lille"
    assert attribution(row, "{profession}, {age}") == "Assistante familiale"


def test_representative_quotes_are_readable_diverse_and_spread(tmp_path):
    answers = read_answers(BUNDLED, text="text", variables=["question_code", "theme"])
    sub = answers[answers["question_code"].isin(["FIS_05", "ECO_06"])]
    codes = {"FIS_05": 0, "ECO_06": 1}
    themes = pd.DataFrame({"answer_id": sub["answer_id"], "theme_id": sub["question_code"].map(codes),
                           "theme_label": sub["question_code"]})
    quotes = representative_quotes(sub, themes, n=4, by="theme", template="{theme}")
    assert set(quotes["theme_label"]) == {"FIS_05", "ECO_06"}
    assert quotes.groupby("theme_id").size().eq(4).all()
    assert quotes["answer_id"].is_unique
    originals = sub.set_index("answer_id")["text"]
    for _, q in quotes.iterrows():
        n_words = len(q["quote"].split())
        assert 5 <= n_words <= 90
        source = " ".join(originals[q["answer_id"]].split())
        # whole sentences of the answer, never cut mid-sentence
        assert all(s in split_sentences(source) for s in split_sentences(q["quote"])) or q["quote"] == source
        # a piece of a long answer comes with the whole answer to read
        assert q["whole_text"] == "" if q["quote"] == source else " ".join(q["whole_text"].split()) == source
    assert (quotes["whole_text"] != "").any()
    assert (quotes["attribution"] != "").all()
    # pins and bans (by text) survive a re-run; a banned text is banned in every copy
    first = quotes[(quotes["theme_label"] == "FIS_05") & ~quotes["quote"].str.contains("[", regex=False)].iloc[0]
    pinned = sub[(sub["question_code"] == "ECO_06") & (sub["text"].str.split().str.len().between(15, 40))].iloc[-1]
    copy = pd.DataFrame([{**sub.iloc[0].to_dict(), "answer_id": "copie", "text": "  " + first["quote"].upper() + " "}])
    with_copy = pd.concat([sub, copy], ignore_index=True)
    themes_copy = pd.concat([themes, pd.DataFrame({"answer_id": ["copie"], "theme_id": [0], "theme_label": ["FIS_05"]})])
    path = QuoteChoices(pin=[pinned["text"]], ban=[first["quote"]]).save(tmp_path / "choix.yml")
    again = representative_quotes(with_copy, themes_copy, n=4, by="theme", template="{theme}", choices=path)
    assert first["answer_id"] not in set(again["answer_id"]) and "copie" not in set(again["answer_id"])
    eco = again[again["theme_label"] == "ECO_06"]
    assert eco.iloc[0]["answer_id"] == pinned["answer_id"] and eco.iloc[0]["pinned"]


def _texts_of_outputs(out: Path) -> dict[str, str]:
    """Every file of a project folder but prive/ (personal data, by design) and the embedding cache."""
    texts = {}
    for path in out.rglob("*"):
        parts = path.relative_to(out).parts
        if parts[0] in ("prive", "cache") or not path.is_file():
            continue
        if path.suffix in (".xlsx", ".docx", ".qdpx"):
            with zipfile.ZipFile(path) as z:
                texts[path.name] = " ".join(z.read(n).decode("utf-8", "ignore") for n in z.namelist())
        else:
            texts[path.name] = path.read_bytes().decode("utf-8", "ignore")
    return texts


@pytest.fixture(scope="module")
def analysed(survey, tmp_path_factory):
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    out = tmp_path_factory.mktemp("rapport")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
        result = CliRunner().invoke(app, ["analyse", str(survey), "--text-col", "text", "--by", "question_code",
                                          "--attribution", "{theme}", "--out", str(out), "--quotes", "3"])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_analyse_writes_every_file_one_row_per_answer(analysed, survey):
    out, output = analysed
    for name in ("report.html", "report.xlsx", "report.docx", "answers_coded.csv", "project.qdpx",
                 "quotes.csv", "themes.csv"):
        assert (out / "rapport" / name).exists(), name
        assert str(out / "rapport" / name) in output
    private = out / "prive" / "pseudonymisation_a_verifier.csv"  # personal data: beside the report, not in it
    assert private.exists() and str(private) in output
    assert not list((out / "rapport").glob("pseudonymisation*"))
    n_input = len(pd.read_csv(survey, sep=";", encoding="cp1252"))
    sheet = pd.read_excel(out / "rapport" / "report.xlsx", sheet_name="Réponses")
    assert len(sheet) == n_input and sheet["status"].notna().all()
    themes = pd.read_excel(out / "rapport" / "report.xlsx", sheet_name="Thèmes")
    quotes = pd.read_csv(out / "rapport" / "quotes.csv")
    assert len(themes) >= 3
    assert set(themes["label"]) == set(quotes["theme_label"])  # every theme has quotes
    coded = pd.read_csv(out / "rapport" / "answers_coded.csv", dtype={"answer_id": str}).set_index("answer_id")
    assert len(coded) == n_input

    def plain(text: str) -> str:
        return re.sub(r"\[[^\]]+\]", "X", " ".join(str(text).split()))

    for _, q in quotes.astype({"answer_id": str}).iterrows():  # the whole answer, or whole sentences of it
        answer = plain(coded.loc[q["answer_id"], "text"])
        assert plain(q["quote"]) == answer or all(s in split_sentences(answer) for s in split_sentences(plain(q["quote"])))


def test_no_planted_name_in_any_output(analysed):
    out, _ = analysed
    for name, text in _texts_of_outputs(out).items():
        for secret in PLANTED:  # in any case: theme labels, terms and clouds are lower-cased
            assert not re.search(rf"\b{secret}\b", text, re.I), f"{secret} in {name}"
    table = pd.read_csv(out / "prive" / "pseudonymisation_a_verifier.csv")
    assert {"Ibrahim", "Durand", "Jade", "Wattrelos", "0612345678"} <= set(table["original"])


def test_html_is_self_contained(analysed):
    out, _ = analysed
    page = (out / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "data:image/png;base64," in page and "Les thèmes" in page


def test_qdpx_follows_refi_qda_structure(analysed):
    out, _ = analysed
    ns = {"q": "urn:QDA-XML:project:1.0"}
    with zipfile.ZipFile(out / "rapport" / "project.qdpx") as z:
        root = ET.fromstring(z.read("project.qde"))
        names = set(z.namelist())
        assert root.tag == "{urn:QDA-XML:project:1.0}Project"
        order = [child.tag.split("}")[1] for child in root]
        assert order == sorted(order, key=["Users", "CodeBook", "Variables", "Cases", "Sources"].index)
        guid = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        codes = {c.get("guid") for c in root.iterfind(".//q:CodeBook/q:Codes/q:Code", ns)}
        assert codes and all(guid.match(g) for g in codes)
        sources = root.findall(".//q:Sources/q:TextSource", ns)
        assert sources
        for source in sources[:200]:
            path = "Sources/" + source.get("plainTextPath").removeprefix("internal://")
            assert path in names
            text = z.read(path).decode("utf-8")
            for sel in source.iterfind("q:PlainTextSelection", ns):
                assert 0 <= int(sel.get("startPosition")) < int(sel.get("endPosition")) <= len(text)
                for ref in sel.iterfind("q:Coding/q:CodeRef", ns):
                    assert ref.get("targetGUID") in codes


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it)")
def test_html_renders_in_headless_chromium_without_network(analysed, tmp_path):
    """Chromium with every host mapped to nothing: the page must render, fetch nothing, log no error."""
    out, _ = analysed
    shot = out / "report_screenshot.png"
    log = tmp_path / "chrome.log"
    run = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--host-resolver-rules=MAP * ~NOTFOUND", "--enable-logging=stderr", "--v=0",
                          f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,3000",
                          f"--screenshot={shot}", (out / "rapport" / "report.html").as_uri()],
                         capture_output=True, text=True, timeout=120)
    log.write_text(run.stderr)
    assert shot.exists() and shot.stat().st_size > 20_000, run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    failed = [line for line in run.stderr.splitlines() if "net::ERR" in line]
    assert not failed, failed
    if os.environ.get("RETEX_UPDATE_SCREENSHOT"):  # `make screenshot`: the guide's image, on request only
        shutil.copy(shot, Path(__file__).parent.parent / "docs" / "img" / "rapport.png")


def test_quotes_come_from_the_themes_core_its_main_question_and_read_well():
    answers = read_answers(BUNDLED, text="text")
    fis = answers[answers["question_code"] == "FIS_05"].head(40)
    eco = answers[answers["question_code"] == "ECO_06"].head(30)  # a large minority of another question
    sub = pd.concat([fis, eco], ignore_index=True).assign(open_question=lambda d: d["question_code"])
    themes = pd.DataFrame({"answer_id": sub["answer_id"], "theme_id": 0, "theme_label": "fiscalité"})
    quotes = representative_quotes(sub, themes, n=5, pseudonymizer=False)
    assert len(quotes) == 5
    asked = sub.set_index("answer_id")["question_code"]
    assert set(asked[quotes["answer_id"]]) == {"FIS_05"}  # the theme's main question only
    assert (quotes["readability"] >= 0.5).all()
    # the same with every answer of one question: nothing changes but the question rule
    alone = representative_quotes(fis.assign(open_question="FIS_05"), themes.iloc[:40], n=5, pseudonymizer=False)
    assert (alone["readability"] >= 0.5).all() and len(alone) == 5


def test_a_figure_that_could_not_be_measured_reads_as_a_dash_not_nan(tmp_path):
    """A theme coded once by hand has no cross-validated agreement: the report's tables say
    "–" where they printed "nan"."""
    import numpy as np

    from retex_nlp import status_summary
    from retex_nlp.report.report import Report

    answers = pd.DataFrame({"answer_id": ["1", "2"], "respondent_id": ["1", "2"], "open_question": ["q", "q"],
                            "text": ["Les familles d'accueil sont épuisées.", "On manque de temps pour écrire."],
                            "status": ["ok", "ok"], "status_note": ["", ""], "source_row": [2, 3],
                            "theme_id": ["0", "1"], "theme_label": ["Épuisement", "Temps"]})
    themes = pd.DataFrame({"theme_id": [0, 1], "label": ["Épuisement", "Temps"], "size": [1, 1], "share": [0.5, 0.5],
                           "key_terms": ["", ""], "description": ["", ""]})
    agreement = pd.DataFrame({"theme": ["Épuisement", "Temps"], "n_coded": [12, 1], "threshold": [0.41, np.nan],
                              "precision": [0.8, np.nan], "recall": [0.75, np.nan], "f1": [0.77, np.nan],
                              "kappa": [0.71, np.nan]})
    report = Report(title="Essai", answers=answers, summary=status_summary(answers), themes=themes,
                    quotes=pd.DataFrame(), agreement=agreement)
    page = report.to_html()
    table = page[page.index("codées à la main"):]
    assert "nan" not in table.lower()
    assert re.search(r"<td>Temps</td>(<td class=\"n\">[^<]*</td>){6}", table).group(0).count("–") == 5
