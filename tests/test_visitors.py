"""The visitor query set of the benchmarks: its shares, determinism, and typos checked from outside."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench.generate import generate
from bench.visitors import notation_tokens
from bench.visitors import read_sources
from bench.visitors import visitor_set
from index import docmeta
from index import versions
from index.articles import read_article
from index.build import build
from index.update import update
from search.query import parse
from tests.factory import write_article

COUNT = 400

# Notation the generated articles seldom hold, as the real ones write it.
NOTATION_ARTICLES = [
    ("What does a /16 prefix leave for hosts?", "A /16 network such as 172.16.0.0/16 leaves 16 bits for hosts."),
    ("How does an NMOS inverter switch?", "Below VIL the output stays high; above VIH it falls low."),
    ("Why does sorting cost O(n log n)?", "Comparison sorts need O(n log n) comparisons, not O(n^2)."),
    ("What does a p-value say?", "A small p-value, say from a t-test, speaks against H0; H2O boils at 100 C."),
]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    source = tmp_path_factory.mktemp("visitor-articles")
    generate(source / "generated", 300, workers=1)
    for number, (question, answer) in enumerate(NOTATION_ARTICLES, start=1):
        write_article(source / "real", id=number, question=question, answer=answer, keywords="networks, statistics")
    folder = tmp_path_factory.mktemp("visitor-index")
    build(source, folder)
    return folder


@pytest.fixture(scope="module")
def sources(index_dir):
    return read_sources(index_dir)


@pytest.fixture(scope="module")
def queries(sources):
    return visitor_set(sources, COUNT)


def osa_distance(a: str, b: str) -> int:
    """Edits (a letter deleted, inserted or replaced, two neighbours swapped) that turn ``a`` into ``b``."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def test_distance_counts_a_swap_as_one_edit():
    distances = [osa_distance("kernel", other) for other in ("kenrel", "kerel", "kernell", "kermel", "kernel")]
    assert distances == [1, 1, 1, 1, 0]
    assert osa_distance("kernel", "knrele") > 1


def test_every_query_is_distinct_and_asks_for_something(queries):
    assert len(queries) == COUNT
    assert len({tuple(sorted(q.items())) for q in queries}) == COUNT
    for query in queries:
        assert query["q"].strip() and parse(query["q"]).clauses, query
        assert set(query) <= {"q", "subject", "page"}


def test_shares_of_filters_and_pages(queries, index_dir):
    subjects = set(docmeta.load(versions.current_version(index_dir)).subjects)
    filtered = [q["subject"] for q in queries if "subject" in q]
    assert len(filtered) == round(0.15 * COUNT)
    assert set(filtered) <= subjects
    assert [q.get("page", 1) for q in queries].count(2) == round(0.1 * COUNT)
    assert {q.get("page", 1) for q in queries} == {1, 2}


def test_kinds_of_query(sources):
    texts = [q["q"] for q in visitor_set(sources, COUNT, typo_share=0)]
    comparisons = [t for t in texts if " vs " in t]
    how_to = [t for t in texts if t.startswith("how to ")]
    notation = {token for s in sources for token in s.notation}
    rest = [t for t in texts if t not in comparisons and t not in how_to]  # "SQL vs ..." is a comparison
    notes = [t for t in rest if any(t == n or t.startswith(n + " ") for n in notation)]
    questions = {" ".join(s.question.split()[:cut]).rstrip("?.!,;:") for s in sources for cut in range(3, 9)}
    openings = [t for t in rest if t in questions]
    assert [len(comparisons), len(how_to), len(notes)] == [round(0.2 * COUNT)] * 3
    assert len(openings) == COUNT - 3 * round(0.2 * COUNT)


def test_one_typo_in_a_fifth_of_the_queries(sources, queries):
    plain = visitor_set(sources, COUNT, typo_share=0)
    changed = 0
    for query, original in zip(queries, plain, strict=True):
        assert {k: v for k, v in query.items() if k != "q"} == {k: v for k, v in original.items() if k != "q"}
        if query["q"] == original["q"]:
            continue
        changed += 1
        typed, meant = query["q"].split(" "), original["q"].split(" ")
        assert len(typed) == len(meant)
        differing = [(t, m) for t, m in zip(typed, meant, strict=True) if t != m]
        assert len(differing) == 1, (query, original)
        typo, word = differing[0]
        assert word.isalpha() and len(word) >= 5
        assert osa_distance(typo.casefold(), word.casefold()) == 1, (typo, word)
    assert changed == round(0.2 * COUNT)


def test_same_seed_same_set_in_any_process(index_dir, sources, queries):
    assert visitor_set(read_sources(index_dir), COUNT) == queries
    assert visitor_set(sources, COUNT, seed=16) != queries
    command = [sys.executable, "-m", "bench.visitors", str(index_dir), "-n", "60"]
    printed = {
        subprocess.run(
            command, capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONHASHSEED=seed)
        ).stdout
        for seed in ("1", "2")
    }
    assert len(printed) == 1 and len(printed.pop().splitlines()) == 60


def test_an_update_outside_the_picked_articles_keeps_the_set(tmp_path):
    # bench.speed's own update deletes and edits articles before the set is made, run after run.
    source, folder = tmp_path / "articles", tmp_path / "index"
    generate(source, 60, workers=1)
    build(source, folder)
    before = read_sources(folder, count=20)
    picked = {s.question for s in before}
    others = [p for p in sorted(source.rglob("*.md")) if read_article(p).question not in picked]
    others[0].unlink()
    others[1].write_text(others[1].read_text().replace("\nsubject:", " One more sentence.\nsubject:", 1))
    report = update(source, folder)
    assert (report.changed, report.deleted) == (1, 1)
    assert read_sources(folder, count=20) == before
    assert visitor_set(read_sources(folder, count=20), 30) == visitor_set(before, 30)


def test_notation_as_written_in_the_texts(sources):
    text = "end-to-end, a p-value of a t-test. NP-hard, O(n log n), 10.0.0.0/8 and /16, not 1/2; VIL H2O IPv6 C++ AS"
    expected = ("p-value", "t-test", "NP-hard", "O(n log n)", "/8", "/16", "VIL", "H2O", "IPv6", "C++")
    assert notation_tokens(text) == expected
    found = {token for s in sources for token in s.notation}
    assert {"/16", "VIL", "O(n log n)", "p-value", "H2O"} <= found
