"""Our own inverted index: per field, each term's documents, frequencies and positions as numpy arrays.

Whoosh writes postings one term at a time in Python, which at 200,000
articles takes most of a build, and reads them back the same way. Here the
reading processes turn each chunk of articles into sorted arrays, the parent
merges the chunks with a few array operations, and servers memory-map the
result. Whoosh keeps the stored fields and the unique keys.

A segment is a folder of flat ``.npy`` files; a version holds one segment
from its full build plus one per incremental update .
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import fields
from index import mapped
from index.articles import Article
from index.fields import field_words
from index.tokens import stem

# The scored fields, those whose positions are kept (for quoted phrases) and those whose words spelling knows.
SCORED_FIELDS = fields.NAMES
POSITIONAL = fields.POSITIONAL
VOCABULARY_FIELDS = fields.VOCABULARY
# Every leading part of every question word, for search-as-you-type.
PREFIX_FIELD = "question_prefix"
PREFIX_MAX = 12
FIELDS = (*SCORED_FIELDS, PREFIX_FIELD)
SEGMENT_PREFIX = "inverted-"
KEY_TERMS = 12  # keyword terms kept per article, from which related articles are found
BATCH = 1 << 21  # postings and positions a merger joins at a time: tens of MB, where a whole field took GBs


def prefixes(words: list[str]) -> list[str]:
    return [word[:size] for word in words for size in range(1, min(len(word), PREFIX_MAX) + 1)]


@dataclass(frozen=True)
class FieldPostings:
    """One field's postings, sorted by term, then document."""

    terms: list[str]  # sorted by UTF-8 bytes
    starts: np.ndarray  # int64, len(terms) + 1: term t's postings are [starts[t], starts[t + 1])
    ids: np.ndarray  # int32 docnum of each posting
    tf: np.ndarray  # uint32 occurrences of the term in that document
    positions: np.ndarray | None  # uint32 word positions, grouped like the postings; None if not kept


@dataclass(frozen=True)
class Inverted:
    """The inverted arrays of a run of consecutive docnums."""

    first: int  # docnum of the first document
    size: int  # number of documents
    fields: dict[str, FieldPostings]
    lengths: dict[str, np.ndarray]  # float32 tokens per document, for each scored field
    key_terms: list[str]  # per document: its first KEY_TERMS distinct keyword terms, space-separated


class _FieldBuilder:
    """Collects one field's words by document; ``finish`` turns them into postings of their terms.

    Words, not terms, are counted as they come: stemming each distinct word
    once at the end costs less than stemming every occurrence.
    """

    def __init__(self, positional: bool, stemmed: bool = True) -> None:
        self.words: dict[str, int] = {}
        self.word_ids: list[int] = []
        self.docs: list[int] = []
        self.positions: list[int] | None = [] if positional else None
        self.stemmed = stemmed

    def add(self, doc: int, words: list[str], positions: list[int] | None) -> None:
        ids = self.words
        self.word_ids += [ids.setdefault(word, len(ids)) for word in words]
        self.docs += [doc] * len(words)
        if self.positions is not None:
            self.positions += positions

    def finish(self, first: int) -> FieldPostings:
        terms = [stem(word) for word in self.words] if self.stemmed else list(self.words)
        names = sorted(set(terms), key=str.encode)
        number = {name: n for n, name in enumerate(names)}
        rank = np.array([number[term] for term in terms], dtype=np.int64)
        term = rank[np.asarray(self.word_ids, dtype=np.int64)] if self.word_ids else np.zeros(0, np.int64)
        doc = np.asarray(self.docs, dtype=np.int64)
        order = np.lexsort((doc, term))  # stable: positions stay in reading order within a document
        term, doc = term[order], doc[order]
        boundary = np.flatnonzero(np.diff(term * (doc.max(initial=0) + 1) + doc, prepend=-1)) if len(term) else term
        tf = np.diff(np.append(boundary, len(term))).astype(np.uint32)
        starts = np.searchsorted(term[boundary], np.arange(len(names) + 1)).astype(np.int64)
        positions = None
        if self.positions is not None:
            positions = np.asarray(self.positions, dtype=np.uint32)[order]
        return FieldPostings(names, starts, (doc[boundary] + first).astype(np.int32), tf, positions)


