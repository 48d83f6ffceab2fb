"""Reinert's CHD and class profiles, checked against R's rainette 0.3.1.1 on 2,000 real
Grand Débat answers (``../shared/reference/rainette_fis02``), and on the bundled corpus."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

import retex_nlp as rx

from .conftest import BUNDLED, ROOT

REF = ROOT.parent / "shared" / "reference" / "rainette_fis02"
needs_reference = pytest.mark.skipif(not REF.exists(), reason="the rainette reference (../shared/reference) is not here")


@pytest.fixture(scope="module")
def reference_matrix():
    tokens = pd.read_csv(REF / "tokens_after_stopwords.csv", keep_default_na=False)
    return rx.document_term_matrix([t.split() for t in tokens["tokens"]], min_docfreq=3)


@needs_reference
def test_the_document_term_matrix_is_the_reference_one(reference_matrix):
    counts, features = reference_matrix
    vocabulary = pd.read_csv(REF / "dfm_vocabulary.csv", keep_default_na=False)
    triplets = pd.read_csv(REF / "dfm_triplets.csv", keep_default_na=False)
    assert features == vocabulary["feature"].tolist() and counts.shape == (2000, 1628)
    coo = counts.tocoo()
    mine = pd.DataFrame({"row": coo.row + 1, "col": coo.col + 1, "count": coo.data.astype(int)})
    mine = mine.sort_values(["row", "col"]).to_numpy()
    assert (mine == triplets[["row", "col", "count"]].to_numpy()).all()


@needs_reference
@pytest.mark.parametrize("k", [8, 10])
@pytest.mark.parametrize("negative", [True, False])
def test_class_profiles_equal_rainette_stats(reference_matrix, k, negative):
    """Per class: the same terms in the same order, chi2 and p to 1e-6 (Yates when an expected
    count is under 5), on rainette's own partitions."""
    counts, features = reference_matrix
    classes = pd.read_csv(REF / f"clusters_k{k}.csv")["cluster"]
    expected = pd.read_csv(REF / f"stats_k{k}_top30_chi2{'' if negative else '_positive'}.csv", keep_default_na=False)
    got = rx.class_keyness(counts, classes, features, n_terms=30, max_p=0.05, show_negative=negative)
    assert got["class"].astype(int).tolist() == expected["cluster"].tolist()
    assert got["feature"].tolist() == expected["feature"].tolist()
    assert np.allclose(got["chi2"], expected["chi2"], rtol=0, atol=1e-6)
    assert np.allclose(got["p"], expected["p"], rtol=0, atol=1e-6)
    assert got["n_target"].tolist() == expected["n_target"].tolist()
    assert got["n_reference"].tolist() == expected["n_reference"].tolist()


@needs_reference
@pytest.mark.parametrize("k", [8, 10])
def test_chd_partitions_and_split_chi2_identical_to_rainette(reference_matrix, k):
    """rainette's own runs at k = 8 and 10: the same partition at every level (the same
    unclassified documents), every split's chi-squared and the dendrogram's heights to 1e-6."""
    counts, _ = reference_matrix
    chd = rx.ReinertCHD(k, min_split_members=10, cc_test=0.3, tsj=3).fit(counts)
    levels = pd.read_csv(REF / f"clusters_all_levels_run_k{k}.csv")
    tree = json.loads((REF / f"hclust_run_k{k}.json").read_text())
    assert chd.n_clusters_ == k and sorted(set(chd.labels_) - {0}) == list(range(1, k + 1))
    for level in range(2, k + 1):
        reference = levels[f"k{level}"].fillna(0).to_numpy()
        assert adjusted_rand_score(reference, chd.partition(level)) == 1.0, level
        assert ((reference == 0) == (chd.partition(level) == 0)).all(), level
    recorded = np.diff(np.concatenate([[0.0], tree["height"]]))[::-1]  # the tree is a chain here
    assert np.allclose(chd.splits_["chi2"], recorded, rtol=0, atol=1e-6)
    assert np.allclose(chd.heights_, tree["height"], rtol=0, atol=1e-6)
    final = pd.read_csv(REF / f"clusters_k{k}.csv")["cluster"].fillna(0)
    assert adjusted_rand_score(final, chd.labels_) == 1.0


@needs_reference
def test_chd_full_reassignment_is_the_published_rule(reference_matrix):
    """``reassign="full"`` carries the reassignment on until no single move raises the
    chi-squared: each split's chi-squared is at least rainette's, and the classes differ."""
    counts, _ = reference_matrix
    full = rx.ReinertCHD(10, reassign="full").fit(counts)
    faithful = rx.ReinertCHD(10).fit(counts)
    assert full.splits_["chi2"].iloc[0] == pytest.approx(faithful.splits_["chi2"].iloc[0])
    assert full.splits_["chi2"].iloc[1] > faithful.splits_["chi2"].iloc[1]
    assert adjusted_rand_score(full.labels_, faithful.labels_) < 1.0
    with pytest.raises(ValueError, match="reassign"):
        rx.ReinertCHD(3, reassign="parfois").fit(counts)


