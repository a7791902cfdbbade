"""Snippets and highlights: escaped text in which only ``<mark>`` is markup."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache
from html import escape
from itertools import pairwise
from typing import NamedTuple

from whoosh.support.charset import accent_map

from index.stemming import IRREGULAR_PLURALS
from index.tokens import GREEK_LETTERS
from index.tokens import MATH_SYMBOLS
from index.tokens import fold
from index.tokens import plain_text
from index.tokens import stem
from index.tokens import tokenize
from search.query import FILLER
from search.query import FILLER_TERMS
from search.query import UserQuery

SNIPPET_CHARS = 240
MAX_FRAGMENTS = 2
ELLIPSIS = "…"  # wherever a snippet leaves out text of a sentence, or sentences between two it shows
# A stop (and any closing quotes or brackets) before whitespace, or a line break;
# the look-around form is several times faster than an alternation. Not a colon:
# "**SMTPS**: SMTP with TLS." is one sentence, and a snippet of its label alone says nothing.
_CLOSERS = "\"')]”’"
_SENTENCE_END = re.compile(rf"[.!?\n](?:(?<=\n)|[{re.escape(_CLOSERS)}]*(?=\s))\s*")
_CHUNK_END = re.compile(r"\S*")
# Characters that no token of plain text begins or ends with (index.tokens): a run of
# letters and digits between them is one token.
_OPENERS = "\"'([{"
_TRAILERS = "\"'.,;:!?)]}"


class Span(NamedTuple):  # a tuple: a snippet makes dozens, and a frozen dataclass cost a microsecond each
    start: int
    end: int


@dataclass(frozen=True)
class _Detector:
    """Finds where a word may start with one of some heads (in lower-cased text).

    ``str.find`` for each head: compiling a pattern per query cost more than the scan.
    """

    heads: tuple[str, ...]

    def starts(self, text: str) -> set[int]:
        return set(self._starts(text))

    def occurs(self, text: str) -> bool:
        return next(self._starts(text), None) is not None

    def _starts(self, text: str) -> Iterator[int]:
        for head in self.heads:
            at = text.find(head)
            while at >= 0:
                before = text[at - 1] if at else " "
                if not (before.isalnum() or before == "_"):  # not inside a word: ``_word_char`` inlined
                    yield at
                at = text.find(head, at + 1)


def _word_char(char: str) -> bool:
    """What ``\\w`` matches."""
    return char.isalnum() or char == "_"


def _joiners(text: str) -> Iterator[int]:
    """Where a hyphen or an underscore joins a compound's parts (``index.tokens``): letters or digits on both sides.

    ``str.find`` for each: a pattern that looked for them took a tenth of a snippet's time.
    """
    for joiner in "-_":
        at = text.find(joiner, 1)
        while at >= 0:
            if text[at - 1].isalnum() and text[at + 1 : at + 2].isalnum():
                yield at
            at = text.find(joiner, at + 1)


@lru_cache(maxsize=1024)
def _detector(terms: frozenset[str], prefix: str) -> _Detector | None:
    """Where a word with one of ``terms`` as its stem may start.

    A porter2 stem is its word less at most a letter or two at the end
    ("happi" for "happy"), so the stem without its last letter is a safe head.
    """
    heads = {t[:-1] if len(t) > 2 else t for t in terms if t} | ({prefix} if prefix else set())
    # An irregular plural does not start with its stem ("automata" is "automaton"): its own start is a head.
    heads |= {form[:-1] for term in terms for form in _irregular_forms().get(term, ())}
    # A Greek letter or math symbol is indexed by its name ("λ" as lambda): the symbol is a head of its name.
    heads |= {symbol for term in terms for symbol in _symbols().get(term, ())}
    return _Detector(tuple(sorted(heads))) if heads else None


@lru_cache(maxsize=1)
def _irregular_forms() -> dict[str, tuple[str, ...]]:
    """The irregular plurals of each stem that has some ("automaton": "automata")."""
    forms: dict[str, list[str]] = {}
    for plural, singular in IRREGULAR_PLURALS.items():
        forms.setdefault(stem(singular), []).append(plural)
    return {term: tuple(found) for term, found in forms.items()}


@lru_cache(maxsize=1)
def _symbols() -> dict[str, tuple[str, ...]]:
    """The Greek letters and math symbols (lower case) that the index holds as each stem ("lambda": "λ")."""
    symbols: dict[str, list[str]] = {}
    for symbol, name in (*GREEK_LETTERS.items(), *MATH_SYMBOLS.items()):
        symbols.setdefault(stem(name), []).append(symbol)
    return {term: tuple(found) for term, found in symbols.items()}


def _candidate_blocks(text: str, sentences: list[tuple[int, int]], detector: _Detector) -> list[tuple[int, int]]:
    """The sentences of ``text`` in which a query word may occur (tokenizing only those is cheap)."""
    if not text.isascii():
        # Most of its sentences are ASCII, which lower-casing folds: translating them cost more than the rest.
        folded = [_folded(text[a:b].lower()) for a, b in sentences]
        # A compound's part or its joined form ("deterministic", "nondeterministic").
        found = (detector.occurs(words) or detector.occurs(_compounds_joined(words)) for words in folded)
        return [sentence for sentence, hit in zip(sentences, found, strict=True) if hit]
    # ASCII folds in place, so one pass over the whole text finds the sentences;
    # a sentence with a hyphen may hold a compound that matches only when joined.
    starts = [a for a, _ in sentences]
    hits = detector.starts(text.lower()) | set(_joiners(text))
    chosen = sorted({bisect.bisect_right(starts, at) - 1 for at in hits})
    return [sentences[i] for i in chosen if i >= 0]


def _folded(lowered: str) -> str:
    return lowered if lowered.isascii() else lowered.translate(accent_map)


def term_spans(text: str, terms: frozenset[str], prefix: str = "") -> list[Span]:
    """Where ``text`` has a word whose stem is in ``terms`` (or that starts with ``prefix``)."""
    detector = _detector(terms, prefix)
    if detector is None:
        return []
    # A compound and its parts can all match: keep the widest span at each start.
    widest: dict[int, int] = {}
    for offset, block_end, words in _candidates(text, detector):
        for word, start, end in words(text, offset, block_end):
            if end > widest.get(start, -1) and (stem(word) in terms or (prefix and word.startswith(prefix))):
                widest[start] = end
    return [Span(start, end) for start, end in sorted(widest.items())]


_Tokens = Callable[[str, int, int], Iterator[tuple[str, int, int]]]  # (text, start, end) -> (word, start, end)


def _candidates(text: str, detector: _Detector) -> Iterator[tuple[int, int, _Tokens]]:
    """The stretches of ``text`` in which a query word may occur, each with how to tokenize it.

    Of text that is not plain, most sentences are (a formula or an accent stands in a few):
    those are cut into runs too, as tokenizing them whole cost three times a plain text's snippet.
    """
    if plain_text(text):
        yield from ((start, end, _chunk_tokens) for start, end in _candidate_chunks(text, detector))
        return
    for start, end in _candidate_blocks(text, _sentences(text), detector):
        sentence = text[start:end]
        if plain_text(sentence):
            yield from ((start + a, start + b, _chunk_tokens) for a, b in _candidate_chunks(sentence, detector))
        else:
            yield start, end, _block_tokens


def _candidate_chunks(text: str, detector: _Detector) -> set[tuple[int, int]]:
    """The runs of non-space characters of plain ``text`` in which a query word may occur.

    No token of plain text spans a space, so tokenizing these few runs finds
    what tokenizing all of the text would; a compound matches when joined.
    """
    lowered = text.lower()
    chunks = {_chunk(text, at) for at in detector.starts(lowered)}
    compounds = {_chunk(text, at) for at in _joiners(text)}
    chunks |= {(a, b) for a, b in compounds if detector.occurs(_compounds_joined(lowered[a:b]))}
    return chunks


def _block_tokens(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """``(folded word, start, end)`` of each token of ``text[start:end]``, placed in ``text``."""
    for word, _position, a, b in tokenize(text[start:end]):
        yield word, start + a, start + b


def _chunk_tokens(text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
    """``_block_tokens`` of a run of plain text without spaces; most runs are one word between stops and brackets."""
    core = text[start:end].lstrip(_OPENERS)
    lead = end - start - len(core)
    core = core.rstrip(_TRAILERS)
    if core.isalnum():
        return iter(((core.lower(), start + lead, start + lead + len(core)),))
    return _block_tokens(text, start, end)


def _compounds_joined(text: str) -> str:
    """``text`` with compounds written as one word, as the index also holds them."""
    return text.replace("-", "").replace("_", "")


def _chunk(text: str, at: int) -> tuple[int, int]:
    """The run of non-space characters around ``at``."""
    if not at or text[at - 1] in " \n\t":  # most words start their run: no search back
        start = at
    else:
        start = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at), text.rfind("\t", 0, at)) + 1
    return start, _CHUNK_END.match(text, at).end()


@dataclass(frozen=True)
class Marks:
    """What to mark in a text: words by their stems, words starting with a prefix, filler of quoted phrases."""

    terms: frozenset[str]  # marked wherever they stand
    prefix: str = ""
    # Quoted phrases: their words that are not in ``terms`` (filler) are marked only where the whole phrase stands.
    phrases: tuple[tuple[str, ...], ...] = ()

    def spans(self, text: str) -> list[Span]:
        if not self.phrases:  # nearly every query: nothing to build per hit
            return term_spans(text, self.terms, self.prefix)
        only_inside = frozenset().union(*self.phrases) - self.terms
        spans = term_spans(text, self.terms | only_inside, self.prefix)
        inside = _phrase_spans(text, spans, self.phrases)
        return [span for span in spans if span in inside or _stem_of(text, span) not in only_inside]


def marks_for(query: UserQuery) -> Marks:
    """What to mark for ``query``: what it asks about, not how it asks.

    Filler words are left out, and filler that a word's alternatives or a compound's parts
    bring in ("teh" may be "the", "exclusive-or" has "or"); a single word's own stem stays,
    so a query of nothing but filler (which ``parse`` un-fillers) is marked. A quoted
    phrase's filler is marked where the phrase stands.
    """
    terms = frozenset(
        term
        for clause in query.clauses
        if not clause.filler
        for term in clause.terms
        if clause.literal == (term,) or term not in FILLER_TERMS
    )
    phrases = tuple(clause.literal for clause in query.clauses if clause.phrase and set(clause.literal) - terms)
    return Marks(terms, phrases=phrases)


def typing_marks(stems: frozenset[str], prefix: str) -> Marks:
    """What to mark in a completion: the words typed but filler, and the words the part being typed starts.

    Typed filler is marked only when the text is nothing else ("what is"); a last part
    that is a filler word marks nothing, until it grows into another word ("the" -> "theo").
    """
    content = stems - FILLER_TERMS
    if prefix in FILLER and not content:
        return Marks(stems, prefix)
    return Marks(content, "" if prefix in FILLER else prefix)


def _stem_of(text: str, span: Span) -> str:
    return stem(fold(text[span.start : span.end]))


def _phrase_spans(text: str, spans: list[Span], phrases: tuple[tuple[str, ...], ...]) -> set[Span]:
    """The spans that make up a whole phrase: its stems in order, with no other word between them."""
    stems = [_stem_of(text, span) for span in spans]
    found: set[Span] = set()
    for phrase in phrases:
        size = len(phrase)
        for first in range(len(spans) - size + 1):
            run = spans[first : first + size]
            if tuple(stems[first : first + size]) == phrase and _side_by_side(text, run):
                found.update(run)
    return found


def _side_by_side(text: str, run: list[Span]) -> bool:
    """Only spaces or punctuation between each span and the next ("law of demand", "exclusive-or")."""
    return not any(_word_char(char) for a, b in pairwise(run) for char in text[a.end : b.start])


def mark(text: str, spans: list[Span]) -> str:
    """HTML-escape ``text`` and wrap each span in ``<mark>``."""
    out = []
    cursor = 0
    for span in spans:
        if span.start < cursor:
            continue
        out.append(escape(text[cursor : span.start]))
        out.append("<mark>" + escape(text[span.start : span.end]) + "</mark>")
        cursor = span.end
    out.append(escape(text[cursor:]))
    return "".join(out)


def highlight(text: str, marks: Marks) -> str:
    return mark(text, marks.spans(text))


def _end(found: re.Match) -> int:
    """Where the sentence before a ``_SENTENCE_END`` match ends: after its stop and closers, before any space."""
    return found.start() + len(found.group().rstrip())


def _sentences(text: str) -> list[tuple[int, int]]:
    # A sentence keeps its closing mark; a line break and the spaces after either are not part of either side.
    bounds = [(0, 0)] + [(_end(m), m.end()) for m in _SENTENCE_END.finditer(text)]
    bounds.append((len(text), len(text)))
    return [(bounds[i][1], bounds[i + 1][0]) for i in range(len(bounds) - 1) if bounds[i + 1][0] > bounds[i][1]]


def _window(text: str, start: int, end: int, spans: list[Span], budget: int) -> tuple[int, int]:
    """Trim a long sentence to ``budget`` characters around its first match, on word boundaries."""
    if end - start <= budget:
        return start, end
    first = next((s.start for s in spans if start <= s.start < end), start)
    lo = max(start, min(first - budget // 4, end - budget))
    hi = min(end, lo + budget)
    if lo > start:
        lo = text.find(" ", lo, first) + 1 or lo
    if hi < end:
        hi = text.rfind(" ", lo, hi) if text.rfind(" ", lo, hi) > lo else hi
    return lo, hi


def _sentence_at(text: str, at: int) -> tuple[int, int]:
    """The sentence of ``text`` that holds position ``at`` (a word's start), as ``_sentences`` bounds it."""
    found = _SENTENCE_END.search(text, at)
    return _sentence_start(text, at), _end(found) if found else len(text)


def _sentence_start(text: str, at: int) -> int:
    before = at
    while before > 0:
        # The stops of _SENTENCE_END spelt out: a generator over them took three times as long (1.8 us a call).
        before = max(
            text.rfind(".", 0, before),
            text.rfind("!", 0, before),
            text.rfind("?", 0, before),
            text.rfind("\n", 0, before),
        )
        found = _SENTENCE_END.match(text, before) if before >= 0 else None
        if found and found.end() <= at:
            return found.end()
    return 0


def _coverage(spans: list[Span], text: str) -> dict[tuple[int, int], tuple[int, int]]:
    """Per sentence that holds a span: how many different words match in it, and how many times.

    Only those sentences are bounded: splitting every answer into sentences cost more than the rest of its snippet.
    """
    words: dict[tuple[int, int], set[str]] = {}
    counts: dict[tuple[int, int], int] = {}
    sentence = (0, 0)
    for span in spans:
        if not sentence[0] <= span.start < sentence[1]:
            sentence = _sentence_at(text, span.start)
        words.setdefault(sentence, set()).add(text[span.start : span.end].lower())
        counts[sentence] = counts.get(sentence, 0) + 1
    return {sentence: (len(found), counts[sentence]) for sentence, found in words.items()}


@dataclass(frozen=True)
class _Piece:
    """A stretch of the text a snippet shows, and whether it leaves part of its sentence out at either end."""

    start: int
    end: int
    cut_before: bool
    cut_after: bool  # also when the sentence ends without a stop (a heading, a list item, a line of code)


def _piece(text: str, sentence: tuple[int, int], spans: list[Span], budget: int) -> _Piece:
    start, end = sentence
    lo, hi = _window(text, start, end, spans, budget)
    return _Piece(lo, hi, lo > start, hi < end or text[lo:hi].rstrip(_CLOSERS)[-1:] not in ".!?:")


def snippet(text: str, marks: Marks, budget: int = SNIPPET_CHARS) -> str:
    """The one or two sentences of ``text`` that hold the most marked words, highlighted.

    With no match the snippet is the opening of the text, so every hit shows something.
    """
    spans = marks.spans(text)
    if spans:
        coverage = _coverage(spans, text)
        order = sorted(coverage, key=lambda sentence: (coverage[sentence], -sentence[0]), reverse=True)
    else:
        order = _sentences(text)
    pieces: list[_Piece] = []
    left = budget
    for sentence in order:
        if left < budget // 4 or len(pieces) == MAX_FRAGMENTS:
            break
        if any(piece.start <= sentence[0] < piece.end for piece in pieces):
            continue  # already shown, after the lead-in it follows
        pieces.append(_followed_up(text, _piece(text, sentence, spans, left), left))
        left -= pieces[-1].end - pieces[-1].start
    return _joined(text, _merged(pieces), spans)


def _merged(pieces: list[_Piece]) -> list[_Piece]:
    """``pieces`` in text order, overlapping ones joined: a lead-in that went on may reach one shown already."""
    merged: list[_Piece] = []
    for piece in sorted(pieces, key=lambda piece: piece.start):
        last = merged[-1] if merged else None
        if last is not None and piece.start < last.end:
            if piece.end > last.end:
                merged[-1] = replace(last, end=piece.end, cut_after=piece.cut_after)
            continue
        merged.append(piece)
    return merged


MIN_FOLLOW_UP = 20  # characters of what a lead-in introduces worth showing; less is cut at once


def _followed_up(text: str, piece: _Piece, budget: int) -> _Piece:
    """A whole piece ending in a colon introduces what follows ("**Relaxation**:", "represented as:"):
    the next sentence joins it, and the one after if that too is a lead-in ("Key features:" then
    "Length Field:"), cut on a word boundary where the budget runs out."""
    while not piece.cut_after and text[piece.start : piece.end].rstrip(_CLOSERS).endswith(":"):
        start = len(text) - len(text[piece.end :].lstrip())
        room = budget - (start - piece.start)
        if start >= len(text):
            return piece
        if room < MIN_FOLLOW_UP:
            return replace(piece, cut_after=True)
        end = _sentence_at(text, start)[1]
        if end - start > room:
            cut = text.rfind(" ", start, start + room)
            return replace(piece, end=cut if cut > start else start + room, cut_after=True)
        piece = replace(piece, end=end, cut_after=text[start:end].rstrip(_CLOSERS)[-1:] not in ".!?:")
    return piece


def _joined(text: str, pieces: list[_Piece], spans: list[Span]) -> str:
    """The pieces highlighted, with an ellipsis wherever text is left out between or around them."""
    if not pieces:
        return ""
    out = [f"{ELLIPSIS} " if pieces[0].cut_before else "", _marked(text, pieces[0], spans)]
    for before, piece in pairwise(pieces):
        # Two whole sentences that follow each other read as one passage.
        together = not (before.cut_after or piece.cut_before) and text[before.end : piece.start].isspace()
        out += [" " if together else f" {ELLIPSIS} ", _marked(text, piece, spans)]
    if pieces[-1].cut_after:
        out.append(f" {ELLIPSIS}")
    return "".join(out)


def _marked(text: str, piece: _Piece, spans: list[Span]) -> str:
    lo, hi = piece.start, piece.end
    marked = mark(text[lo:hi], [Span(s.start - lo, s.end - lo) for s in spans if lo <= s.start and s.end <= hi])
    return marked.replace("\n", " ")  # a lead-in and the line it introduces read as one passage
