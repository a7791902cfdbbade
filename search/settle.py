"""Ranking keys made whole where the ranking reads them.

Filler words ("what", "the") stand in most articles, and adding their scores to
every article's key cost half the scoring of a typical question at 200,000
articles, though filler only orders articles that other words match.
``Ranker.score(..., defer_filler=True)`` leaves it out of the key; a ``Settler``
adds it back for the articles that can rank among the first ``depth``: those the
partial key puts first, and every other one whose key could still pass them once
its filler is added. A settled key is the one the full sum gives, to the bit: each
article's clause scores are added in clause order, as ``sparse_sum`` adds them.
"""

from __future__ import annotations

import numpy as np

from search.ranking import EXACT_SHARE
from search.ranking import Deferred
from search.ranking import Scored
from search.ranking import best
from search.ranking import find_sorted
from search.ranking import presence_bonus

DENSE_SHARE = 16  # settling more than one article in this many works over arrays of every article
TOLERANCE = 1e-5  # relative: the float32 rounding of a key's word scores


class Settler:
    """Settles the keys of one query's ranking, each article once."""

    def __init__(self, scored: Scored) -> None:
        self._scored = scored
        self._settled = np.zeros(len(scored.key), dtype=bool)

    def settle(self, key: np.ndarray, docs: np.ndarray) -> None:
        """Make the keys of ``docs`` whole, unless settled before (a later bonus stays)."""
        if not self._scored.left_out:
            return
        docs = docs[~self._settled[docs]]
        key[docs] = self._whole(docs)
        self._settled[docs] = True

    def settle_best(self, key: np.ndarray, among: np.ndarray, depth: int) -> np.ndarray:
        """Make whole the keys of every article of ``among`` (bool per docnum) that can rank in the first ``depth``.

        Those the partial keys put first are settled, and then every other whose partial
        key is within the filler left out of the last of them: no other can pass it.

        :return: the first ``depth`` articles of ``among`` by the settled keys, best first.
        """
        docs = np.flatnonzero(among)
        keys = key[docs]
        places = best(keys, docs, depth)
        first = docs[places]
        if not self._scored.left_out or not len(first):
            return first
        self.settle(key, first)
        keys[places] = key[first]  # only theirs changed: no second gather over every match
        reached = float(keys[places].min())
        floor = reached - self._scored.left_out - TOLERANCE * max(1.0, abs(reached))
        contenders = docs[keys >= floor]
        self.settle(key, contenders)
        return contenders[best(key[contenders], contenders, depth)]

    def _whole(self, docs: np.ndarray) -> np.ndarray:
        scored = self._scored
        if len(docs) * DENSE_SHARE > len(scored.key):
            return _whole_dense(scored, docs)
        total = np.zeros(len(docs))
        for score in scored.scores:
            if isinstance(score, Deferred):
                total += score.at(docs)
            else:
                at, held = find_sorted(score.ids, docs)
                total[held] += score.values[at[held]]
        bonus = np.zeros(len(docs))
        for worth, whole, exact in zip(scored.worths, scored.present, scored.exact, strict=True):
            if worth:
                bonus += worth * find_sorted(whole, docs)[1]
                bonus += worth * EXACT_SHARE * find_sorted(exact, docs)[1]
        return _plus_extra(bonus + total.astype(np.float32), scored, docs)


def _whole_dense(scored: Scored, docs: np.ndarray) -> np.ndarray:
    """``Settler._whole`` over arrays of every article: for many documents, a pass over each posting list."""
    total = np.zeros(len(scored.key))
    for score in scored.scores:
        if isinstance(score, Deferred):
            total[docs] += score.at(docs)
        else:
            total[score.ids] += score.values
    bonus = presence_bonus(scored.worths, scored.present, scored.exact, len(scored.key))
    return _plus_extra(bonus[docs] + total[docs].astype(np.float32), scored, docs)


def _plus_extra(key: np.ndarray, scored: Scored, docs: np.ndarray) -> np.ndarray:
    """``key`` of ``docs`` with ``scored.extra`` added, last, as ``Ranker.score`` adds it."""
    at, held = find_sorted(scored.extra.ids, docs)
    key[held] += scored.extra.values[at[held]]
    return key
