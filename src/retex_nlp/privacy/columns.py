"""The user's own columns in what is shared: no respondent's name, e-mail or phone number.

A survey export carries more than the answers: Microsoft Forms adds "Adresse de messagerie" and
"Nom" to every row, Qualtrics "RecipientEmail" and "IPAddress", a hand-made table a "Commentaire"
column where names are typed as in the answers. The answers' texts are pseudonymised before
anything is shown; :func:`mask_user_columns` does the same for the other columns of the shared
outputs (the coded answers, the report's workbook, the REFI-QDA project):

- a column that identifies a respondent, by its name ("Nom", "Prénom", "E-mail", "Courriel",
  "Téléphone", "Adresse", "Adresse IP", "Date de naissance", "N° de sécurité sociale", and their
  English forms, LimeSurvey's "token") or by what it holds (most of its values e-mails, phone numbers or IP
  addresses), has each filled value replaced by its placeholder ("[E-mail]", "[Nom]"…);
- a column of free text (its values a few words long on the median) is pseudonymised as the
  answers are;
- the other columns (profession, service, dates, scores) stay as they are, and so do the columns
  the analyst groups or attributes by, unless they identify a respondent.

The answers as written, these columns included, stay in the project's private folder.

Respondent ids that are personal data (a survey read with its e-mail column as the id) are the
key of every output: :func:`with_id_pseudonyms` gives them pseudonyms ("R0001"…) in what is
shared, the table of both going to the private folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from ..normalize import fold

__all__ = ["identifying_columns", "free_text_columns", "mask_user_columns", "identifying_ids", "with_id_pseudonyms",
           "HELD_FR"]

#: Column names (folded: lower case, no accents, words joined by one space) that identify a
#: respondent, with the placeholder their values get.
_NAMED: dict[str, str] = {}
for _placeholder, _names in {
    "[Nom]": ("nom", "prenom", "nom prenom", "prenom nom", "nom et prenom", "prenom et nom", "nom complet",
              "nom de famille", "nom d usage", "nom de naissance", "name", "full name", "first name", "last name",
              "firstname", "lastname", "surname", "given name", "recipientfirstname", "recipientlastname",
              "recipient first name", "recipient last name", "repondant", "nom du repondant", "identite", "signature"),
    "[E-mail]": ("email", "e mail", "mail", "courriel", "adresse mail", "adresse e mail", "adresse email",
                 "adresse de messagerie", "adresse electronique", "adresse courriel", "email address",
                 "e mail address", "recipientemail", "recipient email", "mel"),
    "[Téléphone]": ("telephone", "tel", "portable", "numero de telephone", "n de telephone", "telephone portable",
                    "mobile", "phone", "phone number", "gsm"),
    "[Adresse]": ("adresse", "adresse postale", "domicile", "rue", "address", "street", "street address"),
    "[Adresse IP]": ("ip", "adresse ip", "ipaddress", "ip address", "ipaddr"),
    # LimeSurvey's participant token: the key to the participants' table (names, e-mails)
    "[Identifiant]": ("token", "jeton", "jeton d acces", "access code"),
    "[Date]": ("date de naissance", "ne le", "nee le", "ne e le", "birth date", "date of birth", "birthdate", "ddn"),
    "[N° sécurité sociale]": ("nir", "numero de securite sociale", "n de securite sociale", "securite sociale",
                              "n secu", "numero secu"),
    "[Lieu]": ("locationlatitude", "locationlongitude", "latitude", "longitude", "location latitude",
               "location longitude"),
}.items():
    for _name in _names:
        _NAMED[_name] = _placeholder

#: What a column masked whole held, in words, for messages.
HELD_FR = {"[Nom]": "des noms", "[E-mail]": "des adresses électroniques", "[Téléphone]": "des numéros de téléphone",
           "[Adresse]": "des adresses", "[Adresse IP]": "des adresses IP", "[Identifiant]": "des jetons de participant",
           "[Date]": "des dates de naissance", "[N° sécurité sociale]": "des numéros de sécurité sociale",
           "[Lieu]": "des coordonnées géographiques"}

_EMAIL = re.compile(r"^\s*[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*$")
_PHONE = re.compile(r"^\s*(?:(?:\+|00)\d{2,3}[\s./-]?\(?0?\)?|0)[\s./-]?[1-9](?:[\s./-]?\d){8}\s*$")
_IP = re.compile(r"^\s*(?:\d{1,3}\.){3}\d{1,3}\s*$|^\s*[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\s*$", re.I)
_BY_CONTENT = (("[E-mail]", _EMAIL), ("[Téléphone]", _PHONE), ("[Adresse IP]", _IP))

#: A column is free text when its filled values have at least this many words (two letters or
#: more between spaces) on the median.
FREE_TEXT_WORDS = 4


def _header_key(name: object) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(str(name)).lower().replace("°", " ")))


def _filled(values: pd.Series) -> pd.Series:
    values = values.dropna()
    values = values[values.astype(str).str.strip() != ""]
    return values.astype(str)


def identifying_columns(frame: pd.DataFrame, columns: Iterable[str]) -> dict[str, str]:
    """The columns among ``columns`` that identify a respondent: ``{column: placeholder}``. By
    the column's name, or by what it holds: more than half of its filled values (of the first
    1,000) e-mails, phone numbers or IP addresses."""
    found: dict[str, str] = {}
    for column in columns:
        key = _header_key(column)
        if key in _NAMED:
            found[column] = _NAMED[key]
            continue
        values = _filled(frame[column].head(1000))
        if not len(values):
            continue
        for placeholder, pattern in _BY_CONTENT:
            if 2 * int(values.map(lambda v, p=pattern: bool(p.match(v))).sum()) > len(values):
                found[column] = placeholder
                break
    return found


def free_text_columns(frame: pd.DataFrame, columns: Iterable[str]) -> list[str]:
    """The columns among ``columns`` that hold free text: their filled values have at least
    :data:`FREE_TEXT_WORDS` words on the median (a comment, a second answer), not a category."""
    out = []
    for column in columns:
        values = _filled(frame[column].head(1000))
        words = values.map(lambda v: sum(len(re.findall(r"[^\W\d_]", w)) >= 2 for w in v.split()))
        if len(values) and words.median() >= FREE_TEXT_WORDS:
            out.append(column)
    return out


def mask_user_columns(frame: pd.DataFrame, columns: Iterable[str], masker, keep: Iterable[str] = ()
                      ) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` with its user ``columns`` safe to share, and what was done to each column changed
    (``{column: "[E-mail]"}`` for a column masked whole, ``"pseudonymisée"`` for free text).
    ``masker`` is the :class:`~retex_nlp.Pseudonymizer` of the answers; the columns in ``keep``
    (grouped or attributed by) are not pseudonymised as free text."""
    columns = [c for c in columns if c in frame.columns]
    keep = set(keep)
    out = frame.copy()
    done: dict[str, str] = {}
    whole = identifying_columns(frame, columns)
    for column, placeholder in whole.items():
        out[column] = pd.Series([placeholder if v is not None and v == v and str(v).strip() else v
                                 for v in out[column].tolist()], index=out.index, dtype=object)
        done[column] = placeholder
    for column in free_text_columns(frame, [c for c in columns if c not in whole and c not in keep]):
        values = out[column]
        distinct = pd.unique(values.dropna().astype(str))
        shown, _ = masker.transform(list(distinct))
        mapping = dict(zip(distinct, shown, strict=True))
        out[column] = values.map(lambda v, m=mapping: m.get(str(v), v) if v is not None and v == v else v)
        done[column] = "pseudonymisée"
    return out, done


