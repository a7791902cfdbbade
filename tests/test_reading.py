"""Reading processes that crash, hang or are killed never hang a build, and cost only the culprit.

These run real worker processes: a worker that segfaults, one that loops
forever, one that exits, and a real ``kbsearch index`` whose reading
process is killed with SIGKILL while it works.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from bench.generate import generate
from common.errors import BuildError
from index import reading
from index.reading import Reader
from search.engine import Engine

CRASH, HANG, EXIT = "crash", "hang", "exit"


def _work(chunk: list[str]) -> list[str]:
    """Upper-cases each item; some items kill or block their worker the way native code can."""
    for item in chunk:
        if item == CRASH:
            ctypes.string_at(0)  # a segfault: no Python exception, the process just dies
        if item == HANG:
            while True:
                time.sleep(1)
        if item == EXIT:
            os._exit(3)
    return [item.upper() for item in chunk]


def _lost(chunk: list[str], reason: str) -> list[str]:
    return [f"lost {item}: {reason}" for item in chunk]


def _run(chunks: list[list[str]], procs: int = 2) -> tuple[list[str], Reader]:
    reader = Reader(procs)
    return [out for result in reader.map(_work, chunks, _lost) for out in result], reader


@pytest.mark.parametrize(
    ("culprit", "reason"),
    [
        (CRASH, "the reading process died (SIGSEGV(-11)), 2 times on this file"),
        (EXIT, "the reading process died (EXIT(3)), 2 times on this file"),
    ],
)
def test_a_worker_that_dies_costs_only_its_file(culprit, reason):
    chunks = [["a", "b"], ["c", culprit, "d"], ["e"], ["f", "g"]]
    out, reader = _run(chunks)
    # Order is kept, every other item is read, and the culprit is named with the reason.
    assert out == ["A", "B", "C", f"lost {culprit}: {reason}", "D", "E", "F", "G"]
    assert reader.lost == 1
    assert len(reader.notes) == 1 and "read again one by one" in reader.notes[0]


def test_a_worker_that_hangs_is_stopped(monkeypatch):
    monkeypatch.setattr(reading, "CHUNK_SECONDS", 3.0)
    monkeypatch.setattr(reading, "ITEM_SECONDS", 1.0)
    started = time.monotonic()
    out, _reader = _run([["a", HANG, "b"], ["c"]], procs=1)
    assert out == ["A", "lost hang: reading took over 1 s and was stopped, 2 times on this file", "B", "C"]
    assert time.monotonic() - started < 30


def test_a_worker_found_dead_when_the_next_chunk_is_handed_out_costs_nothing(monkeypatch):
    # A worker killed between one result and the next hand-out: loky refuses the hand-out itself.
    opened = reading._executor

    @contextlib.contextmanager
    def dying_at_the_fourth_submit(workers):
        with opened(workers) as executor:
            submit, calls = executor.submit, []

            def refusing(*args):
                calls.append(args)
                if len(calls) == 4:
                    raise reading.BrokenProcessPool("A worker was terminated: {SIGKILL(-9)}")
                return submit(*args)

            monkeypatch.setattr(executor, "submit", refusing)
            yield executor

    monkeypatch.setattr(reading, "_executor", dying_at_the_fourth_submit)
    out, reader = _run([[letter] for letter in "abcdefgh"], procs=1)
    assert out == list("ABCDEFGH")
    assert reader.lost == 0 and "the reading process died (SIGKILL(-9))" in reader.notes[0]


def test_too_many_deaths_call_the_build_off(monkeypatch):
    monkeypatch.setattr(reading, "MAX_LOST", 2)
    with pytest.raises(BuildError, match="died on more than 2 files"):
        _run([[CRASH, "a", CRASH, EXIT]], procs=1)


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid``, from /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _reading_worker(pid: int) -> int | None:
    for child in _descendants(pid):
        try:
            if b"LokyProcess" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        except OSError:
            continue
    return None


def test_build_survives_a_reading_process_killed_mid_way(tmp_path):
    source = tmp_path / "articles"
    generate(source, 3000, workers=1)
    command = [sys.executable, "-m", "cli", "index", str(source), "--index-dir", str(tmp_path / "ix"), "--procs", "2"]
    with subprocess.Popen([*command, "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as build:
        try:
            deadline = time.monotonic() + 30
            while (worker := _reading_worker(build.pid)) is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert worker is not None, "no reading process appeared"
            os.kill(worker, signal.SIGKILL)
            out, err = build.communicate(timeout=120)
        finally:
            build.kill()
    assert build.returncode == 0, err
    assert "Traceback" not in err
    assert "note: the reading process died (SIGKILL(-9))" in err
    # A worker killed from outside is not the file's fault: its files were read again, none lost.
    assert "indexed 3,000 articles, skipped 0" in out
    with Engine(tmp_path / "ix") as engine:
        assert engine.search("", per_page=1).total == 3000


def _note_pid(path: Path) -> None:
    path.write_text(str(os.getpid()))


def _booted(noted: Path) -> int:
    """The pid a started worker wrote to ``noted``, once it has."""
    for _ in range(600):
        if noted.exists() and noted.read_text():
            break
        time.sleep(0.05)
    return int(noted.read_text())


def _pids(chunk: list[str]) -> list[int]:
    return [os.getpid() for _ in chunk]


def test_a_started_worker_reads_the_first_chunk(tmp_path):
    noted = tmp_path / "pid"
    reader = Reader(2)
    reader.start(partial(_note_pid, noted))
    try:
        read = [pid for result in reader.map(_pids, [["a", "b"]], _lost) for pid in result]
    finally:
        reader.close()
    assert read == [int(noted.read_text())] * 2


def test_a_started_worker_no_map_takes_is_stopped(tmp_path):
    noted = tmp_path / "pid"
    reader = Reader(2)
    reader.start(partial(_note_pid, noted))
    pid = _booted(noted)
    reader.close()
    assert not Path(f"/proc/{pid}").exists()


def test_a_started_worker_that_died_costs_nothing():
    reader = Reader(2)
    reader.start(partial(_work, [EXIT]))
    time.sleep(1)  # the worker has exited by now
    try:
        assert [out for result in reader.map(_work, [["a"]], _lost) for out in result] == ["A"]
    finally:
        reader.close()


def test_a_started_worker_is_stopped_when_more_are_needed(tmp_path):
    noted = tmp_path / "pid"
    reader = Reader(2)
    reader.start(partial(_note_pid, noted))
    pid = _booted(noted)
    read = [worker for result in reader.map(_pids, [["a"], ["b"], ["c"]], _lost) for worker in result]
    assert len(read) == 3 and pid not in read
    assert not Path(f"/proc/{pid}").exists()


LOST_RELEASE = """
import sys
from loky.backend import resource_tracker
from index.reading import Reader
print(list(Reader(1).map(len, [[1, 2]], None)))
resource_tracker.register("/kbsearch-already-unlinked", "semlock")  # what a release lost inside loky leaves behind
print("error: the last line", file=sys.stderr)
"""


def test_the_resource_tracker_says_nothing_after_the_last_line():
    # The tracker outlives the process and shares its stderr: capturing waits for it to exit too.
    done = subprocess.run([sys.executable, "-c", LOST_RELEASE], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "[2]\n"
    assert done.stderr.splitlines() == ["error: the last line"], done.stderr
