"""How meaning joins the words in one ranking.

When some article holds every word the query asks for, the ranking is by
words alone: the visitor named the article's own words, and exact matches
stay first. The further the best match falls short of the query's words,
the more the articles nearest by meaning gain: each of the nearest gets a
bonus for its similarity above ``FLOOR``, weighted by how much of the query
no article holds, and the ``MEANING_HITS`` nearest join the matches even when
they hold none of the words. An article the words put clearly first (``LEAD``)
keeps its lead: it gains as much as the nearest article does.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.english import common_words
from search.query import Clause
from search.ranking import Scored
from search.ranking import Sparse
from search.ranking import counted_clauses
from search.ranking import held_whole

FLOOR = 0.2  # cosine similarity that earns nothing: unrelated texts reach it
WEIGHT = 4800.0  # bonus per unit of similarity above FLOOR when no word of the query is found
SHORTFALL_POWER = 2  # a query that misses a little gains little: a typo or a stray word is no paraphrase
MEANING_HITS = 20  # nearest articles that match by meaning alone
# A first match by words whose key is this many times the second's is the article asked for:
# meaning's noise ("inclusive or" near "inclusive education") must not pass it. Chosen on the
# relevance benchmark's tune queries at 20,000 and 200,000: 1.6 to 1.8 cost no query there,
# 1.5 cost two paraphrases at 200,000 (their first match by words led by 1.55 and 1.58).
LEAD = 1.6


def shortfall(clauses: Sequence[Clause], scored: Scored) -> float:
    """How much of the query the best match lacks: 0 when one article holds every counted word, up to 1."""
    counted = counted_clauses(clauses)
    words = sum(len(clause.words) for clause, asked in zip(clauses, counted, strict=True) if asked)
    if not words:
        return 0.0
    asked = [(clause, present) for clause, present, a in zip(clauses, scored.present, counted, strict=True) if a]
    if held_whole([present for _clause, present in asked], scored.matched):
        return 0.0  # nearly every query: its own article holds all of it, and no pass over every match is needed
    held = np.zeros(len(scored.matched), dtype=np.int32)
    for clause, present in asked:
        held[present] += len(clause.words)
    best = int(held[scored.matched].max()) if scored.matched.any() else 0
    return max(0.0, 1.0 - best / words)


def by_meaning_helps(clauses: Sequence[Clause], matched: np.ndarray, short: float) -> bool:
    """Whether meaning joins the ranking: where the best match by words falls short of the query, and,
    where no article holds any of its words, only for words of common English ("why heavens look
    cerulean"). The model places names and jargon the site never uses ("kubernetes", "csrf") and
    strings that are no words ("zxqv") near unrelated articles, as near as real paraphrases come."""
    if short <= 0:
        return False
    if matched.any():
        return True
    english = common_words()
    words = [word for clause in clauses if not clause.filler for word in clause.words]
    return not english or all(word in english for word in words)  # without the list, as before it


def fuse(
    matched: np.ndarray, key: np.ndarray, near: Sparse, short: float, leaders: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The matches and ranking key with meaning added: ``near`` holds similarities, ``short`` is ``shortfall``.

    :param leaders: the best matches by words, best first, their keys whole (two are enough).
    :return: new arrays; the inputs are not changed.
    """
    weight = WEIGHT * short**SHORTFALL_POWER
    if not weight or not len(near.ids):
        return matched, key
    bonus = weight * np.maximum(near.values - FLOOR, 0.0)
    fused_key = np.where(matched, key, 0.0)
    fused_key[near.ids] += bonus
    if _decisive(key, leaders):
        fused_key[leaders[0]] = key[leaders[0]] + bonus.max()
    fused = matched.copy()
    nearest = near.ids[np.argsort(-near.values, kind="stable")[:MEANING_HITS]]
    fused[nearest[near.values[np.searchsorted(near.ids, nearest)] > FLOOR]] = True
    return fused, fused_key


def _decisive(key: np.ndarray, leaders: np.ndarray) -> bool:
    """Whether the first of ``leaders`` leads by words clearly: ``LEAD`` times the second's key, or alone."""
    if not len(leaders) or key[leaders[0]] <= 0:
        return False
    return len(leaders) == 1 or key[leaders[0]] >= LEAD * key[leaders[1]]
