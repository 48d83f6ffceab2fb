"""Detect the encoding and separator of text exports (CSV, TXT) without guessing wrong.

French survey exports come as UTF-8 (with or without BOM), Windows-1252 (Excel "CSV (séparateur:
point-virgule)"), Latin-1, UTF-16 (Excel "Texte Unicode"), and sometimes old DOS/Mac code pages.
Decoding is strict first (UTF-8 either decodes or it does not); single-byte code pages are then
scored on how French the decoded text looks.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RetexInputError

__all__ = ["DecodedText", "decode_bytes", "sniff_separator", "french_score", "SEPARATORS"]

SEPARATORS = (";", ",", "\t", "|")
_SINGLE_BYTE = ("cp1252", "latin-1", "cp850", "mac_roman")
_LOWER = set("éèàçêâôîûùëïüÿœæ")
_UPPER = set("ÉÈÀÇÊÂÔÎÛÙËÏÜŸŒÆ")
_TYPO = set("«»’‘“”…–—€°·")
_C1 = {chr(c) for c in range(0x80, 0xA0)}
# Bytes that are not text: C0 controls but tab, line feed, vertical tab, form feed, carriage return, escape.
_NOT_TEXT = bytes(c for c in range(0x20) if c not in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B))
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "une archive ZIP (un classeur .xlsx, un .docx ou un .ods renommé ?)",
    b"%PDF": "un document PDF",
    b"\xd0\xcf\x11\xe0": "un ancien fichier Office (.xls/.doc) : enregistrez-le en .xlsx ou en .csv",
    b"\x1f\x8b": "une archive gzip : nommez-la en .gz",
}


@dataclass
class DecodedText:
    """Decoded file content and how it was decoded."""

    text: str
    encoding: str
    #: 1-based line numbers decoded with a fallback code page (mixed-encoding files).
    fallback_lines: set[int] = field(default_factory=set)
    #: how sure the choice is: 1.0 for a BOM, strict UTF-8 or a forced encoding; for a code
    #: page, how far the French plausibility of the best decoding is above the runner-up's
    confidence: float = 1.0
    #: what the decoding noticed, in French, for the file's notes (a zeroed end)
    notes: list[str] = field(default_factory=list)


def _char_scores(text: str) -> list[float]:
    """Each character's French plausibility (0 for ASCII), see :func:`french_score`."""
    scores = []
    n = len(text)
    for i, c in enumerate(text):
        if c.isascii():
            scores.append(0.0)
        elif c in _LOWER:
            scores.append(2.0)
        elif c in _UPPER:
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < n else " "
            inside = (before.isalpha() and before.islower()) or (after.isalpha() and after.islower() and
                                                                 before.isalpha())
            scores.append(-3.0 if inside else 1.0)
        elif c in _TYPO:
            scores.append(1.0)
        elif c in _C1:
            scores.append(-5.0)
        else:
            scores.append(-3.0)
    return scores


def french_score(text: str) -> float:
    """How French a decoding looks, per non-ASCII character: accented lowercase letters French
    uses score, as do French typography (« » ’ € ·) and capitals where capitals belong; an
    accented capital inside a lowercase word ("possÈder", the mark of a wrong code page), C1
    control characters and letters French never uses (ì, Ä, ‡, ∑…) cost."""
    scores = [x for x, c in zip(_char_scores(text), text, strict=True) if not c.isascii()]
    return sum(scores) / max(len(scores), 1)


def _best_single_byte(raw: bytes) -> str:
    return _rank_single_byte(raw)[0][0]


def _rank_single_byte(raw: bytes) -> list[tuple[str, float, str]]:
    """The code pages that decode ``raw`` (one per distinct result) with their score and text,
    most French-looking first (ties: the order of :data:`_SINGLE_BYTE`, Windows first)."""
    ranked, seen = [], set()
    for order, enc in enumerate(_SINGLE_BYTE):
        try:
            decoded = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if decoded in seen:  # latin-1 reads like cp1252 when no byte is in 0x80-0x9F: one candidate
            continue
        seen.add(decoded)
        ranked.append((enc, french_score(decoded), -order, decoded))
    ranked.sort(key=lambda x: (x[1], x[2]), reverse=True)
    return [(enc, score, text) for enc, score, _, text in ranked] or [("cp1252", 0.0, "")]


def _confidence(ranked: list[tuple[str, float, str]]) -> float:
    """How much more French the chosen decoding reads than the runner-up, on the characters
    where the two differ (single-byte code pages decode one byte to one character): 0 when
    they read alike, 0.99 when the runner-up is full of mojibake."""
    if len(ranked) < 2:
        return 0.99
    best, second = ranked[0][2], ranked[1][2]
    a, b = _char_scores(best), _char_scores(second)
    diffs = [x - y for x, y, c, d in zip(a, b, best, second, strict=False) if c != d]
    if not diffs:
        return 0.99
    return round(max(0.0, min(0.99, sum(diffs) / len(diffs) / 5)), 2)