def test_chd_separates_two_questions_of_the_bundled_corpus(analyzer):
    """Social protection (FIS_05) vs changing one's habits: heating, car (ECO_06), lemmatised: the
    first split follows the question, the classes' profiles name them, same seed same classes."""
    answers = rx.read_answers(BUNDLED, text="text")
    answers = answers[answers["question_code"].isin(["FIS_05", "ECO_06"])].reset_index(drop=True)
    terms = analyzer.terms(answers["text"].astype(str).tolist())
    counts, features = rx.document_term_matrix(terms, min_docfreq=3)
    chd = rx.ReinertCHD(4, min_split_members=10).fit(counts)
    two = chd.partition(2)
    classified = two > 0
    assert classified.mean() > 0.9
    crossed = pd.crosstab(two[classified], answers.loc[classified, "question_code"])
    purity = crossed.max(axis=1).sum() / crossed.to_numpy().sum()
    assert purity > 0.8, crossed
    profiles = rx.class_keyness(counts, two, features, n_terms=10, show_negative=False)
    top = set(profiles["feature"])
    assert len({"santé", "social", "soin", "retraite", "personne"} & top) >= 3, top
    assert len({"chauffage", "voiture", "véhicule", "transport en commun", "vélo"} & top) >= 3, top
    again = clone(chd).fit(counts)
    assert (again.labels_ == chd.labels_).all() and again.splits_.equals(chd.splits_)


@pytest.fixture(scope="module")
def bundled_reinert(tmp_path_factory):
    frame = pd.read_csv(BUNDLED, dtype=str)
    frame.loc[0, "text"] = "Madame Dupont m'a dit que la taxe d'habitation est injuste, écrivez à jean.dupont@example.org"
    path = tmp_path_factory.mktemp("chd") / "enquete.csv"
    frame.to_csv(path, index=False)
    answers = rx.read_answers(path, text="text")
    return rx.reinert(answers, k=8, by=["theme"], names=["Dupont"]), answers


def test_reinert_classes_profiles_and_modalities_on_real_answers(bundled_reinert):
    from scipy.stats import chi2_contingency

    result, answers = bundled_reinert
    assert result.chd.n_clusters_ == 8 and len(result.segments) >= (answers["status"] == "ok").sum()
    assert set(result.segments["answer_id"]) <= set(answers["answer_id"])
    classes = result.classes
    assert classes["segments"].sum() == (result.partition() > 0).sum()
    profiles = result.profiles
    row = profiles.iloc[0]
    column = result.counts[:, result.features.index(row["term"])].toarray().ravel() > 0
    inside = result.partition() == row["class"]
    classified = result.partition() > 0
    assert row["segments_in_class"] == (column & inside).sum() and row["segments_total"] == (column & classified).sum()
    table = [[(column & inside).sum(), (~column & inside).sum()],
             [(column & classified & ~inside).sum(), (~column & classified & ~inside).sum()]]
    assert abs(row["chi2"] - chi2_contingency(table, correction=False)[0]) < 1e-2
    # the class of taxes over-represents the "Fiscalité" respondents; the class of pollution "Transition écologique"
    tax = int(profiles.loc[profiles["term"] == "impôt"].sort_values("chi2", ascending=False)["class"].iloc[0])
    mods = result.modalities
    best = mods[(mods["class"] == tax)].sort_values("chi2", ascending=False).iloc[0]
    assert best["variable"] == "theme" and best["modality"].startswith("Fiscalité") and best["chi2"] > 0
    typical = result.typical(3)
    assert set(typical["class"]) == set(range(1, 9)) and (typical.groupby("class")["score"].apply(
        lambda s: s.is_monotonic_decreasing)).all()
    assert not result.segments["text"].str.contains("Dupont|jean.dupont@", regex=True).any()
    assert "dupont" not in {f.lower() for f in result.features}
    hits = result.concordance("taxe", tax)
    assert len(hits) and hits["match"].str.lower().str.startswith("tax").all()


