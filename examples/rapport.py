"""Walkthrough: from a survey export to a shareable report, then the analyst's loop.

    python examples/rapport.py [PROJECT_DIR] [N_ANSWERS]

Runs on the Grand Débat extract shipped in corpora/ (real answers, Licence Ouverte); its
``theme`` column (the debate's topic) plays the part of a respondent variable (a service, a
profession). The loop: analyse once, read the themes, rename and merge two of them, ban a
quote, re-render the report without refitting. The same walkthrough as a notebook:
examples/rapport.ipynb.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import retex_nlp as rx

ROOT = Path(__file__).resolve().parents[1]


def main(out: Path, n: int | None = None) -> None:
    # 1. Read the export: every row gets a status (ok, empty, non_answer, duplicate, unreadable);
    #    the file's own columns (id, theme, question_code…) are kept as they are.
    export = pd.read_csv(ROOT / "corpora" / "grand_debat_extrait.csv", dtype=str)
    if n:
        export = export.groupby("theme").head(n // 2)
    answers = rx.read_answers(export, text="text")
    print(rx.status_summary(answers).to_string(index=False))

    # 2. The whole chain, once: terms, themes, quotes, pseudonymisation -> a project on disk.
    project = rx.analyse(answers, by="theme", attribution="{theme}", title="Grand Débat : exemple de rapport",
                         seed=0, out=out)
    print(project.themes[["theme_id", "label", "size", "share"]].to_string(index=False))
    print(project.quotes[["theme_label", "quote", "attribution"]].head(6).to_string(index=False))

    # 3. Work on it: rename the largest theme, merge the next two, ban a quote (every copy of it).
    first, second, third = project.themes["theme_id"].iloc[:3].tolist()
    banned = project.quotes.iloc[0]["quote"]
    project.rename(first, "Thème principal (renommé)").merge([second, third]).ban_quote(banned)
    print("\n".join(project.history()))

    # 4. Re-render every output from the project's state: nothing is refitted.
    paths = project.save()
    for kind, path in paths.items():
        print(f"{kind:>16}  {path}")

    # 5. Reopen it later (or from the command line: retex edit / retex report): same state.
    again = rx.Project.open(out)
    assert "Thème principal (renommé)" in set(again.themes["label"])
    assert banned not in set(again.quotes["quote"])


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("out/exemple"),
         int(sys.argv[2]) if len(sys.argv) > 2 else None)