def invert(articles: Sequence[Article], first: int = 0) -> tuple[Inverted, Counter]:
    """Invert ``articles``, which take docnums ``first``, ``first + 1``, …

    :return: the arrays, and in how many of the articles each (unstemmed)
        word of ``VOCABULARY_FIELDS`` occurs, for spelling correction.
    """
    builders = {field: _FieldBuilder(field in POSITIONAL, stemmed=field != PREFIX_FIELD) for field in FIELDS}
    lengths = {field: np.zeros(len(articles), dtype=np.float32) for field in SCORED_FIELDS}
    vocabulary: Counter = Counter()
    key_terms = []
    for doc, article in enumerate(articles):
        words_here: set[str] = set()
        for field, (words, positions) in field_words(article).items():
            builders[field].add(doc, words, positions)
            lengths[field][doc] = len(words)
            if field in VOCABULARY_FIELDS:
                words_here.update(words)
            if field == "question":
                builders[PREFIX_FIELD].add(doc, prefixes(words), None)
            if field == "keywords":
                key_terms.append(" ".join(list(dict.fromkeys(map(stem, words)))[:KEY_TERMS]))
        vocabulary.update(words_here)
    fields = {field: builder.finish(first) for field, builder in builders.items()}
    return Inverted(first, len(articles), fields, lengths, key_terms), vocabulary


def renumber(part: Inverted, first: int, kept: np.ndarray) -> Inverted:
    """``part`` with its documents numbered from ``first``, leaving out those not ``kept`` (bool per document)."""
    new = np.where(kept, np.cumsum(kept) - 1 + first, -1)
    fields = {}
    for name, postings in part.fields.items():
        ids = new[postings.ids - part.first]
        keep = ids >= 0
        terms_of = np.repeat(np.arange(len(postings.terms)), np.diff(postings.starts))[keep]
        positions = postings.positions
        if positions is not None:
            positions = positions[np.repeat(keep, postings.tf)]
        starts = np.searchsorted(terms_of, np.arange(len(postings.terms) + 1)).astype(np.int64)
        fields[name] = FieldPostings(postings.terms, starts, ids[keep].astype(np.int32), postings.tf[keep], positions)
    lengths = {field: array[kept] for field, array in part.lengths.items()}
    key_terms = [terms for terms, keep in zip(part.key_terms, kept, strict=True) if keep]
    return Inverted(first, int(np.count_nonzero(kept)), fields, lengths, key_terms)


@dataclass(frozen=True)
class _Run:
    """One part's postings of one field, its terms numbered merger-wide."""

    numbers: np.ndarray  # int64 merger number of each of the part's terms
    starts: np.ndarray
    ids: np.ndarray
    tf: np.ndarray
    positions: np.ndarray | None
    position_starts: np.ndarray | None  # int64, like ``starts``: where each term's positions begin


def _position_starts(postings: FieldPostings) -> np.ndarray | None:
    if postings.positions is None:
        return None
    # A posting holds one position per occurrence: positions are grouped like the summed frequencies.
    summed = np.concatenate(([0], np.cumsum(postings.tf, dtype=np.int64)))
    return summed[postings.starts]


def _batches(weight: np.ndarray, batch: int) -> Iterator[tuple[int, int]]:
    """Runs of consecutive terms holding about ``batch`` of the cumulative ``weight``; a heavier term goes alone."""
    edges = np.searchsorted(weight, np.arange(batch, weight[-1], batch))
    edges = np.unique(np.concatenate(([0], edges, [len(weight) - 1])))
    return zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True)


def _targets(cursor: np.ndarray, terms: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, slice]:
    """Where a run's values of ``terms`` (held between ``bounds``) go: after each term's values placed before.

    :return: the offsets in the batch, and the run's slice of values that goes there; ``cursor`` moves past them.
    """
    sizes = np.diff(bounds)
    target = np.repeat(cursor[terms] - (bounds[:-1] - bounds[0]), sizes) + np.arange(bounds[-1] - bounds[0])
    cursor[terms] += sizes
    return target, slice(int(bounds[0]), int(bounds[-1]))


