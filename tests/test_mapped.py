"""Mapped index pages given back: the resident size falls, the data stays readable and the same."""

from __future__ import annotations

import multiprocessing

import numpy as np

from index import mapped
from search.engine import Engine


def test_release_gives_back_touched_pages_and_keeps_the_data(tmp_path):
    expected = np.arange(16 * 1024 * 1024, dtype=np.int32)  # 64 MB
    np.save(tmp_path / "big.npy", expected)
    array = np.asarray(mapped.load(tmp_path / "big.npy"))
    total = int(array.sum(dtype=np.int64))  # touches every page
    touched = mapped.resident_bytes()
    assert mapped.release() >= 1
    released = mapped.resident_bytes()
    assert touched - released > 48 * 1024 * 1024
    assert int(array.sum(dtype=np.int64)) == total  # read again, from the page cache
    np.testing.assert_array_equal(array[::4096], expected[::4096])


def test_an_engine_over_its_resident_budget_trims_and_answers_the_same(index_dir, monkeypatch):
    queries = ["sort", "binomial theorem", "tcp", "classical conditioning", "merge sort vs quicksort"] * 8
    with Engine(index_dir, result_cache=0) as plain:
        expected = [[hit.url for hit in plain.search(q).hits] for q in queries]
    released = []
    real = mapped.release
    monkeypatch.setattr(mapped, "release", lambda: released.append(real()))
    with Engine(index_dir, result_cache=0, resident_bytes=1) as tight:
        found = [[hit.url for hit in tight.search(q).hits] for q in queries]
    assert found == expected
    assert len(released) == len(queries)  # a look after every request
    assert all(released)  # each gave back the pages of every mapped file


def _child_growth(grow: int, answer) -> None:
    before = mapped.resident_bytes()
    block = np.ones(grow, dtype=np.uint8)  # every page written
    answer.send((before, mapped.resident_bytes(), int(block[::4096].sum())))


def test_a_forked_process_reads_its_own_resident_size():
    # The parent has looked already; a child that kept the parent's open file would report the parent's size.
    parent = mapped.resident_bytes()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child_growth, args=(256 * 1024 * 1024, send))
    child.start()
    before, after, _ = receive.recv()
    child.join(timeout=60)
    assert after - before > 200 * 1024 * 1024
    assert mapped.resident_bytes() - parent < 100 * 1024 * 1024
