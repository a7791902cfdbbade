"""Search-as-you-type: the questions a visitor may be typing, best first.

The last word typed, finished or not, must start a word of the question; the words
before it are context: one of them is required, if any is more than a question word or
filler, but no more than one. Questions that begin with the text as
typed come first, then those that begin with its words in other forms, then those
holding more of its words (question words and filler count for none), then BM25 on
the question, shorter questions first. So a question stays at the top for as long as
a visitor keeps typing it, however long it gets. When nothing completes the text as
typed, its misspelled words are read as the likeliest words of the index (``respelled``),
and text that is a synonyms entry as the group's other entries ("gcd" as "greatest common divisor").
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

import numpy as np

from index.columns import Column
from index.inverted import PREFIX_FIELD
from index.inverted import PREFIX_MAX
from index.postings import Postings
from index.tokens import Word
from index.tokens import split_words
from index.tokens import stem
from search.query import MAX_CLAUSES
from search.query import MAX_QUERY_CHARS
from search.query import Clause
from search.query import word_clause
from search.ranking import Ranker
from search.ranking import best
from search.ranking import dense
from search.ranking import top
from search.spelling import Speller

MAX_CHECKED = 100  # questions read per keystroke to confirm that they begin with the text as typed
COVERAGE_STEP = 1_000_000.0  # more than any BM25
# Each tier outranks everything below it: a word held is worth COVERAGE_STEP, and at most
# MAX_CLAUSES words count.
LEADING = (MAX_CLAUSES + 1) * COVERAGE_STEP
BEGINS = 2 * LEADING

# (field, term, with_positions) -> postings
Lookup = Callable[[str, str, bool], Postings]


@dataclass(frozen=True)
class Typed:
    """What a visitor has typed so far."""

    words: tuple[Word, ...]  # before the last part typed
    tokens: tuple[str, ...]  # the same, folded part by part: how a question beginning with the text starts
    prefix: str  # the last part typed, folded: the start of a question word
    finished: bool = False  # a space after it: the question's word is that word, not one it starts

    def shorter(self) -> Typed | None:
        """The text without its last part, the word before it read as the one being typed: what a
        question is suggested for when the last part starts no word of any question ("pmf vs")."""
        return _typed(list(self.words), finished=True) if self.words else None


@dataclass(frozen=True)
class Ranked:
    candidates: np.ndarray  # bool per docnum
    key: np.ndarray  # float64 per docnum, higher first
    stems: frozenset[str]  # of the words before the prefix, for highlighting
    prefix: str
    whole: bool  # some candidate holds every content word typed before the prefix

    def best(self, count: int) -> np.ndarray:
        """The docnums of the ``count`` best candidates, best first."""
        return top(self.candidates, self.key, 0, count)


def split_typed(text: str) -> Typed | None:
    """The words typed and the last part; ``None`` when nothing was typed."""
    text = text[:MAX_QUERY_CHARS]
    found = list(split_words(text))
    return _typed(found, finished=text[-1:].isspace()) if found else None


def respelled(typed: Typed, speller: Speller) -> Typed | None:
    """``typed`` with each word the index lacks read as its likeliest word, and a last part that starts
    none as the likeliest start ("djikstra algo" is "dijkstra algo"); ``None`` if nothing changes."""
    words = [_respelled(word, speller) for word in typed.words]
    prefix = _respelled_prefix(typed, speller)
    if words == list(typed.words) and prefix == typed.prefix:
        return None
    return Typed(tuple(words), tuple(_parts(words)), prefix, typed.finished)


def _respelled(word: Word, speller: Speller) -> Word:
    parts = tuple((start, end, _word_of(text, speller)) for start, end, text in word.parts)
    return Word(word.start, word.end, parts, word.whole)


def _word_of(text: str, speller: Speller) -> str:
    """``text`` if the index has that word, else the likeliest word it has for it, if any."""
    return text if speller.frequency(text) else (speller.likeliest(text) or [text])[0]


def _respelled_prefix(typed: Typed, speller: Speller) -> str:
    """The last part typed if a word of the index is it (finished) or starts with it (not yet), else the
    likeliest word or start for it."""
    if typed.finished:
        return _word_of(typed.prefix, speller)
    if speller.frequency(typed.prefix) or speller.completions(typed.prefix, 1):
        return typed.prefix
    return speller.likeliest_start(typed.prefix) or typed.prefix


def _typed(found: list[Word], finished: bool) -> Typed:
    *words, last = found
    if len(last.parts) > 1:  # "interrupt-dr": the compound's parts before the last are typed words
        words.append(Word(last.start, last.parts[-2][1], last.parts[:-1]))
    return Typed(tuple(words), tuple(_parts(words)), last.parts[-1][2], finished)


def _parts(words: Iterable[Word]) -> Iterator[str]:
    return (part for word in words for part in word.texts)


def rank(typed: Typed, ranker: Ranker, lookup: Lookup, questions: Column, lengths: np.ndarray) -> Ranked:
    """Candidates and ranking key for ``typed`` over one version's questions.

    :param ranker: scores the question field only.
    :param questions: the version's questions.
    :param lengths: words in each question.
    """
    candidates = dense(ranker.size, lookup(PREFIX_FIELD, typed.prefix[:PREFIX_MAX], False).ids) & ranker.live
    clauses = [word_clause(word) for word in typed.words[:MAX_CLAUSES]]
    key, held = _context(clauses, ranker)
    content = sum(not clause.filler for clause in clauses)
    if content:
        candidates &= held > 0  # a question about none of the words typed before is noise, however it goes on
    key -= lengths / 1000.0  # shorter questions first among equals: more likely what is being typed
    leading = _leading(typed.tokens[:MAX_CLAUSES], lookup, np.flatnonzero(candidates))
    key[leading] += LEADING
    key[_beginning(typed, leading, key, questions)] += BEGINS
    stems = frozenset(t for clause in clauses for t in clause.terms)
    return Ranked(candidates, key, stems, typed.prefix, bool((candidates & (held == content)).any()))


def _context(clauses: list[Clause], ranker: Ranker) -> tuple[np.ndarray, np.ndarray]:
    """Per docnum: ``COVERAGE_STEP`` for each content word the question holds, plus BM25; and how many it holds."""
    key = np.zeros(ranker.size)
    held = np.zeros(ranker.size, dtype=np.int32)
    for clause in clauses:
        found = ranker.match(clause)
        key[found.score.ids] += found.score.values
        if not clause.filler:
            key[found.whole] += COVERAGE_STEP
            held[found.whole] += 1
    return key, held


def _leading(tokens: tuple[str, ...], lookup: Lookup, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` have the stems of ``tokens`` as the first words of their question."""
    for position, token in enumerate(tokens):
        if not len(docs):
            break
        postings = lookup("question", stem(token), True)
        owners = np.repeat(postings.ids, postings.tf.astype(np.int64))
        # A question has one word at a position: both sides are unique.
        docs = np.intersect1d(docs, owners[postings.positions == position], assume_unique=True)
    return docs


def _beginning(typed: Typed, docs: np.ndarray, key: np.ndarray, questions: Column) -> list[int]:
    """Which of the ``MAX_CHECKED`` best of ``docs`` begin with the text as typed."""
    checked = docs[best(key[docs], docs, MAX_CHECKED)]
    size = len(typed.tokens)
    found = []
    for doc in checked.tolist():
        parts = list(islice(_parts(split_words(questions[doc])), size + 1))
        if parts[:size] == list(typed.tokens) and len(parts) > size and _continues(parts[size], typed):
            found.append(doc)
    return found


def _continues(word: str, typed: Typed) -> bool:
    """Whether a question's next word is the one being typed: the same word once it is finished."""
    return word == typed.prefix if typed.finished else word.startswith(typed.prefix)