@contextlib.contextmanager
def _npy(path: Path, dtype: type, size: int) -> Iterator[Callable[[np.ndarray], None]]:
    """A ``.npy`` file of ``size`` values, as ``np.save`` writes one; the function it gives appends values."""
    with open(path, "wb") as out:
        mapped.write_header(out, dtype, (size,))
        yield lambda values: out.write(values.astype(dtype, copy=False).data)


class _FieldMerger:
    def __init__(self, positional: bool) -> None:
        self.positional = positional
        self.numbers: dict[str, int] = {}
        self.runs: list[_Run] = []

    def add(self, postings: FieldPostings) -> None:
        numbers = self.numbers
        numbered = np.fromiter(
            (numbers.setdefault(t, len(numbers)) for t in postings.terms), np.int64, len(postings.terms)
        )
        # Held until the end of a build: in 16 bits where they fit, as ``save`` writes them, they take a third less.
        positions = None if postings.positions is None else _smallest(postings.positions)
        tf = _smallest(postings.tf)
        self.runs.append(_Run(numbered, postings.starts, postings.ids, tf, positions, _position_starts(postings)))

    def save(self, folder: Path, field: str, batch: int) -> None:
        """Write the field's files as ``save`` does the joined postings, ``batch`` postings and positions at a time.

        The joined postings are never whole in memory: at 200,000 articles
        they would add about a GB to the runs they are made of.
        """
        names, ranked = self._ranked()
        starts = self._totals(ranked, [run.starts for run in self.runs])
        position_starts = self._totals(ranked, [run.position_starts for run in self.runs]) if self.positional else None
        (folder / f"{field}.terms").write_bytes("\n".join(names).encode())
        np.save(folder / f"{field}.starts.npy", starts)
        self._write_postings(folder, field, ranked, starts, position_starts, batch)
        if position_starts is not None:
            np.save(folder / f"{field}.position_starts.npy", position_starts)

    def _ranked(self) -> tuple[list[str], list[np.ndarray]]:
        """The terms in byte order, and each run's terms as places in that order (ascending: runs sort theirs so)."""
        names = list(self.numbers)
        order = sorted(range(len(names)), key=lambda i: names[i].encode())
        rank = np.empty(len(names), dtype=np.int64)
        rank[order] = np.arange(len(names))
        return [names[i] for i in order], [rank[run.numbers] for run in self.runs]

    def _totals(self, ranked: list[np.ndarray], bounds: list[np.ndarray]) -> np.ndarray:
        """Where each merged term begins, from each run's ``bounds`` of its terms (postings or positions)."""
        counts = np.zeros(len(self.numbers), dtype=np.int64)
        for terms, run_bounds in zip(ranked, bounds, strict=True):
            counts[terms] += np.diff(run_bounds)
        return np.concatenate(([0], np.cumsum(counts)))

    def _write_postings(
        self,
        folder: Path,
        field: str,
        ranked: list[np.ndarray],
        starts: np.ndarray,
        position_starts: np.ndarray | None,
        batch: int,
    ) -> None:
        """Write the ids, frequencies and positions files, joining ``batch`` postings and positions at a time."""
        size = int(starts[-1])
        files = [("ids", np.int32, size), ("tf", _smallest_type_of([run.tf for run in self.runs]), size)]
        weight = starts
        if position_starts is not None:
            kind = _smallest_type_of([run.positions for run in self.runs])
            files.append(("positions", kind, int(position_starts[-1])))
            weight = starts + position_starts
        with contextlib.ExitStack() as stack:
            writers = [stack.enter_context(_npy(folder / f"{field}.{name}.npy", *shape)) for name, *shape in files]
            for first, end in _batches(weight, batch):
                joined = self._batch(ranked, first, end, starts, position_starts)
                for write, values in zip(writers, joined, strict=True):
                    write(values)

    def _batch(
        self, ranked: list[np.ndarray], first: int, end: int, starts: np.ndarray, position_starts: np.ndarray | None
    ) -> list[np.ndarray]:
        """The ids, frequencies and (if kept) positions of merged terms ``first`` to ``end``, joined."""
        ids = np.empty(starts[end] - starts[first], dtype=np.int32)
        tf = np.empty(len(ids), dtype=np.uint32)
        cursor = starts[first:end] - starts[first]
        positions = position_cursor = None
        if position_starts is not None:
            positions = np.empty(position_starts[end] - position_starts[first], dtype=np.uint32)
            position_cursor = position_starts[first:end] - position_starts[first]
        for run, terms in zip(self.runs, ranked, strict=True):  # in docnum order: each term's documents ascend
            low, high = np.searchsorted(terms, (first, end))
            here = terms[low:high] - first
            target, held = _targets(cursor, here, run.starts[low : high + 1])
            ids[target], tf[target] = run.ids[held], run.tf[held]
            if positions is not None:
                target, held = _targets(position_cursor, here, run.position_starts[low : high + 1])
                positions[target] = run.positions[held]
        return [ids, tf] if positions is None else [ids, tf, positions]


