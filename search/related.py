"""Related questions for a hit: the article's own ``related_article*`` links that are in the
index, then the articles that share most of its keywords, preferring its own subject."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

import numpy as np

from index.docmeta import DocMeta
from search.query import Alternative
from search.query import Clause
from search.ranking import Ranker

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
    docs, key = ranker.matches([Clause(words=(term,), alternatives=(Alternative((term,)),)) for term in terms])
    keep = ~np.isin(docs, list(exclude))
    docs, key = docs[keep], key[keep]
    same_subject = meta.subject[docs] == meta.subject[docnum]
    if np.count_nonzero(same_subject) >= count:
        docs, key = docs[same_subject], key[same_subject]
    order = np.lexsort((docs, -key))[:count]
    return [int(d) for d in docs[order]]
