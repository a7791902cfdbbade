"""The ranking's top places against sorting every document."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search.ranking import best


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(0, 3000),
    levels=st.sampled_from([1, 2, 5, 1000]),
    count=st.integers(1, 12),
    seed=st.integers(0, 2**32 - 1),
)
def test_best_is_the_first_places_by_key_then_docnum(size, levels, count, seed):
    # Few levels make long ties: the order among them is the lower docnum first.
    rng = np.random.default_rng(seed)
    keys = rng.integers(0, levels, size) + np.where(rng.random(size) < 0.5, rng.random(size), 0.0)
    docs = np.sort(rng.choice(10 * size + 1, size, replace=False))
    expected = sorted(range(size), key=lambda i: (-keys[i], docs[i]))[:count]
    assert best(keys, docs, count).tolist() == expected
