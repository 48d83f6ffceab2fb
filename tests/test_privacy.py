"""Pseudonymisation: names, places, contact details masked; ages, professions, acronyms kept."""

from __future__ import annotations

import pytest

from retex_nlp import Pseudonymizer, pseudonymize


@pytest.fixture(scope="module")
def pseudo():
    return Pseudonymizer(names=["Benali", "Wattrelos"])


def test_report_quote_keeps_age_and_masks_child(pseudo):
    text = ("Il n'y avait plus les visites médiatisées avec les parents chaque semaine. "
            "Léa (18 mois) était apaisée.")
    clean, reps = pseudo.pseudonymize(text)
    assert clean.endswith("[Prénom] (18 mois) était apaisée.")
    assert "visites médiatisées avec les parents" in clean
    assert [(r.original, r.placeholder) for r in reps] == [("Léa", "[Prénom]")]


def test_names_at_sentence_start_and_in_capitals(pseudo):
    clean = pseudo.pseudonymize("Jade est partie chez son père. JADE et IBRAHIM vont mieux depuis.")[0]
    assert "Jade" not in clean and "JADE" not in clean and "IBRAHIM" not in clean
    assert clean.startswith("[Prénom 1] est partie chez son père. [Prénom 1] et [Prénom 2]")


def test_names_that_are_common_words(pseudo):
    clean = pseudo.pseudonymize("Pierre est revenu à la maison. La pierre de taille, claire et nette.")[0]
    assert clean.startswith("[Prénom] est revenu")
    assert "La pierre de taille, claire et nette." in clean
    assert pseudo.pseudonymize("Pierre de taille et rose des vents.")[0] == "Pierre de taille et rose des vents."
    assert "[Prénom]" in pseudo.pseudonymize("Le matin, Rose pleurait souvent.")[0]


def test_acronyms_professions_and_departments_are_kept(pseudo):
    text = ("Les assistants familiaux du Nord ont gardé le lien avec l'ASE, la PMI, l'AEMO et la MECS ; "
            "le TISF et la psychologue du CMP aussi.")
    assert pseudo.pseudonymize(text)[0] == text


def test_titles_surnames_user_names_and_places(pseudo):
    clean = pseudo.pseudonymize("Mme Durand et le Dr Martin ont vu la famille Benali à Roubaix, "
                                "puis la PMI de Wattrelos et le CMP de Tourcoing.")[0]
    for word in ("Durand", "Martin", "Benali", "Roubaix", "Wattrelos", "Tourcoing"):
        assert word not in clean
    assert clean.startswith("Mme [Nom") and "Dr [Nom" in clean and "la PMI de [Lieu" in clean
    # the user's list is masked whatever the case
    assert "BENALI" not in pseudo.pseudonymize("Mme BENALI a appelé.")[0]


def test_contact_details_dates_and_case_numbers(pseudo):
    clean, reps = pseudo.pseudonymize(
        "Appelez au 06 12 34 56 78 ou +33 3 20 12 34 56, ou marie.dupont@nord.fr. Dossier n° 2020-4567. "
        "Elle habite 12 rue des Lilas, 59100 Roubaix ; l'enfant est né le 3 mars 2015.")
    for secret in ("06 12", "+33", "marie.dupont", "2020-4567", "rue des Lilas", "59100", "3 mars 2015"):
        assert secret not in clean
    assert "[Téléphone 1]" in clean and "[Téléphone 2]" in clean and "[E-mail]" in clean
    assert "Dossier n° [N° dossier]" in clean and "né le [Date]" in clean
    assert {r.rule for r in reps} >= {"téléphone", "e-mail", "n° de dossier", "adresse", "date de naissance"}


def test_same_name_same_placeholder_and_table(pseudo):
    texts = ["Kévin a vu Lucas, puis Lucas a revu Kevin.", "RAS", ""]
    new, table = pseudo.transform(texts, ids=["a1", "a2", "a3"])
    assert new[0] == "[Prénom 1] a vu [Prénom 2], puis [Prénom 2] a revu [Prénom 1]."
    assert new[1:] == ["RAS", ""]
    assert list(table.columns) == ["answer_id", "original", "placeholder", "rule", "start", "end"]
    assert table["answer_id"].tolist() == ["a1"] * 4
    assert set(table["original"]) == {"Kévin", "Lucas", "Kevin"}


def test_institutions_only_when_asked():
    text = "Il est au foyer Les Tilleuls depuis mars."
    assert "[Établissement]" not in pseudonymize(text)
    assert Pseudonymizer(mask_institutions=True).pseudonymize(text)[0] == "Il est au foyer [Établissement] depuis mars."
