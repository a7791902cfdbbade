"""Helpers for benchmarks that talk to the production server over loopback HTTP."""

from __future__ import annotations

import contextlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed_get(url: str) -> float:
    """Milliseconds to fetch ``url`` completely."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - started) * 1000


def percentiles(samples: list[float]) -> str:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {statistics.median(samples):7.2f}  p95 {cuts[94]:7.2f}  p99 {cuts[98]:7.2f} ms  (n={len(samples)})"


@contextlib.contextmanager
def running_server(index_dir: Path, workers: int = 2) -> Iterator[tuple[str, subprocess.Popen]]:
    """``kbsearch serve`` on a free port, answering before this yields ``(base url, process)``."""
    port = free_port()
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)]
    server = subprocess.Popen(
        [*command, "--index-dir", str(index_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                timed_get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def worker_memory_mb(server: subprocess.Popen) -> list[dict[str, float]]:
    """Memory of each gunicorn worker (the children of the master process), from ``smaps_rollup``.

    ``rss`` counts the pages of the memory-mapped index the worker has touched,
    which every worker shares with the others and with the page cache;
    ``heap`` is the worker's own (anonymous) memory, ``pss`` its fair share of all.
    """
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    found = []
    for pid in children.read_text().split():
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value) / 1024
        found.append({"rss": fields["Rss"], "pss": fields["Pss"], "heap": fields["Anonymous"]})
    return found


@contextlib.contextmanager
def folder_or_temporary(given: Path | None, prefix: str) -> Iterator[Path]:
    """``given``, or a new temporary folder removed at the end, also on an error or Ctrl-C."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as made:
        yield Path(made)
