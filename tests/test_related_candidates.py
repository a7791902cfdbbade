"""Related questions' candidates against every article's shared weight counted one by one."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search import related
from search.related import Neighbours

TERMS = ("t0", "t1", "t2", "t3", "t4", "t5")


def _index(keywords: list[set[str]], live: list[bool], split: int) -> tuple[SimpleNamespace, dict]:
    """A docmeta and each term's postings, in two segments split at docnum ``split``."""
    meta = SimpleNamespace(live=np.array(live), size=len(live), subject=np.zeros(len(live), dtype=np.int16))
    postings = {}
    for term in TERMS:
        ids = np.array([d for d, terms in enumerate(keywords) if term in terms], dtype=np.int32)
        postings[term] = [SimpleNamespace(ids=part) for part in (ids[ids < split], ids[ids >= split]) if len(part)]
    return meta, postings


def _by_hand(neighbours: Neighbours, mine: dict[str, float], exclude: set[int], postings: dict) -> list[int]:
    """The live, not excluded articles sharing the most weight with ``mine``, added in the order the code adds."""
    total: dict[int, float] = defaultdict(float)
    for term, weight in mine.items():
        for part in postings[term]:
            for doc in part.ids:
                total[int(doc)] += weight**2
    found = [d for d, t in total.items() if t > 0 and neighbours.meta.live[d] and d not in exclude]
    return sorted(found, key=lambda d: (-total[d], d))[: related.CANDIDATES]


@settings(max_examples=300, deadline=None)
@given(
    keywords=st.lists(st.sets(st.sampled_from(TERMS), min_size=1), min_size=1, max_size=60),
    dead=st.sets(st.integers(0, 59), max_size=8),
    candidates=st.integers(1, 8),
    generic=st.integers(1, 30),
    split=st.integers(0, 60),
    data=st.data(),
)
def test_candidates_are_the_articles_sharing_the_most_weight(keywords, dead, candidates, generic, split, data):
    live = [d not in dead for d in range(len(keywords))]
    meta, postings = _index(keywords, live, split)
    key_terms = [" ".join(sorted(terms)) for terms in keywords]
    # Small limits, so that a few dozen articles hold both generic terms and more candidates than are kept.
    with (
        mock.patch.object(related, "CANDIDATES", candidates),
        mock.patch.object(related, "GENERIC_MIN", generic),
    ):
        neighbours = Neighbours(meta, lambda _field, term: postings.get(term, []), key_terms)
        docnum = data.draw(st.integers(0, len(keywords) - 1))
        mine = neighbours.terms(docnum)
        if mine:
            exclude = {docnum, *data.draw(st.sets(st.integers(0, len(keywords) - 1), max_size=3))}
            assert neighbours._candidates(mine, exclude) == _by_hand(neighbours, mine, exclude, postings)
