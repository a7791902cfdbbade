"""The postings of every segment of a version, as the engine reads them.

Postings spread over several segments (after incremental updates) are joined
once and kept in a small byte-bounded cache; phrases are counted from positions.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from index.inverted import segment_folders
from index.postings import EMPTY_IDS
from index.postings import NO_POSTINGS
from index.postings import Postings
from index.postings import Segment
from search.cache import ByteBoundedCache

# (field, term) -> postings; what the ranker reads terms through.
PostingsSource = Callable[[str, str], Postings]


def _join(parts: list[Postings]) -> Postings:
    parts = [part for part in parts if len(part.ids)]
    if len(parts) <= 1:
        return parts[0] if parts else NO_POSTINGS
    return Postings(
        np.concatenate([p.ids for p in parts]),
        np.concatenate([p.tf.astype(np.uint32) for p in parts]),
        np.concatenate([p.positions.astype(np.uint32) for p in parts]),
    )


class PostingsStore:
    """Every segment of one version; postings joined across segments are cached up to ``max_bytes``."""

    def __init__(self, version: Path, max_bytes: int) -> None:
        self._segments = [Segment(folder) for folder in segment_folders(version)]
        self._joined: ByteBoundedCache[Postings] = ByteBoundedCache(max_bytes)

    def get(self, field: str, term: str) -> Postings:
        return self.lookup(field, term)

    def parts(self, field: str, term: str, with_positions: bool = False) -> list[Postings]:
        """The term's postings in each segment that has any, oldest first (docnums ascend across them)."""
        found = [segment.get(field, term, with_positions) for segment in self._segments]
        return [postings for postings in found if len(postings.ids)]

    def lookup(self, field: str, term: str, with_positions: bool = False) -> Postings:
        if len(self._segments) == 1:
            return self._segments[0].get(field, term, with_positions)
        key = (field, term, with_positions)
        found = self._joined.get(key)
        if found is None:
            found = _join([segment.get(field, term, with_positions) for segment in self._segments])
            self._joined.put(key, found, found.nbytes)
        return found


def phrase_counts(postings: list[Postings]) -> tuple[np.ndarray, np.ndarray]:
    """``(docnums, counts)``: how often the terms of ``postings`` stand together, in order, where they do."""
    nothing = EMPTY_IDS, np.zeros(0, dtype=np.float32)
    if not postings or any(not len(p.ids) for p in postings):
        return nothing
    docs = postings[0].ids
    for p in postings[1:]:
        docs = np.intersect1d(docs, p.ids, assume_unique=True)
    if not len(docs):
        return nothing
    # One sorted key per occurrence: document, then position less the term's place in the phrase.
    width = len(postings)
    starts = None
    for place, p in enumerate(postings):
        tf = p.tf.astype(np.int64)
        held = _members(p.ids, docs)
        keep = np.repeat(held, tf)
        owner = np.repeat(p.ids[held].astype(np.int64), tf[held])
        keys = (owner << 32) | (p.positions[keep].astype(np.int64) + width - place)
        if starts is None:
            starts = keys
        else:
            at = np.minimum(np.searchsorted(keys, starts), len(keys) - 1)
            starts = starts[keys[at] == starts] if len(keys) else keys
    found, counts = np.unique(starts >> 32, return_counts=True)
    return found.astype(np.int32), counts.astype(np.float32)


def _members(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of the ascending ``ids`` are in the ascending ``wanted``."""
    at = np.minimum(np.searchsorted(wanted, ids), len(wanted) - 1)
    return wanted[at] == ids
