"""Question proximity: among equally good matches, the article whose question holds the
query's words in the same order, close together, comes first."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from search.query import Clause
from search.ranking import top

RERANK_DEPTH = 50  # only the best candidates are worth reading questions for
BONUS = 3.0  # for a question with every pair of consecutive query words in order; below one exactness step
WINDOW = 3  # "close together": the next word at most this many positions later


# For some documents, each query term's word positions in their questions.
PositionsOf = Callable[[np.ndarray], list[dict[str, list[int]]]]


def order_score(positions: dict[str, list[int]], clauses: Sequence[Clause]) -> float:
    """The share of consecutive query-word pairs that stand in order, close together, in a question.

    :param positions: where each query term stands in the question.
    """
    content = [clause for clause in clauses if not clause.filler]
    if len(content) < 2:
        return 0.0
    where = [sorted({p for term in clause.terms for p in positions.get(term, ())}) for clause in content]
    pairs = sum(any(0 < b - a <= WINDOW for a in first for b in second) for first, second in pairwise(where))
    return pairs / (len(content) - 1)


def rerank(candidates: np.ndarray, key: np.ndarray, clauses: Sequence[Clause], positions_of: PositionsOf) -> np.ndarray:
    """``key`` with the proximity bonus added for the best ``RERANK_DEPTH`` candidates."""
    if sum(1 for clause in clauses if not clause.filler) < 2:
        return key
    adjusted = key.copy()
    docs = top(candidates, key, 0, RERANK_DEPTH)
    for doc, positions in zip(docs, positions_of(docs), strict=True):
        adjusted[doc] += BONUS * order_score(positions, clauses)
    return adjusted
