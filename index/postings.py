"""Read the postings of one inverted folder that ``index.inverted`` writes, memory-mapped.

A term's postings are slices of flat arrays, so looking one up costs a
dictionary look-up and no decoding; the operating system shares the pages
between server workers. The engine (``search.postings``) and Whoosh's codec
(``index.codec``) both read them here.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import numpy as np

from index import mapped
from index.inverted import FIELDS
from index.inverted import POSITIONAL

# What ``index.impacts`` keeps in a segment: each common term's BM25 before its idf, per docnum.
IMPACT_TERMS, IMPACT_STARTS = "impacts.terms", "impacts.starts.npy"
IMPACT_IDS, IMPACT_VALUES = "impacts.ids", "impacts.values"  # int32 and float32, headerless
IMPACT_AVERAGES = "impacts.averages.npy"  # the mean field lengths they were scored with, in ``fields.BOOSTS`` order
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


class _Terms:
    """A field's terms and their numbers, read from the sorted list when first needed."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._numbers: dict[str, int] | None = None

    def find(self, term: str) -> int | None:
        return self._read().get(term)

    def names(self) -> list[str]:
        return list(self._read())

    def _read(self) -> dict[str, int]:
        if self._numbers is None:
            text = self._path.read_text(encoding="utf-8")
            self._numbers = {name: number for number, name in enumerate(text.split("\n"))} if text else {}
        return self._numbers


class _Field:
    def __init__(self, folder: Path, field: str) -> None:
        def load(name: str) -> np.ndarray:
            # A plain array over the mapped file: slicing a ``memmap`` object costs microseconds more.
            return np.asarray(mapped.load(folder / f"{field}.{name}.npy"))

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


class _Impacts:
    """A segment's impacts, mapped when first asked for; none in a segment built before they were kept."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._kept = (folder / IMPACT_AVERAGES).exists()  # written last
        self.terms = _Terms(folder / IMPACT_TERMS)
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def averages(self) -> tuple[float, ...] | None:
        return tuple(np.load(self._folder / IMPACT_AVERAGES).tolist()) if self._kept else None

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        found = self.terms.find(term) if self._kept else None
        if found is None:
            return None
        starts, ids, values = self._arrays or self._map()
        begin, end = int(starts[found]), int(starts[found + 1])
        return ids[begin:end], values[begin:end]

    def _map(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        starts = np.asarray(mapped.load(self._folder / IMPACT_STARTS))
        # A term is kept only with postings: the files of a segment that keeps any are not empty.
        ids = np.asarray(mapped.raw(self._folder / IMPACT_IDS, np.int32))
        self._arrays = starts, ids, np.asarray(mapped.raw(self._folder / IMPACT_VALUES, np.float32))
        return self._arrays


class Segment:
    """One memory-mapped segment folder."""

    def __init__(self, folder: Path) -> None:
        self.fields = {field: _Field(folder, field) for field in FIELDS}
        self._impacts = _Impacts(folder)

    def get(self, field: str, term: str, with_positions: bool = False) -> Postings:
        return self.fields[field].get(term, with_positions)

    def impact(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        """``(docnums, float32 BM25 before idf)`` of ``term`` over the scored fields, if the build kept them."""
        return self._impacts.get(term)

    def impact_averages(self) -> tuple[float, ...] | None:
        """The mean field lengths (``fields.BOOSTS`` order) that the impacts were scored with; None without impacts."""
        return self._impacts.averages()
