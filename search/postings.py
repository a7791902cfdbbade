"""The postings of every segment of a version, as the engine reads them.

Postings spread over several segments (after incremental updates) are joined
once and kept in a small byte-bounded cache; phrases are counted from positions,
and a document's positions are found from sums of the counts kept per term.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.inverted import segment_folders
from index.postings import EMPTY_IDS
from index.postings import NO_POSTINGS
from index.postings import Postings
from index.postings import Segment
from search.cache import ByteBoundedCache

# (field, term) -> its postings in each segment that has any: what the ranker reads terms through.
PartsSource = Callable[[str, str], list[Postings]]
# A term's impacts (``index.impacts``) in the segments that kept them, ``(docnums, values)`` each,
# and the numbers of those segments, whose postings the ranker need not read for it.
Kept = tuple[list[tuple[np.ndarray, np.ndarray]], frozenset[int]]
# A document's positions begin at the sum of the counts before it in its term's postings.
# For a long list the sums at every BLOCK-th posting are kept (for "the" in the answers of
# 200,000 articles, summing all its counts cost a millisecond of every query); the rest of
# a sum is at most BLOCK counts. A short list has each posting's sum, found each time.
BLOCK = 64
BLOCKS_KEPT_FROM = 1024  # postings: shorter lists are summed each time, which costs less than keeping them


@dataclass(frozen=True)
class Positional:
    """A term's postings in one segment, with the sum of its counts before every ``block``-th posting."""

    postings: Postings
    sums: np.ndarray  # int64
    block: int

    @classmethod
    def of(cls, postings: Postings) -> Positional:
        tf = postings.tf
        if len(tf) < BLOCKS_KEPT_FROM:
            return cls(postings, np.cumsum(tf, dtype=np.int64) - tf, 1)
        sums = np.add.reduceat(tf, np.arange(0, len(tf), BLOCK), dtype=np.int64)
        return cls(postings, np.concatenate(([0], np.cumsum(sums)[:-1])), BLOCK)

    def positions(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, positions)``: how many positions each document at indexes ``at`` of the postings
        has, and those positions, document after document (int64)."""
        lengths = self.postings.tf[at].astype(np.int64)
        ends = np.cumsum(lengths)
        # Each position's index: its document's start, plus its place among that document's.
        index = np.repeat(self._starts(at) - ends + lengths, lengths) + np.arange(int(ends[-1]) if len(at) else 0)
        return lengths, self.postings.positions[index].astype(np.int64)

    def _starts(self, at: np.ndarray) -> np.ndarray:
        """Where the positions of each document at ``at`` begin."""
        if self.block == 1:
            return self.sums[at]
        tf = self.postings.tf
        block = at // BLOCK
        before = np.arange(BLOCK)
        counts = tf[np.minimum(block[:, None] * BLOCK + before, len(tf) - 1)]
        return self.sums[block] + np.where(before < (at % BLOCK)[:, None], counts, 0).sum(axis=1, dtype=np.int64)


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

    def __init__(
        self, version: Path, max_bytes: int, blocks_bytes: int = 0, averages: tuple[float, ...] | None = None
    ) -> None:
        """:param averages: the version's mean field lengths (``index.impacts.averages_of``): only the impacts
        of segments scored with these are read (an update that refreshed them leaves older ones behind)."""
        self._segments = [Segment(folder) for folder in segment_folders(version)]
        self._joined: ByteBoundedCache[Postings] = ByteBoundedCache(max_bytes)
        self._blocks: ByteBoundedCache[list[Positional]] = ByteBoundedCache(blocks_bytes)
        self._impacted = [
            (number, segment)
            for number, segment in enumerate(self._segments)
            if averages is not None and segment.impact_averages() == averages
        ]

    def parts(
        self, field: str, term: str, with_positions: bool = False, without: frozenset[int] = frozenset()
    ) -> list[Postings]:
        """The term's postings in each segment that has any, oldest first (docnums ascend across them),
        but for the segments numbered ``without``."""
        found = [
            segment.get(field, term, with_positions) for n, segment in enumerate(self._segments) if n not in without
        ]
        return [postings for postings in found if len(postings.ids)]

    def impacts(self, term: str) -> Kept:
        """The term's impacts where kept, and the numbers of those segments."""
        kept, numbers = [], []
        for number, segment in self._impacted:
            found = segment.impact(term)
            if found is not None:
                kept.append(found)
                numbers.append(number)
        return kept, frozenset(numbers)

    def positional(self, field: str, term: str) -> list[Positional]:
        """``parts`` with positions, each ready to say where a document's positions are."""
        found = self._blocks.get((field, term))
        if found is None:
            found = [Positional.of(p) for p in self.parts(field, term, with_positions=True)]
            if sum(len(part.postings.ids) for part in found) >= BLOCKS_KEPT_FROM:
                self._blocks.put((field, term), found, sum(part.sums.nbytes for part in found))
        return found

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
        held = members(p.ids, docs)
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


def members(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Which of the ascending ``ids`` are in the ascending ``wanted`` (of the same type, or it is copied to theirs)."""
    at = np.minimum(np.searchsorted(wanted, ids), len(wanted) - 1)
    return wanted[at] == ids
