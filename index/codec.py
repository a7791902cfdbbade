"""Whoosh's read interface over our inverted arrays, so ``whoosh.index.open_dir`` on a version can search it.

Whoosh's W3 codec still writes each segment's stored fields and keeps its
deletions, but its per-posting writer is what our parallel inverter exists
to avoid: the build writes the inverted arrays itself and then ``register``
wraps each Whoosh segment in a ``KbSegment`` naming the inverted folder
that holds its postings. Whoosh's searcher then reads terms, frequencies
and positions from the same memory-mapped arrays as the engine, and field
lengths from ``docmeta``: one copy of the data, two readers.

Document numbers: an inverted folder numbers its documents version-wide,
as ``docmeta`` and the manifest do; Whoosh numbers them within a segment.
``KbSegment.first`` is the one place that maps between the two.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from collections.abc import Iterator
from functools import cached_property
from pathlib import Path

import numpy as np
from whoosh.codec.base import FieldCursor
from whoosh.codec.base import PerDocumentReader
from whoosh.codec.base import TermsReader
from whoosh.codec.base import WrappingCodec
from whoosh.codec.base import WrappingSegment
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.matching import LeafMatcher
from whoosh.matching import ReadTooFar
from whoosh.reading import TermInfo
from whoosh.reading import TermNotFound
from whoosh.system import pack_uint

from common.errors import BuildError
from common.errors import IndexDamaged
from index import docmeta
from index.inverted import SCORED_FIELDS
from index.inverted import segment_folders
from index.postings import Postings
from index.postings import Segment as Arrays
from index.schema import read_schema

INDEX_NAME = "MAIN"  # Whoosh's default index name, which every version uses


class KbSegment(WrappingSegment):
    """A Whoosh segment whose postings are the inverted folder ``folder``, holding docnums ``first``, …"""

    def __init__(self, child, folder: str, first: int) -> None:
        super().__init__(child)
        self.folder = folder
        self.first = first

    def codec(self) -> KbCodec:
        return KbCodec(self._child.codec(), self.folder, self.first)


def _version_folder(storage) -> Path:
    # A compound segment is read through an overlay whose second storage is the version's folder.
    return Path(getattr(storage, "b", storage).folder)


class KbCodec(WrappingCodec):
    """W3 for stored fields and deletions; our arrays for terms, postings and field lengths."""

    def __init__(self, child, folder: str, first: int) -> None:
        super().__init__(child)
        self.folder = folder
        self.first = first
        self._shared_lengths: SegmentLengths | None = None

    def _lengths(self, storage, segment) -> SegmentLengths:
        # One SegmentReader asks this codec for both of its readers: they share the lengths.
        if self._shared_lengths is None:
            self._shared_lengths = SegmentLengths(_version_folder(storage), self.first, segment)
        return self._shared_lengths

    def terms_reader(self, storage, segment) -> ArrayTermsReader:
        return ArrayTermsReader(_version_folder(storage) / self.folder, self.first, self._lengths(storage, segment))

    def per_document_reader(self, storage, segment) -> LengthsPerDocReader:
        child = self._child.per_document_reader(storage, segment)
        return LengthsPerDocReader(child, self._lengths(storage, segment))


class SegmentLengths:
    """Each field's length per document of one segment, from ``docmeta``, read when first needed."""

    def __init__(self, version: Path, first: int, segment) -> None:
        self._version = version
        self._first = first
        self._segment = segment

    @cached_property
    def by_field(self) -> dict[str, np.ndarray]:
        lengths = docmeta.load(self._version).lengths
        end = self._first + self._segment.doc_count_all()
        return {field: array[self._first : end] for field, array in lengths.items()}

    @cached_property
    def live(self) -> np.ndarray:
        live = np.ones(self._segment.doc_count_all(), dtype=bool)
        live[list(self._segment.deleted_docs())] = False
        return live

    def of(self, fieldname: str) -> np.ndarray:
        return self.by_field.get(fieldname, np.zeros(self._segment.doc_count_all(), dtype=np.float32))


