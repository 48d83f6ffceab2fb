"""French tokenisation and lemmatisation: elisions, pronominal verbs, expressions, acronyms."""

from __future__ import annotations

import pickle

import pytest

from retex_nlp import FrenchAnalyzer, Lexicon


def lemmas(analyzer, text):
    return [t.lemma for t in analyzer.analyse(text) if t.is_content]


@pytest.mark.parametrize("text", [
    "S'adapter", "S’adapter !", "s'adapte", "S'ADAPTER", "Nous nous adaptons.", "Je me suis adaptée très vite.",
    "Ils se sont bien adaptés", "Il a fallu s’adapter en permanence", "j'ai dû m'y adapter", "Nous devons nous adapter",
    "Les enfants s'adaptent.",  # the small tagger calls "adaptent" an adverb here
])
def test_pronominal_verb_variants_are_one_lemma(analyzer, text):
    assert "s'adapter" in lemmas(analyzer, text)
    assert "adapter" not in lemmas(analyzer, text)


def test_reflexive_only_with_matching_subject(analyzer):
    # "il me parle": "me" is not reflexive (the subject is "il")
    assert "se parler" not in lemmas(analyzer, "Il me parle souvent de sa mère.")
    assert "se sentir" in lemmas(analyzer, "Je ne me sens pas soutenue.")
    assert "s'organiser" in lemmas(analyzer, "Il a fallu qu'on s'organise autrement.")


@pytest.mark.parametrize(("text", "lemma"), [
    ("La question se pose.", "se poser"), ("Cette taxe s'applique à tous.", "s'appliquer"),
    ("On se demande pourquoi.", "se demander"), ("Le gouvernement se moque de nous.", "se moquer"),
    ("On taxe trop les salariés.", "taxer"), ("Il lui reste juste de quoi vivre.", "rester"),
])
def test_verbs_in_the_present_that_are_also_nouns_get_their_infinitive(analyzer, text, lemma):
    # spaCy's French rules have no "-e" -> "-er" for verbs: "pose", "demande" stayed as they were
    assert lemma in [t.lemma for t in analyzer.analyse(text)]  # "rester" is a stopword


def test_nouns_are_not_verbs_after_an_article(analyzer):
    assert lemmas(analyzer, "La demande des familles reste forte")[0] == "demande"
    assert "taxe" in lemmas(analyzer, "La taxe carbone est injuste")


@pytest.mark.parametrize(("text", "word"), [
    ("Il faut supprimer la taxe carbone.", "carbone"),  # tagged adjective: the rules gave "carbon"
    ("Moins de TVA sur les produits de première nécessité (pain, lait, farine)", "lait"),  # verb: "ler"
    ("Une TVA très faible voire nulle sur les produits", "voire"),  # tagged adjective: "voir"
])
def test_nouns_and_adverbs_mistagged_keep_their_form(analyzer, text, word):
    assert word in lemmas(analyzer, text)


def test_elisions_are_split_and_not_counted(analyzer):
    tokens = analyzer.analyse("L'enfant n'a plus d'école, qu'il s'ennuie")
    texts = [t.text for t in tokens]
    assert "L'" in texts and "n'" in texts and "d'" in texts and "qu'" in texts
    content = [t.lemma for t in tokens if t.is_content]
    assert content[:1] == ["enfant"] and "école" in content and "plus" in content
    assert not any(t.endswith("'") for t in content)


def test_multiword_expressions_and_their_inflections(analyzer):
    found = lemmas(analyzer, "Le manque de moyens est criant")
    assert found[0] == "manque de moyens" and "manque" not in found and "moyen" not in found
    assert "manque de moyens" in lemmas(analyzer, "Des manques de moyens humains")
    assert "visite médiatisée" in lemmas(analyzer, "Les visites médiatisées ont été suspendues")
    assert "protection de l'enfance" in lemmas(analyzer, "Les services de la protection de l’enfance")
    assert "droit de visite et d'hébergement" in lemmas(analyzer, "Les droits de visite et d'hébergement")
    assert "aide sociale à l'enfance" in lemmas(analyzer, "L'aide sociale à l'enfance du département")
    assert "travailleur social" in lemmas(analyzer, "Les travailleurs sociaux étaient épuisés")
    assert "assistant familial" in lemmas(analyzer, "une assistante familiale")


@pytest.mark.parametrize("variant", ["télétravail", "télé-travail", "Télétravail", "télé travail"])
def test_telework_variants(analyzer, variant):
    assert lemmas(analyzer, f"Le {variant} était difficile") == ["télétravail", "difficile"]


@pytest.mark.parametrize("variant", ["visio", "visios", "visioconférence", "visio-conférence", "Visio-conférences"])
def test_visio_variants(analyzer, variant):
    assert "visio" in lemmas(analyzer, f"Les échanges en {variant} avec les parents")


def test_acronyms_kept_upper_and_whole(analyzer):
    found = lemmas(analyzer, "Les professionnels de l'ASE, de la PMI, de l'AEMO et des MECS, l'UTPAS et le CMP.")
    for acronym in ["ASE", "PMI", "AEMO", "MECS", "UTPAS", "CMP"]:
        assert acronym in found
    # typed in lower case, a known acronym of 3+ letters is still the acronym
    assert "ASE" in lemmas(analyzer, "suivi par l'ase depuis 2019")
    # "je" is the pronoun, never the acronym JE (juge des enfants)
    assert "JE" not in lemmas(analyzer, "je ne sais pas")


