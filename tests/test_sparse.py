"""Sums and maxima of sparse score lists against adding them up one document at a time."""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search.ranking import Sparse
from search.ranking import sparse_max
from search.ranking import sparse_sum

DOCS = 400


def _parts(draw_sets: list[set[int]], seed: int) -> list[Sparse]:
    rng = np.random.default_rng(seed)
    return [
        Sparse(np.array(sorted(ids), dtype=np.int32), rng.random(len(ids), dtype=np.float32) * 10) for ids in draw_sets
    ]


def _by_hand(parts: list[Sparse], combine: Callable[[float, float], float]) -> dict[int, float]:
    """Each document's values combined one at a time, in the parts' order (in float64, as numpy adds)."""
    found: dict[int, float] = {}
    for part in parts:
        for doc, value in zip(part.ids.tolist(), part.values.tolist(), strict=True):
            found[doc] = combine(found[doc], value) if doc in found else value
    return found


parts_strategy = st.lists(st.sets(st.integers(0, DOCS - 1), max_size=60), max_size=12)


@settings(max_examples=300, deadline=None)
# size 0 never takes the pass over every document; DOCS takes it whenever the lists are long.
@given(draw_sets=parts_strategy, seed=st.integers(0, 2**32 - 1), size=st.sampled_from([0, DOCS]))
def test_sum_adds_each_documents_values_in_the_parts_order(draw_sets, seed, size):
    parts = _parts(draw_sets, seed)
    expected = _by_hand(parts, operator.add)
    found = sparse_sum(parts, size)
    assert found.ids.tolist() == sorted(expected)
    assert found.values.tolist() == [float(np.float32(expected[doc])) for doc in sorted(expected)]


@settings(max_examples=200, deadline=None)
@given(draw_sets=parts_strategy, seed=st.integers(0, 2**32 - 1), size=st.sampled_from([0, DOCS]))
def test_max_is_each_documents_largest_value(draw_sets, seed, size):
    parts = _parts(draw_sets, seed)
    expected = _by_hand(parts, max)
    found = sparse_max(parts, size)
    assert found.ids.tolist() == sorted(expected)
    assert found.values.tolist() == [expected[doc] for doc in sorted(expected)]
