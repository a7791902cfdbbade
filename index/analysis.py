"""Analyzers shared by indexing and querying, so both see the same terms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Analyzer
from whoosh.analysis import CharsetFilter
from whoosh.analysis import LowercaseFilter
from whoosh.analysis import NgramFilter
from whoosh.analysis import RegexTokenizer
from whoosh.analysis import StemFilter
from whoosh.lang.porter2 import stem as porter2_stem
from whoosh.support.charset import accent_map

# Words, with inner dots and apostrophes kept ("e.g", "don't").
WORD_PATTERN = r"\w+(?:[.'’]\w+)*"
PREFIX_MAX = 12


@lru_cache(maxsize=1)
def words() -> Analyzer:
    """Lower-cased, accent-folded words: the unstemmed vocabulary used for spelling."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)


@lru_cache(maxsize=1)
def english() -> Analyzer:
    """``words()`` stemmed with porter2; the stock Porter stemmer mangles "running" to "runn"."""
    return words() | StemFilter(stemfn=porter2_stem, cachesize=-1)


@lru_cache(maxsize=1)
def prefixes() -> Analyzer:
    """Every leading part of every word, for search-as-you-type ("bin" finds "binomial")."""
    return words() | NgramFilter(1, PREFIX_MAX, at="start")


_WORD = re.compile(WORD_PATTERN)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """One word as ``words()`` indexes it."""
    return word.lower().translate(accent_map)


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """One folded word as ``english()`` indexes it."""
    return porter2_stem(folded)


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, folded word)`` for each word: the analyzers' tokens, without their overhead."""
    for found in _WORD.finditer(text):
        yield found.start(), found.end(), fold(found.group())
