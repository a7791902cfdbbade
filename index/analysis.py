"""Our tokens as a Whoosh analyzer: what Whoosh's query parser and highlighter see is exactly what we index.

The codec (``index.codec``) gives Whoosh the terms that ``index.inverted``
wrote; a query parsed, or an answer highlighted, through any other analyzer
would look for terms that are not there.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Filter
from whoosh.analysis import Token
from whoosh.analysis import Tokenizer

from index.tokens import stem
from index.tokens import tokenize_entries


class WordTokenizer(Tokenizer):
    """The folded words of ``index.tokens.tokenize_entries``, with its positions and character offsets."""

    def __init__(self, separator: str | None = None) -> None:
        self.separator = separator  # of a list field's entries (``index.fields.Field.separator``)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, position, start, end in _words(value, tokenize, self.separator):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


def _words(value: str, split: bool, separator: str | None) -> Iterator[tuple[str, int, int, int]]:
    # Whoosh asks for the value unsplit when it already holds one term (e.g. a parsed Term).
    return tokenize_entries(value, separator) if split else iter([(value, 0, 0, len(value))])


class StemFilter(Filter):
    """Our stemmer (``index.tokens.stem``), not Whoosh's: the index holds its stems."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            token.text = stem(token.text)
            yield token


def analyzer(separator: str | None = None):
    """Tokenizer and stemmer as one Whoosh analyzer, for a scored field (of entries split by ``separator``)."""
    return WordTokenizer(separator) | StemFilter()
