"""Codebook coding that reads like a coder: keywords as phrases, a keyword alone never coding,
the nearest theme, learning from a few examples per theme, saved coders."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from retex_nlp import Codebook, CodebookCoder, MixedCoder
from retex_nlp.normalize import fold

from .conftest import SHARED

LGA = SHARED / "gdn_annotated_lga_elf" / "lga_gdn_fiscalite_FI7_FI8.tsv"


def _lga(question: str) -> pd.DataFrame:
    """The answers of an LGA question with their corroborated labels (given by >= 2 annotators)."""
    if not LGA.exists():
        pytest.skip("shared corpora not found")
    lga = pd.read_csv(LGA, sep="\t", index_col=0)
    fi = lga[(lga["question"] == question) & (lga["count"] >= 2) & (lga["tag"] != "Idée marquée")]
    gold = fi.groupby("corpus")["tag"].apply(lambda s: sorted(set(s)))
    return pd.DataFrame({"answer_id": [f"R{i:04d}" for i in range(len(gold))], "text": gold.index.astype(str),
                         "tags": gold.to_numpy(), "status": "ok"})


def _elf(question: str) -> pd.DataFrame:
    """The answers of an "Entendre la France" question with their tags (one tagger; "Autre /
    Passer", a workflow marker, dropped)."""
    path = SHARED / "gdn_annotated_lga_elf" / "elf_tagged_answers.csv"
    if not path.exists():
        pytest.skip("shared corpora not found")
    raw = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    raw = raw[(raw["question"] == question) & (raw["tag"] != "Autre / Passer")]
    raw = raw.assign(corpus=raw["corpus"].astype(str).str.replace("&&", "\n", regex=False))
    gold = raw.groupby("corpus", sort=True)["tag"].apply(lambda s: sorted(set(s)))
    return pd.DataFrame({"answer_id": [f"R{i:04d}" for i in range(len(gold))], "text": gold.index.astype(str),
                         "tags": gold.to_numpy(), "status": "ok"})


@pytest.fixture(scope="module")
def fi8():
    """FI8 answers ("rendre la fiscalité plus juste") with their corroborated LGA labels."""
    return _lga("FI8")


@pytest.fixture(scope="module")
def fi7():
    """FI7 answers ("améliorer l'information des citoyens sur l'utilisation des impôts")."""
    return _lga("FI7")


def _plain(text: str) -> str:
    return " " + re.sub(r"[^\w]+", " ", fold(text)) + " "


def _single_label_pool(fi8: pd.DataFrame) -> tuple[list[str], pd.DataFrame]:
    """The labels with at least 20 single-label answers, and those answers (``label``)."""
    single = fi8[fi8["tags"].map(len) == 1].assign(label=lambda d: d["tags"].str[0])
    counts = single["label"].value_counts()
    names = sorted(counts[counts >= 20].index)
    return names, single[single["label"].isin(names)]


def _draw(pool: pd.DataFrame, names: list[str], draw: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """Ten examples per label drawn from ``pool`` (seed ``draw``), and their codes by answer id."""
    train = pd.concat([pool[pool["label"] == n].sample(10, random_state=draw) for n in names])
    return train, dict(zip(train["answer_id"], train["label"], strict=True))


def _few_shot_gains(fi8: pd.DataFrame, use, pool: pd.DataFrame, book: Codebook, other: type,
                    draws: int = 3) -> list[float]:
    """Per draw of 10 examples per label, the kappa of :class:`CodebookCoder` minus that of
    ``other`` on the single-label answers not drawn (first code)."""
    from sklearn.metrics import cohen_kappa_score

    gains = []
    for draw in range(draws):
        train, codes = _draw(pool, book.names, draw)
        test = pool.drop(train.index)
        kappas = []
        for cls in (CodebookCoder, other):
            coded = cls(book, use, seed=draw).fit(fi8, codes).transform(fi8).set_index("answer_id")
            first = coded.loc[test["answer_id"], "theme_label"].str.split(";").str[0]
            kappas.append(cohen_kappa_score(test["label"], first))
        gains.append(kappas[0] - kappas[1])
    return gains


def test_multiword_keywords_match_whole_on_words_and_lemmas(fi8, use):
    book = Codebook.from_dict({"themes": [
        {"name": "taxe d'habitation", "description": "Supprimer la taxe d'habitation.",
         "keywords": ["taxe d'habitation"]},
        {"name": "niches", "description": "Revoir les niches fiscales.", "keywords": ["niche fiscale"]},
        {"name": "isf", "description": "Rétablir l'impôt sur la fortune.", "keywords": ["rétabl*"]}]})
    coder = CodebookCoder(book, use).fit(fi8)
    coded = coder.transform(fi8)
    texts = fi8["text"].tolist()
    th = coded["score_taxe d'habitation"].to_numpy()
    with_phrase = [i for i, t in enumerate(texts) if " taxe d habitation " in _plain(t)]
    taxe_only = [i for i, t in enumerate(texts) if " taxe " in _plain(t) and " habitation " not in _plain(t)]
    assert len(with_phrase) >= 10 and len(taxe_only) >= 20
    reasons = coded["reason"].tolist()
    # typed any way ("taxe d habitation", capitals, no apostrophe) the phrase is found, whole
    found = [i for i in with_phrase if "mots-clés : taxe d'habitation" in reasons[i]]
    assert len(found) >= 0.8 * len(with_phrase)
    assert not any("mots-clés : taxe d'habitation" in reasons[i] for i in taxe_only)
    # on lemmas: the plural "niches fiscales" is the keyword "niche fiscale"
    plural = [i for i, t in enumerate(texts) if " niches fiscales " in _plain(t)]
    assert plural and all("niche fiscale" in reasons[i] for i in plural if "niches" in coded.loc[i, "theme_label"])
    assert sum("niches" in coded.loc[i, "theme_label"] for i in plural) >= 0.8 * len(plural)
    # a * pattern on folded words: "rétablir", "rétablissement", "retablir"
    pattern = [i for i, t in enumerate(texts) if re.search(r"\bretabl", _plain(t))]
    assert pattern and sum("rétabl" in reasons[i] or "retabl" in reasons[i] for i in pattern) >= 0.8 * len(pattern)
    assert th[found].mean() > np.nanmean(th)


def test_a_keyword_alone_does_not_code_a_theme_far_from_the_answer(fi8, use):
    """The keyword "payer" is in many FI8 answers, about many things; where the answer's meaning
    is among the 10% farthest from the theme, the keyword is not trusted and the theme is not
    coded; elsewhere it is."""
    book = Codebook.from_dict({"themes": [
        {"name": "impôt pour tous", "description": "Que tout le monde paie l'impôt sur le revenu, même un peu.",
         "keywords": ["payer"]},
        {"name": "fraude", "description": "Lutter contre la fraude et l'évasion fiscales.", "keywords": ["fraude"]}]})
    coder = CodebookCoder(book, use).fit(fi8)
    coded = coder.transform(fi8)
    f = coder._features(fi8["text"].tolist())
    gate = coder.calibration_["impôt pour tous"][2]
    far = np.flatnonzero((f.kw[:, 0] > 0) & (f.sim[:, 0] < gate))
    near = np.flatnonzero((f.kw[:, 0] > 0) & (f.sim[:, 0] >= gate))
    assert len(far) >= 5 and len(near) >= 50, (len(far), len(near))
    labels = coded["theme_label"].str.split(";")
    assert not any("impôt pour tous" in labels[i] for i in far)
    assert all("impôt pour tous" in labels[i] for i in near)
    assert all("mots-clés : payer" in coded.loc[i, "reason"] for i in near)


def test_a_keyword_in_most_answers_is_flagged_as_too_general(fi8, use):
    book = Codebook.from_dict({"themes": [
        {"name": "impôt pour tous", "description": "Que tout le monde paie l'impôt.", "keywords": ["impôt"]},
        {"name": "fraude", "description": "Lutter contre la fraude fiscale.", "keywords": ["fraude"]}]})
    coder = CodebookCoder(book, use).fit(fi8)
    share = np.mean([bool(re.search(r" impots? ", _plain(t))) for t in fi8["text"]])
    assert share > 0.25
    assert any("« impôt »" in w and "trop général" in w for w in coder.keyword_warnings_)
    assert not any("« fraude »" in w for w in coder.keyword_warnings_)


def test_a_keyword_of_function_words_only_is_flagged(fi8, use):
    book = Codebook.from_dict({"themes": [{"name": "rien", "description": "Rien à changer.",
                                           "keywords": ["de la", "rien à changer"]}]})
    coder = CodebookCoder(book, use).fit(fi8.head(200))
    assert any("« de la »" in w and "mots outils" in w for w in coder.keyword_warnings_)
    assert not any("rien à changer" in w and "mots outils" in w for w in coder.keyword_warnings_)


def test_nearest_theme_codes_what_keywords_miss_and_mixed_mode_keeps_it_open(fi8, use):
    book = Codebook.from_dict({"themes": [
        {"name": "fraude", "description": "Lutter contre la fraude, l'évasion fiscale et les paradis fiscaux.",
         "keywords": ["fraude", "évasion fiscale"]},
        {"name": "riches", "description": "Faire payer davantage les plus riches et les hauts revenus.",
         "keywords": ["riches", "hauts revenus"]}]})
    coded = CodebookCoder(book, use).fit_transform(fi8)
    no_keyword = coded["reason"].str.contains("mots-clés") == False  # noqa: E712
    nearest = coded[no_keyword & (coded["theme_label"] != "")]
    assert len(nearest) > 50 and (nearest["theme_label"].str.count(";") == 0).all()
    # with nearest=False only keywords and close meaning code: more answers left for new themes
    strict = CodebookCoder(book, use, nearest=False).fit_transform(fi8)
    assert (strict["theme_label"] == "").sum() > (coded["theme_label"] == "").sum() + 50
    assert MixedCoder(book, use)._fitted_coder(fi8).nearest is False


def test_ten_examples_per_theme_beat_the_embedding_alone(fi8, use):
    """Few-shot: 10 hand-coded examples per label among all the answers; the coder (three views,
    the other answers used) agrees with the human labels better than USE + logistic regression."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import cohen_kappa_score

    single = fi8[fi8["tags"].map(len) == 1].assign(label=lambda d: d["tags"].str[0])
    counts = single["label"].value_counts()
    names = sorted(counts[counts >= 40].index)
    pool = single[single["label"].isin(names)]
    train = pd.concat([pool[pool["label"] == n].sample(10, random_state=0) for n in names])
    test = pool.drop(train.index)
    book = Codebook.from_dict({"themes": [{"name": n} for n in names]})
    coder = CodebookCoder(book, use).fit(fi8, dict(zip(train["answer_id"], train["label"], strict=True)))
    coded = coder.transform(fi8).set_index("answer_id")
    first = [c.split(";")[0] for c in coded.loc[test["answer_id"], "theme_label"]]
    ours = cohen_kappa_score(test["label"], first)
    emb = use.encode(fi8["text"].tolist())
    where = {a: i for i, a in enumerate(fi8["answer_id"])}
    clf = LogisticRegression(max_iter=3000).fit(emb[[where[a] for a in train["answer_id"]]], train["label"])
    base = cohen_kappa_score(test["label"], clf.predict(emb[[where[a] for a in test["answer_id"]]]))
    assert ours > base + 0.05, (ours, base)
    # single-label examples teach one code per answer, not three
    assert coded["theme_label"].str.count(";").mean() < 0.3


def test_learns_to_code_nothing_when_the_analyst_did(fi8, use):
    """Hand-coded answers some of which have no code: the coder learns "no code" too."""
    names = ["Rétablir ISF", "Lutte évasion, fraude, optimisation"]
    book = Codebook.from_dict({"themes": [{"name": n} for n in names]})
    hand = fi8.head(300)
    codes = {a: ";".join(t for t in tags if t in names) for a, tags in zip(hand["answer_id"], hand["tags"], strict=True)}
    coder = CodebookCoder(book, use).fit(fi8, codes)
    assert "autre" in coder.models_
    rest = fi8.iloc[300:]
    coded = coder.transform(rest)
    truth_none = rest["tags"].map(lambda t: not set(t) & set(names)).to_numpy()
    pred_none = (coded["theme_label"] == "").to_numpy()
    assert pred_none.mean() > 0.5 and (pred_none == truth_none).mean() > 0.75


def test_a_coder_saved_before_the_views_still_loads(fi8, use, tmp_path):
    """Format 1 (one classifier per theme on the embedding view): projects saved by earlier
    versions keep coding."""
    names = ["Rétablir ISF", "Taxer les riches"]
    book = Codebook.from_dict({"themes": [{"name": n} for n in names]})
    hand = fi8.head(200)
    codes = {a: ";".join(t for t in tags if t in names) for a, tags in zip(hand["answer_id"], hand["tags"], strict=True)}
    coder = CodebookCoder(book, use).fit(fi8, codes)
    coder.save(tmp_path / "v2")
    state = json.loads((tmp_path / "v2" / "coder.json").read_text(encoding="utf-8"))
    arrays = np.load(tmp_path / "v2" / "classifiers.npz")
    old = tmp_path / "v1"
    old.mkdir()
    (old / "codebook.yml").write_text((tmp_path / "v2" / "codebook.yml").read_text(encoding="utf-8"), encoding="utf-8")
    state.pop("format"), state.pop("views")
    state["calibration"] = {k: v[:2] for k, v in state["calibration"].items()}
    (old / "coder.json").write_text(json.dumps(state), encoding="utf-8")
    np.savez(old / "classifiers.npz", **{f"{n}__coef": arrays[f"{n}__dense__coef"][None, :] for n in coder.models_},
             **{f"{n}__intercept": arrays[f"{n}__dense__intercept"] for n in coder.models_})
    loaded = CodebookCoder.load(old)
    assert set(loaded.models_) == set(coder.models_) and all(set(m) == {"dense"} for m in loaded.models_.values())
    coded = loaded.transform(fi8.iloc[200:400])
    assert set(coded["theme_label"]) - {""} <= {*names, ";".join(names), ";".join(reversed(names))}
    assert (coded["theme_label"] != "").any()


def test_a_theme_not_yet_coded_by_hand_is_still_coded_from_the_codebook(fi8, use):
    """An early review round: the analyst has coded two themes and not yet the third. The learned
    coder keeps coding the third from the codebook (its keywords and definition), says so in the
    reason, and does not spread its answers over the learned themes."""
    book = Codebook.from_dict({"themes": [
        {"name": "Rétablir ISF", "description": "Rétablir l'impôt sur la fortune.",
         "keywords": ["ISF", "impôt sur la fortune"]},
        {"name": "Lutte évasion, fraude, optimisation", "description": "Lutter contre la fraude et l'évasion fiscale."},
        {"name": "Taxer les riches", "description": "Faire payer davantage les plus riches."}]})
    single = fi8[fi8["tags"].map(len) == 1].assign(label=lambda d: d["tags"].str[0])
    taught = ["Lutte évasion, fraude, optimisation", "Taxer les riches"]
    train = pd.concat([single[single["label"] == n].sample(10, random_state=0) for n in taught])
    coder = CodebookCoder(book, use).fit(fi8, dict(zip(train["answer_id"], train["label"], strict=True)))
    assert set(coder.models_) == set(taught)
    coded = coder.transform(fi8).set_index("answer_id")
    isf = fi8.set_index("answer_id")["tags"].map(lambda t: "Rétablir ISF" in t)
    said = coded["theme_label"].str.split(";").map(lambda c: "Rétablir ISF" in c)
    assert said[isf].mean() > 0.6, said[isf].mean()  # most answers the humans tagged ISF
    assert isf[said].mean() > 0.6, isf[said].mean()  # and mostly those
    assert coded.loc[said, "reason"].str.contains("trop peu de réponses codées à la main").all()


def test_a_handful_of_corrections_does_not_drown_a_good_codebook(fi8, use):
    """First review round: two corrections per theme on a codebook with definitions and keywords.
    The codebook keeps a say beside what was learned from six answers, and the coder agrees with
    the human tags better than those classifiers alone; from three corrections per theme on, the
    learned classifiers decide alone."""
    from sklearn.metrics import cohen_kappa_score

    names = ["Rétablir ISF", "Lutte évasion, fraude, optimisation", "Taxer les riches"]
    book = Codebook.from_dict({"themes": [
        {"name": names[0], "description": "Rétablir l'impôt sur la fortune.", "keywords": ["ISF", "impôt sur la fortune"]},
        {"name": names[1], "description": "Lutter contre la fraude et l'évasion fiscale.",
         "keywords": ["fraude", "évasion fiscale", "paradis fiscaux"]},
        {"name": names[2], "description": "Faire payer davantage les plus riches.", "keywords": ["riches", "hauts revenus"]}]})
    single = fi8[fi8["tags"].map(len) == 1].assign(label=lambda d: d["tags"].str[0])
    pool = single[single["label"].isin(names)]
    hand = pd.concat([pool[pool["label"] == n].sample(2, random_state=3) for n in names])
    test = pool.drop(hand.index)
    codes = dict(zip(hand["answer_id"], hand["label"], strict=True))

    def agreement(c: CodebookCoder) -> float:
        coded = c.transform(test).set_index("answer_id")["theme_label"].str.split(";").str[0]
        return cohen_kappa_score(test["label"], coded.loc[test["answer_id"]].fillna(""))

    coder = CodebookCoder(book, use).fit(fi8, codes)
    alone = CodebookCoder(book, use)
    alone.FEW_EXAMPLES = 0  # the classifiers learned from the six answers alone
    alone.fit(fi8, codes)
    assert coder.prior_weight_ == 0.5 and alone.prior_weight_ == 0
    ours, theirs = agreement(coder), agreement(alone)
    assert ours > theirs + 0.03, (ours, theirs)
    # beyond 3 answers coded per theme the codebook's share falls with every answer coded
    weights = []
    for k in (3, 5, 10):
        more = pd.concat([pool[pool["label"] == n].sample(k, random_state=3) for n in names])
        weights.append(CodebookCoder(book, use).fit(fi8, dict(zip(more["answer_id"], more["label"], strict=True))).prior_weight_)
    assert weights == [0.5, 0.3, 0.15]


def test_codes_typed_one_column_per_theme_with_the_respondent_id(tmp_path):
    """A sheet coded as many do it in Excel: the respondent id column of the survey and one
    column per theme marked "x" (or 1, oui). A row with no mark is not coded yet (not "in no
    theme"), a column "autre" says "in no theme", a mark that is no mark names its cell."""
    from retex_nlp.coding import read_codes
    from retex_nlp.errors import RetexInputError

    themes = ["Fiscalité", "Transparence", "Répartition dépenses, recettes"]
    pd.DataFrame({"num_questionnaire": ["Q1", "Q2", "Q3", "Q4", "Q5"],
                  "réponse": ["Moins d'impôts", "Publier les comptes", "Rien", "Impôts et budget lisible", ""],
                  "fiscalite": ["x", "", "", "X", ""], "Transparence": [None, "1", "", "oui", ""],
                  "Autre": ["", "", "x", "", ""]}).to_excel(tmp_path / "codage.xlsx", index=False)
    codes = read_codes(tmp_path / "codage.xlsx", id_col="num_questionnaire", themes=themes)
    assert dict(codes) == {"Q1": "Fiscalité", "Q2": "Transparence", "Q3": "", "Q4": "Fiscalité;Transparence"}
    assert codes.origin["Q4"][1] == 5  # the sheet's row, for the errors
    # the review file's "answer_id" is still found when the survey's id column is given
    pd.DataFrame({"answer_id": ["Q1"], "codes": ["Transparence"]}).to_csv(tmp_path / "tour.csv", index=False)
    assert dict(read_codes(tmp_path / "tour.csv", id_col="num_questionnaire", themes=themes)) == {"Q1": "Transparence"}
    pd.DataFrame({"id": ["Q1", "Q2"], "Fiscalité": ["x", "peut-être"]}).to_csv(tmp_path / "doute.csv", index=False)
    with pytest.raises(RetexInputError, match=r"doute\.csv, ligne 3, colonne « Fiscalité » : case « peut-être » : "
                                              r"marquez-la d'un « x »"):
        read_codes(tmp_path / "doute.csv", themes=themes)
    # neither a codes column nor a theme's column: both ways are named
    pd.DataFrame({"id": ["Q1"], "impots": ["x"]}).to_csv(tmp_path / "rien.csv", index=False)
    with pytest.raises(RetexInputError, match="pas de colonne de codes .* ni de colonne par thème de la grille"):
        read_codes(tmp_path / "rien.csv", themes=themes)


def test_hand_codes_as_people_type_them(tmp_path):
    """"Autre" or "aucun" typed for an answer in no theme is read as no theme (it was an unknown
    code); a column "Thème" holds the codes when no column is named after a theme; a file of no
    coded answer is refused (it ran, teaching nothing, with "0 codées" per theme)."""
    from retex_nlp.coding import read_codes
    from retex_nlp.errors import RetexInputError

    themes = ["Fiscalité", "Transparence"]
    path = tmp_path / "codes.csv"
    path.write_text('identifiant;Thème\nR1;Autre\nR2;aucun\nR3;"fiscalité;Autre"\nR4;Transparence\n', encoding="utf-8")
    assert dict(read_codes(path, themes=themes)) == {"R1": "", "R2": "", "R3": "Fiscalité", "R4": "Transparence"}
    # "Thème" beside one column per theme is context, not the codes
    pd.DataFrame({"id": ["R1"], "Thème": ["Budget"], "Fiscalité": ["x"]}).to_excel(tmp_path / "x.xlsx", index=False)
    assert dict(read_codes(tmp_path / "x.xlsx", themes=themes)) == {"R1": "Fiscalité"}
    path.write_text("id;codes\n", encoding="utf-8")
    with pytest.raises(RetexInputError, match=r"codes\.csv : aucune réponse codée dans ce fichier"):
        read_codes(path, themes=themes)
    pd.DataFrame({"id": ["R1"], "Fiscalité": [""]}).to_excel(tmp_path / "vide.xlsx", index=False)
    with pytest.raises(RetexInputError, match=r"vide\.xlsx : aucune réponse codée .*aucune case cochée"):
        read_codes(tmp_path / "vide.xlsx", themes=themes)


def test_codes_joined_by_commas_are_refused_with_the_separator_to_use(tmp_path):
    """"Fiscalité, Transparence" is no theme: the error says to join codes with « ; » when each
    part is one; a theme whose name holds a comma is read whole; codes split into fields of a
    « ; » file are refused, not cut to the first."""
    from retex_nlp.coding import read_codes
    from retex_nlp.errors import RetexInputError
    from retex_nlp.io.read import read_table

    themes = ["Fiscalité", "Transparence", "Répartition dépenses, recettes"]
    path = tmp_path / "codes.csv"
    path.write_text("id;codes\n1;Transparence\n2;fiscalite, Transparence\n", encoding="utf-8")
    with pytest.raises(RetexInputError, match=r"ligne 3.*séparez les codes par « ; » \(Fiscalité ; Transparence\)"):
        read_codes(path, themes=themes)
    path.write_text('id;codes\n1;"Répartition dépenses, recettes;Fiscalité"\n', encoding="utf-8")
    assert read_codes(path, themes=themes)["1"] == "Répartition dépenses, recettes;Fiscalité"
    # the same without quotes: a row of three fields, refused rather than read as its first code
    path.write_text("id;codes\n1;Répartition dépenses, recettes;Fiscalité\n", encoding="utf-8")
    with pytest.raises(RetexInputError, match=r"ligne 2.*3 champs.*entre guillemets"):
        read_codes(path, themes=themes)
    # one code per line in a cell (Alt+Entrée in Excel) is as good as « ; »
    pd.DataFrame({"id": ["1"], "codes": ["Fiscalité\nTransparence"]}).to_excel(tmp_path / "lignes.xlsx", index=False)
    assert read_codes(tmp_path / "lignes.xlsx", themes=themes)["1"] == "Fiscalité;Transparence"
    # a line typed in Windows-1252 in a UTF-8 file is read whole, not refused
    path.write_bytes("id;codes\n1;Fiscalité\n".encode() + "2;Fiscalité\n".encode("cp1252"))
    assert read_table(path).info.problems[3].startswith("ligne qui n'est pas en UTF-8")
    assert read_codes(path, themes=themes)["2"] == "Fiscalité"
    path.write_text("id;codes\n1;Fiscalité, impôts\n", encoding="utf-8")
    with pytest.raises(RetexInputError) as error:
        read_codes(path, themes=themes)
    assert "séparez" not in str(error.value)


def test_the_codebook_definitions_are_learned_as_examples(use):
    """Few-shot from the label names: each theme's definition (its name here) is learned as one
    more example beside the ten the analyst coded. On DC11 of the "Entendre la France" tags
    ("how to improve democracy"), whose labels are phrases ("plus de proximité entre le peuple et
    les dirigeants politiques"), on three draws the coder agrees with the tagger better on the whole
    than the same coder without them, and never clearly worse. (On FI8's short label names, the
    words of the names standing for keywords now carry what the definitions added: docs/benchmarks.md.)"""
    from collections import defaultdict

    class WithoutDefinitions(CodebookCoder):
        def _definitions(self):
            return defaultdict(lambda: ({}, np.zeros(0, dtype=int)))

    answers = _elf("DC11")
    names, pool = _single_label_pool(answers)
    book = Codebook.from_dict({"themes": [{"name": n} for n in names]})
    gains = _few_shot_gains(answers, use, pool, book, WithoutDefinitions)
    assert min(gains) > -0.01 and sum(gains) > 0.01, gains


def test_the_definition_words_code_answers_when_the_codebook_has_no_keywords(fi8, use):
    """Coding from one-sentence definitions (no keywords, as in a report's coding grid): the
    words an answer shares with a definition count beside its meaning. On FI8 the coder agrees
    with the human labels better than the same coder reading the meaning alone, and the reason
    of a code says which words of the definition the answer holds."""
    from retex_nlp.coding.agreement import agreement_by_theme

    class MeaningOnly(CodebookCoder):
        LEXICAL_WEIGHT = 0.0

    book = Codebook.from_dict({"themes": [
        {"name": "Rétablir ISF", "description": "Rétablir l'impôt sur la fortune pour les plus riches."},
        {"name": "Lutte évasion, fraude, optimisation", "description": "Lutter contre la fraude et l'évasion "
                                                                       "fiscale, les paradis fiscaux."},
        {"name": "Revoir niches", "description": "Supprimer les niches fiscales et les exonérations."},
        {"name": "Taxer les riches", "description": "Faire payer plus d'impôts aux riches et aux hauts revenus."},
    ]})
    names = book.names
    gold = [";".join(t for t in tags if t in names) for tags in fi8["tags"]]
    kappas = []
    for cls in (CodebookCoder, MeaningOnly):
        coded = cls(book, use).fit_transform(fi8)
        kappas.append(agreement_by_theme(gold, coded["theme_label"].tolist(), names)["kappa"].mean())
        if cls is CodebookCoder:
            reasons = coded.loc[coded["theme_label"].str.contains("Revoir niches"), "reason"]
            words = "(?:mots de la définition|mots du nom du thème) : [^|]*niche"
            assert reasons.str.contains(words, regex=True).mean() > 0.5
    assert kappas[0] > kappas[1] + 0.02, kappas


def test_a_coder_without_examples_saved_and_loaded_codes_the_same(fi8, use, tmp_path):
    """The lemmas' weights the definition words are read with travel with a zero-shot coder:
    loaded, it gives the same codes and reasons (and a coder saved without them still loads)."""
    book = Codebook.from_dict({"themes": [
        {"name": "Revoir niches", "description": "Supprimer les niches fiscales et les exonérations."},
        {"name": "Rétablir ISF", "description": "Rétablir l'impôt sur la fortune."}]})
    coder = CodebookCoder(book, use).fit(fi8.head(400))
    coded = coder.transform(fi8.iloc[400:700])
    assert coded["reason"].str.contains("mots de la définition").any()
    loaded = CodebookCoder.load(coder.save(tmp_path / "coder"))
    again = loaded.transform(fi8.iloc[400:700])
    assert again["theme_label"].tolist() == coded["theme_label"].tolist()
    assert again["reason"].tolist() == coded["reason"].tolist()
    (tmp_path / "coder" / "classifiers.npz").unlink()  # as saved before session 20: no weights
    older = CodebookCoder.load(tmp_path / "coder").transform(fi8.iloc[400:700])
    assert not older["reason"].str.contains("mots de la définition").any()


def test_keywords_help_the_examples_without_replacing_them(fi8, use, tmp_path):
    """Few-shot from a codebook a user wrote (one sentence and five keywords per theme, written
    without reading the answers): a keyword match weighs a quarter of the answer's meaning in
    what the classifiers learn. On three draws of ten examples per label the coder agrees with the
    human labels better on the whole than the same coder with keywords at full weight (by
    0.04 on the sum; one draw loses 0.012); saved and loaded it codes the same, and a coder saved before keeps its weight."""
    from .conftest import ROOT

    class FullKeywords(CodebookCoder):
        KEYWORD_WEIGHT = 1.0

    names, pool = _single_label_pool(fi8)
    written = {t.name: t for t in Codebook.read(ROOT / "benchmarks" / "codebooks" / "lga_FI8.yml").themes}
    book = Codebook([written[n] for n in names])
    assert all(t.keywords for t in book.themes)
    gains = _few_shot_gains(fi8, use, pool, book, FullKeywords)
    assert min(gains) > -0.02 and sum(gains) > 0.02, gains
    coder = CodebookCoder(book, use, seed=0).fit(fi8, _draw(pool, names, 0)[1])
    coded = coder.transform(fi8.head(300))
    loaded = CodebookCoder.load(coder.save(tmp_path / "coder"))
    assert loaded.keyword_weight_ == CodebookCoder.KEYWORD_WEIGHT
    assert loaded.transform(fi8.head(300))["theme_label"].tolist() == coded["theme_label"].tolist()
    state = json.loads((tmp_path / "coder" / "coder.json").read_text(encoding="utf-8"))
    state.pop("keyword_weight")  # as saved before: its classifiers learned keywords at full weight
    (tmp_path / "coder" / "coder.json").write_text(json.dumps(state), encoding="utf-8")
    assert CodebookCoder.load(tmp_path / "coder").keyword_weight_ == 1.0


def test_the_words_of_a_theme_name_stand_for_its_keywords(fi7, use, tmp_path):
    """A codebook of label names only (no keywords): a word of a theme's name found in an answer
    codes the theme when the answer's meaning is not far from it, as a keyword would, unless the
    word is in too many answers ("impôt" in a third of FI7's) or in another theme's name. On FI7 the coder agrees with the
    human labels better than the two simple baselines: every theme whose name has a word in the
    answer, and the nearest name. The reason names the words; a saved coder keeps them, and a
    coder saved before name words loads without them."""
    from retex_nlp.coding.agreement import agreement_by_theme
    from retex_nlp.embed import unit_rows

    counts = pd.Series([t for tags in fi7["tags"] for t in tags]).value_counts()
    names = sorted(counts[counts >= 30].index)
    book = Codebook.from_dict({"themes": [{"name": n} for n in names]})
    gold = [";".join(t for t in tags if t in names) for tags in fi7["tags"]]
    coder = CodebookCoder(book, use).fit(fi7)
    coded = coder.transform(fi7)
    assert "impot" not in coder.name_words_["Expliquer chaque impôt"]
    assert "expliquer" in coder.name_words_["Expliquer chaque impôt"]
    # "bilan" is in two names ("Bilan individuel", "Bilan régulier, fréquent"): it tells neither apart
    assert "bilan" not in coder.name_words_["Bilan individuel"] and "individuel" in coder.name_words_["Bilan individuel"]
    internet = coded.loc[coded["theme_label"].str.contains("Par site Internet"), "reason"]
    assert internet.str.contains("mots du nom du thème : [^|]*(?:internet|site)", regex=True).mean() > 0.3

    stop = {fold(w) for w in ("de", "des", "du", "la", "le", "les", "par", "en", "d", "l", "à", "ou", "et")}
    words = {n: [w for w in re.findall(r"\w+", fold(n)) if w not in stop] for n in names}
    by_words = [";".join(n for n in names if any(f" {w} " in _plain(x) for w in words[n])) for x in fi7["text"]]
    anchors = unit_rows(use.encode([f"{n}. {n}" for n in names]))
    nearest = [names[j] for j in (unit_rows(use.encode(fi7["text"].tolist())) @ anchors.T).argmax(axis=1)]
    kappa = {name: agreement_by_theme(gold, pred, names)["kappa"].mean()
             for name, pred in (("coder", coded["theme_label"].tolist()), ("words", by_words), ("nearest", nearest))}
    assert kappa["coder"] > kappa["words"] + 0.01 and kappa["coder"] > kappa["nearest"] + 0.05, kappa

    again = CodebookCoder.load(coder.save(tmp_path / "coder")).transform(fi7)
    assert again["theme_label"].tolist() == coded["theme_label"].tolist()
    state = json.loads((tmp_path / "coder" / "coder.json").read_text(encoding="utf-8"))
    del state["name_words"]  # as saved before name words
    (tmp_path / "coder" / "coder.json").write_text(json.dumps(state), encoding="utf-8")
    older = CodebookCoder.load(tmp_path / "coder").transform(fi7)
    assert not older["reason"].str.contains("mots du nom du thème").any()


def test_hand_codes_typed_as_the_codebook_short_codes_teach_the_same_coder(fi8, use):
    """A codebook whose themes carry short codes ("T1"...): hand codes given as those codes
    teach the coder exactly what the names teach it (before, each code became a new theme of
    its own, the named themes learning nothing)."""
    names, pool = _single_label_pool(fi8)
    book = Codebook.from_dict({"themes": [{"name": n, "code": f"T{i}"} for i, n in enumerate(names, start=1)]})
    short = {n: f"t{i}" for i, n in enumerate(names, start=1)}
    _, codes = _draw(pool, names, 0)
    by_name = CodebookCoder(book, use).fit(fi8, codes)
    by_code = CodebookCoder(book, use).fit(fi8, {a: short[c] for a, c in codes.items()})
    assert by_code.codebook_.names == names and sorted(by_code.models_) == sorted(by_name.models_)
    pd.testing.assert_frame_equal(by_code.transform(fi8), by_name.transform(fi8))