def test_afc_and_similitudes_of_the_classes(bundled_reinert):
    result, _ = bundled_reinert
    afc = result.afc(n_terms=20)
    rows = afc["classes"]
    weights = rows["segments"] / rows["segments"].sum()
    assert abs((weights * rows["dim1"]).sum()) < 1e-6  # principal coordinates are centred
    assert 0 < afc["eigenvalues"]["share"].sum() <= 1 and afc["eigenvalues"]["eigenvalue"].is_monotonic_decreasing
    assert set(afc["modalities"]["modality"]) == {"*theme_Fiscalité et dépenses publiques", "*theme_Transition écologique"}
    graph = result.similitudes(n_terms=40)
    import networkx as nx

    assert graph.number_of_nodes() == 40 and nx.is_forest(graph)
    a, b, data = max(graph.edges(data=True), key=lambda e: e[2]["weight"])
    ca = result.counts[:, result.features.index(a)].toarray().ravel() > 0
    cb = result.counts[:, result.features.index(b)].toarray().ravel() > 0
    assert data["cooccurrence"] == (ca & cb).sum() and graph.nodes[a]["frequency"] == ca.sum()
    assert all("community" in d for _, d in graph.nodes(data=True))
    from retex_nlp.report.lexicometry import afc_chart

    def boxes(fig):  # the words' boxes once they have been moved apart
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        return [t.get_window_extent(renderer) for t in fig.axes[0].texts if t.get_text() in set(afc["terms"]["term"])]

    first, second = boxes(afc_chart(afc)), boxes(afc_chart(afc))
    assert [b.bounds for b in first] == [b.bounds for b in second]  # same classes, same chart
    overlaps = sum(a.overlaps(b) for i, a in enumerate(first) for b in first[i + 1:])
    assert overlaps <= len(first) // 10, overlaps  # readable: words hardly cover one another


def test_retex_chd_writes_every_output_offline(tmp_path):
    from typer.testing import CliRunner

    from retex_nlp.cli import app

    frame = pd.read_csv(BUNDLED, dtype=str)
    frame = frame[frame["question_code"].isin(["FIS_05", "ECO_06"])]
    frame.to_csv(tmp_path / "enquete.csv", index=False)
    result = CliRunner().invoke(app, ["chd", str(tmp_path / "enquete.csv"), "--text-col", "text", "--k", "5",
                                      "--by", "question_code", "--out", str(tmp_path / "chd")])
    assert result.exit_code == 0, result.output
    assert "classe  1" in result.output and "segments non classés" in result.output
    # what was left out and why, as `retex analyse` says it
    from retex_nlp import read_answers

    read = read_answers(tmp_path / "enquete.csv", text="text")["status"].value_counts()
    assert f"{len(frame)} réponses lues : {read['ok']} réponses exploitables" in result.output
    out = tmp_path / "chd"
    for name in ("chd.html", "classes.csv", "profils.csv", "modalites.csv", "segments_typiques.csv", "lexicometrie.xlsx",
                 "dendrogramme.png", "afc.png", "similitudes.png", "similitudes.html", "corpus_iramuteq.txt",
                 "lexicometrie.docx"):
        assert (out / name).exists() and (out / name).stat().st_size > 200, name
    page = (out / "chd.html").read_text(encoding="utf-8")
    assert "Classe 1" in page and "http://" not in page and "https://" not in page
    assert "<svg" in (out / "similitudes.html").read_text(encoding="utf-8")
    corpus = (out / "corpus_iramuteq.txt").read_text(encoding="utf-8")
    assert corpus.startswith("**** *") and "*questioncode_FIS_05" in corpus  # IRaMuTeQ names: letters and digits
    classes = pd.read_csv(out / "classes.csv", dtype=str)
    assert set(classes["class"].astype(int)) <= set(range(0, 6)) and "question_code" in classes.columns
    bad = CliRunner().invoke(app, ["chd", str(tmp_path / "enquete.csv"), "--text-col", "reponse", "--out", str(out)])
    assert bad.exit_code == 2 and "reponse" in bad.output and "Traceback" not in bad.output


def test_retex_chd_shares_no_respondent_e_mail_nor_name(tmp_path):
    """Read with the e-mail column as the id, and a name column beside: the results give the ids
    pseudonyms (R0001…, the table of both beside the results' folder, not inside) and mask the
    name and e-mail columns, as `retex analyse` does."""
    import zipfile

    from typer.testing import CliRunner

    from retex_nlp.cli import app

    frame = pd.read_csv(BUNDLED, dtype=str)
    frame = frame[frame["question_code"] == "FIS_05"].head(250).reset_index(drop=True)
    frame["courriel"] = [f"agent{i}@departement59.fr" for i in range(len(frame))]
    frame["Nom"] = [f"Sandrine Kowalczyk{i}" for i in range(len(frame))]
    frame.to_csv(tmp_path / "enquete.csv", index=False)
    result = CliRunner().invoke(app, ["chd", str(tmp_path / "enquete.csv"), "--text-col", "text", "--id-col", "courriel",
                                      "--k", "4", "--out", str(tmp_path / "chd")])
    assert result.exit_code == 0, result.output
    assert "remplacent par R0001" in result.output
    for path in (tmp_path / "chd").iterdir():
        data = b"".join(zipfile.ZipFile(path).read(n) for n in zipfile.ZipFile(path).namelist()) \
            if path.suffix in (".xlsx", ".docx") else path.read_bytes()
        assert b"departement59" not in data and b"Kowalczyk" not in data, path
    keys = pd.read_csv(tmp_path / "chd_prive" / "identifiants_repondants.csv", dtype=str)
    assert keys["respondent_id"].tolist() == frame["courriel"].tolist()
    classes = pd.read_csv(tmp_path / "chd" / "classes.csv", dtype=str)
    assert set(classes["answer_id"]) <= set(keys["pseudonyme"]) and set(classes["Nom"]) == {"[Nom]"}


