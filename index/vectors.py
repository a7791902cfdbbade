"""Meaning vectors beside each segment's postings: what of an article is embedded, and the arrays on disk.

An article is embedded as passages: its question with its keywords (the
"head"), then its answer in runs of about ``PASSAGE_WORDS`` words. The search
first ranks every article by one vector, the mean of its passages with the
head counted ``HEAD_WEIGHT`` times, then the best of those by their best
passage. Each segment folder holds its own articles' vectors, so an update
embeds only the articles it adds.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index import mapped
from index.articles import Article
from index.embedding import Model
from index.embedding import embed

PASSAGE_WORDS = 60
MAX_PASSAGES = 8  # the answer's opening passages; a long answer's tail adds time, not meaning
HEAD_WEIGHT = 2.0
PASSAGE_SCALE = 127  # passages are kept as int8, each component times this: a quarter of float32's size
ARTICLES = "vectors-articles.npy"
PASSAGES = "vectors-passages.npy"
OWNERS = "vectors-owners.npy"
FILES = (ARTICLES, PASSAGES, OWNERS)
TYPES = {ARTICLES: np.float32, PASSAGES: np.int8, OWNERS: np.int32}
COPY_BYTES = 1 << 20


@dataclass(frozen=True)
class Vectors:
    """One segment's vectors; ``owners`` are docnums within the version, ascending."""

    articles: np.ndarray  # (articles, dim) float32: one unit vector per docnum of the segment
    passages: np.ndarray  # (passages, dim) int8: unit vectors times PASSAGE_SCALE, the head first for each article
    owners: np.ndarray  # (passages,) int32: the docnum of each passage
    first: int  # the segment's first docnum

    @property
    def dim(self) -> int:
        return int(self.articles.shape[1])


def passages(article: Article) -> list[str]:
    """The texts embedded for ``article``: its head, then the opening of its answer in passages."""
    found = [f"{article.question}. {article.keywords}".strip()]
    words: list[str] = []
    for line in article.answer_text.split("\n"):
        line_words = line.split()
        if words and len(words) + len(line_words) > PASSAGE_WORDS:
            found.append(" ".join(words))
            words = []
            if len(found) > MAX_PASSAGES:
                return found
        words += line_words
    if words:
        found.append(" ".join(words))
    return found[: MAX_PASSAGES + 1]


def of_articles(model: Model, articles: Sequence[Article], first: int = 0) -> Vectors:
    """Embed ``articles``, which take docnums ``first``, ``first + 1``, …"""
    texts = [passages(article) for article in articles]
    counts = np.array([len(t) for t in texts], dtype=np.int64)
    flat = embed(model, [text for article_texts in texts for text in article_texts])
    owners = np.repeat(np.arange(first, first + len(articles), dtype=np.int32), counts)
    quantized = np.round(flat * PASSAGE_SCALE).astype(np.int8)
    return Vectors(_article_vectors(flat, counts), quantized, owners, first)


def _article_vectors(flat: np.ndarray, counts: np.ndarray) -> np.ndarray:
    if not len(counts):
        return np.zeros((0, flat.shape[1]), dtype=np.float32)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    sums = np.add.reduceat(flat, starts, axis=0) + (HEAD_WEIGHT - 1) * flat[starts]
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0).astype(np.float32)


def keep(vectors: Vectors, kept: np.ndarray) -> Vectors:
    """Only the articles where ``kept`` is true (a chunk less its duplicates), renumbered from ``first``."""
    if kept.all():
        return vectors
    new_number = np.cumsum(kept) - 1 + vectors.first
    local = vectors.owners - vectors.first
    rows = kept[local]
    return Vectors(
        vectors.articles[kept], vectors.passages[rows], new_number[local[rows]].astype(np.int32), vectors.first
    )


class Spool:
    """A full build's vectors, chunk by chunk, in unnamed temporary files until ``save`` writes them out.

    At 200,000 articles the vectors take about 600 MB: held in memory until
    the end and then joined, they were twice that at the build's peak.
    Spooled, the build holds one chunk's at a time. The files live in the
    version being built (on the index's disk, not a ``/tmp`` that may be
    memory) and vanish when closed, or with the process.
    """

    def __init__(self, folder: Path) -> None:
        self._open = contextlib.ExitStack()  # closed by ``__exit__``
        spooled = (self._open.enter_context(tempfile.TemporaryFile(dir=folder)) for _ in FILES)  # noqa: SIM115
        self._files = dict(zip(FILES, spooled, strict=True))
        self._rows = dict.fromkeys(FILES, 0)
        self._dim = 0
        self._articles = 0

    def add(self, vectors: Vectors) -> None:
        """Append a chunk's vectors; its articles take the docnums after those already added."""
        owners = vectors.owners - vectors.first + self._articles
        for name, rows in zip(FILES, (vectors.articles, vectors.passages, owners), strict=True):
            self._files[name].write(np.ascontiguousarray(rows, dtype=TYPES[name]).data)
            self._rows[name] += len(rows)
        self._dim = vectors.dim
        self._articles += len(vectors.articles)

    def save(self, folder: Path) -> None:
        """Write the files ``save`` writes for the same vectors, byte for byte, copying from the spool."""
        for name, spooled in self._files.items():
            rows = self._rows[name]
            shape = (rows,) if name == OWNERS else (rows, self._dim)
            spooled.seek(0)
            with open(folder / name, "wb") as out:
                mapped.write_header(out, TYPES[name], shape)
                shutil.copyfileobj(spooled, out, COPY_BYTES)

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *exc_info) -> None:
        self._open.close()


def save(vectors: Vectors, folder: Path) -> None:
    np.save(folder / ARTICLES, vectors.articles)
    np.save(folder / PASSAGES, vectors.passages)
    np.save(folder / OWNERS, vectors.owners)


def load(folder: Path) -> Vectors | None:
    """A segment's vectors, memory-mapped; None when it has none (built with the model off)."""
    if not (folder / ARTICLES).exists():
        return None
    articles, passages_, owners = (mapped.load(folder / name) for name in FILES)
    # Every article has at least its head passage, so the first owner is the segment's first docnum.
    return Vectors(articles, passages_, owners, int(owners[0]) if len(owners) else 0)
