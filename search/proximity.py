"""Proximity: among close matches, the article whose question, answer and keywords hold the
query's words in the same order, close together, comes first."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from search.query import Clause

RERANK_DEPTH = 50  # only the best candidates are worth reading questions for
BONUS = 3.0  # for a question with every pair of consecutive query words in order; below one exactness step
WINDOW = 3  # "close together": the next word at most this many positions later
# A pair of words side by side counts 1; a pair with words between them, within WINDOW,
# this much ("reinforcement related to learning" is not "reinforcement learning"). Chosen
# on the tune queries: 0.25 and 0.5 ranked alike at 200,000, 0.25 a little better at 20,000.
APART = 0.25
# For an answer that holds every pair of neighbouring query words (filler with a word
# included: "for loop", "E[X] = sum x") close together and in order. Chosen on the
# relevance benchmark's tune queries: 3 to 6 gained alike, 10 lost acronyms.
ANSWER_BONUS = 5.0
# For keywords holding the query's words in order side by side within one entry: the
# topics the author gave the article. Chosen on the tune queries and on the real sample's
# keyword phrases as queries among 20,000 distractors: up to 4 cost no tune query, 6 and
# above moved one tune query to second place.
KEYWORDS_BONUS = 4.0


# For some documents, each query term's word positions in one of their fields.
PositionsOf = Callable[[str, np.ndarray], list[dict[str, list[int]]]]


def order_score(positions: dict[str, list[int]], clauses: Sequence[Clause]) -> float:
    """The share of consecutive query words, filler left out, that stand in order, close together, in a question.

    :param positions: where each query term stands in the question.
    """
    return _share_in_order(positions, list(pairwise(c for c in clauses if not c.filler)))


def pair_score(positions: dict[str, list[int]], clauses: Sequence[Clause]) -> float:
    """The share of neighbouring query clauses, not both filler, that stand in order, close together, in a text.

    :param positions: where each query term stands in the text.
    """
    return _share_in_order(positions, [(a, b) for a, b in pairwise(clauses) if not (a.filler and b.filler)])


def _share_in_order(positions: dict[str, list[int]], pairs: list[tuple[Clause, Clause]]) -> float:
    if not pairs:
        return 0.0
    held = 0.0
    where: dict[int, set[int]] = {}  # per clause: a clause stands in two pairs, and most articles lack some
    for first, second in pairs:
        following = _where(positions, second, where)
        starts = _where(positions, first, where) if following else following
        if not starts:
            continue
        if any(p + 1 in following for p in starts):
            held += 1
        elif any(p + step in following for p in starts for step in range(2, WINDOW + 1)):
            held += APART
    return held / len(pairs)


def _where(positions: dict[str, list[int]], clause: Clause, known: dict[int, set[int]]) -> set[int]:
    found = known.get(id(clause))
    if found is None:
        found = known[id(clause)] = {p for term in clause.terms for p in positions.get(term, ())}
    return found


def rerank(leaders: np.ndarray, key: np.ndarray, clauses: Sequence[Clause], positions_of: PositionsOf) -> np.ndarray:
    """``key`` with the proximity bonuses of question, answer and keywords added for the first ``RERANK_DEPTH`` leaders.

    :param leaders: the best candidates by ``key``, best first.
    """
    if len(clauses) < 2:
        return key
    adjusted = key.copy()
    docs = leaders[:RERANK_DEPTH]
    for doc, positions in zip(docs, positions_of("question", docs), strict=True):
        adjusted[doc] += BONUS * order_score(positions, clauses)
    for doc, positions in zip(docs, positions_of("answer", docs), strict=True):
        adjusted[doc] += ANSWER_BONUS * pair_score(positions, clauses)
    for doc, positions in zip(docs, positions_of("keywords", docs), strict=True):
        adjusted[doc] += KEYWORDS_BONUS * order_score(positions, clauses)
    return adjusted
