"""index.impacts: the sums a build keeps for common terms score exactly as the engine's own sums.

A ranker that reads them is compared, to the bit, with one that reads every term's
postings, on generated articles built and then updated twice (added, changed and
deleted articles in three segments), every segment keeping impacts, and after an
update that moved the mean lengths so far that the older segments' impacts are left unread.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest

from bench.generate import generate
from index import docmeta
from index import impacts
from index import versions
from index.build import build
from index.fields import BOOSTS
from index.inverted import segment_folders
from index.postings import Segment
from index.update import update
from search.engine import Engine
from search.postings import PostingsStore
from search.ranking import Ranker

FEW = 5  # postings a term needs for its impacts to be kept, in these small indexes


def _rankers(index_dir: Path) -> tuple[Ranker, Ranker, PostingsStore]:
    """A ranker reading the kept impacts as the engine does, one reading postings only, and their store."""
    version = versions.current_version(index_dir)
    meta = docmeta.load(version)
    store = PostingsStore(version, 1 << 24, averages=impacts.averages_of(meta))
    return Ranker(meta, store.parts, BOOSTS, impacts=store.impacts), Ranker(meta, store.parts, BOOSTS), store


def _terms(index_dir: Path) -> list[str]:
    """Every term of every field of the live version's first segment, and of its last."""
    folders = segment_folders(versions.current_version(index_dir))
    found = set()
    for folder in {folders[0], folders[-1]}:
        for field in Segment(folder).fields.values():
            found.update(field.terms.names())
    return sorted(found)


def _edit(source: Path, seed: int, changed: int, deleted: int, text: str) -> None:
    files = sorted(source.rglob("*.md"))
    picked = random.Random(seed).sample(files, changed + deleted)
    for path in picked[:changed]:
        body = path.read_text(encoding="utf-8")
        path.write_text(body.replace("answer: >-\n    ", f"answer: >-\n    {text} ", 1), encoding="utf-8")
    for path in picked[changed:]:
        path.unlink()


@pytest.fixture(scope="module")
def updated(tmp_path_factory) -> tuple[Path, dict[str, float]]:
    """600 generated articles, then 40 more, then 30 changed and 15 deleted: three segments, each keeping impacts.

    Also the mean lengths of the full build.
    """
    work = tmp_path_factory.mktemp("impacts")
    source, index_dir = work / "articles", work / "index"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(impacts, "MIN_POSTINGS", FEW)
        generate(source, 600)
        build(source, index_dir)
        built = docmeta.load(versions.current_version(index_dir)).averages
        generate(source, 640)
        update(source, index_dir)
        _edit(source, 3, 30, 15, "Edited again.")
        update(source, index_dir)
    return index_dir, built


def _assert_same_scores(index_dir: Path, terms: list[str]) -> int:
    """Every term scores alike both ways, whole and at a few documents; returns how many were read from impacts."""
    reading, summing, store = _rankers(index_dir)
    rng = np.random.default_rng(7)
    kept = 0
    for term in terms:
        fast, slow = reading.term_score(term), summing.term_score(term)
        assert np.array_equal(fast.ids, slow.ids), term
        assert np.array_equal(fast.values, slow.values), term  # to the bit: keys tie-break on them
        docs = np.unique(np.concatenate([rng.choice(slow.ids, min(len(slow.ids), 8)), rng.integers(0, 640, 4)]))
        assert np.array_equal(reading.term_score_at(term, docs), summing.term_score_at(term, docs)), term
        kept += bool(store.impacts(term)[0])
    return kept


def test_terms_score_alike_from_impacts_and_from_postings_in_every_segment(updated):
    index_dir, _built = updated
    folders = segment_folders(versions.current_version(index_dir))
    assert len(folders) == 3
    assert all(Segment(folder).impact_averages() for folder in folders)
    terms = _terms(index_dir)
    kept = _assert_same_scores(index_dir, terms)
    assert kept > 200  # most of these were read from impacts, not from postings


def test_a_kept_term_is_not_read_from_its_postings(updated, monkeypatch):
    index_dir, _built = updated
    reading, _summing, store = _rankers(index_dir)
    term = "the"
    assert len(store.impacts(term)[0]) == 3  # kept in every segment
    read = []
    real = Segment.get
    monkeypatch.setattr(Segment, "get", lambda self, field, t, *args: read.append(t) or real(self, field, t, *args))
    assert len(reading.term_score(term).ids) > 500
    assert term not in read
    assert len(reading.term_score("zeppelinish").ids) == 0
    assert "zeppelinish" in read  # a term no segment kept is looked for in the postings


