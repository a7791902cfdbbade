"""Whether some match holds every word: the chunked search through the rarest list against a plain set intersection."""

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search.ranking import WHOLE_TRIED
from search.ranking import held_whole

SIZE = 3 * WHOLE_TRIED  # documents: the rarest list runs over several of the chunks it is tried in


def _lists(draw_sets: list[set[int]]) -> list[np.ndarray]:
    return [np.array(sorted(found), dtype=np.int32) for found in draw_sets]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sets(st.integers(0, SIZE - 1), max_size=SIZE), min_size=1, max_size=5),
    st.sets(st.integers(0, SIZE - 1), max_size=SIZE),
)
def test_held_whole_is_whether_the_lists_and_the_matches_share_a_document(lists, matches):
    matched = np.zeros(SIZE, dtype=bool)
    matched[list(matches)] = True
    assert held_whole(_lists(lists), matched) == bool(set.intersection(*lists, matches))


def test_a_document_shared_only_past_the_first_chunks_is_found():
    rarest = np.arange(2 * WHOLE_TRIED + 1, dtype=np.int32)  # three chunks
    # Longer than the rarest, and sharing with it only its last document.
    other = np.concatenate(([2 * WHOLE_TRIED], np.arange(SIZE, 2 * SIZE))).astype(np.int32)
    matched = np.ones(2 * SIZE, dtype=bool)
    assert held_whole([other, rarest], matched)
    matched[2 * WHOLE_TRIED] = False
    assert not held_whole([other, rarest], matched)
