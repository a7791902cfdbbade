"""Question proximity: among equally good matches, the article whose question holds the
query's words in the same order, close together, comes first."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from index.tokens import stem
from index.tokens import tokenize
from search.query import Clause
from search.ranking import top

RERANK_DEPTH = 50  # only the best candidates are worth reading questions for
BONUS = 3.0  # for a question with every pair of consecutive query words in order; below one exactness step
WINDOW = 3  # "close together": the next word at most this many positions later


def order_score(question: str, clauses: Sequence[Clause]) -> float:
    """The share of consecutive query-word pairs that stand in order, close together, in ``question``."""
    content = [clause for clause in clauses if not clause.filler]
    if len(content) < 2:
        return 0.0
    positions: dict[str, list[int]] = {}
    for word, position, _start, _end in tokenize(question):
        positions.setdefault(stem(word), []).append(position)
    where = [sorted({p for term in clause.terms for p in positions.get(term, ())}) for clause in content]
    pairs = sum(any(0 < b - a <= WINDOW for a in first for b in second) for first, second in pairwise(where))
    return pairs / (len(content) - 1)


def rerank(
    candidates: np.ndarray, key: np.ndarray, clauses: Sequence[Clause], question_of: Callable[[int], str]
) -> np.ndarray:
    """``key`` with the proximity bonus added for the best ``RERANK_DEPTH`` candidates."""
    if sum(1 for clause in clauses if not clause.filler) < 2:
        return key
    adjusted = key.copy()
    for doc in top(candidates, key, 0, RERANK_DEPTH):
        adjusted[doc] += BONUS * order_score(question_of(int(doc)), clauses)
    return adjusted
