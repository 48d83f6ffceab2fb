"""Character-level normalisation of French answers, before tokenisation.

Everything here is a pure function of the string, so it can be cached and run
anywhere (one process, Dask workers) with the same result.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_text", "normalize_answer", "strip_accents", "fold", "strip_controls", "sentence_case",
           "typed_in_capitals"]

# Apostrophes and quote-like characters typed for an apostrophe (Word, iOS, AZERTY…).
_APOSTROPHES = "\u2019\u2018\u02bc\u02bb\u0060\u00b4\u2032\u2035\uff07"
_SPACES = "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\u3000\t"
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_HYPHENS = "\u2010\u2011\u2012"
_TRANSLATE = str.maketrans(
    {
        **dict.fromkeys(_APOSTROPHES, "'"),
        **dict.fromkeys(_SPACES, " "),
        **dict.fromkeys(_ZERO_WIDTH, None),
        **dict.fromkeys(_HYPHENS, "-"),
        "\u0153": "oe",
        "\u0152": "Oe",
        "\u00e6": "ae",
        "\u00c6": "Ae",
        "\u2026": "...",
        "\r": "\n",
    }
)
_REPEATED_PUNCT = re.compile(r"([!?.,;:])(?:\s*\1)+")
_MIXED_PUNCT = re.compile(r"[!?](?:\s*[!?])+")
_ELLIPSIS = re.compile(r"\.{3,}")
_MULTISPACE = re.compile(r"[ ]{2,}")
_MULTINEWLINE = re.compile(r"\n{3,}")


def normalize_text(text: str) -> str:
    """Normalise a French answer for analysis, keeping its meaning and accents.

    - Unicode NFC (a decomposed ``é`` becomes one character);
    - typographic apostrophes (’ ʼ ‘ ` ´) become ``'``: ``S’adapter`` == ``S'adapter``;
    - non-breaking, thin and other spaces become plain spaces, zero-width characters go;
    - ligatures ``œ``/``æ`` become ``oe``/``ae``, so ``cœur`` and ``coeur`` count as one;
    - runs of punctuation collapse (``!!!`` -> ``!``, ``?!?`` -> ``?``, ``.....`` -> ``...``).

    Case is kept: acronyms (ASE, PMI) and proper nouns need it.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    text = _ELLIPSIS.sub("...", text)
    text = _MIXED_PUNCT.sub(lambda m: "?" if "?" in m.group(0) else "!", text)
    text = _REPEATED_PUNCT.sub(lambda m: m.group(1) if m.group(1) != "." else m.group(0), text)
    text = _MULTISPACE.sub(" ", text)
    text = _MULTINEWLINE.sub("\n\n", text)
    return text.strip()


_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")


def normalize_answer(text: str) -> str:
    """Normalise a whole (short) answer into one comparable key.

    Used for one-word answers ("résumez en un mot") and non-answer detection:
    ``"S'adapter !"``, ``"s’adapter"`` and ``"S'ADAPTER"`` all give ``"s'adapter"``.
    Accents are kept; case, surrounding punctuation and spacing are not.
    """
    text = normalize_text(text).casefold()
    text = " ".join(text.split())
    return _EDGE_PUNCT.sub("", text)


def strip_accents(text: str) -> str:
    """Remove diacritics (``é`` -> ``e``); used for tolerant look-ups, never for display."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Case- and accent-insensitive key, for matching column names and user lists."""
    return strip_accents(text).casefold().strip()


# Word's manual line break (\v) and page break (\f) become line breaks; the other control
# characters (C0 but tab/newlines, DEL, C1) carry no text and break XML exports: removed.
_CONTROLS = str.maketrans({"\x0b": "\n", "\x0c": "\n", **dict.fromkeys(
    [chr(c) for c in [*range(0x00, 0x09), 0x0E, *range(0x0F, 0x20), *range(0x7F, 0xA0)]], None)})
_HAS_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """``text`` without control characters (the answer is kept): ``\\v``/``\\f`` (Word's
    manual line and page breaks) become newlines, the others (BEL, NUL, ESC, C1…) go."""
    if not _HAS_CONTROL.search(text):
        return text
    return text.translate(_CONTROLS)


_SENTENCE_START = re.compile(r"(^|[.!?]\s+)([a-zà-ÿœæ])")


def typed_in_capitals(text: str) -> bool:
    """Whether an answer is typed in capitals: at least 12 letters, more than 70 % of them
    capitals ("TROP DE TRAVAIL", not "Trop de travail à l'ASE")."""
    if sum(map(str.isupper, text)) < 9:  # cheap test first: too few capitals to be all-caps typing
        return False
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) > 0.7 * len(letters)


def sentence_case(text: str) -> str:
    """An answer written in capitals ("TROP DE TRAVAIL. PAS ASSEZ DE MOYENS") in normal case
    ("Trop de travail. Pas assez de moyens"), so that it is read — and embedded — like the
    others; other texts are returned unchanged."""
    if not isinstance(text, str) or not typed_in_capitals(text):
        return text
    return _SENTENCE_START.sub(lambda m: m.group(1) + m.group(2).upper(), text.lower())
