"""Helpers shared by the benchmark scripts: machine description, peak memory, markdown sections."""

from __future__ import annotations

import os
import platform
import resource
from pathlib import Path

import pandas as pd

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "corpora"


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def markdown(table: pd.DataFrame) -> str:
    try:
        return table.to_markdown(index=False)
    except ImportError:  # tabulate missing
        return "```\n" + table.to_string(index=False) + "\n```"


def replace_section(path: Path, heading: str, text: str) -> None:
    """Replace the section starting with ``heading`` in ``path`` (or append it)."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = old.find(heading)
    if start == -1:
        new = old.rstrip() + "\n\n" + text
    else:
        end = old.find("\n## ", start + len(heading))
        new = old[:start] + text + ("\n" + old[end + 1:] if end != -1 else "")
    path.write_text(new.rstrip() + "\n", encoding="utf-8")
