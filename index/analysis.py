"""Whoosh analyzers over ``index.tokens``, so the index and the queries see the same terms."""

from __future__ import annotations

from functools import lru_cache

from whoosh.analysis import Analyzer
from whoosh.analysis import Filter
from whoosh.analysis import NgramFilter
from whoosh.analysis import Token
from whoosh.analysis import Tokenizer

from index.tokens import stem
from index.tokens import tokenize

PREFIX_MAX = 12


class WordTokenizer(Tokenizer):
    """Folded tokens from ``index.tokens.tokenize`` as Whoosh tokens."""

    def __call__(
        self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
        start_pos=0, start_char=0, tokenize_=True, mode="", **kwargs,
    ):  # fmt: skip
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, position, start, end in tokenize(value):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class StemWords(Filter):
    """porter2, which the stock Porter stemmer is not ("running" must become "run", not "runn")."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = stem(token.text)
            yield token


@lru_cache(maxsize=1)
def english() -> Analyzer:
    """Folded words, stemmed: what the searchable text fields hold."""
    return WordTokenizer() | StemWords()


@lru_cache(maxsize=1)
def prefixes() -> Analyzer:
    """Every leading part of every word, for search-as-you-type ("bin" finds "binomial")."""
    return WordTokenizer() | NgramFilter(1, PREFIX_MAX, at="start")
