"""Filler left out of the ranking key and settled later ranks exactly as the full sum does.

The reference is the same engine with the full sum (``defer_filler`` forced off),
compared over every question cut after three to eight words, on several pages
and under a subject filter: hits, their order, their scores and the totals.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from index.articles import read_corpus
from index.build import build
from index.fields import BOOSTS
from search.engine import Engine
from search.query import parse
from search.ranking import NOTHING
from search.ranking import Ranker
from search.ranking import find_sorted
from tests.factory import write_article

FULL_SUM = Ranker.score


def _full_sum(self, clauses, phrases=None, defer_filler=False, extra=NOTHING):
    return FULL_SUM(self, clauses, phrases, False, extra)


def _prefixes(questions: list[str], seed: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(q.split()[: rng.randint(3, 8)]) for q in questions]


def _pages(index: Path, queries: list[str], subject: str) -> list:
    engine = Engine(index, semantic=False)
    try:
        found = []
        for query in queries:
            for page, subjects in ((1, ()), (3, ()), (1, (subject,))):
                result = engine.search(query, subjects=subjects, page=page, per_page=10)
                found.append((query, page, subjects, result.total, [(h.url, h.score) for h in result.hits]))
        return found
    finally:
        engine.close()


def _compare(monkeypatch, index: Path, queries: list[str], subject: str) -> None:
    settled = _pages(index, queries, subject)
    with monkeypatch.context() as patch:
        patch.setattr(Ranker, "score", _full_sum)
        full = _pages(index, queries, subject)
    differing = [(a, b) for a, b in zip(settled, full, strict=True) if a != b]
    assert not differing, differing[:3]


def _deferring(index: Path, queries: list[str]) -> int:
    """How many of ``queries`` leave some filler out of the key (so the comparison tests something)."""
    engine = Engine(index, semantic=False)
    try:
        with engine._using() as version:
            return sum(
                version.ranker.score(engine._expand(version, parse(q)).clauses, defer_filler=True).left_out > 0
                for q in queries
            )
    finally:
        engine.close()


def test_generated_articles_rank_as_the_full_sum_ranks_them(monkeypatch, updated_generated_index):
    engine = Engine(updated_generated_index, semantic=False)
    with engine._using() as version:
        questions = [version.questions[d] for d in range(version.meta.size) if version.meta.live[d]]
        subject = version.meta.subjects[0]
    engine.close()
    queries = _prefixes(random.Random(5).sample(questions, 300), seed=6)
    assert _deferring(updated_generated_index, queries) > len(queries) // 2
    _compare(monkeypatch, updated_generated_index, queries, subject)


def test_real_questions_rank_as_the_full_sum_ranks_them(monkeypatch, sample_dir, sample_index):
    articles = read_corpus(sample_dir).articles
    queries = _prefixes([a.question for a in articles], seed=7)
    assert _deferring(sample_index, queries) > len(queries) // 2
    _compare(monkeypatch, sample_index, queries, articles[0].subject)


def test_filler_orders_articles_that_tie_on_every_other_word(monkeypatch, tmp_path):
    """Sixty articles alike but for how often "the" stands in their answers: filler alone orders them."""
    corpus = tmp_path / "corpus"
    for number in range(60):
        write_article(
            corpus,
            f"a{number:02d}.md",
            id=number + 1,
            url=f"/learn/physics/questions/gyroscope-{number}",
            subject="Physics",
            question=f"How is a gyroscope {'balanced' if number % 2 else 'steadied'}?",
            answer="Gyroscope precession. " + "the " * (number % 7) + "End.",
        )
    build(corpus, tmp_path / "index")
    queries = ["what is the gyroscope", "the gyroscope", "how is the gyroscope balanced"]
    assert _deferring(tmp_path / "index", queries) == len(queries)
    _compare(monkeypatch, tmp_path / "index", queries, "Physics")


@pytest.mark.parametrize("query", ["what is the", "how does it"])
def test_a_query_of_only_filler_is_not_deferred(sample_index, query):
    assert _deferring(sample_index, [query]) == 0


@pytest.mark.parametrize("filler_bytes", [0, 1 << 30])
def test_filler_read_where_asked_scores_as_the_whole_word_does(updated_generated_index, filler_bytes):
    """Over two segments, from the filler cache (``filler_bytes``) or from each segment's postings."""
    engine = Engine(updated_generated_index, semantic=False)
    try:
        with engine._using() as version:
            assert len(version.postings.parts("answer", "the")) > 1
            ranker = Ranker(version.meta, version.postings.parts, BOOSTS, 0, filler_bytes)
            docs = np.flatnonzero(version.meta.live)[::3]
            for word in ("the", "what", "how", "is", "of", "whom"):
                clause = parse(f"{word} gyroscope").clauses[0]
                deferred = ranker.deferred(clause)
                whole = ranker.match(clause).score
                assert (deferred.kept is None) == (filler_bytes == 0 and len(whole.ids) > 0), word
                at, held = find_sorted(whole.ids, docs)
                expected = np.zeros(len(docs), dtype=np.float32)
                expected[held] = whole.values[at[held]]
                assert np.array_equal(deferred.at(docs), expected), word
                assert deferred.most == (float(whole.values.max()) if len(whole.ids) else 0.0), word
    finally:
        engine.close()


