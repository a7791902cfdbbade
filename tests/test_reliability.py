"""Promises under stress: a killed build leaves the live index serving and is cleaned up next time;
a server under load through rebuilds, updates and worker restarts fails no request."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request

from index import versions
from index.build import build
from search.engine import Engine
from tests.conftest import free_port
from tests.conftest import wait_until_up
from tests.factory import write_article
from tests.workers import alive
from tests.workers import descendants


def write_many(folder, count, start=0, word="entropy"):
    for n in range(start, start + count):
        write_article(
            folder,
            id=n,
            question=f"What is {word} number {n}?",
            answer=(f"{word.title()} is explained here at length. " * 40) + f"Item {n}.",
            subject=["Physics", "Chemistry", "Biology"][n % 3],
        )


def test_killed_build_leaves_the_live_index_and_is_cleaned_up(tmp_path):
    source = tmp_path / "src"
    write_many(source, 20)
    index_dir = tmp_path / "index"
    live = build(source, index_dir).version
    write_many(source, 1500, start=20)
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "index", str(source), "--index-dir", str(index_dir), "--quiet", "--procs", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((index_dir / "versions").glob(".building-*")):
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
        time.sleep(0.05)
    time.sleep(0.5)
    workers = descendants(process.pid)
    assert workers, "no reading process started"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert versions.current_version(index_dir) == live
    # Killed with it: reading processes waited for work from a dead parent for good, with their trackers.
    while [pid for pid in workers if alive(pid)]:
        assert time.monotonic() < deadline, "the reading processes outlived the killed build"
        time.sleep(0.1)
    with Engine(index_dir) as engine:
        assert engine.search("entropy").total == 20
    # The next build needs no manual step: the lock died with the process, leftovers are removed.
    report = build(source, index_dir)
    assert report.documents == 1520
    assert not list((index_dir / "versions").glob(".building-*"))


def test_server_fails_no_request_through_rebuilds_updates_and_worker_restarts(tmp_path):
    from index.update import update

    source = tmp_path / "src"
    write_many(source, 60)
    index_dir = tmp_path / "index"
    build(source, index_dir)
    port = free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2", "--index-dir", str(index_dir)],
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    outcomes: list[tuple[int, int]] = []  # (status, documents the answer came from)
    stop = threading.Event()

    def hammer():
        while not stop.is_set():
            try:
                with urllib.request.urlopen(base + "/api/search?q=entropy&per_page=1", timeout=10) as response:
                    outcomes.append((response.status, json.loads(response.read())["total"]))
            except Exception:
                outcomes.append((0, -1))

    try:
        wait_until_up(base + "/healthz", server)
        threads = [threading.Thread(target=hammer) for _ in range(3)]
        for thread in threads:
            thread.start()
        for round_ in range(3):
            write_many(source, 5, start=100 + 5 * round_)
            update(source, index_dir)
            build(source, index_dir)
            os.kill(server.pid, signal.SIGHUP)  # gunicorn replaces its workers gracefully
            time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    statuses = {status for status, _ in outcomes}
    print(f"{len(outcomes)} requests during 3 updates, 3 rebuilds and 3 worker restarts")
    assert len(outcomes) > 50 and statuses == {200}, (len(outcomes), statuses)
    # Every answer came from a complete version: 60, 65, 70 or 75 articles, never anything between.
    assert {total for _, total in outcomes} <= {60, 65, 70, 75}
