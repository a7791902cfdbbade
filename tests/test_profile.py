"""bench.profile: the per-stage table of a small index, and how it gives a profile's time to stages.

Also bench.speed's results page in-process on the same index: kbsearch, FTS5 and tantivy side by side.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys

import pytest

from bench.generate import generate
from bench.profile import OTHER
from bench.profile import STAGES
from bench.profile import stage_seconds
from bench.relevance.baselines import Fts5Page
from bench.relevance.baselines import TantivyPage
from bench.speed import compare_pages
from bench.speed import format_pages
from bench.speed import query_set
from bench.visitors import visitor_queries
from common.values import WORDLLAMA
from index.articles import read_corpus
from index.build import build

ROW = re.compile(r"^(?P<stage>\S.*?)\s+(?P<median>\d+\.\d+)\s+(?P<p95>\d+\.\d+)\s+(?P<share>\d+\.\d)%$")


PAGE_ROW = re.compile(
    r"^(?P<set>mixed|visitor) \((?P<n>\d+)\)\s+(?P<engine>kbsearch|SQLite FTS5|tantivy)"
    r"\s+(?P<p50>\d+\.\d+)\s+(?P<p95>\d+\.\d+)(?:\s+(?P<p50x>\d+\.\d+)\s+(?P<p95x>\d+\.\d+))?$"
)


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    source = tmp_path_factory.mktemp("profile-articles")
    generate(source, 300, workers=1)
    return source


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory, articles):
    folder = tmp_path_factory.mktemp("profile-index")
    build(articles, folder, model=WORDLLAMA)
    return folder


def test_table_has_every_stage_with_sane_numbers(index_dir):
    command = [sys.executable, "-m", "bench.profile", str(index_dir), "--queries", "60"]
    lines = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300).stdout.splitlines()
    plain, profiled = map(float, re.findall(r"(\d+\.\d+) ms", lines[0]))
    assert lines[0].startswith("60 visitor queries") and 0 < plain < 1000 and 0 < profiled < 1000
    rows = [ROW.match(line).groupdict() for line in lines[2:]]
    assert [row["stage"] for row in rows] == [*STAGES, OTHER]  # meaning too: the index has vectors
    for row in rows:
        assert 0 <= float(row["median"]) <= float(row["p95"]) < 1000, row
    assert abs(sum(float(row["share"]) for row in rows) - 100) < 0.1 * len(rows)
    every_query = {"parse and expand", "candidates", "paging + stored fields", "snippets", "JSON serialisation"}
    assert all(float(row["median"]) > 0 for row in rows if row["stage"] in every_query)


def test_results_page_table_has_three_engines_per_set_with_positive_numbers(articles, index_dir, tmp_path):
    subjects = sorted({p.parent.name.replace("-", " ") for p in articles.rglob("*.md")})
    sets = {"mixed": query_set(index_dir, subjects, random.Random(3))[:20], "visitor": visitor_queries(index_dir, 20)}
    build_times, timings = compare_pages(articles, index_dir, tmp_path / "tantivy", sets)
    assert build_times.articles == 300 and build_times.tantivy_seconds > 0
    lines = format_pages(timings).splitlines()
    rows = [PAGE_ROW.match(line).groupdict() for line in lines[3:]]
    engines = ["kbsearch", "SQLite FTS5", "tantivy"]
    assert [(row["set"], row["engine"]) for row in rows] == [(s, e) for s in ("mixed", "visitor") for e in engines]
    for row in rows:
        assert int(row["n"]) >= 15 and 0 < float(row["p50"]) <= float(row["p95"]), row
        assert (row["p50x"] is None) == (row["engine"] == "kbsearch"), row
        assert row["p50x"] is None or float(row["p50x"]) > 0 < float(row["p95x"]), row


def test_baselines_compute_a_whole_results_page(articles, tmp_path):
    read = read_corpus(articles).articles
    fts5, tantivy = Fts5Page(read), TantivyPage(read, tmp_path / "tantivy", heap_size=15_000_000, threads=1)
    try:
        query = max(re.findall(r"[a-z]+", read[0].question), key=len)  # a word some articles hold
        pages = fts5.page(query), tantivy.page(query)
        for page, mark in zip(pages, ("<mark>", "<b>"), strict=True):
            assert 0 < len(page.urls) == len(page.snippets) <= 10 and len(set(page.urls)) == len(page.urls)
            # Some, not all: a hit may hold the word in its question alone.
            assert any(mark in snippet for snippet in page.snippets), page.snippets
            assert sum(page.facets.values()) == page.total >= len(page.urls)  # counted over every match
        assert fts5.page("!?").urls == tantivy.page("!?").urls == []
    finally:
        fts5.close()
        tantivy.close()


def edge(cumulative: float, calls: int = 1) -> tuple[int, int, float, float]:
    return calls, calls, 0.0, cumulative


def test_own_time_goes_to_the_nearest_stage_above_split_by_callers():
    # main -> root_a -> helper -> leaf and main -> root_b -> helper: helper's time is 3:1 between a and b;
    # root_a -> inner_root: inner's subtree is its own stage, not a's.
    main, root_a, root_b, helper, leaf, inner = (("m.py", n, name) for n, name in enumerate("mabhli"))
    stats = {
        main: (1, 1, 1.0, 20.0, {}),
        root_a: (1, 1, 2.0, 13.0, {main: edge(13.0)}),
        root_b: (1, 1, 1.0, 3.0, {main: edge(3.0)}),
        helper: (2, 2, 4.0, 8.0, {root_a: edge(6.0), root_b: edge(2.0)}),
        leaf: (2, 2, 4.0, 4.0, {helper: edge(4.0, 2)}),
        inner: (1, 1, 3.0, 3.0, {root_a: edge(3.0)}),
    }
    seconds = stage_seconds(stats, {root_a: "a", root_b: "b", inner: "inner"})
    assert seconds == pytest.approx({OTHER: 1.0, "a": 2.0 + 6.0, "b": 1.0 + 2.0, "inner": 3.0})
    assert sum(seconds.values()) == pytest.approx(sum(s[2] for s in stats.values()))
