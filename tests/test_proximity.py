"""Proximity over all reranked documents at once, against a document-by-document reading of the same rule."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search.proximity import APART
from search.proximity import FORMULA_RERANK_DEPTH
from search.proximity import RERANK_DEPTH
from search.proximity import WINDOW
from search.proximity import rerank
from search.proximity import share_in_order
from search.query import Alternative
from search.query import Clause

TERMS = ("a", "b", "c", "d")
# Clauses as the query makes them: one term, or a word with a second spelling (a compound's joined form).
CLAUSES = (("a",), ("b",), ("c", "d"), ("d",))


def _clause(terms: tuple[str, ...]) -> Clause:
    return Clause(words=terms, alternatives=tuple(Alternative((t,)) for t in terms))


def _expected(document: dict[str, set[int]], pairs: list[tuple[Clause, Clause]]) -> float:
    held = 0.0
    for first, second in pairs:
        starts = set().union(*(document.get(t, set()) for t in first.terms))
        following = set().union(*(document.get(t, set()) for t in second.terms))
        gaps = {b - a for a in starts for b in following}
        if 1 in gaps:
            held += 1
        elif gaps & set(range(2, WINDOW + 1)):
            held += APART
    return held / len(pairs)


documents = st.lists(
    st.dictionaries(st.sampled_from(TERMS), st.sets(st.integers(0, 12), min_size=1, max_size=6)),
    min_size=1,
    max_size=8,
)


@settings(max_examples=300, deadline=None)
@given(documents, st.lists(st.sampled_from(CLAUSES), min_size=2, max_size=5))
def test_share_in_order_is_that_of_each_document_alone(docs, chosen):
    clauses = [_clause(terms) for terms in chosen]
    pairs = list(pairwise(clauses))
    where = {}
    for term in TERMS:
        rows = [(row, p) for row, document in enumerate(docs) for p in sorted(document.get(term, ()))]
        if rows:
            owners, positions = zip(*rows, strict=True)
            where[term] = (np.array(owners, dtype=np.int64), np.array(positions, dtype=np.int64))
    found = share_in_order(where, pairs, len(docs))
    assert found.tolist() == [_expected(document, pairs) for document in docs]


def test_a_pair_side_by_side_counts_more_than_one_apart():
    a, b = _clause(("a",)), _clause(("b",))
    beside = {"a": (np.array([0]), np.array([4])), "b": (np.array([0]), np.array([5]))}
    apart = {"a": (np.array([0]), np.array([4])), "b": (np.array([0]), np.array([4 + WINDOW]))}
    far = {"a": (np.array([0]), np.array([4])), "b": (np.array([0]), np.array([5 + WINDOW]))}
    assert [share_in_order(w, [(a, b)], 1)[0] for w in (beside, apart, far)] == [1.0, APART, 0.0]


def _side_by_side(terms: set[str], _field: str, docs: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every document holds the terms in alphabetical order, one after the other."""
    rows = np.arange(len(docs))
    return {term: (rows, np.full(len(docs), place)) for place, term in enumerate(sorted(terms))}


def test_a_formula_is_reranked_deeper_than_words():
    leaders = np.arange(2 * FORMULA_RERANK_DEPTH)
    words = [_clause(("alpha",)), _clause(("beta",))]
    letters = [_clause(("x",)), _clause(("y",))]  # a formula's letters: common, told apart by their order
    for clauses, depth in ((words, RERANK_DEPTH), (letters, FORMULA_RERANK_DEPTH)):
        key = rerank(leaders, np.zeros(len(leaders)), clauses, _side_by_side)
        assert np.flatnonzero(key).tolist() == list(range(depth))