def test_filler_is_not_kept_among_the_scored_words(sample_index):
    queries = ("what is the gyroscope", "how does the heart pump blood", "what are the uses of it")
    filler = {term for q in queries for clause in parse(q).clauses if clause.filler for term in clause.terms}
    engine = Engine(sample_index, semantic=False)
    try:
        for query in queries:
            engine.search(query)
        with engine._using() as version:
            kept = set(version.ranker._terms._entries)
        # "uses" is asked for, but its stem is filler's ("use"): its scores are those the version prepared.
        assert len(filler) >= 8 and {"gyroscop", "heart"} <= kept and not kept & filler, kept & filler
    finally:
        engine.close()


def _assert_scores_alike(ranker: Ranker, reference: Ranker, words: tuple[str, ...]) -> None:
    for word in words:
        found, expected = ranker.term_score(word), reference.term_score(word)
        assert np.array_equal(found.ids, expected.ids) and np.array_equal(found.values, expected.values), word


def test_prepared_filler_scores_as_it_would_unprepared(updated_generated_index):
    """Over two segments: the scores ``prepare`` keeps are those ``term_score`` finds in the postings, to the bit."""
    engine = Engine(updated_generated_index, semantic=False)
    try:
        with engine._using() as version:
            words = ("the", "what", "how", "is", "of", "whom")
            fresh = Ranker(version.meta, version.postings.parts, BOOSTS, 0, 0)
            prepared = Ranker(version.meta, version.postings.parts, BOOSTS, 0, 1 << 30)
            prepared.prepare(words)
            _assert_scores_alike(prepared, fresh, words)
    finally:
        engine.close()


def test_a_query_of_only_filler_reads_no_postings_once_a_version_is_open(sample_index):
    """The first visitor to ask "what is the" does not pay for scoring three of the longest lists."""

    def unread(term: str):
        raise AssertionError(f"{term} scored from its postings")

    engine = Engine(sample_index, semantic=False)
    try:
        with engine._using() as version:
            version.ranker._saturated = unread
        for query in ("what is the", "how does it", "what are the"):
            assert engine.search(query, related=0).hits, query
    finally:
        engine.close()


def test_terms_scored_segment_by_segment_score_as_over_joined_postings(updated_generated_index):
    """A version an update extended: each segment's postings scored in turn give the scores of the joined lists."""
    engine = Engine(updated_generated_index, semantic=False)
    try:
        with engine._using() as version:
            store = version.postings
            joined = Ranker(version.meta, lambda field, term: [store.lookup(field, term)], BOOSTS)
            by_segment = Ranker(version.meta, store.parts, BOOSTS)
            words = ("the", "gyroscope", "what", "balanced", "energy", "whom")
            assert any(len(store.parts("answer", word)) > 1 for word in words)
            _assert_scores_alike(by_segment, joined, words)
            assert [by_segment.frequency(word) for word in words] == [joined.frequency(word) for word in words]
    finally:
        engine.close()
