"""Generated odd survey exports, seeded: encodings, separators, line endings, quoting, control
characters, truncation, broken archives, XLSX oddities. Each file comes with what a reader must
find in it (``None`` when the only right answer is a clear RetexInputError or unreadable rows).

Used by tests/test_oddfiles.py (a few hundred files) and, for a larger run,
``python tests/oddfiles.py N``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "corpora" / "grand_debat_extrait.csv"

PROFESSIONS = ["Assistant·e familial·e", "Éducateur spécialisé", "Psychologue", "Cadre socio-éducatif",
               "Assistante sociale", "Infirmière puéricultrice"]
SERVICES = ["ASE Nord", "PMI — secteur Est", "MECS « Les Tilleuls »", "Service d'accueil familial", "AEMO"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "cp850", "mac_roman", "utf-16", "utf-16-le", "utf-16-be"]
SEPARATORS = [";", ",", "\t", "|"]
NEWLINES = ["\n", "\r\n", "\r"]


@dataclass
class OddFile:
    path: Path
    kind: str
    #: the records written (id, profession, service, text), or None when none can be expected
    records: list[dict] | None
    #: rows a reader may mark unreadable (a damaged row), else every row must be recovered
    damaged: set[int] = field(default_factory=set)
    encoding: str | None = None


def _answers(rng: random.Random, n: int) -> list[str]:
    frame = pd.read_csv(BUNDLED, dtype=str)
    texts = [t for t in frame["text"].dropna().tolist() if len(t) < 400]
    return [rng.choice(texts) for _ in range(n)]


def _encodable(text: str, encoding: str) -> str:
    """The text with the characters the code page lacks replaced by plain ones (as Excel does)."""
    swaps = {"’": "'", "œ": "oe", "Œ": "Oe", "—": "-", "«": '"', "»": '"', "·": ".", "€": "EUR", "…": "..."}
    out = []
    for ch in text:
        try:
            ch.encode(encoding)
            out.append(ch)
        except UnicodeEncodeError:
            out.append(swaps.get(ch, "?"))
    return "".join(out)


def _records(rng: random.Random, n: int, encoding: str) -> list[dict]:
    rows = []
    for i, text in enumerate(_answers(rng, n)):
        rows.append({"id": f"R{i + 1:04d}", "profession": _encodable(rng.choice(PROFESSIONS), encoding),
                     "service": _encodable(rng.choice(SERVICES), encoding), "text": _encodable(text, encoding)})
    return rows


def _csv_text(rows: list[dict], sep: str, newline: str, quoting: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator=newline, quoting=quoting)
    writer.writerow(["id", "profession", "service", "text"])
    for r in rows:
        writer.writerow([r["id"], r["profession"], r["service"], r["text"]])
    return buffer.getvalue()


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return text.encode("utf-16")  # with its BOM
    return text.encode(encoding)


def generate(folder: Path, n_files: int, seed: int = 0) -> list[OddFile]:
    """``n_files`` odd exports in ``folder`` (same seed, same files)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[OddFile] = []
    kinds = ["csv"] * 10 + ["csv_multiline", "csv_controls", "csv_quote", "csv_long_field", "csv_ragged",
                            "txt", "jsonl", "xlsx", "gz", "bad_gz", "truncated_gz", "random_bytes", "empty",
                            "header_only", "truncated_csv", "utf16_dash", "iramuteq", "html_xls", "tsv_xls",
                            "tsv_txt", "csv_sep_in_answer", "csv_multiline_middle", "csv_nul_tail", "xlsx_crlf"]
    for k in range(n_files):
        kind = rng.choice(kinds)
        encoding = rng.choice(ENCODINGS)
        sep = rng.choice(SEPARATORS)
        newline = rng.choice(NEWLINES)
        n = rng.randint(3, 25)
        rows = _records(rng, n, encoding if not encoding.startswith("utf") else "utf-8")
        path = folder / f"f{k:04d}_{kind}"
        damaged: set[int] = set()
        quoting = rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])
        if kind == "csv_multiline":
            rows[rng.randrange(n)]["text"] += "\nSuite sur une autre ligne ; avec un séparateur, et « guillemets »"
            quoting = csv.QUOTE_ALL
        if kind == "csv_controls":
            i = rng.randrange(n)
            rows[i]["text"] = rows[i]["text"][:20] + rng.choice(["\x0b", "\x07", "\x00", "\x1b", "\x0c"]) + rows[i]["text"][20:]
        if kind in ("csv", "csv_multiline", "csv_controls"):
            text = _csv_text(rows, sep, newline, quoting)
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(text, encoding))
            files.append(OddFile(path, kind, rows, damaged, encoding))
        elif kind == "csv_quote":  # a field opening with an unbalanced quote
            i = rng.randrange(n)
            body = _csv_text(rows, sep, newline, csv.QUOTE_MINIMAL).split(newline)
            line = i + 1
            cells = body[line].split(sep) if body[line].count('"') == 0 else None
            if cells is None or len(cells) != 4:
                continue
            cells[3] = '"' + cells[3]
            rows[i]["text"] = '"' + rows[i]["text"]
            body[line] = sep.join(cells)
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(newline.join(body), encoding))
            files.append(OddFile(path, kind, rows, {i}, encoding))
        elif kind in ("csv_sep_in_answer", "csv_multiline_middle"):  # hand-made exports: no quotes at all
            for r in rows:
                r["text"] = " ".join(r["text"].replace(sep, " ").replace('"', " ").split())
            # the row broken by a line break comes after a whole row of its service (what says that
            # the line "…;ASE;Psychologue" ends a row: a file of short rows is never merged)
            i = rng.randrange(1, n)
            rows[i]["service"] = rows[rng.randrange(i)]["service"]
            words = rows[i]["text"].split()
            cut = max(1, len(words) // 2)
            if len(words) < 4 or not re.search(r"[^\W\d_]{2}", " ".join(words[cut:])):
                continue
            order = ["id", "profession", "service", "text"] if kind == "csv_sep_in_answer" else \
                ["id", "text", "service", "profession"]
            lines = [sep.join(order)] + [sep.join(r[c] for c in order) for r in rows]
            if kind == "csv_sep_in_answer":  # the separator typed in the answer, the last column
                rows[i]["text"] = " ".join(words[:cut]) + sep + " " + " ".join(words[cut:])
                lines[i + 1] = sep.join(rows[i][c] for c in order)
            else:  # a line break typed in the answer, a middle column: the row continues on the next line
                rest = sep.join([" ".join(words[cut:]), rows[i]["service"], rows[i]["profession"]])
                lines[i + 1] = sep.join([rows[i]["id"], " ".join(words[:cut])]) + newline + rest
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(newline.join(lines) + newline, encoding))
            files.append(OddFile(path, kind, rows, set(), encoding))
        elif kind == "csv_nul_tail":  # a copy cut short: the file ends in a block of zeros
            zeros = b"\x00" * (2 * rng.randint(8, 2500))
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(_csv_text(rows, sep, newline, quoting), encoding) + zeros)
            files.append(OddFile(path, kind, rows, set(), encoding))
        elif kind == "xlsx_crlf":  # line breaks saved as Excel saves a carriage return: _x000D_
            import openpyxl

            book = openpyxl.Workbook()
            sheet = book.active
            sheet.append(["id", "profession", "service", "text"])
            for r in rows:
                words = r["text"].split()
                text = " ".join(words[:3]) + "_x000D_\n" + " ".join(words[3:]) if len(words) > 3 else r["text"]
                sheet.append([r["id"], r["profession"], r["service"], text])
            path = path.with_suffix(".xlsx")
            book.save(path)
            files.append(OddFile(path, kind, rows, set(), None))
        elif kind == "csv_long_field":
            i = rng.randrange(n)
            rows[i]["text"] = ("Très long témoignage. " * 9000)[:180_000]
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(_csv_text(rows, sep, newline, quoting), encoding))
            files.append(OddFile(path, kind, rows, set(), encoding))
        elif kind == "csv_ragged":
            text = _csv_text(rows, sep, newline, csv.QUOTE_MINIMAL)
            lines = text.split(newline)
            i = rng.randrange(n)
            lines[i + 1] += sep + "champ en trop"
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(newline.join(lines), encoding))
            files.append(OddFile(path, kind, rows, {i}, encoding))
        elif kind == "txt":
            single = [dict(r, text=r["text"].replace("\n", " ")) for r in rows]
            path = path.with_suffix(".txt")
            path.write_bytes(_encode(newline.join(r["text"] for r in single) + newline, encoding))
            files.append(OddFile(path, kind, [{"text": r["text"]} for r in single], set(), encoding))
        elif kind == "jsonl":
            path = path.with_suffix(".jsonl")
            lines = [json.dumps(r, ensure_ascii=rng.random() < 0.5) for r in rows]
            path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
            files.append(OddFile(path, kind, rows, set(), "utf-8"))
        elif kind == "xlsx":
            path = path.with_suffix(".xlsx")
            frame = pd.DataFrame(rows)
            if rng.random() < 0.5:
                frame.insert(0, "vide", None)
            frame.to_excel(path, index=False)
            files.append(OddFile(path, kind, rows, set(), None))
        elif kind == "html_xls":  # a web page holding the table, named ".xls" (some survey tools)
            path = path.with_suffix(".xls")
            page = pd.DataFrame(rows).to_html(index=False, na_rep="")
            path.write_bytes(_encode(f"<html><body>{page}</body></html>", encoding if encoding != "utf-16" else "utf-8"))
            files.append(OddFile(path, kind, rows, set(), None))
        elif kind == "tsv_xls":  # tab-separated text named ".xls"
            path = path.with_suffix(".xls")
            path.write_bytes(_encode(_csv_text(rows, "\t", newline, quoting), encoding))
            files.append(OddFile(path, kind, rows, set(), encoding))
        elif kind == "tsv_txt":  # what Excel saves as "Texte Unicode (.txt)": tabs, UTF-16 with BOM
            path = path.with_suffix(".txt")
            path.write_bytes(_encode(_csv_text(rows, "\t", newline, quoting), "utf-16"))
            files.append(OddFile(path, kind, rows, set(), "utf-16"))
        elif kind == "gz":
            path = path.with_suffix(".csv.gz")
            path.write_bytes(gzip.compress(_encode(_csv_text(rows, sep, newline, quoting), encoding)))
            files.append(OddFile(path, kind, rows, set(), encoding))
        elif kind == "bad_gz":  # named .gz, not gzip
            path = path.with_suffix(".csv.gz")
            path.write_bytes(_encode(_csv_text(rows, sep, newline, quoting), encoding))
            files.append(OddFile(path, kind, None, set(), encoding))
        elif kind == "truncated_gz":
            data = gzip.compress(_encode(_csv_text(rows, sep, newline, quoting), encoding))
            path = path.with_suffix(".csv.gz")
            path.write_bytes(data[: max(12, len(data) // 2)])
            files.append(OddFile(path, kind, None, set(), encoding))
        elif kind == "random_bytes":
            path = path.with_suffix(rng.choice([".csv", ".txt", ".jsonl", ".xlsx"]))
            path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000))))
            files.append(OddFile(path, kind, None, set(), None))
        elif kind == "empty":
            path = path.with_suffix(".csv")
            path.write_bytes(rng.choice([b"", b"\n\n", b"\xef\xbb\xbf", b"   "]))
            files.append(OddFile(path, kind, None, set(), None))
        elif kind == "header_only":
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(sep.join(["id", "profession", "service", "text"]) + newline, encoding))
            files.append(OddFile(path, kind, [], set(), encoding))
        elif kind == "truncated_csv":
            text = _csv_text(rows, sep, newline, csv.QUOTE_ALL)
            cut = text[: len(text) - rng.randint(5, 40)]
            path = path.with_suffix(".csv")
            path.write_bytes(_encode(cut, encoding))
            files.append(OddFile(path, kind, rows, {n - 1}, encoding))
        elif kind == "utf16_dash":  # UTF-16-LE without BOM whose first text starts with a dash or a quote
            for r in rows:
                r["text"] = rng.choice(["— ", "€ ", "’"]) + r["text"]
            text = newline.join(r["text"] for r in rows) + newline
            path = path.with_suffix(".txt")
            path.write_bytes(text.encode("utf-16-le"))
            files.append(OddFile(path, kind, [{"text": r["text"]} for r in rows], set(), "utf-16-le"))
        elif kind == "iramuteq":
            lines = []
            for r in rows:
                lines += [f"**** *prof_{r['id']} *age_", r["text"].replace("*", " ").replace("\n", " "), ""]
            path = path.with_suffix(".txt")
            path.write_bytes(_encode("\n".join(lines), encoding))
            files.append(OddFile(path, kind, [{"text": " ".join(r["text"].replace("*", " ").split())}
                                              for r in rows], set(), encoding))
    return files


if __name__ == "__main__":  # a larger run: python tests/oddfiles.py 5000
    import sys
    import tempfile
    import traceback

    sys.path.insert(0, str(ROOT / "src"))
    import retex_nlp as rx

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with tempfile.TemporaryDirectory() as tmp:
        crashes: dict[str, int] = {}
        for odd in generate(Path(tmp), count, seed=int(sys.argv[2]) if len(sys.argv) > 2 else 1):
            for reader in ("read_answers", "iter_answers"):
                try:
                    if reader == "read_answers":
                        rx.read_answers(odd.path, text="text")
                    else:
                        pd.concat(list(rx.iter_answers(odd.path, text="text", chunksize=7)))
                except rx.RetexInputError:
                    pass
                except Exception as exc:  # noqa: BLE001 - what this run counts
                    key = f"{reader} {odd.kind} {type(exc).__name__}"
                    crashes[key] = crashes.get(key, 0) + 1
                    if crashes[key] == 1:
                        traceback.print_exc()
        print(crashes or "no exception other than RetexInputError")
