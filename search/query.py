"""Parse what a visitor typed: words, "exact phrases" and -exclusions.

Nothing here raises: every character either becomes part of a word or is
ignored, so input such as ``"unbalanced``, ``(((`` or ``AND OR`` is searched
as the text it contains. Alternatives that need the vocabulary (typos,
synonyms, compounds) are added later by ``search.expand``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import replace

from index.tokens import Word
from index.tokens import as_indexed
from index.tokens import split_words
from index.tokens import stem

MAX_QUERY_CHARS = 256
MAX_CLAUSES = 16
MAX_TYPED = 4 * MAX_CLAUSES  # clauses read for synonyms, repeats included
FILLER_WEIGHT = 0.3

# Words that say how a question is asked, not what it is about. They still
# score, a little, but an article is not required to contain them.
FILLER = frozenset(
    """
    a an the and or of to in on for with by at from as is are was were be been being do does did
    how what why when where which who whom whose can could should would will shall may might
    must i me my we our you your it its this that these those there their they them he she his
    her explain describe define definition meaning mean means tell about please give example
    examples difference differences between vs versus compare comparison role use used using
    work works
    """.split()
)
FILLER_TERMS = frozenset(stem(word) for word in FILLER)

_PHRASE = re.compile(r'(?P<neg>(?:(?<=\s)|^)-)?"(?P<phrase>[^"]*)"')


@dataclass(frozen=True)
class Alternative:
    """One way a clause can match: all of ``terms`` in one article, or, for a ``synonym``, most of them."""

    terms: tuple[str, ...]  # stemmed
    weight: float = 1.0
    exact: bool = True  # False for typo corrections, which rank below exact matches
    # A synonym's words: an article holding most of them matches, each of them scoring, but
    # only one holding all of them matches the whole clause.
    synonym: bool = False


@dataclass(frozen=True)
class Clause:
    """One thing the visitor asked for: a word, a compound, or a quoted phrase."""

    words: tuple[str, ...]  # folded, as typed: for spelling and display
    alternatives: tuple[Alternative, ...]
    # Typed in quotes, and required: a phrase is its words adjacent and in order, a single
    # word is that word (by its stem) with no typo, completion or synonym read into it.
    quoted: bool = False
    filler: bool = False

    @property
    def phrase(self) -> bool:
        """A quoted phrase of several words: it matches where they stand together."""
        return self.quoted and len(self.literal) > 1

    @property
    def notation(self) -> bool:
        """Letters or digits standing alone ("x", "p(a)", "x,y"): asked for, but too common to require.

        In "Cov(X,Y) = E[XY]" the article about covariance must not lose to one that
        merely holds more of x, y and e.
        """
        return not self.quoted and all(len(word) == 1 for word in self.words)

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(t for alternative in self.alternatives for t in alternative.terms)

    @property
    def literal(self) -> tuple[str, ...]:
        return self.alternatives[0].terms


@dataclass(frozen=True)
class UserQuery:
    text: str
    clauses: tuple[Clause, ...]  # each once, in the order first typed
    excluded: tuple[Clause, ...]
    # Every clause as typed, repeats included: "network file system vs common internet file
    # system" names two synonyms entries though it asks for "file system" once.
    typed: tuple[Clause, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def terms(self) -> frozenset[str]:
        """Every stemmed term any clause can match, for highlighting."""
        return frozenset(t for clause in self.clauses for t in clause.terms)

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(w for clause in self.clauses for w in clause.words)


def word_clause(word: Word) -> Clause:
    """A clause for one typed word; a compound also matches its joined spelling."""
    held = as_indexed(word) if len(word.parts) > 1 else word  # "ax.set_xticks" is held as ax, set, xticks
    literal = Alternative(tuple(stem(t) for t in held.texts))
    alternatives = (literal, Alternative((stem(word.joined),))) if word.joined else (literal,)
    filler = word.texts[0] in FILLER and not word.joined
    if filler:
        alternatives = (replace(literal, weight=FILLER_WEIGHT),)
    return Clause(words=word.texts, alternatives=alternatives, filler=filler)


def phrase_clause(words: list[Word]) -> Clause:
    # Where the index holds them: "O(n log n) time" is n, log, n, time, and "ax.set_xticks" ax, set, xticks.
    words = [as_indexed(word) if len(words) > 1 or len(word.parts) > 1 else word for word in words]
    texts = tuple(t for word in words for t in word.texts)
    return Clause(words=texts, alternatives=(Alternative(tuple(stem(t) for t in texts)),), quoted=True)


def _negated(text: str, word: Word) -> bool:
    """A ``-`` right before a word of two characters or more, at the start of the text or after a space.

    "(y, -x)" and "n -1" are formulas: nobody excludes a single letter or digit.
    """
    start = word.start
    if word.end - start < 2:
        return False
    return start > 0 and text[start - 1] == "-" and (start == 1 or text[start - 2].isspace())


def _words(text: str) -> list[tuple[bool, Clause]]:
    return [(_negated(text, word), word_clause(word)) for word in split_words(text)]


def _segments(text: str) -> list[tuple[bool, Clause]]:
    """``(excluded, clause)`` in typed order; an unbalanced quote is ignored."""
    found = []
    cursor = 0
    for match in _PHRASE.finditer(text):
        found += _words(text[cursor : match.start()])
        words = list(split_words(match.group("phrase")))
        if words:
            found.append((bool(match.group("neg")), phrase_clause(words)))
        cursor = match.end()
    return found + _words(text[cursor:].replace('"', " "))


def _unfiller(clause: Clause) -> Clause:
    return replace(clause, filler=False, alternatives=tuple(replace(a, weight=1.0) for a in clause.alternatives))


def parse(text: str) -> UserQuery:
    """Turn raw input (limited to ``MAX_QUERY_CHARS``) into clauses."""
    text = " ".join(text[:MAX_QUERY_CHARS].split())
    segments = _segments(text)
    typed = [clause for negated, clause in segments if not negated]
    excluded = distinct([clause for negated, clause in segments if negated])
    if typed and all(c.filler for c in typed):
        # A query made only of common words ("what is it") must still mean something.
        typed = [_unfiller(c) for c in typed]
    return UserQuery(
        text=text,
        clauses=tuple(distinct(typed)[:MAX_CLAUSES]),
        excluded=tuple(excluded[:MAX_CLAUSES]),
        typed=tuple(typed[:MAX_TYPED]),
    )


def distinct(clauses: list[Clause]) -> list[Clause]:
    """Each clause once, where first typed: "P(A) + P(B)" asks for p once, and a word must not count twice."""
    return list(dict.fromkeys(clauses))
