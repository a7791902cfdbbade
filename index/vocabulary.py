"""The unstemmed vocabulary with document frequencies, saved beside each version.

Spelling correction and typo tolerance look words up on every query; the
on-disk term table is too slow for that, so servers load this list instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

from index import versions

FILENAME = "vocabulary.npz"
FIELD = "spell"


@dataclass(frozen=True)
class Vocabulary:
    words: np.ndarray  # str, sorted
    frequencies: np.ndarray  # int32 document frequency of each word


def compute(reader: IndexReader) -> Vocabulary:
    words = []
    frequencies = []
    for text, info in reader.iter_field(FIELD):
        words.append(text.decode("utf-8") if isinstance(text, bytes) else text)
        frequencies.append(info.doc_frequency())
    return Vocabulary(np.array(words, dtype=str), np.array(frequencies, dtype=np.int32))


def save(vocabulary: Vocabulary, version: Path) -> None:
    arrays = {"words": vocabulary.words, "frequencies": vocabulary.frequencies}
    versions.save_arrays(version / FILENAME, arrays)


def load(version: Path) -> Vocabulary:
    with np.load(version / FILENAME) as data:
        return Vocabulary(data["words"], data["frequencies"])
