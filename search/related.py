"""Related questions for a hit: the article's own ``related_article*`` links that are in the
index, then the articles that share most of its keywords, preferring its own subject."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

import numpy as np

from index.docmeta import DocMeta
from search.ranking import COVERAGE_STEP
from search.ranking import EXACT_STEP
from search.ranking import Ranker
from search.ranking import Sparse
from search.ranking import best

MAX_RELATED = 3
RAREST_WORDS = 2  # how many of the article's keyword terms, the rarest, form the "nearest" query


def linked(docnum: int, urls: Iterable[str], find: Callable[[str], int | None]) -> list[int]:
    """Documents that the article's own related links point at, if they are in the index."""
    chosen: list[int] = []
    for url in urls:
        other = find(url)
        if other is not None and other != docnum and other not in chosen and len(chosen) < MAX_RELATED:
            chosen.append(other)
    return chosen


def nearest(ranker: Ranker, meta: DocMeta, docnum: int, key_terms: str, exclude: set[int], count: int) -> list[int]:
    """The ``count`` articles that share most of the article's keyword terms, from its subject when it has enough.

    :param key_terms: the article's first keyword terms (stemmed, space-separated), saved by the build.

    Only the rarest terms are asked for: they say what the article is about,
    and a common word's postings would make each hit cost milliseconds.
    """
    terms = sorted(key_terms.split(), key=ranker.frequency)[:RAREST_WORDS]
    if not terms or count <= 0:
        return []
    everywhere = [ranker.term_score(term) for term in terms]
    # The subject's own postings first: a word used across subjects has far fewer there to join.
    subject = meta.subject[docnum]
    own = [_only(part, meta.subject[part.ids] == subject) for part in everywhere]
    for parts in (own, everywhere):
        docs, key = _union(parts)
        keep = meta.live[docs]
        for other in exclude:
            keep &= docs != other
        if np.count_nonzero(keep) >= count:
            break
    return [int(d) for d in docs[keep][best(key[keep], docs[keep], count)]]


def _only(part: Sparse, keep: np.ndarray) -> Sparse:
    return Sparse(part.ids[keep], part.values[keep])


def _union(parts: list[Sparse]) -> tuple[np.ndarray, np.ndarray]:
    """The documents that hold any of the terms, keyed as a query of them ranks: more of them, then BM25 summed.

    Unlike the ranker's sort-based union, this one places each part's
    postings by binary search into the last: related questions run for every
    hit, and at 200,000 articles a keyword term has thousands of postings.
    """
    ids, total, held = parts[0].ids, parts[0].values, np.ones(len(parts[0].ids), dtype=np.int32)
    for n, part in enumerate(parts[1:]):
        if n:  # the first part's ids are ascending; a union of two is not
            order = np.argsort(ids, kind="stable")
            ids, total, held = ids[order], total[order], held[order]
        at = np.searchsorted(ids, part.ids)
        shared = at < len(ids)
        shared[shared] = ids[at[shared]] == part.ids[shared]
        total, held = total.copy(), held.copy()
        total[at[shared]] += part.values[shared]
        held[at[shared]] += 1
        fresh = ~shared
        ids = np.concatenate([ids, part.ids[fresh]])
        total = np.concatenate([total, part.values[fresh]])
        held = np.concatenate([held, np.ones(np.count_nonzero(fresh), dtype=np.int32)])
    return ids, held * (COVERAGE_STEP + EXACT_STEP) + total.astype(np.float64)
