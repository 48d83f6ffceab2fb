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
        assert (tmp_path / name).exists()


def test_report_example_notebook_runs(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("RETEX_ROOT", str(ROOT))
    monkeypatch.setenv("RETEX_EXAMPLE_N", "300")
    monkeypatch.setenv("RETEX_EXAMPLE_OUT", str(tmp_path / "out"))
    nb = nbformat.read(ROOT / "examples" / "rapport.ipynb", as_version=4)
    NotebookClient(nb, timeout=1200, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert (tmp_path / "out" / "report.html").exists()
    html_repr = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "text/html" in o.get("data", {})]
    assert any("Thèmes" in o["data"]["text/html"] for o in html_repr)
