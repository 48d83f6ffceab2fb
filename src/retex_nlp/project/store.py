"""The project folder on disk: its layout, its schema version, and how each file is written.

::

    DIR/
      projet.json            format, schema version, settings, what the analysis found
      journal.yml            the analyst's edits, in order (readable; replayed on opening)
      etat/
        reponses.jsonl       the answers as read: every row, status, id and user column, the
                             text pseudonymised (shown) and as analysed (placeholders removed)
        themes.jsonl         the themes the analysis found (before any edit)
        affectations.csv     which answers the analysis put in which theme (answer_id, theme_id)
        termes.csv           term counts; specificites.csv: specificities per variable
        termes_reponses.jsonl  each ok answer's terms (key terms of edited themes)
      modele/                the fitted theme model or coder, to code a new wave
      cache/                 the embedding cache (unless projet.json names another folder)
      rapport/               what is rendered, to share: report.html/.xlsx/.docx, CSVs, .qdpx
      prive/                 NOT to share: the answers as written (textes_originaux.jsonl),
                             the pseudonymisation table (the names that were masked) and, when
                             the respondent ids are e-mails…, their pseudonyms in rapport/
                             (identifiants_repondants.csv)

Every file is written beside its final name, then renamed: an interrupted save leaves the
previous file whole. Tables are JSON lines (a header line with the columns, then one list per
row) so that ids stay strings, empty cells stay empty, and no spreadsheet ever reads them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from ..errors import RetexInputError
from ..files import atomic_write
from ..io.yaml_file import read_yaml

__all__ = ["SCHEMA_VERSION", "FORMAT", "PROJECT_FILE", "JOURNAL_FILE", "atomic_write", "write_json", "read_json",
           "write_rows", "read_rows", "write_journal", "read_journal"]

FORMAT = "retex_nlp.projet"
SCHEMA_VERSION = 1
PROJECT_FILE = "projet.json"
JOURNAL_FILE = "journal.yml"


def write_json(path: Path, data: dict) -> Path:
    return atomic_write(path, json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8"))


def read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RetexInputError("fichier manquant : le projet est incomplet", path=path) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RetexInputError(f"fichier endommagé ou tronqué ({exc})", path=path) from exc
    if not isinstance(data, dict):
        raise RetexInputError("fichier endommagé : un objet JSON était attendu", path=path)
    return data


def _cell(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def write_rows(path: Path, frame: pd.DataFrame) -> Path:
    """A table as JSON lines: ``{"columns": [...]}``, then one list per row."""
    lines = [json.dumps({"columns": [str(c) for c in frame.columns]}, ensure_ascii=False)]
    lines += [json.dumps([_cell(v) for v in row], ensure_ascii=False) for row in frame.itertuples(index=False)]
    return atomic_write(path, ("\n".join(lines) + "\n").encode("utf-8"))


def read_rows(path: Path) -> pd.DataFrame:
    """A table written by :func:`write_rows`; a cut or damaged file gives a clear error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise RetexInputError("fichier manquant : le projet est incomplet", path=path) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise RetexInputError(f"fichier illisible ({exc})", path=path) from exc
    try:
        columns = json.loads(lines[0])["columns"]
        rows = [json.loads(line) for line in lines[1:] if line]
    except (IndexError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise RetexInputError(f"fichier endommagé ou tronqué ({exc})", path=path) from exc
    bad = next((i for i, r in enumerate(rows) if not isinstance(r, list) or len(r) != len(columns)), None)
    if bad is not None:
        raise RetexInputError("fichier endommagé : ligne incomplète", path=path, row=bad + 2)
    return pd.DataFrame(rows, columns=columns)


def write_journal(path: Path, edits: list[dict]) -> Path:
    header = ("# Journal des modifications du projet, dans l'ordre ; rejoué à chaque ouverture.\n"
              "# Actions : renommer, fusionner, scinder, déplacer, recoder, épingler, écarter.\n")
    body = yaml.safe_dump(edits, allow_unicode=True, sort_keys=False, width=1000) if edits else "[]\n"
    return atomic_write(path, (header + body).encode("utf-8"))


def read_journal(path: Path) -> list[dict]:
    if not path.exists():
        return []
    edits = read_yaml(path, "journal") or []
    if not isinstance(edits, list) or not all(isinstance(e, dict) and "action" in e for e in edits):
        raise RetexInputError("le journal doit être une liste de modifications, chacune avec une « action »",
                              path=path)
    return edits
