"""Read the inverted index that ``index.inverted`` writes, memory-mapped.

A term's postings are slices of flat arrays, so looking one up costs a
dictionary look-up and no decoding; the operating system
shares the pages between server workers. Postings spread over several
segments (after incremental updates) are joined once and kept in a small
byte-bounded cache.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import numpy as np

from index.inverted import FIELDS
from index.inverted import POSITIONAL
from index.inverted import segment_folders
from search.cache import ByteBoundedCache

EMPTY_IDS = np.zeros(0, dtype=np.int32)
EMPTY_COUNTS = np.zeros(0, dtype=np.uint32)


@dataclass(frozen=True)
class Postings:
    ids: np.ndarray  # int32 docnums, ascending
    tf: np.ndarray  # occurrences of the term per docnum
    positions: np.ndarray = field(default_factory=lambda: EMPTY_COUNTS)  # ``tf`` per docnum, positional fields

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.tf.nbytes + self.positions.nbytes


NO_POSTINGS = Postings(EMPTY_IDS, EMPTY_COUNTS)

# (field, term) -> postings; what the ranker reads terms through.
PostingsSource = Callable[[str, str], Postings]


class _Terms:
    """A field's terms and their numbers, read from the sorted list when first needed."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._numbers: dict[str, int] | None = None

    def find(self, term: str) -> int | None:
        if self._numbers is None:
            text = self._path.read_text(encoding="utf-8")
            self._numbers = {name: number for number, name in enumerate(text.split("\n"))} if text else {}
        return self._numbers.get(term)


class _Field:
    def __init__(self, folder: Path, field: str) -> None:
        def load(name: str) -> np.ndarray:
            # A plain array over the mapped file: slicing a ``memmap`` object costs microseconds more.
            return np.asarray(np.load(folder / f"{field}.{name}.npy", mmap_mode="r"))

        self.starts = load("starts")
        self.terms = _Terms(folder / f"{field}.terms")
        self.ids = load("ids")
        self.tf = load("tf")
        self.positions = load("positions") if field in POSITIONAL else None
        self.position_starts = load("position_starts") if field in POSITIONAL else None

    def get(self, term: str, with_positions: bool) -> Postings:
        found = self.terms.find(term)
        if found is None:
            return NO_POSTINGS
        begin, end = int(self.starts[found]), int(self.starts[found + 1])
        ids, tf = self.ids[begin:end], self.tf[begin:end]
        if not (with_positions and self.positions is not None):
            return Postings(ids, tf)
        first, last = int(self.position_starts[found]), int(self.position_starts[found + 1])
        return Postings(ids, tf, self.positions[first:last])


class Segment:
    """One memory-mapped segment folder."""

    def __init__(self, folder: Path) -> None:
        self.fields = {field: _Field(folder, field) for field in FIELDS}

    def get(self, field: str, term: str, with_positions: bool = False) -> Postings:
        return self.fields[field].get(term, with_positions)


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