class _FieldTerms:
    """One field's terms that hold postings, in byte order, read when Whoosh first walks them."""

    def __init__(self, path: Path, starts: Callable[[], np.ndarray]) -> None:
        self._path = path
        self._starts = starts

    @cached_property
    def sorted(self) -> list[bytes]:
        blob = self._path.read_bytes()
        terms = blob.split(b"\n") if blob else []
        # A term whose only article was a duplicate, left out, is listed with no postings.
        held = (np.diff(self._starts()) > 0).tolist()
        return [term for term, kept in zip(terms, held, strict=True) if kept]

    def starting_at(self, prefix: bytes) -> Iterator[bytes]:
        terms = self.sorted
        return iter(terms[bisect.bisect_left(terms, prefix) :])


class ArrayTermsReader(TermsReader):
    """Terms and postings of one inverted folder; nothing is read until Whoosh asks."""

    def __init__(self, folder: Path, first: int, lengths: SegmentLengths) -> None:
        self._folder = folder
        self._first = first
        self._lengths = lengths
        self._fields = {field: _FieldTerms(folder / f"{field}.terms", self._starts(field)) for field in SCORED_FIELDS}

    @cached_property
    def _arrays(self) -> Arrays:
        return Arrays(self._folder)

    def _starts(self, fieldname: str) -> Callable[[], np.ndarray]:
        return lambda: self._arrays.fields[fieldname].starts

    def _postings(self, fieldname: str, tbytes: bytes, with_positions: bool = False) -> Postings:
        """The term's postings; ``KeyError`` for a missing term, which W3's frequency methods raise too."""
        known = fieldname in self._fields
        found = self._arrays.get(fieldname, tbytes.decode("utf-8"), with_positions) if known else None
        if found is None or not len(found.ids):
            raise KeyError(f"{fieldname}:{tbytes!r}")
        return found

    def _found(self, fieldname: str, tbytes: bytes, with_positions: bool = False) -> Postings:
        """The term's postings; ``TermNotFound`` for a missing term, as W3's ``term_info`` and ``matcher`` raise."""
        try:
            return self._postings(fieldname, tbytes, with_positions)
        except KeyError:
            raise TermNotFound(f"{fieldname}:{tbytes!r}") from None

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        # A term listed without postings (its only article was a duplicate, left out) is not in the index.
        try:
            self._postings(*term)
        except KeyError:
            return False
        return True

    def indexed_field_names(self) -> list[str]:
        return list(self._fields)

    def cursor(self, fieldname: str, fieldobj) -> ArrayCursor:
        return ArrayCursor(self._fields[fieldname].sorted, fieldobj)

    def terms(self) -> Iterator[tuple[str, bytes]]:
        for fieldname in sorted(self._fields):
            yield from ((fieldname, term) for term in self._fields[fieldname].sorted)

    def terms_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[str, bytes]]:
        for name in sorted(self._fields):
            if name == fieldname:
                yield from ((name, term) for term in self._fields[name].starting_at(prefix))
            elif name > fieldname:
                yield from ((name, term) for term in self._fields[name].sorted)

    def items(self) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        return ((term, self.term_info(*term)) for term in self.terms())

    def items_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[tuple[str, bytes], TermInfo]]:
        return ((term, self.term_info(*term)) for term in self.terms_from(fieldname, prefix))

    def term_info(self, fieldname: str, tbytes: bytes) -> TermInfo:
        """The statistics Whoosh keeps per term, from the term's slice of the arrays."""
        found = self._found(fieldname, tbytes)
        tf, ids = found.tf, found.ids - self._first
        lengths = self._lengths.of(fieldname)[ids]
        return TermInfo(
            weight=float(tf.sum()),
            df=len(ids),
            minlength=int(lengths.min()),
            maxlength=int(lengths.max()),
            maxweight=float(tf.max()),
            minid=int(ids[0]),
            maxid=int(ids[-1]),
        )

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        return float(self._postings(fieldname, tbytes).tf.sum())

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return len(self._postings(fieldname, tbytes).ids)

    def matcher(self, fieldname: str, tbytes: bytes, format_, scorer=None) -> ArrayMatcher:
        positional = format_.supports("positions")
        found = self._found(fieldname, tbytes, with_positions=positional)
        ids = found.ids.astype(np.int64) - self._first
        positions = found.positions if positional else None
        return ArrayMatcher((fieldname, tbytes), format_, ids, found.tf, positions, self._lengths.of(fieldname), scorer)


