"""Nearest articles by meaning: the query's vector against every segment's article and passage vectors.

Two passes: every live article by its one vector (a matrix product), then the
best ``CANDIDATES`` of those by their best passage, so that a query about one
part of a long answer still finds it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from index import vectors as stored
from index.embedding import Model
from index.embedding import ModelError
from index.embedding import embed
from index.inverted import segment_folders
from search.ranking import Sparse

CANDIDATES = 256  # articles whose passages are compared, per query
EMPTY = np.zeros(0, dtype=np.int32)
PASSAGE_SHARE = 0.5  # an article's similarity: this much its best passage, the rest its own vector


class Meaning:
    """The vectors of one index version and the model that made them."""

    def __init__(self, version: Path, model: Model) -> None:
        """:raises ModelError: when the model's vectors are not the size of the version's (its folder changed)."""
        self.model = model
        self._segments = [found for folder in segment_folders(version) if (found := stored.load(folder)) is not None]
        sizes = {segment.dim for segment in self._segments} - {model.dim}
        if sizes:
            raise ModelError(f"model {model.name} makes {model.dim}-dimension vectors, the index holds {sizes.pop()}")

    def query_vector(self, text: str) -> np.ndarray:
        return embed(self.model, [text])[0]

    def nearest(self, text: str, allowed: np.ndarray, also: np.ndarray = EMPTY) -> Sparse:
        """The ``CANDIDATES`` articles nearest to ``text`` among ``allowed`` (bool per docnum), by docnum,
        and the articles ``also`` (docnums) wherever they rank.

        Scores are cosine similarities, at most 1; a query with no vector (no known word) finds nothing.
        """
        query = self.query_vector(text)
        if not query.any():
            return Sparse(EMPTY, np.zeros(0, np.float32))
        docs, scores = self._coarse(query, allowed, also)
        scores = (1 - PASSAGE_SHARE) * scores + PASSAGE_SHARE * self._best_passages(query, docs)
        order = np.argsort(docs)
        return Sparse(docs[order].astype(np.int32), scores[order].astype(np.float32))

    def _coarse(self, query: np.ndarray, allowed: np.ndarray, also: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        docs, scores, extra = [], [], []
        for segment in self._segments:
            sims = segment.articles @ query
            sims[~allowed[segment.first : segment.first + len(sims)]] = -np.inf
            best = _top(sims, CANDIDATES)
            docs.append(best + segment.first)
            scores.append(sims[best])
            inside = also[(also >= segment.first) & (also < segment.first + len(sims))]
            extra.append((inside, sims[inside - segment.first]))
        docs_, scores_ = np.concatenate(docs), np.concatenate(scores)
        best = _top(scores_, CANDIDATES)
        docs_ = np.concatenate([docs_[best], *(d for d, _ in extra)])
        scores_ = np.concatenate([scores_[best], *(s for _, s in extra)])
        docs_, first = np.unique(docs_, return_index=True)
        scores_ = scores_[first]
        kept = np.isfinite(scores_)  # neither a filtered article nor a rotted (NaN) vector ranks
        return docs_[kept], scores_[kept]

    def _best_passages(self, query: np.ndarray, docs: np.ndarray) -> np.ndarray:
        found = np.full(len(docs), -1.0, dtype=np.float32)
        for segment in self._segments:
            inside = (docs >= segment.first) & (docs < segment.first + len(segment.articles))
            if not inside.any():
                continue
            wanted = docs[inside].astype(segment.owners.dtype)  # else every owner is copied to the docnums' type
            starts = np.searchsorted(segment.owners, wanted, side="left")
            ends = np.searchsorted(segment.owners, wanted, side="right")
            rows = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
            sims = segment.passages[rows].astype(np.float32) @ (query / stored.PASSAGE_SCALE)
            found[inside] = np.maximum.reduceat(sims, np.cumsum(ends - starts) - (ends - starts))
        return found


def _top(values: np.ndarray, count: int) -> np.ndarray:
    if len(values) <= count:
        return np.arange(len(values))
    return np.argpartition(-values, count)[:count]
