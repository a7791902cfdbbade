"""bench.profile: the per-stage table of a small index, and how it gives a profile's time to stages."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from bench.generate import generate
from bench.profile import OTHER
from bench.profile import STAGES
from bench.profile import stage_seconds
from common.values import WORDLLAMA
from index.build import build

ROW = re.compile(r"^(?P<stage>\S.*?)\s+(?P<median>\d+\.\d+)\s+(?P<p95>\d+\.\d+)\s+(?P<share>\d+\.\d)%$")


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    source = tmp_path_factory.mktemp("profile-articles")
    generate(source, 300, workers=1)
    folder = tmp_path_factory.mktemp("profile-index")
    build(source, folder, model=WORDLLAMA)
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
