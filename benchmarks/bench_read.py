"""Reading speed: read_answers and the streaming iter_answers on real Grand Débat exports,
for two source trees side by side (before / after a change to the readers).

    git worktree add /tmp/avant <commit before>
    python benchmarks/bench_read.py --src /tmp/avant/src src --out docs/benchmarks.md

Each (tree, reader, file) runs in a fresh process, twice; the best time is kept. The files
are gzip'd CSVs of ``../shared/corpora/gdn_open_answers`` (FIS_02: 64k answers; FIS_01: 148k).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import SHARED, machine, markdown, replace_section  # noqa: E402

CORPUS = SHARED / "gdn_open_answers"
CHILD = """
import json, sys, time, resource
sys.path.insert(0, sys.argv[1])
import pandas as pd
import retex_nlp as rx
path, reader = sys.argv[2], sys.argv[3]
start = time.perf_counter()
if reader == "read_answers":
    rows = len(rx.read_answers(path, text="text"))
else:
    rows = sum(len(c) for c in rx.iter_answers(path, text="text", chunksize=50_000))
seconds = time.perf_counter() - start
print(json.dumps({"rows": rows, "seconds": seconds,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(src: str, path: Path, reader: str) -> dict:
    best = None
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", CHILD, src, str(path), reader], capture_output=True, text=True,
                              check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", nargs="+", required=True, help="source trees (their src/ folder), before then after")
    parser.add_argument("--files", nargs="+", default=["FIS_02", "FIS_01"])
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    rows = []
    for code in args.files:
        path = CORPUS / f"{code}.csv.gz"
        for reader in ("read_answers", "iter_answers"):
            for label, src in zip(["avant", "après"] if len(args.src) == 2 else args.src, args.src, strict=True):
                result = run(src, path, reader)
                rows.append({"file": f"{code}.csv.gz", "reader": reader, "tree": label, "answers": result["rows"],
                             "seconds": round(result["seconds"], 2),
                             "answers/s": int(result["rows"] / result["seconds"]),
                             "peak MB": int(result["rss_mb"])})
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(table.to_string(index=False))
    if args.out:
        section = "\n".join([
            "## Reading speed, before and after the robust readers (`benchmarks/bench_read.py`)", "",
            f"Command: `python benchmarks/bench_read.py --src {' '.join(args.src)} --out {args.out}` "
            "(`avant`: a worktree of the commit before the reading changes; `après`: this tree).",
            f"Machine: {machine()}. Each row: a fresh process, best of 2 runs; whole answers table built.", "",
            markdown(table), "",
        ])
        replace_section(args.out, "## Reading speed", section)


if __name__ == "__main__":
    main()
