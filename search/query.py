"""Parse what a visitor typed: words, "exact phrases" and -exclusions.

Nothing here raises: every character either becomes part of a word or is
ignored, so input such as ``"unbalanced``, ``(((`` or ``AND OR`` is searched
as the text it contains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.analysis import WORD_PATTERN
from index.analysis import english
from index.analysis import words

MAX_QUERY_CHARS = 256
MAX_CLAUSES = 16

# Words that say how a question is asked, not what it is about. They still
# score, but an article is not required to contain them.
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

_TOKEN = re.compile(rf'(?P<neg>(?:(?<=\s)|^)-)?(?:"(?P<phrase>[^"]*)"|(?P<word>{WORD_PATTERN}))')


@dataclass(frozen=True)
class Clause:
    """One thing the visitor asked for: a word, or a phrase of several words."""

    words: tuple[str, ...]  # lower-cased as typed, for display and spelling
    terms: tuple[str, ...]  # analysed (stemmed) forms, one per word
    filler: bool = False

    @property
    def is_phrase(self) -> bool:
        return len(self.terms) > 1


@dataclass(frozen=True)
class UserQuery:
    text: str
    clauses: tuple[Clause, ...]
    excluded: tuple[Clause, ...]

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    @property
    def terms(self) -> frozenset[str]:
        """Every stemmed term the visitor asked for, for highlighting."""
        return frozenset(t for clause in self.clauses for t in clause.terms)


@lru_cache(maxsize=4096)
def analyse_word(word: str) -> tuple[str, str] | None:
    """``(folded, stemmed)`` forms of one typed word, or ``None`` if it has no text."""
    folded = [t.text for t in words()(word)]
    stemmed = [t.text for t in english()(word)]
    if len(folded) != 1 or len(stemmed) != 1:
        return None
    return folded[0], stemmed[0]


def _clause(raw_words: list[str]) -> Clause | None:
    analysed = [a for a in map(analyse_word, raw_words) if a]
    if not analysed:
        return None
    folded = tuple(a[0] for a in analysed)
    return Clause(words=folded, terms=tuple(a[1] for a in analysed), filler=len(folded) == 1 and folded[0] in FILLER)


def parse(text: str) -> UserQuery:
    """Turn raw input (already limited to ``MAX_QUERY_CHARS``) into clauses."""
    text = " ".join(text.split())
    clauses: list[Clause] = []
    excluded: list[Clause] = []
    for match in _TOKEN.finditer(text):
        raw = match.group("phrase") if match.group("phrase") is not None else match.group("word")
        clause = _clause(re.findall(WORD_PATTERN, raw))
        if clause is None:
            continue
        (excluded if match.group("neg") else clauses).append(clause)
    if clauses and all(c.filler for c in clauses):
        # A query made only of common words ("what is it") must still mean something.
        clauses = [Clause(c.words, c.terms) for c in clauses]
    return UserQuery(text=text, clauses=tuple(clauses[:MAX_CLAUSES]), excluded=tuple(excluded[:MAX_CLAUSES]))