def test_shouting_text_is_lemmatised_like_normal_text(analyzer):
    assert lemmas(analyzer, "MANQUE DE MOYENS ET DE PERSONNEL À L'ASE") == ["manque de moyens", "personnel", "ASE"]


def test_stopwords_keep_meaningful_negations(analyzer):
    found = lemmas(analyzer, "Pas assez de temps, plus de contacts, moins de visites, sans voiture, trop de travail")
    for word in ["pas", "plus", "moins", "sans", "trop", "temps", "contact", "visite"]:
        assert word in found
    assert "de" not in found and "le" not in found


def test_user_lexicon_from_yaml(tmp_path):
    path = tmp_path / "lexique.yml"
    path.write_text("expressions: [cellule de crise]\nvariants:\n  visio: [zoom, teams]\nacronyms: [SAU]\n"
                    "stopwords: [madame]\n", encoding="utf-8")
    analyzer = FrenchAnalyzer(lexicon=path).load_default_table()
    found = lemmas(analyzer, "Madame, la cellule de crise se réunissait sur Zoom avec le SAU")
    assert "cellule de crise" in found and "visio" in found and "SAU" in found
    assert "madame" not in found
    with pytest.raises(ValueError, match=r"clés de lexique inconnues \['expression'\]"):
        Lexicon.from_dict({"expression": []})
    broken = tmp_path / "casse.yml"
    broken.write_text("expressions: [cellule de crise\nacronyms: [SAU]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"casse\.yml, ligne \d+ : lexique : YAML mal formé"):
        Lexicon.from_yaml(broken)
    with pytest.raises(ValueError, match="lexique introuvable"):
        Lexicon.from_yaml(tmp_path / "absent.yml")
    # one line of items rather than a list: split on commas, never into letters
    path.write_text("expressions: cellule de crise, visite médiatisée\nvariants:\n  visio: zoom; teams\n", encoding="utf-8")
    read = Lexicon.from_yaml(path)
    assert read.expressions == ["cellule de crise", "visite médiatisée"] and read.variants == {"visio": ["zoom", "teams"]}
    with pytest.raises(ValueError, match=r"« stopwords » doit être une liste"):
        Lexicon.from_dict({"stopwords": [{"madame": "monsieur"}]})


def test_fast_mode_matches_the_full_pipeline_on_real_answers(gdn_sample):
    texts = gdn_sample["text"].tolist()[5000:5600]
    fast = FrenchAnalyzer().load_default_table().terms(texts)
    exact = FrenchAnalyzer(fast=False).terms(texts)
    same = sum(a == b for a, b in zip(fast, exact, strict=True))
    tokens = sum(len(x) for x in exact)
    diff = sum(len(set(a) ^ set(b)) for a, b in zip(fast, exact, strict=True))
    assert same / len(texts) > 0.9
    assert diff / tokens < 0.02


def test_results_do_not_depend_on_batching(gdn_sample):
    texts = gdn_sample["text"].tolist()[:300]
    together = FrenchAnalyzer().load_default_table().terms(texts)
    one_by_one = [FrenchAnalyzer().load_default_table().terms([t])[0] for t in texts[:40]]
    assert together[:40] == one_by_one


def test_two_processes_give_the_same_tokens(gdn_sample):
    """Texts analysed in two forked processes (the default from 4,000 distinct texts) give the
    tokens one process gives, in the same order, and fill the cache the same way."""
    import sys

    if not sys.platform.startswith("linux"):
        pytest.skip("forked processes are used on Linux only")
    texts = gdn_sample["text"].tolist()[:4500]
    alone = FrenchAnalyzer(n_process=1).load_default_table()
    forked = FrenchAnalyzer(n_process=2).load_default_table()
    assert forked._processes(len(texts)) == 2 and FrenchAnalyzer()._processes(len(texts)) >= 1
    one, two = alone.transform(texts), forked.transform(texts)
    assert one == two and sum(map(len, two)) > 50_000
    assert forked.terms(texts[:3]) == alone.terms(texts[:3])  # from the cache filled by the children's work
    assert FrenchAnalyzer()._processes(100) == 1  # small inputs stay in this process


def test_analyzer_pickles_without_spacy_model(analyzer):
    clone = pickle.loads(pickle.dumps(analyzer))
    assert lemmas(clone, "Nous nous adaptons") == ["s'adapter"]
    assert len(pickle.dumps(analyzer)) < 2_000_000


def test_hyphenated_words_are_one_term_in_the_singular(analyzer):
    """spaCy's French tokenizer splits the hyphenated words its list lacks (or their plural):
    "week-ends" was counted as "week" and "end", "grands-parents" as "grand" and "parent"."""
    answers = ["Les week-ends chez les grands-parents sont devenus rares.",
               "Le turn-over des équipes empêche tout suivi, même le weekend.",
               "Les beaux-parents et les belles-mères ne sont jamais consultés."]
    found = [lemmas(analyzer, a) for a in answers]
    assert found[0][:2] == ["week-end", "grand-parent"]
    assert "turn-over" in found[1] and "week-end" in found[1]
    assert "beau-parent" in found[2] and "belle-mère" in found[2]
    for word in ("week", "end", "turn", "over", "grand", "parent", "beau"):
        assert word not in [w for f in found for w in f]
    text = "Vas-y, le turn-over des week-ends."
    turn = next(t for t in analyzer.analyse(text) if t.lemma == "turn-over")
    assert text[turn.start:turn.end] == "turn-over"
