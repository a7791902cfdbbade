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

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.articles import Article
from index.tokens import index_tokens
from index.tokens import stem

# What each scored field holds, taken from an article.
SCORED_FIELDS = ("question", "title", "keywords", "subject", "description", "lead", "answer")
# Fields whose positions are kept, for quoted phrases.
POSITIONAL = frozenset({"question", "keywords", "answer"})
# Fields whose words spelling correction knows.
VOCABULARY_FIELDS = frozenset({"question", "keywords", "answer"})
# Every leading part of every question word, for search-as-you-type.
PREFIX_FIELD = "question_prefix"
PREFIX_MAX = 12
FIELDS = (*SCORED_FIELDS, PREFIX_FIELD)
SEGMENT_PREFIX = "inverted-"
LEAD_CHARS = 300


def lead(text: str) -> str:
    """The first paragraph, cut at a sentence end or word near ``LEAD_CHARS``."""
    first = text.split("\n", 1)[0]
    if len(first) <= LEAD_CHARS:
        return first
    cut = first.rfind(". ", 0, LEAD_CHARS)
    return first[: cut + 1] if cut > LEAD_CHARS // 3 else first[:LEAD_CHARS].rsplit(" ", 1)[0]


def field_texts(article: Article) -> dict[str, str]:
    """The text of each scored field; the answer's opening names what a Q&A article is about."""
    return {
        "question": article.question,
        "title": article.title,
        "keywords": article.keywords,
        "subject": article.subject,
        "description": article.description,
        "lead": lead(article.answer_text),
        "answer": article.answer_text,
    }


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


class _FieldBuilder:
    def __init__(self, positional: bool) -> None:
        self.terms: dict[str, int] = {}
        self.term_ids: list[int] = []
        self.docs: list[int] = []
        self.positions: list[int] | None = [] if positional else None

    def add(self, doc: int, terms: list[str], positions: list[int] | None) -> None:
        ids = self.terms
        self.term_ids += [ids.setdefault(term, len(ids)) for term in terms]
        self.docs += [doc] * len(terms)
        if self.positions is not None:
            self.positions += positions

    def finish(self, first: int) -> FieldPostings:
        names = sorted(self.terms, key=str.encode)
        rank = np.empty(len(names), dtype=np.int64)
        rank[[self.terms[name] for name in names]] = np.arange(len(names))
        term = rank[np.asarray(self.term_ids, dtype=np.int64)] if self.term_ids else np.zeros(0, np.int64)
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
    builders = {field: _FieldBuilder(field in POSITIONAL) for field in FIELDS}
    lengths = {field: np.zeros(len(articles), dtype=np.float32) for field in SCORED_FIELDS}
    vocabulary: Counter = Counter()
    for doc, article in enumerate(articles):
        words_here: set[str] = set()
        for field, text in field_texts(article).items():
            words, positions = index_tokens(text)
            builders[field].add(doc, [stem(word) for word in words], positions)
            lengths[field][doc] = len(words)
            if field in VOCABULARY_FIELDS:
                words_here.update(words)
            if field == "question":
                builders[PREFIX_FIELD].add(doc, prefixes(words), None)
        vocabulary.update(words_here)
    fields = {field: builder.finish(first) for field, builder in builders.items()}
    return Inverted(first, len(articles), fields, lengths), vocabulary


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
    return Inverted(first, int(np.count_nonzero(kept)), fields, lengths)


def _merge_field(parts: Sequence[FieldPostings]) -> FieldPostings:
    names = sorted(set().union(*(part.terms for part in parts)), key=str.encode)
    number = {name: i for i, name in enumerate(names)}
    term_parts, id_parts, tf_parts, pos_parts = [], [], [], []
    for part in parts:
        # Each part's term numbers become the merged ones, once per posting.
        mapping = np.fromiter((number[term] for term in part.terms), dtype=np.int64, count=len(part.terms))
        term_parts.append(np.repeat(mapping, np.diff(part.starts)))
        id_parts.append(part.ids)
        tf_parts.append(part.tf)
        if part.positions is not None:
            pos_parts.append(part.positions)
    term = np.concatenate(term_parts)
    # Parts come in docnum order, so a stable sort by term alone keeps documents ascending.
    order = np.argsort(term, kind="stable")
    ids = np.concatenate(id_parts)[order]
    tf = np.concatenate(tf_parts)
    starts = np.searchsorted(term[order], np.arange(len(names) + 1)).astype(np.int64)
    positions = None
    if pos_parts:
        positions = _regroup(np.concatenate(pos_parts), tf, order)
    return FieldPostings(names, starts, ids, tf[order], positions)


def _regroup(positions: np.ndarray, tf: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Positions grouped like postings reordered by ``order`` (each posting owns ``tf`` of them)."""
    old_starts = np.concatenate(([0], np.cumsum(tf, dtype=np.int64)[:-1]))
    moved_tf = tf[order].astype(np.int64)
    new_starts = np.concatenate(([0], np.cumsum(moved_tf)[:-1]))
    shift = np.repeat(old_starts[order] - new_starts, moved_tf)
    shift += np.arange(len(shift), dtype=np.int64)
    return positions[shift]


def merge(parts: Sequence[Inverted]) -> Inverted:
    """One ``Inverted`` of consecutive ``parts`` (in docnum order)."""
    if len(parts) == 1:
        return parts[0]
    fields = {field: _merge_field([part.fields[field] for part in parts]) for field in FIELDS}
    lengths = {field: np.concatenate([part.lengths[field] for part in parts]) for field in SCORED_FIELDS}
    return Inverted(parts[0].first, sum(part.size for part in parts), fields, lengths)


def _smallest(values: np.ndarray) -> np.ndarray:
    return values.astype(np.uint16) if values.max(initial=0) < 2**16 else values


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


def segment_folders(version: Path) -> list[Path]:
    """The segments of a version, oldest first."""
    found = [folder for folder in version.glob(SEGMENT_PREFIX + "*") if folder.is_dir()]
    return sorted(found, key=lambda folder: int(folder.name.removeprefix(SEGMENT_PREFIX)))


def next_segment(version: Path) -> Path:
    folders = segment_folders(version)
    number = int(folders[-1].name.removeprefix(SEGMENT_PREFIX)) + 1 if folders else 0
    return version / f"{SEGMENT_PREFIX}{number}"