def test_reinert_as_the_theme_method_of_a_project(tmp_path):
    """retex analyse --method reinert: the classes become the project's themes, labelled by their
    terms, and the report's method note says how they were made."""
    frame = pd.read_csv(BUNDLED, dtype=str)
    frame = frame[frame["question_code"].isin(["FIS_02", "ECO_00"])].groupby("question_code").head(150)
    frame.to_csv(tmp_path / "enquete.csv", index=False)
    project = rx.analyse(tmp_path / "enquete.csv", text="text", clusterer="reinert", n_themes=4, by="question_code",
                         out=tmp_path / "projet")
    themes = project.themes
    assert 2 <= len(themes) <= 4 and themes["key_terms"].str.len().gt(0).all()
    crossed = project.by_group["question_code"]
    assert len(crossed)
    html = (tmp_path / "projet" / "rapport" / "report.html").read_text(encoding="utf-8")
    assert "Reinert" in html and "Profils lexicaux des classes" in html
    profiles = project.lexical_profiles()
    assert set(profiles["theme"]) <= set(themes["label"]) and (profiles["chi2"] > 0).all()
    row = profiles.iloc[0]
    assert row["answers_in_theme"] <= row["answers_total"] and abs(
        row["percent"] - 100 * row["answers_in_theme"] / row["answers_total"]) < 0.1
    import html as markup

    assert row["term"] in markup.unescape(html)
    assert "Profils lexicaux" in pd.ExcelFile(tmp_path / "projet" / "rapport" / "report.xlsx").sheet_names
    import docx

    text = "\n".join(p.text for p in docx.Document(tmp_path / "projet" / "rapport" / "report.docx").paragraphs)
    assert "Profils lexicaux des classes" in text
    # a renamed class keeps its profile under its new name
    project.rename(int(themes["theme_id"].iloc[0]), "Classe renommée")
    assert "Classe renommée" in set(project.lexical_profiles()["theme"])


def test_double_classification_crosses_two_segmentations(bundled_reinert):
    """Two classifications (units of >= 3 and >= 5 forms), classes crossed: each partition is made
    of disjoint crossed classes of at least min_members segments that follow the questions."""
    result, _ = bundled_reinert
    groups = result.segments["answer_id"].to_numpy()
    from retex_nlp.themes import merge_segments

    units, unit = merge_segments(result.counts, groups, 5)
    sizes = np.asarray(units.sum(axis=1)).ravel()
    assert units.shape[0] < result.counts.shape[0] and (pd.Series(unit).groupby(groups).nunique() >= 1).all()
    assert all(pd.Series(groups).groupby(unit).nunique() == 1)  # a unit never spans two answers
    assert (sizes >= 5).mean() > 0.5
    double = rx.ReinertCHD2(8, min_segment_size1=3, min_segment_size2=5, min_members=10).fit(result.counts, groups=groups)
    assert sorted(double.partitions_)[0] == 2 and double.n_clusters_ >= 4
    for k, labels in double.partitions_.items():
        counts = np.bincount(labels)[1:]
        assert len(counts) == k and (counts >= 10).all()
    assert (double.crossed_["chi2"] >= 3.84).all() and double.crossed_["members"].map(len).ge(10).all()
    classified = double.labels_ > 0
    crossed = pd.crosstab(double.labels_[classified], result.segments.loc[classified, "question_code"])
    assert crossed.max(axis=1).sum() / crossed.to_numpy().sum() > 0.6
    assert set(double.partitions_size_) == set(double.partitions_)
    strict = rx.ReinertCHD2(8, min_segment_size1=3, min_segment_size2=5, min_members=10, full=False).fit(
        result.counts, groups=groups)
    assert len(strict.crossed_) < len(double.crossed_) and strict.partitions_size_ == {}
