"""Detect the encoding and separator of text exports (CSV, TXT) without guessing wrong.

French survey exports come as UTF-8 (with or without BOM), Windows-1252 (Excel "CSV (séparateur:
point-virgule)"), Latin-1, UTF-16 (Excel "Texte Unicode"), and sometimes old DOS/Mac code pages.
Decoding is strict first (UTF-8 either decodes or it does not); single-byte code pages are then
scored on how French the decoded text looks.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RetexInputError

__all__ = ["DecodedText", "decode_bytes", "sniff_separator", "SEPARATORS"]

SEPARATORS = (";", ",", "\t", "|")
_SINGLE_BYTE = ("cp1252", "latin-1", "cp850", "mac_roman")
_FRENCH = set("àâäçéèêëîïôöùûüÿœæÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŒÆ«»’€°")
# Characters that single-byte mis-decodings produce and French text almost never holds.
_SUSPECT = set("‚„ˆ‰Š‹ŽšžŸ¦¤¬¯±µ¶·¸¹º¼½¾×÷ÐÞðþ¢¥§¨") | {chr(c) for c in range(0x80, 0xA0)}
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a ZIP archive (an .xlsx/.docx/.ods file?)",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Office file (.xls/.doc)",
    b"\x1f\x8b": "a gzip archive",
}


@dataclass
class DecodedText:
    """Decoded file content and how it was decoded."""

    text: str
    encoding: str
    #: 1-based line numbers decoded with a fallback code page (mixed-encoding files).
    fallback_lines: set[int] = field(default_factory=set)


def _french_score(text: str) -> int:
    good = sum(1 for c in text if c in _FRENCH)
    bad = sum(1 for c in text if c in _SUSPECT)
    return good - 3 * bad


def _best_single_byte(raw: bytes) -> str:
    best, best_score = "cp1252", None
    for enc in _SINGLE_BYTE:
        try:
            decoded = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _french_score(decoded)
        if best_score is None or score > best_score:
            best, best_score = enc, score
    return best


def decode_bytes(raw: bytes, path: str | Path | None = None, encoding: str | None = None) -> DecodedText:
    """Decode the bytes of a text export.

    ``encoding`` forces a codec. Otherwise: BOMs (UTF-8, UTF-16) are honoured, strict UTF-8 is
    tried, then the single-byte code page whose result looks most French. A file whose lines mix
    UTF-8 and a single-byte code page (two exports pasted together) is decoded line by line and
    the fallback lines are reported. Binary files raise :class:`RetexInputError`.
    """
    if encoding:
        try:
            return DecodedText(raw.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise RetexInputError(f"cannot decode as {encoding!r}: {exc}", path=path) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return DecodedText(raw[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(raw.decode("utf-16", errors="replace"), "utf-16")
    for signature, what in _BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            raise RetexInputError(f"this is {what}, not a text export", path=path)
    head = raw[:8192]
    if head.count(b"\x00") > len(head) // 4 and len(head) >= 4:
        # UTF-16 without BOM: every other byte is NUL in Latin text.
        enc = "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
        return DecodedText(raw.decode(enc, errors="replace"), enc)
    if b"\x00" in head:
        raise RetexInputError("binary content (NUL bytes), not a text export", path=path)
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    lines = raw.splitlines(keepends=True)
    utf8_lines, bad_lines = 0, []
    for i, line in enumerate(lines, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_lines.append(i)
    fallback = _best_single_byte(b"".join(lines[i - 1] for i in bad_lines))
    if utf8_lines == 0:
        return DecodedText(raw.decode(fallback), fallback)
    parts = []
    bad = set(bad_lines)
    for i, line in enumerate(lines, start=1):
        parts.append(line.decode(fallback) if i in bad else line.decode("utf-8"))
    return DecodedText("".join(parts), f"mixed (utf-8 + {fallback})", bad)


def sniff_separator(text: str, candidates: tuple[str, ...] = SEPARATORS) -> str:
    """Pick the field separator that gives the most columns, consistently over the first rows."""
    sample = "\n".join(text.splitlines()[:200])
    best, best_key = ",", (-1.0, 0)
    for sep in candidates:
        rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=sep))[:50]
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        key = (round(consistent, 1), width)
        if key > best_key:
            best, best_key = sep, key
    return best