#: A run of NUL bytes no text holds: a block of zeros (a copy cut short, a damaged disk), not
#: UTF-16 (whose NULs alternate with letters) nor a binary file's scattered control bytes.
_ZEROED = re.compile(rb"\x00{16,}")


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte is mostly NUL (Latin text in UTF-16), the
    byte order taken from which half holds the NULs (not from the first character, which may
    be "—" or "€"); blocks of zeros (:data:`_ZEROED`) left out."""
    head = _ZEROED.sub(b"", head)
    if len(head) < 4:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if max(even, odd) < len(head) // 4:
        return None
    return "utf-16-le" if odd >= even else "utf-16-be"


def _zeroed_end(raw: bytes) -> list[str]:
    """The note of a file that ends in a block of zeros, as a copy interrupted or a file
    recovered from a damaged disk does: what followed may be missing."""
    if not raw.endswith(b"\x00"):  # the usual case, without copying the file's bytes
        return []
    zeros = len(raw) - len(raw.rstrip(b"\x00"))
    if zeros < 16:
        return []
    return [f"le fichier se termine par {zeros} octets nuls (copie interrompue ou disque endommagé ?) : ignorés ; "
            "vérifiez que les dernières réponses y sont toutes"]


def _strip_nul(text: str) -> str:
    """``text`` without NUL characters, nor byte order marks opening a line (a second file's,
    when two exports are pasted together: its header would not read as the header repeated);
    checked before replacing, so that a large text is copied only when it holds one."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    return text.replace("\n\ufeff", "\n") if "\n\ufeff" in text else text


def decode_bytes(raw: bytes, path: str | Path | None = None, encoding: str | None = None) -> DecodedText:
    """Decode the bytes of a text export.

    ``encoding`` forces a codec. Otherwise: BOMs (UTF-8, UTF-16) are honoured, UTF-16 without
    BOM is recognised by its NUL bytes, strict UTF-8 is tried, then the single-byte code page
    whose result looks most French (:func:`french_score`; ``confidence`` says by how much). A
    file whose lines mix UTF-8 and a single-byte code page (two exports pasted together) is
    decoded line by line and the fallback lines are reported. NUL bytes in a text are removed (a
    file ending in a block of zeros is said in ``notes``); binary files raise
    :class:`RetexInputError`.
    """
    notes = _zeroed_end(raw)
    if encoding:
        try:
            return DecodedText(_strip_nul(raw.decode(encoding)), encoding, notes=notes)
        except (UnicodeDecodeError, LookupError) as exc:
            raise RetexInputError(f"impossible de décoder le fichier en {encoding!r} : {exc}", path=path) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return DecodedText(_strip_nul(raw[3:].decode("utf-8", errors="replace")), "utf-8-sig", notes=notes)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(_strip_nul(raw.decode("utf-16", errors="replace")), "utf-16", notes=notes)
    for signature, what in _BINARY_SIGNATURES.items():
        if raw.startswith(signature):
            raise RetexInputError(f"ce fichier est {what}, pas un export texte", path=path)
    head = _ZEROED.sub(b"", raw[:8192])
    utf16 = _utf16_without_bom(head)
    if utf16:
        return DecodedText(_strip_nul(raw.decode(utf16, errors="replace")), utf16, notes=notes)
    if head and sum(head.count(bytes([b])) for b in _NOT_TEXT) > max(2, len(head) // 20):
        raise RetexInputError("contenu binaire (octets de contrôle), pas un export texte", path=path)
    try:
        return DecodedText(_strip_nul(raw.decode("utf-8")), "utf-8", notes=notes)
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
    ranked = _rank_single_byte(b"".join(lines[i - 1] for i in bad_lines))
    fallback = ranked[0][0]
    if utf8_lines == 0:
        return DecodedText(_strip_nul(raw.decode(fallback)), fallback, confidence=_confidence(ranked), notes=notes)
    parts = []
    bad = set(bad_lines)
    for i, line in enumerate(lines, start=1):
        parts.append(line.decode(fallback) if i in bad else line.decode("utf-8"))
    return DecodedText(_strip_nul("".join(parts)), f"mixed (utf-8 + {fallback})", bad, _confidence(ranked), notes)


def sniff_separator(text: str, candidates: tuple[str, ...] = SEPARATORS) -> str:
    """Pick the field separator that gives the most columns, consistently over the first rows.
    When none gives the first row two columns (a one-column file), a separator that does not
    occur in the sample: a comma inside an answer must not cut it in two."""
    sample = "\n".join(text.splitlines()[:200])
    best = next((sep for sep in ("\t", "|", ";", ",") if sep not in sample), "\x1f")
    best_key = (-1.0, 0)
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
