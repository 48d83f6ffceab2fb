"""Term counts, one-word answers, specificities, concordance, word clouds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

from retex_nlp import (
    concordance,
    lafon_scores,
    log_likelihood,
    read_answers,
    specificities,
    term_frequencies,
    word_cloud,
    word_clouds,
)

SURVEY = pd.DataFrame({
    "id": [str(i) for i in range(1, 9)],
    "profession": ["AF", "AF", "AF", "AF", "TS", "TS", "TS", "TS"],
    "texte": [
        "Les enfants étaient plus apaisés, plus calmes sans les visites médiatisées.",
        "Enfant apaisé, moins de rendez-vous, plus de calme à la maison.",
        "Les visites médiatisées suspendues : les enfants apaisés.",
        "Il a fallu s'adapter.",
        "Le télétravail et la visio avec les familles, difficile de garder le lien.",
        "Manque de moyens : pas d'ordinateur portable pour le télé-travail.",
        "La visio-conférence ne remplace pas la visite à domicile.",
        "RAS",
    ],
})


@pytest.fixture(scope="module")
def survey():
    return read_answers(SURVEY, text="texte", id="id")


def test_lemma_counts_and_answers_using_them(survey, analyzer):
    table = term_frequencies(survey, analyzer=analyzer).set_index("term")
    assert table.loc["apaiser", "count"] == 3 or table.loc["apaisé", "count"] == 3
    assert table.loc["visite médiatisée", "count"] == 2
    assert table.loc["télétravail", "count"] == 2  # "télétravail" and "télé-travail"
    assert table.loc["visio", "count"] == 2
    assert table.loc["plus", "count"] == 3 and table.loc["plus", "n_answers"] == 2
    # shares are relative to the 7 ok answers ("RAS" is a non-answer)
    assert table.loc["visio", "share_answers"] == round(2 / 7, 4)
    assert list(table.reset_index().columns) == ["term", "count", "n_answers", "share_answers"]


def test_counts_per_group(survey, analyzer):
    table = term_frequencies(survey, by="profession", analyzer=analyzer)
    af = table[table["profession"] == "AF"].set_index("term")
    ts = table[table["profession"] == "TS"].set_index("term")
    assert af.loc["visite médiatisée", "count"] == 2 and "visite médiatisée" not in ts.index
    assert ts.loc["visio", "n_answers"] == 2 and ts.loc["visio", "share_answers"] == round(2 / 3, 4)
    assert "s'adapter" in af.index
    top = term_frequencies(survey, by="profession", analyzer=analyzer, top=2)
    assert top.groupby("profession").size().max() == 2


def test_form_and_ngram_units(survey, analyzer):
    forms = term_frequencies(survey, unit="form", analyzer=analyzer).set_index("term")
    assert "apaisés" in forms.index and "apaisé" in forms.index
    ngrams = term_frequencies(survey, unit="ngram", analyzer=analyzer).set_index("term")
    assert "garder le lien" in ngrams.index
    assert not any(t.startswith(("le ", "la ", "de ")) for t in ngrams.index)


def test_one_word_answers(analyzer):
    words = ["S'adapter !", "s’adapter", "S'ADAPTER", "s'adapter.", "Difficile", "difficile", "Visioconférence",
             "visio", "Solidarité", "néant"]
    answers = read_answers(pd.DataFrame({"mot": words}), text="mot")
    table = term_frequencies(answers, one_word=True, analyzer=analyzer).set_index("term")
    assert table.loc["s'adapter", "count"] == 4
    assert table.loc["difficile", "count"] == 2
    assert table.loc["visio", "count"] == 2
    assert table["count"].sum() == 9  # "néant" is a non-answer


def test_specificities_find_each_group_vocabulary(survey, analyzer):
    spec = specificities(survey, by="profession", min_count=2, analyzer=analyzer)
    af = spec[spec["profession"] == "AF"].set_index("term")
    assert af.loc["visite médiatisée", "specificity"] > 0
    assert af.loc["visio", "specificity"] < 0
    assert af.loc["visio", "loglik"] < 0 < af.loc["visite médiatisée", "loglik"]


def test_lafon_matches_the_hypergeometric_definition():
    # T=1000 tokens, term F=20 times, group t=100 tokens, f=8 in the group (expected 2)
    score = lafon_scores(np.array([8]), np.array([20]), 100, 1000)[0]
    assert score == pytest.approx(-np.log10(hypergeom.sf(7, 1000, 20, 100)))
    under = lafon_scores(np.array([0]), np.array([50]), 500, 1000)[0]
    assert under == pytest.approx(np.log10(hypergeom.cdf(0, 1000, 50, 500)))
    assert under < -10
    # Rayson's worked example shape: G2 is 0 when the group uses the term as expected
    assert log_likelihood(np.array([10]), np.array([100]), 100, 1000)[0] == pytest.approx(0)


def test_specificities_on_real_questions(gdn_sample, analyzer):
    two = gdn_sample[gdn_sample["question_code"].isin(["FIS_02", "ECO_06"])].groupby("question_code").head(300)
    spec = specificities(two, by="question_code", min_count=5, analyzer=analyzer)
    top_fis = spec[spec["question_code"] == "FIS_02"].head(8)["term"].tolist()
    top_eco = spec[spec["question_code"] == "ECO_06"].head(8)["term"].tolist()
    assert any(t in top_fis for t in ["impôt", "taxe", "TVA", "CSG", "revenu"])
    assert any(t in top_eco for t in ["voiture", "transport", "véhicule", "transports en commun", "chauffage"])


def test_concordance_matches_lemmas_and_variants(survey, analyzer):
    kwic = concordance(survey, "visio", width=20, analyzer=analyzer)
    assert kwic["match"].tolist() == ["visio", "visio-conférence"]
    assert kwic["answer_id"].tolist() == ["5", "7"]
    assert kwic.loc[0, "left"].endswith("télétravail et la ")
    kwic = concordance(survey, "s'adapte", analyzer=analyzer)
    assert kwic["match"].tolist() == ["adapter"]


def test_word_clouds_png_svg_and_per_group(survey, analyzer, tmp_path):
    freqs = term_frequencies(survey, analyzer=analyzer)
    cloud = word_cloud(freqs, tmp_path / "nuage.png")
    assert (tmp_path / "nuage.png").stat().st_size > 5000
    assert "visite médiatisée" in cloud.words_
    word_cloud(freqs, tmp_path / "nuage.svg")
    svg = (tmp_path / "nuage.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "médiatisée" in svg  # accents kept
    paths = word_clouds(term_frequencies(survey, by="profession", analyzer=analyzer), "profession", tmp_path)
    assert sorted(paths) == ["AF", "TS"] and all(p.exists() for p in paths.values())
    with pytest.raises(ValueError, match="table des fréquences est vide"):
        word_cloud(freqs.iloc[0:0])


def test_lafon_fast_tails_match_scipy_at_corpus_scale():
    # counts of a large corpus: 5M tokens, a question of 400,000, terms used from a few times
    # to 20,000 times, over- and under-used, and right at expectation (the longest tails)
    rng = np.random.default_rng(0)
    T, t = 5_000_000, 400_000
    F = np.concatenate([rng.integers(1, 20_000, 40), [10, 1000, 15_000]])
    f = np.minimum(rng.binomial(F, np.clip(t / T * rng.uniform(0.3, 2.5, len(F)), 0, 1)), F)
    f[-3:] = np.round(F[-3:] * t / T).astype(int)  # at expectation: the longest tails
    fast = lafon_scores(f, F, t, T)
    expected = F * t / T
    exact = np.where(f >= expected, -hypergeom.logsf(f - 1, T, F, t), hypergeom.logcdf(f, T, F, t)) / np.log(10)
    exact = np.where(np.isfinite(exact), exact, np.sign(exact) * 300.0)
    np.testing.assert_allclose(fast, exact, rtol=1e-7, atol=1e-7)
    assert fast.max() > 50 and fast.min() < -50  # far tails, in logs, not rounded to 0


# -- typed without accents, with a wrong accent, in capitals, with a space for the apostrophe ----------
def test_unaccented_and_capitalised_typing_counts_as_one_term(analyzer):
    answers = pd.DataFrame({"texte": ["C'est épuisant.", "c est epuisant", "C EST EPUISANT ET STRÉSSANT, VRAIMENT",
                                      "La solidarité entre collègues.", "la solidarite entre collegues",
                                      "Il faut s'adapter.", "il faut s adapter"]})
    forms = term_frequencies(answers, text="texte", unit="form", analyzer=analyzer).set_index("term")["n_answers"]
    assert forms["épuisant"] == 3 and "epuisant" not in forms and forms["stressant"] == 1  # (the tagger, not the
    freqs = term_frequencies(answers, text="texte", analyzer=analyzer).set_index("term")["n_answers"]  # spelling,
    assert freqs["solidarité"] == 2 and "solidarite" not in freqs  # may lemmatise "épuisant" as a verb)
    assert freqs["collègue"] == 2 and freqs["s'adapter"] == 2
    words = pd.DataFrame({"mot": ["Épuisant", "epuisant !", "EPUISANT", "S ADAPTER", "s'adapter"]})
    one = term_frequencies(words, text="mot", one_word=True, analyzer=analyzer).set_index("term")["count"]
    assert one.to_dict() == {"épuisant": 3, "s'adapter": 2}


def test_two_real_words_are_never_merged(analyzer):
    from retex_nlp.text.spelling import restore_spelling

    assert restore_spelling("isolément, l'isolement") == "isolément, l'isolement"
    assert restore_spelling("C'est mon avis, ou pas, la maison") == "C'est mon avis, ou pas, la maison"  # function words
    assert restore_spelling("c etait tres dur") == "c'était très dur"
    assert restore_spelling("Le travail a distance, la PMI et l ASE") == "Le travail a distance, la PMI et l'ASE"
    terms = analyzer.terms(["Travailler isolément.", "L'isolement des familles."])
    assert "isolément" in terms[0] and "isolement" in terms[1]
    assert analyzer.term_of("epuisant") == analyzer.term_of("épuisant") == "épuisant"


def test_an_elision_typed_without_its_apostrophe_is_put_back(analyzer):
    """Phones drop the apostrophe: "sadapter", "Sadapter" count as "s'adapter", "lenfant" as
    "l'enfant"; a first name, a town, a capitalised surname and a word that is French as typed
    are never cut ("manon", "laval", "Lamour", "samedi", "soutil" is no "s'outil")."""
    from retex_nlp.text.spelling import restore_spelling

    assert restore_spelling("jai du madapter, cest dur pour lenfant et lecole") == \
        "j'ai du m'adapter, c'est dur pour l'enfant et l'école"
    assert restore_spelling("Sadapter") == "S'adapter" and restore_spelling("SADAPTER") == "S'ADAPTER"
    for kept in ("manon est partie", "laval", "M. Lamour", "le samedi", "un soutil", "lou", "Laval", "cavait",
                 "les semis", "un tas de", "le CETA", "https://bit.ly/lenfant", "jean.lenfant@cd59.fr"):
        assert restore_spelling(kept) == kept, kept
    words = pd.DataFrame({"mot": ["S'adapter", "sadapter", "Sadapter !", "s adapter", "SADAPTER", "adaptation"]})
    one = term_frequencies(words, text="mot", one_word=True, analyzer=analyzer).set_index("term")["count"]
    assert one.to_dict() == {"s'adapter": 5, "adaptation": 1}
    assert "enfant" in analyzer.terms(["pour lenfant"])[0]


def test_spelling_tables_are_kept_between_processes_and_rebuilt_when_damaged(tmp_path, monkeypatch):
    """The accent tables are built once, kept in the cache folder, read back by the next
    process the same; a damaged file is rebuilt; RETEX_CACHE_DIR="" keeps none."""
    from retex_nlp.text import spelling

    def fresh():
        spelling._lexicon.cache_clear()
        spelling._restore_word.cache_clear()
        return spelling._lexicon()

    monkeypatch.setenv("RETEX_CACHE_DIR", str(tmp_path))
    built = fresh()
    files = list(tmp_path.glob("orthographe-*.pickle"))
    assert len(files) == 1
    assert fresh() == built  # read back from the file
    assert spelling.restore_spelling("c etait epuisant, l isolement") == "c'était épuisant, l'isolement"
    files[0].write_bytes(b"interrupted")
    assert fresh() == built and files[0].stat().st_size > 1_000_000  # rebuilt and written again
    monkeypatch.setenv("RETEX_CACHE_DIR", "")
    files[0].unlink()
    assert fresh() == built and not any(tmp_path.iterdir())
    spelling._lexicon.cache_clear()
    spelling._restore_word.cache_clear()


def test_duplicates_and_embeddings_ignore_accents_and_capitals():
    from retex_nlp.embed import CachedEmbedder

    frame = pd.DataFrame({"id": ["1", "1", "2"], "texte": ["Épuisant", "epuisant", "epuisant"]})
    answers = read_answers(frame, text="texte", id="id")
    assert answers["status"].tolist() == ["ok", "duplicate", "ok"]  # same respondent, same answer

    class Recorder:
        name = "enregistreur"
        seen: list[str] = []

        def encode(self, texts):
            Recorder.seen += list(texts)
            return np.ones((len(texts), 2), dtype=np.float32)

    CachedEmbedder(Recorder()).encode(["TROP DE TRAVAIL. PAS ASSEZ DE MOYENS POUR LES ENFANTS", "La PMI aide."])
    assert Recorder.seen == ["Trop de travail. Pas assez de moyens pour les enfants", "La PMI aide."]


def test_nouns_taken_for_adjectives_keep_their_word_and_typed_accents_stay(analyzer):
    """The small tagger calls some nouns adjectives and the rule lemmatiser then cuts them
    ("taxe" -> "tax", "vieillesse" -> "vieilless"): the word is kept when the cut is no French
    lemma. A word typed with its accents but missing from the lexicon is not turned into
    another ("hydrogène" is not "hydrogéné"); a wrong accent is still put right."""
    from retex_nlp.text.spelling import restore_spelling

    answers = ["Les impôts locaux ( taxe locale et taxe sur le carburant ) car ils sont très élevés",
               "Santé, minimum vieillesse et aides aux handicapés",
               "Je pourrais acheter une voiture à hydrogène ou électrique si le prix baisse"]
    terms = analyzer.terms(answers)
    assert terms[0].count("taxe") == 2 and "tax" not in terms[0]
    both = analyzer.terms(["Les impôts locaux ( taxe d'habitation et taxe foncière ) car ils sont très élevés"])[0]
    assert "taxe d'habitation" in both and "taxe foncière" in both and "tax" not in both  # expressions
    assert "vieillesse" in terms[1] and "vieilless" not in terms[1]
    assert "hydrogène" in terms[2] and "hydrogéné" not in terms[2]
    assert restore_spelling("c'est complétement stréssant") == "c'est complètement stressant"
    assert analyzer.terms(["Il faut percevoir les aides perçues"])[0].count("percevoir") >= 1
    # adverbs and nouns the tagger calls verbs (real answers): no "drastiquemer", "abattemer"
    verbs = analyzer.terms(["baisser drastiquement les taxations sur les entreprises pour nous rendre plus competitifs.....",
                            "Il faudrait passer le taux d'abattement sur les revenus imposables de 10 à 20%."])
    assert "drastiquement" in verbs[0] and "abattement" in verbs[1]
    assert not any(t.endswith("emer") for ts in verbs for t in ts)
