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
from search.ranking import top

MAX_RELATED = 3
KEYWORD_WORDS = 12  # of the article's keywords, the first words that form the "nearest" query


def linked(docnum: int, urls: Iterable[str], find: Callable[[str], int | None]) -> list[int]:
    """Documents that the article's own related links point at, if they are in the index."""
    chosen: list[int] = []
    for url in urls:
        other = find(url)
        if other is not None and other != docnum and other not in chosen and len(chosen) < MAX_RELATED:
            chosen.append(other)
    return chosen


def nearest(ranker: Ranker, meta: DocMeta, docnum: int, keywords: str, exclude: set[int], count: int) -> list[int]:
    """The ``count`` articles that share most of ``keywords``, from the same subject when it has enough."""
    words = [w for keyword in keywords.split(",") for w in split_words(keyword)][:KEYWORD_WORDS]
    clauses = list({c.literal: c for c in map(word_clause, words) if not c.filler}.values())
    if not clauses or count <= 0:
        return []
    scored = ranker.score(clauses)
    candidates = scored.matched.copy()
    candidates[list(exclude)] = False
    same_subject = candidates & (meta.subject == meta.subject[docnum])
    if np.count_nonzero(same_subject) >= count:
        candidates = same_subject
    return [int(d) for d in top(candidates, scored.key, 0, count)]
