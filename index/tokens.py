"""Split text into the words the index holds; one definition for indexing, queries and highlights.

Beyond plain words it keeps technical tokens whole (``C++``, ``C#``, ``.NET``,
``O(n log n)``, ``/16``) and indexes a hyphenated compound both as its parts and
joined, so "non-deterministic", "non deterministic" and "nondeterministic"
all meet.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.support.charset import accent_map

_PART = r"\w+(?:[.'’]\w+)*"
_TOKEN = re.compile(
    r"""
    (?P<special>
        (?<![\w+#])[a-z](?:\+\+|\#)(?![\w+#])   # C++, C#, F#
      | (?<![\w.])\.net\b                       # .NET
      | \bo\([^()\n]{1,15}\)                    # O(1), O(n log n)
      | (?<![\w/])/\d{1,3}\b                    # /16 network prefixes
    )
    | (?P<word>PART(?:-PART)*)
    """.replace("PART", _PART),
    re.IGNORECASE | re.VERBOSE,
)
_PARTS = re.compile(_PART)


@dataclass(frozen=True)
class Word:
    """One word as written: a plain word, a special token, or a hyphenated compound."""

    start: int
    end: int
    parts: tuple[tuple[int, int, str], ...]  # (start, end, folded text) of each part

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(part[2] for part in self.parts)

    @property
    def joined(self) -> str | None:
        """The compound written as one word ("nondeterministic"), if it is a compound."""
        return "".join(self.texts) if len(self.parts) > 1 else None


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case and strip accents: what every field indexes."""
    return text.lower().translate(accent_map)


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """porter2 for words; technical tokens such as "c++" stay as they are."""
    return porter2_stem(folded) if folded.replace("_", "").isalnum() else folded


def _word(found: re.Match) -> Word:
    start = found.start()
    if found.lastgroup == "special":
        special = fold(re.sub(r"\s+", " ", found.group()))
        return Word(start, found.end(), ((start, found.end(), special),))
    parts = tuple((start + p.start(), start + p.end(), fold(p.group())) for p in _PARTS.finditer(found.group()))
    return Word(start, found.end(), parts)


def split_words(text: str) -> Iterator[Word]:
    for found in _TOKEN.finditer(text):
        yield _word(found)


def tokenize(text: str) -> Iterator[tuple[str, int, int, int]]:
    """``(folded text, position, start, end)`` of every indexed token.

    A compound's joined form shares the position of its first part, so phrase
    queries over the parts still see consecutive positions. This runs for
    every word of every article, so it avoids building ``Word`` objects.
    """
    position = 0
    for found in _TOKEN.finditer(text):
        token = found.group()
        start = found.start()
        if found.lastgroup == "word" and "-" not in token:
            yield fold(token), position, start, found.end()
            position += 1
            continue
        word = _word(found)
        first = position
        for part_start, part_end, part in word.parts:
            yield part, position, part_start, part_end
            position += 1
        if word.joined:
            yield word.joined, first, word.start, word.end