class ArrayCursor(FieldCursor):
    """Walks a field's sorted terms for Whoosh's automata (``FuzzyTerm``, spelling)."""

    def __init__(self, terms: list[bytes], fieldobj) -> None:
        self._terms = terms
        self._fieldobj = fieldobj
        self._at = 0

    def first(self) -> str | None:
        self._at = 0
        return self.text()

    def find(self, term: str | bytes) -> str | None:
        """Move to the first term at or after ``term``."""
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._at = bisect.bisect_left(self._terms, term)
        return self.text()

    def next(self) -> str | None:
        self._at += 1
        return self.text()

    def text(self) -> str | None:
        return self._fieldobj.from_bytes(self._terms[self._at]) if self.is_valid() else None

    def term(self) -> str | None:
        return self.text()

    def is_valid(self) -> bool:
        return self._at < len(self._terms)


class ArrayMatcher(LeafMatcher):
    """One term's postings in one segment, as arrays: ``skip_to`` is a binary search.

    The whole list is one block, so block-quality skipping can only pass it
    all at once; our lists are slices of memory, not compressed blocks.
    """

    def __init__(self, term, format_, ids, tf, positions, lengths, scorer, at: int = 0) -> None:
        self._term = term
        self.format = format_
        self.scorer = scorer
        self._ids = ids  # segment docnums, ascending
        self._tf = tf
        self._positions = positions  # every posting's positions in turn, or None
        self._lengths = lengths  # the field's length per segment docnum
        self._at = at

    @cached_property
    def _position_starts(self) -> np.ndarray:
        return np.concatenate(([0], np.cumsum(self._tf, dtype=np.int64)))

    def copy(self) -> ArrayMatcher:
        return ArrayMatcher(
            self._term, self.format, self._ids, self._tf, self._positions, self._lengths, self.scorer, self._at
        )

    def reset(self) -> None:
        self._at = 0

    def is_active(self) -> bool:
        return self._at < len(self._ids)

    def id(self) -> int:
        return int(self._ids[self._at])

    def all_ids(self) -> Iterator[int]:
        """The ids left, leaving the matcher spent as Whoosh's own matchers are."""
        rest = self._ids[self._at :].tolist()
        self._at = len(self._ids)
        return iter(rest)

    def next(self) -> bool:
        if not self.is_active():
            raise ReadTooFar
        self._at += 1
        return False  # no block boundaries crossed: there is one block

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if targetid > self._ids[self._at]:
            self._at += int(np.searchsorted(self._ids[self._at :], targetid))

    def frequency(self) -> int:
        return int(self._tf[self._at])

    def weight(self) -> float:
        # Boosts belong to the query or the weighting model (``MultifieldParser(fieldboosts=...)``).
        return float(self._tf[self._at])

    def positions(self) -> list[int]:
        starts = self._position_starts
        return self._positions[starts[self._at] : starts[self._at + 1]].tolist()

    def value(self) -> bytes:
        """The posting as Whoosh's format would have encoded it."""
        if self._positions is not None:
            return self.format.encode(self.positions())
        return pack_uint(self.frequency())

    def value_as(self, astype: str):
        if astype == "positions" and self._positions is not None:
            return self.positions()
        if astype == "frequency":
            return self.frequency()
        if astype == "weight":
            return self.weight()
        return super().value_as(astype)

    # The block is the whole list, wherever the matcher stands: its bounds hold for every posting left.
    def block_min_id(self) -> int:
        return int(self._ids[0])

    def block_max_id(self) -> int:
        return int(self._ids[-1])

    @cached_property
    def _block_lengths(self) -> np.ndarray:
        return self._lengths[self._ids]

    def block_max_weight(self) -> float:
        return float(self._tf.max())

    def block_min_length(self) -> int:
        return int(self._block_lengths.min())

    def block_max_length(self) -> int:
        return int(self._block_lengths.max())

    def skip_to_quality(self, minquality: float) -> int:
        """Pass the rest of the list if it cannot beat ``minquality``; return how many blocks were passed."""
        if self.block_quality() > minquality:
            return 0
        self._at = len(self._ids)
        return 1


