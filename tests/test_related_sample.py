"""Related questions over the real sample: mutual, within a subject unless strong, there when close."""

from __future__ import annotations

import numpy as np
import pytest

from search.engine import Engine
from search.related import CLOSE


@pytest.fixture(scope="module")
def version(sample_index):
    with Engine(sample_index) as engine:
        yield engine._current()


@pytest.fixture(scope="module")
def shown(version) -> dict[int, list[int]]:
    """Each live article's related questions, as docnums."""
    found = {}
    for docnum in np.flatnonzero(version.meta.live):
        related = version.related(int(docnum), version.stored(int(docnum)))
        found[int(docnum)] = [version.meta.find_url(r.url) for r in related]
    return found


def own_links(version, docnum: int) -> set[int | None]:
    return {version.meta.find_url(url) for _question, url in version.stored(docnum).get("related") or ()}


def nearest(version, docnum: int) -> tuple[int, float] | None:
    found = version.neighbours.nearest(docnum, {docnum}, 1)
    return found[0] if found else None


def test_articles_that_are_each_others_nearest_list_each_other(version, shown):
    pairs = 0
    for docnum in shown:
        near = nearest(version, docnum)
        if near is None or near[1] < CLOSE or nearest(version, near[0])[0] != docnum:
            continue
        pairs += 1
        assert near[0] in shown[docnum] and docnum in shown[near[0]], version.questions[docnum]
    assert pairs >= 20


def test_another_subjects_article_shares_more_than_one_key_term(version, shown):
    for docnum, related in shown.items():
        for other in set(related) - own_links(version, docnum):
            if version.meta.subject[other] != version.meta.subject[docnum]:
                shared = set(version.key_terms[docnum].split()) & set(version.key_terms[other].split())
                assert len(shared) >= 2, (version.questions[docnum], version.questions[other], shared)


def test_consistency_of_an_estimator_is_not_related_to_networking(version, shown):
    estimator = version.meta.find_url("/learn/economics/questions/how-is-the-consistency-of-an-estimator-evaluated")
    assert estimator is not None
    subjects = {version.subject(other) for other in shown[estimator]}
    assert "Computer Science" not in subjects


def test_every_article_with_a_close_nearest_has_related_questions(version, shown):
    close = [docnum for docnum in shown if (near := nearest(version, docnum)) and near[1] >= CLOSE]
    assert len(close) > len(shown) // 2
    assert [version.questions[docnum] for docnum in close if not shown[docnum]] == []


def test_nearest_articles_agree_with_the_sites_own_links_held_out(version, shown):
    """The nearest five, found without the article's own links, hold over a third of those links."""
    held_out = found = 0
    for docnum in shown:
        top = {other for other, _nearness in version.neighbours.nearest(docnum, {docnum}, 5)}
        links = own_links(version, docnum) - {None, docnum}
        held_out += len(links)
        found += len(links & top)
    assert held_out > 50
    assert found / held_out > 0.35
