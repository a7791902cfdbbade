"""Postings decoded once into numpy arrays, cached per index version.

Whoosh's matchers walk postings one document at a time in Python; decoding a
term's whole posting list once and keeping it makes every later query that
uses the term a handful of array operations.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_TF = np.zeros(0, dtype=np.float32)


@dataclass(frozen=True)
class Postings:
    ids: np.ndarray  # int32 docnums, ascending
    tf: np.ndarray  # float32 term frequency per docnum

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.tf.nbytes


NO_POSTINGS = Postings(EMPTY_IDS, EMPTY_TF)

# (field, term) -> postings; what the ranker reads terms through.
PostingsSource = Callable[[str, str], Postings]


def _leaf_arrays(matcher) -> tuple[list, list]:
    ids: list = []
    weights: list = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        # Whole blocks at a time: the W3 codec's leaf matcher keeps a block's
        # ids and weights in arrays once read.
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return ids, weights


def decode(reader: IndexReader, field: str, text: str) -> Postings:
    """All postings of ``text`` in ``field`` across every segment of ``reader``."""
    id_parts = []
    tf_parts = []
    for leaf, offset in reader.leaf_readers():
        if (field, text) not in leaf:
            continue
        ids, weights = _leaf_arrays(leaf.postings(field, text))
        id_parts.append(np.asarray(ids, dtype=np.int32) + offset)
        tf_parts.append(np.asarray(weights, dtype=np.float32))
    if not id_parts:
        return NO_POSTINGS
    return Postings(np.concatenate(id_parts), np.concatenate(tf_parts))


class PostingsCache:
    """A byte-bounded LRU of decoded postings for one reader."""

    def __init__(self, reader: IndexReader, lock: threading.RLock, max_bytes: int) -> None:
        self._reader = reader
        self._lock = lock
        self._max_bytes = max_bytes
        self._bytes = 0
        self._entries: OrderedDict[tuple[str, str], Postings] = OrderedDict()

    def get(self, field: str, text: str) -> Postings:
        key = (field, text)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            postings = decode(self._reader, field, text)
            self._entries[key] = postings
            self._bytes += postings.nbytes
            while self._bytes > self._max_bytes and len(self._entries) > 1:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes
            return postings