class Merger:
    """Joins inverted parts of consecutive docnums, taken one at a time as they are read, and saves them."""

    def __init__(self) -> None:
        self._fields = {field: _FieldMerger(field in POSITIONAL) for field in FIELDS}
        self._lengths: dict[str, list[np.ndarray]] = {field: [] for field in SCORED_FIELDS}
        self.key_terms: list[str] = []
        self.size = 0

    def add(self, part: Inverted) -> None:
        for field, postings in part.fields.items():
            self._fields[field].add(postings)
        for field, lengths in part.lengths.items():
            self._lengths[field].append(lengths)
        self.key_terms += part.key_terms
        self.size += part.size

    def lengths(self) -> dict[str, np.ndarray]:
        """Each scored field's length per document, as ``Inverted.lengths``."""
        empty = np.zeros(0, dtype=np.float32)
        return {field: np.concatenate(arrays or [empty]) for field, arrays in self._lengths.items()}

    def save(self, folder: Path, batch: int = BATCH) -> None:
        """Write the joined parts to ``folder`` byte for byte as ``save`` writes them, a batch of terms at a time.

        :param batch: about how many postings and positions are joined in memory at once.
        """
        folder.mkdir(parents=True)
        for field, merger in self._fields.items():
            merger.save(folder, field, batch)


def _smallest_type(largest: int) -> type:
    return np.uint16 if largest < 2**16 else np.uint32


def _smallest_type_of(arrays: list[np.ndarray]) -> type:
    """The type ``_smallest`` gives the values of ``arrays`` joined."""
    return _smallest_type(max((int(values.max(initial=0)) for values in arrays), default=0))


def _smallest(values: np.ndarray) -> np.ndarray:
    return values.astype(_smallest_type(int(values.max(initial=0))), copy=False)


def save(inverted: Inverted, folder: Path) -> None:
    """Write the arrays as flat ``.npy`` files that servers memory-map."""
    folder.mkdir(parents=True)
    for field, postings in inverted.fields.items():
        blob = "\n".join(postings.terms).encode()
        (folder / f"{field}.terms").write_bytes(blob)
        np.save(folder / f"{field}.starts.npy", postings.starts)
        np.save(folder / f"{field}.ids.npy", postings.ids)
        np.save(folder / f"{field}.tf.npy", _smallest(postings.tf))
        if postings.positions is not None:
            np.save(folder / f"{field}.positions.npy", _smallest(postings.positions))
            # Where each term's positions begin, so a server need not sum every frequency.
            summed = np.concatenate(([0], np.cumsum(postings.tf, dtype=np.int64)))
            np.save(folder / f"{field}.position_starts.npy", summed[postings.starts])


def segment_folders(version: Path) -> list[Path]:
    """The segments of a version, oldest first."""
    found = [folder for folder in version.glob(SEGMENT_PREFIX + "*") if folder.is_dir()]
    return sorted(found, key=lambda folder: int(folder.name.removeprefix(SEGMENT_PREFIX)))


def next_segment(version: Path) -> Path:
    folders = segment_folders(version)
    number = int(folders[-1].name.removeprefix(SEGMENT_PREFIX)) + 1 if folders else 0
    return version / f"{SEGMENT_PREFIX}{number}"
