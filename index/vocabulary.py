"""The unstemmed vocabulary with document frequencies, saved beside each version.

Spelling correction and typo tolerance look words up on every query. The
build counts each article's distinct words itself (in the reading processes),
which costs far less than a Whoosh field holding every answer a second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import versions
from index.tokens import tokenize

FILENAME = "vocabulary.npz"
# numpy stores words at the width of the longest: one 500,000-letter token (a pasted
# blob) made an 11 GB file. No one misspells a word longer than this, and such words
# stay searchable through the postings, which keep every term.
MAX_WORD = 48


@dataclass(frozen=True)
class Vocabulary:
    words: np.ndarray  # str, sorted
    frequencies: np.ndarray  # int32 number of articles with each word

    @classmethod
    def from_counts(cls, counts: Counter) -> Vocabulary:
        words = sorted(word for word, count in counts.items() if count > 0 and len(word) <= MAX_WORD)
        return cls(np.array(words, dtype=str), np.array([counts[w] for w in words], dtype=np.int32))

    def counts(self) -> Counter:
        return Counter(dict(zip(self.words.tolist(), self.frequencies.tolist(), strict=True)))


def article_words(texts: Iterable[str]) -> set[str]:
    """The distinct folded words of an article's question, keywords and answer."""
    return {word for text in texts for word, _position, _start, _end in tokenize(text)}


def save(vocabulary: Vocabulary, version: Path) -> None:
    versions.save_arrays(version / FILENAME, {"words": vocabulary.words, "frequencies": vocabulary.frequencies})


def load(version: Path) -> Vocabulary:
    with np.load(version / FILENAME) as data:
        return Vocabulary(data["words"], data["frequencies"])
