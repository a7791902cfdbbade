"""Hostile queries cost a bounded time: the limits on length, words, typos and paging hold."""

import time

import pytest

from search.engine import MAX_PAGE
from search.engine import MAX_PER_PAGE
from search.query import MAX_CLAUSES
from search.query import MAX_QUERY_CHARS
from search.query import parse

HOSTILE = [
    " ".join(f"qwertyuiopasd{n}" for n in range(40)),  # many long unknown words: typo search on each
    "x" * 5000,  # one enormous word
    "a* b* c* d* e* f* g* h* i*",  # wildcards are just letters
    '"' + " ".join(["the"] * 60) + '"',  # a phrase of the most common word
    " ".join(["-" + chr(97 + n) for n in range(26)]),  # many exclusions
    "(" * 200 + ")" * 56,
    " ".join(["sort"] * 100),
]


def test_query_size_limits():
    query = parse(" ".join(f"word{n}" for n in range(100)))
    assert len(query.clauses) == MAX_CLAUSES
    assert len(parse("y" * 10_000).text) == MAX_QUERY_CHARS


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_finish_quickly(engine, text):
    started = time.perf_counter()
    engine.search(text, page=MAX_PAGE, per_page=MAX_PER_PAGE)
    engine.search(text)
    engine.suggest(text)
    assert time.perf_counter() - started < 2.0


def test_hostile_queries_on_the_real_sample(sample_index):
    from search.engine import Engine

    with Engine(sample_index) as engine:
        for text in HOSTILE:
            started = time.perf_counter()
            engine.search(text)
            assert time.perf_counter() - started < 2.0, text[:40]
