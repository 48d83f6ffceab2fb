"""The project: analyse -> edit -> re-render -> reopen, the user's columns kept, clear errors."""

from __future__ import annotations

import json
import shutil
import socket
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import retex_nlp as rx
from retex_nlp.cli import app

from .conftest import BUNDLED

runner = CliRunner()
OUTPUTS = ("answers_coded.csv", "themes.csv", "quotes.csv", "report.html")


pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture(scope="module")
def survey(tmp_path_factory) -> Path:
    """400 real answers with the bundled corpus's own columns (id, theme, question_code,
    question), plus user columns named like the tool's (status, note) and a profession."""
    frame = pd.read_csv(BUNDLED, dtype=str)
    frame = frame[frame["question_code"].isin(["FIS_05", "ECO_06"])].groupby("question_code").head(200)
    frame = frame.reset_index(drop=True)
    frame["status"] = ["validé" if i % 3 else "brouillon" for i in range(len(frame))]
    frame["note"] = [str(i % 10) for i in range(len(frame))]
    frame["profession"] = ["Assistante familiale", "Éducateur", "Psychologue", "Assistante sociale"] * (len(frame) // 4)
    # what a Microsoft Forms export adds to every row, and a comment column typed like the answers
    frame["Nom"] = [f"Sandrine Kowalczyk{i}" for i in range(len(frame))]
    frame["Adresse de messagerie"] = [f"agent{i}@departement59.fr" for i in range(len(frame))]
    frame["Commentaire"] = ["Merci de rappeler Mme Benhamida au sujet du questionnaire." if i % 5 == 0 else
                            "Rien à ajouter pour ce questionnaire." for i in range(len(frame))]
    path = tmp_path_factory.mktemp("survey") / "enquete.csv"
    frame.to_csv(path, index=False, sep=";", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def project_dir(survey, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("projet") / "projet"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(OSError("no network")))
        rx.analyse(survey, text="text", by=["theme", "profession"], attribution="{question_code}", n_quotes=3,
                   out=out, seed=0)
    return out


def _outputs(folder: Path) -> dict[str, str]:
    return {name: (folder / "rapport" / name).read_text(encoding="utf-8") for name in OUTPUTS}


def test_user_columns_and_ids_are_kept_in_every_output(project_dir, survey):
    source = pd.read_csv(survey, sep=";", dtype=str, keep_default_na=False)
    coded = pd.read_csv(project_dir / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert len(coded) == len(source)
    # the file's id column is the answer id (not 2, 3, 4…), and stays a column of its own
    assert coded["answer_id"].tolist() == source["id"].tolist() == coded["id"].tolist()
    for column in ("theme", "question", "question_code", "profession"):  # never overwritten by a tool column
        assert coded[column].tolist() == source[column].tolist(), column
    # the user's "status" and "note" keep their values under a suffixed name, beside the tool's
    assert coded["status (fichier)"].tolist() == source["status"].tolist()
    assert coded["note"].tolist() == source["note"].tolist()
    assert set(coded["status"]) <= set(rx.STATUSES)
    assert {"theme_id", "theme_label"} <= set(coded.columns)
    sheet = pd.read_excel(project_dir / "rapport" / "report.xlsx", sheet_name="Réponses", dtype=str)
    assert sheet["theme"].tolist() == source["theme"].tolist()
    # the theme x group tables compare the user's groups, not the tool's themes with themselves
    by_theme = pd.read_excel(project_dir / "rapport" / "report.xlsx", sheet_name="Thèmes x theme")
    assert set(by_theme["group"]) == set(source["theme"])
    with zipfile.ZipFile(project_dir / "rapport" / "project.qdpx") as z:
        qde = z.read("project.qde").decode("utf-8")
    assert 'name="theme"' in qde and "Transition écologique" in qde and 'name="score_' not in qde


def test_columns_that_identify_a_respondent_stay_private(project_dir, survey):
    """A name, an e-mail and a comment naming someone, in columns of the export: masked in every
    shared output and in etat/, kept as written in prive/ and when the project is reopened."""
    source = pd.read_csv(survey, sep=";", dtype=str, keep_default_na=False)
    shared = [p for folder in ("rapport", "etat") for p in (project_dir / folder).rglob("*") if p.is_file()]
    for path in shared:
        if path.suffix in (".xlsx", ".docx", ".qdpx"):
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        else:
            data = path.read_bytes()
        assert b"Kowalczyk" not in data and b"departement59" not in data and b"Benhamida" not in data, path
    coded = pd.read_csv(project_dir / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert set(coded["Nom"]) == {"[Nom]"} and set(coded["Adresse de messagerie"]) == {"[E-mail]"}
    assert "Merci de rappeler Mme [Nom] au sujet du questionnaire." in set(coded["Commentaire"])
    assert coded["profession"].tolist() == source["profession"].tolist()  # a category stays as it is
    html = (project_dir / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Adresse de messagerie ([E-mail])" in html and "Commentaire" in html
    private = (project_dir / "prive" / "textes_originaux.jsonl").read_text(encoding="utf-8")
    assert "Kowalczyk0" in private and "agent0@departement59.fr" in private
    reopened = rx.Project.open(project_dir)
    assert reopened.answers["Nom"].tolist() == source["Nom"].tolist()
    assert set(reopened.coded_answers()["Nom"]) == {"[Nom]"}
    assert reopened.identifying_ids() is None


def test_respondent_ids_that_are_e_mails_get_pseudonyms_in_what_is_shared(survey, tmp_path):
    """--id-col on a survey's e-mail column: the project keeps the e-mails (they join hand-coded
    files and review rounds to the answers); every shared file gives them pseudonyms (R0001…),
    the same in answers, quotes and REFI-QDA; the private folder holds the table of both."""
    source = pd.read_csv(survey, sep=";", dtype=str, keep_default_na=False).head(120)
    source.to_csv(tmp_path / "enquete.csv", index=False, sep=";")
    project = rx.analyse(tmp_path / "enquete.csv", text="text", id="Adresse de messagerie", embedder="tfidf",
                         clusterer="kmeans", n_themes=3, n_quotes=2, out=tmp_path / "projet", seed=0)
    emails = source["Adresse de messagerie"].tolist()
    assert project.identifying_ids() == "des adresses électroniques"
    assert project.answers["respondent_id"].tolist() == emails  # the project's own key
    assert any("sont des adresses électroniques ; dans les fichiers partagés, ils sont remplacés par R0001" in n
               for n in project.method_note())
    for path in (tmp_path / "projet" / "rapport").iterdir():
        data = b"".join(zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()) \
            if path.suffix in (".xlsx", ".docx", ".qdpx") else path.read_bytes()
        assert b"departement59" not in data, path
    keys = pd.read_csv(tmp_path / "projet" / "prive" / "identifiants_repondants.csv", dtype=str)
    assert keys["respondent_id"].tolist() == emails and keys["pseudonyme"].tolist()[:2] == ["R0001", "R0002"]
    coded = pd.read_csv(tmp_path / "projet" / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    assert coded["respondent_id"].tolist() == coded["answer_id"].tolist() == keys["pseudonyme"].tolist()
    quotes = pd.read_csv(tmp_path / "projet" / "rapport" / "quotes.csv", dtype=str)
    assert len(quotes) and set(quotes["answer_id"]) <= set(coded["answer_id"])
    shown = dict(zip(coded["answer_id"], coded["text"], strict=True))
    quotes = quotes.fillna("")  # a quote's answer is the answer of that pseudonym
    assert all(q[:40] in shown[a] and t in ("", shown[a])
               for a, q, t in zip(quotes["answer_id"], quotes["quote"], quotes["whole_text"], strict=True))
    with zipfile.ZipFile(tmp_path / "projet" / "rapport" / "project.qdpx") as z:
        assert 'name="R0001"' in z.read("project.qde").decode("utf-8")
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    rendered = CliRunner().invoke(app, ["report", str(tmp_path / "projet")])  # re-rendered, the table said
    assert rendered.exit_code == 0, rendered.output
    assert "Identifiants des répondants et leurs pseudonymes (NE PAS diffuser)" in rendered.output


def test_attribution_from_a_column_that_is_not_a_by_variable(project_dir):
    quotes = pd.read_csv(project_dir / "rapport" / "quotes.csv", dtype=str)
    assert len(quotes) and set(quotes["attribution"]) <= {"FIS_05", "ECO_06"}
    assert quotes["attribution"].notna().all()


def test_edit_render_reopen_round_trip(project_dir, tmp_path):
    work = tmp_path / "copie"
    shutil.copytree(project_dir, work)
    project = rx.Project.open(work)
    themes = project.themes
    assert len(themes) >= 4 and not project.journal
    big, second, third = themes["theme_id"].iloc[:3].tolist()
    n_big = int(themes.loc[themes["theme_id"] == big, "size"].iloc[0])
    n_third = int(themes.loc[themes["theme_id"] == third, "size"].iloc[0])
    banned = project.quotes[project.quotes["theme_id"] == second].iloc[0]["quote"]
    n_merged = n_third + int(themes.loc[themes["theme_id"] == second, "size"].iloc[0])
    project.rename(big, "Lien avec les familles").merge([third, second]).ban_quote(banned)
    assert int(project.themes.set_index("theme_id").loc[third, "size"]) == n_merged
    new_ids = project.split(third, 2)  # the parts are labelled by their own key terms
    assert len(new_ids) == 2 and new_ids[0] == third
    project.save()
    after = project.themes.set_index("theme_id")
    assert second not in after.index
    assert after.loc[big, "label"] == "Lien avec les familles" and after.loc[big, "size"] == n_big
    assert after.loc[new_ids, "size"].sum() == n_merged and after.loc[new_ids, "size"].min() > 0
    assert after.loc[new_ids[0], "label"] != after.loc[new_ids[1], "label"]
    rendered = _outputs(work)
    for name in OUTPUTS:  # the new name everywhere
        assert "Lien avec les familles" in rendered[name], name
    with zipfile.ZipFile(work / "rapport" / "report.docx") as z:
        assert "Lien avec les familles" in z.read("word/document.xml").decode("utf-8")
    assert banned not in rendered["quotes.csv"]
    journal = (work / "journal.yml").read_text(encoding="utf-8")
    assert "renommer" in journal and "fusionner" in journal and "scinder" in journal and "écarter" in journal

    again = rx.Project.open(work)  # the journal replayed: same state, same outputs
    pd.testing.assert_frame_equal(again.themes, project.themes)
    pd.testing.assert_frame_equal(again.assignments, project.assignments)
    again.render()
    assert _outputs(work) == rendered

    undone = again.undo()
    assert undone["action"] == "scinder" and set(again.themes["theme_id"]) == set(after.index) - {new_ids[1]}


def test_report_never_fits(project_dir, tmp_path, monkeypatch):
    work = tmp_path / "copie"
    shutil.copytree(project_dir, work)
    (work / "rapport" / "themes.csv").unlink()

    def spy(*args, **kwargs):
        raise AssertionError("report must not fit anything")

    for cls in (rx.ThemeFinder, rx.CodebookCoder, rx.MixedCoder, rx.AnalysisPipeline, rx.TfidfEmbedder):
        for name in ("fit", "fit_transform"):
            if hasattr(cls, name):
                monkeypatch.setattr(cls, name, spy)
    monkeypatch.setattr(rx.USEEmbedder, "encode", spy)  # every vector comes from the project's cache
    result = runner.invoke(app, ["report", str(work)])
    assert result.exit_code == 0, result.output
    assert (work / "rapport" / "themes.csv").exists()
    assert _outputs(work) == _outputs(project_dir)


def test_cli_edit_then_report(project_dir, tmp_path):
    work = tmp_path / "copie"
    shutil.copytree(project_dir, work)
    themes = pd.read_csv(work / "rapport" / "themes.csv")
    a, b = themes["theme_id"].iloc[:2].tolist()
    result = runner.invoke(app, ["edit", str(work), "--rename", str(a), "Fiscalité des ménages", "--merge",
                                 str(a), str(b), "--pin-quote", "une citation qui n'existe pas encore"])
    assert result.exit_code == 0, result.output
    assert "renommé « Fiscalité des ménages »" in result.output and "retex report" in result.output
    result = runner.invoke(app, ["report", str(work)])
    assert result.exit_code == 0, result.output
    themes = pd.read_csv(work / "rapport" / "themes.csv")
    assert "Fiscalité des ménages" in set(themes["label"]) and b not in set(themes["theme_id"])
    assert "Fiscalité des ménages" in (work / "rapport" / "report.html").read_text(encoding="utf-8")
    bad = runner.invoke(app, ["edit", str(work), "--rename", "999", "x"])
    assert bad.exit_code == 2 and "pas de thème 999" in bad.output and "Traceback" not in bad.output
    assert "Fiscalité des ménages" in runner.invoke(app, ["edit", str(work), "--list"]).output


def test_old_or_damaged_projects_give_clear_french_errors(project_dir, tmp_path):
    old = tmp_path / "ancien"
    old.mkdir()
    (old / "report.html").write_text("<html></html>", encoding="utf-8")
    with pytest.raises(rx.RetexInputError, match="version antérieure"):
        rx.Project.open(old)
    result = runner.invoke(app, ["report", str(old)])
    assert result.exit_code == 2 and "n'est pas un projet retex_nlp" in result.output

    newer = tmp_path / "recent"
    shutil.copytree(project_dir, newer)
    meta = json.loads((newer / "projet.json").read_text(encoding="utf-8"))
    (newer / "projet.json").write_text(json.dumps({**meta, "schema_version": 99}), encoding="utf-8")
    with pytest.raises(rx.RetexInputError, match="plus récent"):
        rx.Project.open(newer)

    cut = tmp_path / "tronque"
    shutil.copytree(project_dir, cut)
    answers = cut / "etat" / "reponses.jsonl"
    data = answers.read_bytes()
    answers.write_bytes(data[: len(data) // 2])
    with pytest.raises(rx.RetexInputError, match="reponses.jsonl") as err:
        rx.Project.open(cut)
    assert "endommagé" in str(err.value) or "tronqué" in str(err.value)
    result = runner.invoke(app, ["report", str(cut)])
    assert result.exit_code == 2 and "reponses.jsonl" in result.output and "Traceback" not in result.output

    journal = tmp_path / "journal"
    shutil.copytree(project_dir, journal)
    (journal / "journal.yml").write_text("- action: renommer\n  thème: [1\n", encoding="utf-8")
    with pytest.raises(rx.RetexInputError, match="ligne"):
        rx.Project.open(journal)


def test_analyse_from_several_files_and_a_codebook(tmp_path):
    frame = pd.read_csv(BUNDLED, dtype=str)
    one = frame[frame["question_code"] == "FIS_02"].head(120)
    two = frame[frame["question_code"] == "ECO_06"].head(120)
    one.to_csv(tmp_path / "vague1.csv", index=False)
    two.to_csv(tmp_path / "vague2.csv", index=False)
    answers = rx.read_answers([tmp_path / "vague1.csv", tmp_path / "vague2.csv"], text="text")
    assert len(answers) == 240 and answers["source_file"].tolist() == ["vague1.csv"] * 120 + ["vague2.csv"] * 120
    assert answers["answer_id"].iloc[0] == "vague1:" + one["id"].iloc[0] and answers["answer_id"].is_unique
    book = rx.Codebook.from_dict({"themes": [
        {"name": "fiscalité", "description": "Baisser ou supprimer des impôts et des taxes.",
         "keywords": ["impôt", "taxe", "TVA"]},
        {"name": "transports", "description": "Prendre les transports en commun, le vélo plutôt que la voiture.",
         "keywords": ["vélo", "transport en commun", "voiture"]}]})
    project = rx.analyse([tmp_path / "vague1.csv", tmp_path / "vague2.csv"], text="text", codebook=book,
                         by="source_file", out=tmp_path / "projet")
    assert project.themes["label"].tolist() == ["fiscalité", "transports"]
    assert book.names == ["fiscalité", "transports"]  # the caller's codebook is untouched
    coded = pd.read_csv(tmp_path / "projet" / "rapport" / "answers_coded.csv", dtype=str, keep_default_na=False)
    fis = coded["source_file"] == "vague1.csv"
    assert coded.loc[fis, "theme_label"].str.contains("fiscalité").mean() > 0.5
    reopened = rx.Project.open(tmp_path / "projet").rename(1, "mobilité")
    assert reopened.themes["label"].tolist() == ["fiscalité", "mobilité"]
    assert "mobilité" in set(reopened.quotes["theme_label"])


def test_two_themes_never_share_a_label(project_dir, tmp_path):
    """Two themes named alike (by the analyst, or by the same key terms) stay two themes in every
    table, chart and REFI-QDA code."""
    from retex_nlp.report.charts import theme_sizes_chart

    work = tmp_path / "copie"
    shutil.copytree(project_dir, work)
    project = rx.Project.open(work)
    a, b = project.themes["theme_id"].iloc[:2].tolist()
    project.rename(a, "Même nom").rename(b, "Même nom")
    labels = project.themes.set_index("theme_id")["label"]
    assert {labels[a], labels[b]} == {"Même nom", "Même nom (2)"} and labels.is_unique
    table = project.by_group["theme"]
    assert {"Même nom", "Même nom (2)"} <= set(table["theme"])
    fig = theme_sizes_chart(project.themes)
    assert len(fig.axes[0].patches) == int((project.themes["size"] > 0).sum())  # one bar per theme
    same = theme_sizes_chart(pd.DataFrame({"label": ["taxe", "taxe", "vélo"], "size": [30, 20, 10]}))
    assert [p.get_width() for p in same.axes[0].patches] == [10, 20, 30]  # a bar each, even when labels repeat
    project.save()
    with zipfile.ZipFile(work / "rapport" / "project.qdpx") as z:
        qde = z.read("project.qde").decode("utf-8")
    assert 'name="Même nom"' in qde and 'name="Même nom (2)"' in qde


def _lga_survey(tmp_path: Path, question: str, n_labels: int, n: int):
    """Real answers with human theme labels (LGA, Grand Débat): the ``n`` first answers of
    ``question`` coded with its ``n_labels`` commonest labels, written as ``enquete.csv``
    (``id``, ``reponse``); returns (answers, labels, "a;b" codes per answer text)."""
    from .conftest import SHARED

    lga = SHARED / "gdn_annotated_lga_elf" / "lga_gdn_fiscalite_FI7_FI8.tsv"
    if not lga.exists():
        pytest.skip("shared corpora not found")
    raw = pd.read_csv(lga, sep="\t", index_col=0)
    fi = raw[(raw["question"] == question) & (raw["count"] >= 2) & (raw["tag"] != "Idée marquée")]
    top = fi["tag"].value_counts().head(n_labels).index.tolist()
    gold = fi[fi["tag"].isin(top)].groupby("corpus")["tag"].apply(lambda s: ";".join(sorted(set(s)))).head(n)
    answers = pd.DataFrame({"id": [f"R{i:04d}" for i in range(len(gold))], "reponse": gold.index})
    answers.to_csv(tmp_path / "enquete.csv", index=False, sep=";")
    return answers, top, gold


def test_a_project_keeps_its_hand_coding_rounds_and_their_agreement(tmp_path):
    """retex analyse --codebook --train: the coder learns from the analyst's codes; the project
    keeps each round and the cross-validated agreement, which the report and its method note show."""
    answers, top, gold = _lga_survey(tmp_path, "FI8", 5, 400)
    # a keyword of function words only: the analyst is told it marks nothing
    rx.Codebook.from_dict({"themes": [{"name": t, **({"keywords": ["de la"]} if i == 0 else {})}
                                      for i, t in enumerate(top)]}).to_yaml(tmp_path / "grille.yml")
    codes = dict(zip(answers["id"], gold.to_numpy(), strict=True))
    pd.DataFrame({"id": answers["id"][:100], "codes": [codes[i] for i in answers["id"][:100]]}).to_csv(
        tmp_path / "tour1.csv", index=False)
    pd.DataFrame({"answer_id": answers["id"][100:150], "codes": [codes[i] for i in answers["id"][100:150]]}).to_excel(
        tmp_path / "tour2.xlsx", index=False)
    out = tmp_path / "projet"
    result = runner.invoke(app, ["analyse", str(tmp_path / "enquete.csv"), "--text-col", "reponse", "--codebook",
                                 str(tmp_path / "grille.yml"), "--train", str(tmp_path / "tour1.csv"), "--train",
                                 str(tmp_path / "tour2.xlsx"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Attention, mot-clé « de la » (thème « {top[0]} ») : uniquement des mots outils" in result.output
    assert sorted(p.name for p in (out / "apprentissage").iterdir()) == ["tour_01.csv", "tour_02.xlsx"]
    html = (out / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Accord avec le codage manuel" in html and "Codage appris" in html and "150 réponses codées" in html
    again = rx.Project.open(out)
    assert set(again.agreement["theme"]) == set(top) and again.settings["training"]["rounds"] == ["tour1.csv", "tour2.xlsx"]
    assert "Accord codage manuel" in pd.ExcelFile(out / "rapport" / "report.xlsx").sheet_names


def test_review_then_train_rounds_in_a_project(tmp_path):
    """The review loop on a project: the answers to code first (before any hand coding), their
    codes given back as a round, the coder re-fitted, every answer recoded, the analyst's edits
    kept, the round and the agreement on disk; the next review leaves coded answers out."""
    answers, top, gold = _lga_survey(tmp_path, "FI7", 4, 300)
    truth = dict(zip(answers["id"], gold.to_numpy(), strict=True))
    book = rx.Codebook.from_dict({"themes": [{"name": t} for t in top]})
    project = rx.analyse(tmp_path / "enquete.csv", text="reponse", codebook=book, out=tmp_path / "projet")
    project.rename(0, "Premier thème renommé")
    first = project.review(30)
    assert len(first) == 30 and first["answer_id"].is_unique and set(first["answer_id"]) <= set(truth)
    assert {"text", "proposed", "uncertainty"} <= set(first.columns)
    proposed = {c for v in first["proposed"] for c in v.split(";") if c}
    assert proposed <= set(top)
    assert project.agreement is None
    # the analyst corrects the proposals (here: the human codes) and gives 120 answers back
    round_one = {a: truth[a] for a in list(first["answer_id"]) + [a for a in truth if a not in set(first["answer_id"])][:90]}
    before = project.assignments.set_index("answer_id")["theme_label"].copy()
    project.train(round_one).save()
    assert sorted(p.name for p in (tmp_path / "projet" / "apprentissage").iterdir()) == ["tour_01.csv"]
    assert set(project.agreement["theme"]) == set(top) and project.settings["training"]["n_coded"] == 120
    after = project.assignments.set_index("answer_id")["theme_label"]
    assert (after != before).any()  # the answers were coded again
    assert "Premier thème renommé" in set(project.themes["label"])  # the edit survived
    with pytest.raises(rx.RetexInputError, match="code inconnu"):
        project.train({"R0001": "thème qui n'existe pas"})
    reopened = rx.Project.open(tmp_path / "projet")
    assert reopened.training_codes() == round_one and reopened.agreement is not None
    assert "Premier thème renommé" in set(reopened.themes["label"])
    second = reopened.review(20)
    assert len(second) == 20 and not set(second["answer_id"]) & set(round_one)
    reopened.train({a: truth[a] for a in second["answer_id"]}).save()
    assert sorted(p.name for p in (tmp_path / "projet" / "apprentissage").iterdir()) == ["tour_01.csv", "tour_02.csv"]
    assert rx.Project.open(tmp_path / "projet").settings["training"]["n_coded"] == 140
    html = (tmp_path / "projet" / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Accord avec le codage manuel" in html and "140 réponses codées" in html


def test_nothing_to_analyse_says_why_in_french(tmp_path):
    path = tmp_path / "vide.csv"
    pd.DataFrame({"id": [1, 2, 3, 4], "reponse": ["RAS", "", "néant", "RAS"]}).to_csv(path, index=False)
    with pytest.raises(rx.RetexInputError) as err:
        rx.analyse(path, "reponse")
    message = str(err.value)
    assert "vide.csv" in message and "aucune réponse exploitable" in message
    assert "non-réponses (RAS, néant…) : 3" in message and "vides : 1" in message
    assert "non_answer" not in message