class LengthsPerDocReader(PerDocumentReader):
    """W3's reader for stored fields and deletions; field lengths come from ``docmeta``."""

    def __init__(self, child: PerDocumentReader, lengths: SegmentLengths) -> None:
        self._child = child
        self._lengths = lengths

    def close(self) -> None:
        self._child.close()

    def doc_count(self) -> int:
        return self._child.doc_count()

    def doc_count_all(self) -> int:
        return self._child.doc_count_all()

    def has_deletions(self) -> bool:
        return self._child.has_deletions()

    def is_deleted(self, docnum: int) -> bool:
        return self._child.is_deleted(docnum)

    def deleted_docs(self):
        return self._child.deleted_docs()

    def stored_fields(self, docnum: int) -> dict:
        return self._child.stored_fields(docnum)

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        found = self._lengths.by_field.get(fieldname)
        return int(found[docnum]) if found is not None else default

    def _live_lengths(self, fieldname: str) -> np.ndarray:
        return self._lengths.of(fieldname)[self._lengths.live]

    def field_length(self, fieldname: str) -> int:
        """Tokens of ``fieldname`` in the segment's live documents: over ``doc_count`` it is the engine's average."""
        return int(self._live_lengths(fieldname).sum())

    def min_field_length(self, fieldname: str) -> int:
        return int(self._live_lengths(fieldname).min(initial=0))

    def max_field_length(self, fieldname: str) -> int:
        return int(self._live_lengths(fieldname).max(initial=0))


def register(version: Path, folder: str | None, added: int) -> None:
    """Make Whoosh read ``version`` through our arrays: rewrite its table of contents with the searchable schema.

    Every segment already registered keeps its folder; a new one (the
    build's, or an update's added documents) is given ``folder``.

    :param added: how many documents the new segment must hold.
    """
    storage = FileStorage(str(version))
    toc = TOC.read(storage, INDEX_NAME, schema=read_schema())
    segments, first = [], 0
    for segment in toc.segments:
        if not isinstance(segment, KbSegment):
            segment = _new_segment(segment, folder, first, added)
            folder = None  # one new segment per build or update
        elif segment.first != first:
            raise BuildError(
                f"Whoosh segment {segment.segment_id()} starts at {first}, its postings at {segment.first}"
            )
        segments.append(segment)
        first += segment.doc_count_all()
    if folder is not None and added:
        raise BuildError(f"no Whoosh segment holds the {added} documents of {folder}")
    # A new generation, as a Whoosh commit writes one: the old table may be a hard link the live version reads.
    TOC(toc.schema, segments, toc.generation + 1).write(storage, INDEX_NAME)
    storage.delete_file(TOC._filename(INDEX_NAME, toc.generation))


def check_numbering(version: Path, meta: docmeta.DocMeta) -> None:
    """Raise ``IndexDamaged`` unless Whoosh's segments and our inverted folders number the same documents.

    Whoosh's segments, in order, must be registered ``KbSegment``s whose
    first docnums run on without a gap over every document of ``docmeta``,
    each naming an inverted folder of the version in the same order, and
    Whoosh's deletions must be the documents ``docmeta`` marks dead. A
    Whoosh merge, which renumbers documents, or a store left behind by a
    failed step, shows here when a version opens instead of as wrong results.
    """
    segments = TOC.read(FileStorage(str(version)), INDEX_NAME, schema=read_schema()).segments
    folders = [folder.name for folder in segment_folders(version)]
    first = 0
    for segment in segments:
        if not isinstance(segment, KbSegment) or segment.first != first:
            raise IndexDamaged(f"Whoosh segment {segment.segment_id()} is not registered at document {first}")
        first += segment.doc_count_all()
    if [segment.folder for segment in segments] != folders:
        raise IndexDamaged(f"Whoosh's segments name {[s.folder for s in segments]}, the version holds {folders}")
    deleted = sum(segment.deleted_count() for segment in segments)
    if first != meta.size or deleted != meta.size - int(meta.live.sum()):
        raise IndexDamaged(f"Whoosh numbers {first} documents ({deleted} deleted), docmeta {meta.size}")


def _new_segment(segment, folder: str | None, first: int, added: int) -> KbSegment:
    if folder is None or segment.doc_count_all() != added:
        raise BuildError(f"Whoosh segment {segment.segment_id()} ({segment.doc_count_all()} documents) has no postings")
    return KbSegment(segment, folder, first)
