"""Proximity: among close matches, the article whose question, answer and keywords hold the
query's words in the same order, close together, comes first."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from search.query import Alternative
from search.query import Clause
from search.ranking import Ranker

RERANK_DEPTH = 50  # only the best candidates are worth reading questions for
# A formula's letters ("E[X] = sum x p(x)") stand in many articles, so the words alone rank the
# article that writes the formula below many that merely hold its letters: the letters' order
# tells them apart, read twice as deep. Chosen on the relevance benchmark's tune queries at
# 200,000 articles: 100 and 200 ranked alike, and no query moved at 20,000.
FORMULA_RERANK_DEPTH = 100
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


# Per occurrence of a query term in one field of the reranked documents: the document's row
# among them, and the position.
Where = tuple[np.ndarray, np.ndarray]
PositionsOf = Callable[[set[str], str, np.ndarray], dict[str, Where]]  # (terms, field, docs)
ROW_SHIFT = 32  # a row and a position as one int64 key: row << ROW_SHIFT | position


def share_in_order(where: dict[str, Where], pairs: Sequence[tuple[Clause, Clause]], rows: int) -> np.ndarray:
    """Per row, the share of ``pairs`` whose clauses stand in order, close together: a pair side by side
    counts 1, one with words between them within ``WINDOW`` counts ``APART``.

    All rows at once: a loop over each document's words cost most of the rerank.
    """
    held = np.zeros(rows)
    if not pairs:
        return held
    known: dict[int, np.ndarray] = {}  # per clause: a clause stands in two pairs
    for first, second in pairs:
        beside, near = _followed(_keys(where, first, known), _keys(where, second, known), rows)
        held += np.where(beside, 1.0, np.where(near, APART, 0.0))
    return held / len(pairs)


def _keys(where: dict[str, Where], clause: Clause, known: dict[int, np.ndarray]) -> np.ndarray:
    """The ascending keys of where any of the clause's terms stands (two terms may stand at one place)."""
    found = known.get(id(clause))
    if found is None:
        found = known[id(clause)] = _term_keys(where, clause.terms)
    return found


def _term_keys(where: dict[str, Where], terms: Iterable[str]) -> np.ndarray:
    parts = [(where[t][0].astype(np.int64) << ROW_SHIFT) | where[t][1] for t in terms if t in where]
    # Sorted, not made unique: a key twice finds what it finds once, and ``np.unique`` cost twice the sort.
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def _followed(starts: np.ndarray, following: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, whether a key of ``following`` stands right after one of ``starts``, and whether one stands
    within ``WINDOW`` after one: the first key after each start tells both, in one search."""
    beside, near = np.zeros(rows, dtype=bool), np.zeros(rows, dtype=bool)
    if len(starts) and len(following):
        at = np.searchsorted(following, starts, side="right")
        reached = at < len(following)
        gap = following[np.minimum(at, len(following) - 1)] - starts
        owners = starts >> ROW_SHIFT
        beside[owners[reached & (gap == 1)]] = True
        near[owners[reached & (gap > 1) & (gap <= WINDOW)]] = True
    return beside, near


def rerank_depth(clauses: Sequence[Clause]) -> int:
    """How many of the best candidates the proximity bonuses are read for."""
    return FORMULA_RERANK_DEPTH if any(clause.notation for clause in clauses) else RERANK_DEPTH


def rerank(leaders: np.ndarray, key: np.ndarray, clauses: Sequence[Clause], positions_of: PositionsOf) -> np.ndarray:
    """``key``, changed in place, with the proximity bonuses of question, answer and keywords added for the
    first ``rerank_depth`` leaders: a copy of a key over every article cost a fortieth of a search.

    In question and keywords, consecutive query words count, filler left out; in the answer, neighbouring
    clauses that are not both filler ("for loop", "E[X] = sum x").

    :param leaders: the best candidates by ``key``, best first.
    """
    if len(clauses) < 2:
        return key
    docs = leaders[: rerank_depth(clauses)]
    in_order = list(pairwise(c for c in clauses if not c.filler))
    neighbours = [(a, b) for a, b in pairwise(clauses) if not (a.filler and b.filler)]
    for field, bonus, pairs in (
        ("question", BONUS, in_order),
        ("answer", ANSWER_BONUS, neighbours),
        ("keywords", KEYWORDS_BONUS, in_order),
    ):
        if pairs:
            # Only the terms of the pairs: filler, the longest lists, is in none of the question's or keywords'.
            terms = {term for pair in pairs for clause in pair for term in clause.terms}
            key[docs] += bonus * share_in_order(positions_of(terms, field, docs), pairs, len(docs))
    return key


def scattered(
    leaders: np.ndarray,
    key: np.ndarray,
    clauses: Sequence[Clause],
    worths: Sequence[float],
    ranker: Ranker,
    positions_of: PositionsOf,
) -> np.ndarray:
    """``key``, changed in place, where one of the first ``rerank_depth`` leaders holds a synonym of several
    words only apart: it ranks among them as its words do ("at least one base case ... multiple times" is not
    the least common multiple, "lcm"), not as the entry. Holding every word was the ranker's test, as positions
    for every holder cost too much (63 ms for "operating system" at 200,000 articles); a few leaders' cost little.
    """
    docs = leaders[: rerank_depth(clauses)]
    change = np.zeros(len(docs))
    for clause, worth in zip(clauses, worths, strict=True):
        wide = [a for a in clause.alternatives if a.synonym and len(a.terms) > 1]
        if not wide or not len(docs):
            continue
        apart = ~_together(docs, wide, positions_of)
        if apart.any():
            change += ranker.clause_key_at(clause, worth, docs, apart) - ranker.clause_key_at(clause, worth, docs)
    # Raised, the others by as much as any lost: pages past these leaders are drawn from the articles
    # below them, and a leader's key must stay above those (``_Matches.leaders``).
    if len(change) and change.min() < 0:
        key[docs] += change - change.min()
    return key


def _together(docs: np.ndarray, alternatives: Sequence[Alternative], positions_of: PositionsOf) -> np.ndarray:
    """Per doc, whether the words of one of ``alternatives`` stand in order in one field, each within ``WINDOW``
    of the last: a filler word the entry leaves out may stand between ("integrity and availability")."""
    found = np.zeros(len(docs), dtype=bool)
    for field in ("question", "keywords", "answer"):
        where = positions_of({t for a in alternatives for t in a.terms}, field, docs)
        for alternative in alternatives:
            reached = _term_keys(where, alternative.terms[:1])
            for term in alternative.terms[1:]:
                reached = _within_after(reached, _term_keys(where, (term,)))
            found[reached >> ROW_SHIFT] = True
    return found


def _within_after(starts: np.ndarray, following: np.ndarray) -> np.ndarray:
    """The keys of ``following`` that stand within ``WINDOW`` after a key of ``starts`` (both ascending)."""
    if not len(starts) or not len(following):
        return following[:0]
    before = np.searchsorted(starts, following, side="left") - 1  # the last start ahead of each
    gap = following - starts[np.maximum(before, 0)]
    return following[(before >= 0) & (gap <= WINDOW)]  # keys of another row differ by far more
