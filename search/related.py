"""Related questions for a hit: the article's own ``related_article*`` links that are in the
index, then the articles that share most of its keywords, preferring its own subject."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable

import numpy as np

from index.docmeta import DocMeta
from index.tokens import split_words
from search.query import word_clause
from search.ranking import Ranker

MAX_RELATED = 3
KEYWORD_WORDS = 12  # of the article's keywords, the first words that are considered…
RAREST_WORDS = 2  # …and how many of them, the rarest, form the "nearest" query


def linked(docnum: int, urls: Iterable[str], find: Callable[[str], int | None]) -> list[int]:
    """Documents that the article's own related links point at, if they are in the index."""
    chosen: list[int] = []
    for url in urls:
        other = find(url)
        if other is not None and other != docnum and other not in chosen and len(chosen) < MAX_RELATED:
            chosen.append(other)
    return chosen


def nearest(ranker: Ranker, meta: DocMeta, docnum: int, keywords: str, exclude: set[int], count: int) -> list[int]:
    """The ``count`` articles that share most of ``keywords``, from the same subject when it has enough.

    Only the rarest keyword words are asked for: they say what the article is
    about, and a common word's postings would make each hit cost milliseconds.
    """
    words = [w for keyword in keywords.split(",") for w in split_words(keyword)][:KEYWORD_WORDS]
    clauses = list({c.literal: c for c in map(word_clause, words) if not c.filler}.values())
    if not clauses or count <= 0:
        return []
    clauses.sort(key=lambda clause: min(ranker.frequency(term) for term in clause.terms))
    docs, key = ranker.matches(clauses[:RAREST_WORDS])
    keep = ~np.isin(docs, list(exclude))
    docs, key = docs[keep], key[keep]
    same_subject = meta.subject[docs] == meta.subject[docnum]
    if np.count_nonzero(same_subject) >= count:
        docs, key = docs[same_subject], key[same_subject]
    order = np.lexsort((docs, -key))[:count]
    return [int(d) for d in docs[order]]
