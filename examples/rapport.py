"""Walkthrough: from a survey export to a shareable report (themes, quotes, pseudonymised).

    python examples/rapport.py [OUT_DIR] [N_ANSWERS]

Runs on the Grand Débat extract shipped in corpora/ (real answers, Licence Ouverte); the
``theme`` column plays the part of a respondent variable (a service, a profession).
The same walkthrough as a notebook: examples/rapport.ipynb.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import retex_nlp as rx

ROOT = Path(__file__).resolve().parents[1]


def main(out: Path, n: int | None = None) -> None:
    # 1. Read the export: every row gets a status (ok, empty, non_answer, duplicate, unreadable).
    export = pd.read_csv(ROOT / "corpora" / "grand_debat_extrait.csv")
    if n:
        export = export.groupby("theme").head(n // 2)
    answers = rx.read_answers(export, text="text", id="id", variables=["theme", "question_code"])
    print(rx.status_summary(answers).to_string(index=False))

    # 2. The whole chain: terms, themes, quotes, pseudonymisation, charts.
    report = rx.analyse(answers, text="text", by="theme", title="Grand Débat : exemple de rapport", seed=0)
    print(report.themes[["label", "size", "share"]].to_string(index=False))
    print(report.quotes[["theme", "quote", "attribution"]].head(6).to_string(index=False))
    print(report.by_group["theme"].head(8).to_string(index=False))

    # 3. Adjust: a quote to ban or pin goes in a small YAML file, kept for the next run.
    first = report.quotes.iloc[0]["answer_id"]
    rx.QuoteChoices(ban=[first]).save(out / "citations_choix.yml")
    report = rx.analyse(answers, text="text", by="theme", title="Grand Débat : exemple de rapport", seed=0,
                        choices=out / "citations_choix.yml")
    assert first not in set(report.quotes["answer_id"])

    # 4. Write the report: HTML, Excel, Word, CSV, REFI-QDA project, and the pseudonymisation table.
    for kind, path in report.write(out).items():
        print(f"{kind:>16}  {path}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/exemple"),
         int(sys.argv[2]) if len(sys.argv) > 2 else None)
