"""Walkthrough: from a survey export to term counts, group comparison and word clouds.

    python examples/termes.py [OUT_DIR]

Runs on the Grand Débat extract shipped in corpora/ (real answers, Licence Ouverte).
"""

from __future__ import annotations

import sys
from pathlib import Path

import retex_nlp as rx

ROOT = Path(__file__).resolve().parents[1]


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    answers = rx.read_answers(ROOT / "corpora" / "grand_debat_extrait.csv", text="text", id="id",
                              variables=["question_code"])
    print(rx.status_summary(answers).to_string(index=False))

    terms = rx.term_frequencies(answers, by="question_code", top=20)
    terms.to_csv(out / "termes.csv", index=False)
    print(terms.groupby("question_code").head(5).to_string(index=False))

    spec = rx.specificities(answers, by="question_code", top=10)
    spec.to_csv(out / "specificites.csv", index=False)

    print(rx.concordance(answers, "transport en commun", width=40).head(5).to_string(index=False))
    rx.word_clouds(terms, "question_code", out / "nuages")
    print(f"Résultats dans {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out") / "exemple_termes")