def test_the_build_keeps_exactly_the_terms_with_enough_postings(tmp_path, monkeypatch):
    monkeypatch.setattr(impacts, "MIN_POSTINGS", 250)
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    generate(source, 300)
    build(source, index_dir)
    segment = Segment(segment_folders(versions.current_version(index_dir))[0])
    postings = {}
    for name in BOOSTS:
        field = segment.fields[name]
        for number, term in enumerate(field.terms.names()):
            postings[term] = postings.get(term, 0) + int(field.starts[number + 1] - field.starts[number])
    kept = {term for term in postings if segment.impact(term) is not None}
    assert kept == {term for term, count in postings.items() if count >= impacts.MIN_POSTINGS}
    assert 5 < len(kept) < len(postings) / 10  # "the" and the like


def test_an_update_keeps_the_mean_lengths_of_the_build(updated):
    index_dir, built = updated
    meta = docmeta.load(versions.current_version(index_dir))
    live = docmeta.average_lengths(meta.lengths, meta.live)
    assert meta.averages == built
    assert live != built  # 40 added, 30 changed, 15 deleted: the live means moved, by less than the drift
    assert all(abs(built[field] - live[field]) <= docmeta.AVERAGES_DRIFT * live[field] for field in live)


def test_an_update_that_moves_the_mean_lengths_leaves_older_impacts_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(impacts, "MIN_POSTINGS", FEW)
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    generate(source, 200)
    build(source, index_dir)
    _edit(source, 5, 120, 0, "A much longer opening to this answer, " * 20)
    update(source, index_dir)
    meta = docmeta.load(versions.current_version(index_dir))
    assert meta.averages == docmeta.average_lengths(meta.lengths, meta.live)  # refreshed
    _reading, _summing, store = _rankers(index_dir)
    assert [number for number, _segment in store._impacted] == [1]  # only the update's own segment
    assert _assert_same_scores(index_dir, _terms(index_dir)) > 0


def test_the_engine_answers_alike_with_and_without_impacts(updated, monkeypatch):
    index_dir, _built = updated
    queries = ["the", "what is the", "energy", "how does a network", "price elasticity of demand", "the cell"]
    with Engine(index_dir, semantic=False) as engine:
        reading = [engine.search(q) for q in queries]
    monkeypatch.setattr(PostingsStore, "impacts", lambda self, term: ([], frozenset()))
    with Engine(index_dir, semantic=False) as engine:
        summing = [engine.search(q) for q in queries]
    for fast, slow in zip(reading, summing, strict=True):
        assert fast.total == slow.total
        assert [(h.id, h.score) for h in fast.hits] == [(h.id, h.score) for h in slow.hits]
        assert fast.facets == slow.facets


def test_the_build_gives_back_the_postings_pages_it_read_for_impacts(tmp_path, monkeypatch):
    """Mapped postings count in the build's resident size: summing every common term read most of them."""
    monkeypatch.setattr(impacts, "MIN_POSTINGS", FEW)
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    generate(source, 200)
    build(source, index_dir)
    folder = segment_folders(versions.current_version(index_dir))[0]
    written = {path.name: path.read_bytes() for path in folder.glob("impacts.*")}
    released = []
    monkeypatch.setattr(impacts.mapped, "release", lambda: released.append(1) or 0)
    monkeypatch.setattr(impacts, "RELEASE_EVERY", 1000)
    impacts.write(folder, docmeta.load(versions.current_version(index_dir)))
    assert len(released) >= len(written["impacts.ids"]) // 4 // 1000 > 10
    assert {path.name: path.read_bytes() for path in folder.glob("impacts.*")} == written


def test_a_segment_written_before_impacts_is_read_from_its_postings(tmp_path, monkeypatch):
    monkeypatch.setattr(impacts, "MIN_POSTINGS", FEW)
    source, index_dir = tmp_path / "articles", tmp_path / "index"
    generate(source, 120)
    build(source, index_dir)
    terms = _terms(index_dir)
    for path in segment_folders(versions.current_version(index_dir))[0].glob("impacts.*"):
        path.unlink()
    _reading, _summing, store = _rankers(index_dir)
    assert store._impacted == [] and store.impacts("the") == ([], frozenset())
    assert _assert_same_scores(index_dir, terms) == 0