def identifying_ids(answers: pd.DataFrame) -> str | None:
    """What the answers' respondent ids hold when they are personal data, in French words ("des
    adresses électroniques"), else ``None``."""
    found = identifying_columns(answers, ["respondent_id"])
    return HELD_FR.get(found["respondent_id"], "des données personnelles") if found else None


def with_id_pseudonyms(answers: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str], pd.DataFrame]:
    """``answers`` (``respondent_id``, ``answer_id``) with a pseudonym for each respondent id
    ("R0001", "R0002"… in the order of the answers) in both columns: an answer id made from a
    respondent id ("a@b.fr:Q1", "a@b.fr#2") keeps what follows it ("R0001:Q1"), another one (a
    row number) stays as it is. Also returns ``{old answer id: new}`` (to rename the ids other
    tables hold) and the table of the ids and their pseudonyms (``respondent_id``,
    ``pseudonyme``), for the private folder only."""
    resp = answers["respondent_id"].astype(str).tolist()
    ids = list(dict.fromkeys(resp))
    width = max(4, len(str(len(ids))))
    pseudonym = {r: f"R{i:0{width}d}" for i, r in enumerate(ids, start=1)}
    old = answers["answer_id"].astype(str).tolist()
    new = [pseudonym[r] + a[len(r):] if a.startswith(r) else a for a, r in zip(old, resp, strict=True)]
    shown = answers.assign(respondent_id=[pseudonym[r] for r in resp], answer_id=new)
    return shown, dict(zip(old, new, strict=True)), pd.DataFrame({"respondent_id": ids,
                                                                   "pseudonyme": [pseudonym[r] for r in ids]})
