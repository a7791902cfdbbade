"""Which source file became which document: what an update compares the folder against.

Kept column by column: an update reads and writes every row, and 200,000
rows as one object each took a second to load and another to save.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from index import versions
from index.versions import MANIFEST

_SEPARATOR = "\0"  # in no path, url, digest or subject


class Entry(NamedTuple):
    """What an update needs to know of an indexed file without opening the index."""

    digest: str
    id: int
    url: str
    subject: str
    docnum: int
    stamp: tuple[int, int]  # the file's size and modification time (ns) when it was indexed


@dataclass
class Manifest:
    """Every indexed file by its source-relative path, one list or array per field."""

    paths: list[str]
    digests: list[str]
    ids: list[int]
    urls: list[str]
    subjects: list[str]
    docnums: list[int]
    sizes: list[int]
    mtimes: list[int]
    _rows: dict[str, int] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, entries: Iterable[tuple[str, Entry]]) -> Manifest:
        rows = list(entries)
        columns = [[row[1][i] for row in rows] for i in range(5)]
        sizes = [row[1].stamp[0] for row in rows]
        mtimes = [row[1].stamp[1] for row in rows]
        return cls([row[0] for row in rows], *columns, sizes, mtimes)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, path: str) -> Entry:
        return self._entry(self.rows[path])

    def items(self) -> Iterator[tuple[str, Entry]]:
        return ((path, self._entry(row)) for row, path in enumerate(self.paths))

    @property
    def rows(self) -> dict[str, int]:
        """Row of each path."""
        if self._rows is None:
            self._rows = dict(zip(self.paths, range(len(self.paths)), strict=True))
        return self._rows

    def restamped(self, stamps: dict[str, tuple[int, int]]) -> Manifest:
        """These rows with the new ``stamps`` of some of their paths."""
        sizes, mtimes = list(self.sizes), list(self.mtimes)
        for path, (size, mtime) in stamps.items():
            row = self.rows[path]
            sizes[row], mtimes[row] = size, mtime
        return replace(self, sizes=sizes, mtimes=mtimes)  # the same paths in the same rows

    def _entry(self, row: int) -> Entry:
        stamp = (self.sizes[row], self.mtimes[row])
        return Entry(self.digests[row], self.ids[row], self.urls[row], self.subjects[row], self.docnums[row], stamp)

    def without(self, paths: Iterable[str]) -> Manifest:
        """The rows of every path but ``paths``."""
        dropped = sorted({self.rows[path] for path in paths if path in self.rows}, reverse=True)
        columns = [list(column) for column in self._columns()]
        for column in columns:
            for row in dropped:  # an update drops a few rows of many: deleting them is cheaper than copying the rest
                del column[row]
        return Manifest(*columns)

    def __add__(self, other: Manifest) -> Manifest:
        return Manifest(*(mine + theirs for mine, theirs in zip(self._columns(), other._columns(), strict=True)))

    def _columns(self) -> tuple[list, ...]:
        return self.paths, self.digests, self.ids, self.urls, self.subjects, self.docnums, self.sizes, self.mtimes


_TEXT = ("paths", "digests", "urls", "subjects")
_NUMBERS = ("ids", "docnums", "sizes", "mtimes")


def write(version: Path, manifest: Manifest) -> None:
    arrays = {name: np.frombuffer(_SEPARATOR.join(getattr(manifest, name)).encode(), np.uint8) for name in _TEXT}
    arrays |= {name: np.array(getattr(manifest, name), dtype=np.int64) for name in _NUMBERS}
    versions.save_arrays(version / MANIFEST, {**arrays, "rows": np.array(len(manifest))})


def read(version: Path) -> Manifest:
    with np.load(version / MANIFEST) as saved:
        size = int(saved["rows"])
        texts = {name: saved[name].tobytes().decode().split(_SEPARATOR) if size else [] for name in _TEXT}
        numbers = {name: saved[name].tolist() for name in _NUMBERS}
    return Manifest(**texts, **numbers)
