"""The analyst's loop on the bundled corpus: analyse once, then edit and re-render.

    python benchmarks/bench_project.py [--out docs/benchmarks.md]

Each step runs as a whole command (``retex analyse``, ``retex edit``, ``retex report``) in a
fresh process, as a user runs it, with a cold embedding cache for ``analyse``. The baseline is
the analysis itself: before projects existed, a renamed theme meant running it again.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, markdown, replace_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpora" / "grand_debat_extrait.csv"


def timed(label: str, args: list[str]) -> dict:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "retex_nlp.cli", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{label} failed:\n{done.stdout}\n{done.stderr}")
    print(f"{label}: {seconds:.1f} s", flush=True)
    return {"step": label, "command": "retex " + " ".join(a if " " not in a else f'"{a}"' for a in args[:1]),
            "seconds": round(seconds, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_project_"))
    project = work / "projet"
    try:
        rows = [timed("analyse (read, pseudonymise, terms, embed, themes, quotes, render)",
                      ["analyse", str(CORPUS), "--text-col", "text", "--by", "theme", "--attribution", "{theme}",
                       "--out", str(project)])]
        rows.append(timed("edit: rename + merge (journal written)",
                          ["edit", str(project), "--rename", "0", "Thème renommé", "--merge", "1", "2"]))
        rows.append(timed("report: every output re-rendered, nothing refitted", ["report", str(project)]))
        rows.append(timed("edit: split a theme in 2 (re-clusters its answers from cached vectors)",
                          ["edit", str(project), "--split", "0", "2"]))
        rows.append(timed("report after the split", ["report", str(project)]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = pd.DataFrame(rows)
    base = table["seconds"].iloc[0]
    table["share of analyse"] = (table["seconds"] / base).map(lambda x: f"{x:.0%}")
    print(table.to_string(index=False))
    if args.out:
        section = "\n".join([
            "## The analyst's loop: analyse once, edit, re-render (`benchmarks/bench_project.py`)", "",
            "Command: `python benchmarks/bench_project.py --out docs/benchmarks.md`",
            f"Machine: {machine()}. Data: `corpora/grand_debat_extrait.csv` (1,600 answers). Each step is a"
            " whole `retex` command in a fresh process (Python start-up and imports included); `analyse`"
            " starts with no embedding cache. Baseline: the analysis itself, which is what a user had to run"
            " again to see a renamed theme in the report before projects existed.", "",
            markdown(table), "",
        ])
        replace_section(args.out, "## The analyst's loop", section)


if __name__ == "__main__":
    main()
