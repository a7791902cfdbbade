from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from index.build import build
from index.update import update
from search.engine import MAX_PER_PAGE
from search.engine import Engine
from tests.corpus import write_corpus
from web import close_app
from web import create_app

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "quicktakes-sample"


@pytest.fixture(scope="session", autouse=True)
def no_analytics_writer_left_running():
    """Fails the session if an app's analytics writer thread outlives it: every app must be closed (close_app)."""
    yield
    # The name search.analytics.Recorder gives its writer thread.
    running = [thread for thread in threading.enumerate() if thread.name == "kbsearch-analytics"]
    if running:
        pytest.fail(f"{len(running)} analytics writer thread(s) still running: close each app with web.close_app")


def file_digests(version: Path) -> dict[str, str]:
    """The SHA-256 of every file of an index version but meta.json, computed here, not by the code under test."""
    files = (path for path in version.rglob("*") if path.is_file() and path.name != "meta.json")
    return {path.relative_to(version).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest() for path in files}


def make_older(version: Path) -> None:
    """Rewrite a version's meta.json as kbsearch wrote it before versions recorded their digests (format 7)."""
    meta = json.loads((version / "meta.json").read_text())
    for key in ("files", "meta_sha256"):
        del meta[key]
    (version / "meta.json").write_text(json.dumps({**meta, "format": 7}))


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, corpus_dir) -> Path:
    folder = tmp_path_factory.mktemp("index")
    build(corpus_dir, folder)
    return folder


@pytest.fixture(scope="session")
def engine(index_dir):
    with Engine(index_dir) as opened:
        yield opened


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not SAMPLE.is_dir():
        pytest.skip("the real sample ../shared/corpus/quicktakes-sample is absent")
    return SAMPLE


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, sample_dir) -> Path:
    folder = tmp_path_factory.mktemp("sample-index")
    build(sample_dir, folder)
    return folder


@pytest.fixture
def app(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "SITE_URL": "https://kb.example.org/"})
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def client_with(index_dir):
    """A test client for an app over the test index with extra settings."""
    made = []

    def make(**settings):
        app = create_app({"INDEX_DIR": str(index_dir), **settings})
        made.append(app)
        return app.test_client()

    yield make
    for app in made:
        close_app(app)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer at {url}")


@contextlib.contextmanager
def production_process(
    index_dir: Path, log_path: Path, workers: int = 2, **env: str
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``kbsearch serve`` (gunicorn) over ``index_dir`` on a free loopback port; yields its base url and process."""
    port = free_port()
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", str(workers)]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [*command, "--index-dir", str(index_dir)], env=dict(os.environ, **env), stdout=log, stderr=log
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/healthz", process)
            yield base, process
        finally:
            process.terminate()
            process.wait(timeout=15)


@contextlib.contextmanager
def production_server(index_dir: Path, log_path: Path, workers: int = 2, **env: str) -> Iterator[str]:
    """``production_process``, for tests that only talk to it: yields its base url."""
    with production_process(index_dir, log_path, workers, **env) as (base, _process):
        yield base


@pytest.fixture(scope="session")
def live_server(index_dir, tmp_path_factory):
    """The real production server with two workers, over the session's test index."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    with production_server(index_dir, log, KBSEARCH_SITE_URL="https://kb.example.org") as base:
        yield base


@pytest.fixture(scope="session")
def updated_generated_index(tmp_path_factory) -> Path:
    """2,000 generated articles built, then two updates: 100 added, then 40 deleted and 40 changed (three segments)."""
    work = tmp_path_factory.mktemp("generated")
    source, folder = work / "articles", work / "index"
    generate(source, 2000)
    build(source, folder)
    generate(source, 2100)  # the first 2,000 files come out byte for byte as before
    update(source, folder)
    files = sorted(source.rglob("*.md"))
    for path in files[:40]:
        path.unlink()
    for path in files[40:80]:
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("answer: >-\n    ", "answer: >-\n    Revised for the oracle. ", 1), encoding="utf-8"
        )
    update(source, folder)
    return folder


def every_id(engine: Engine, text: str) -> set[int]:
    """The ids of every article ``text`` finds, page by page; none when the page shows a correction's hits instead."""
    found: set[int] = set()
    page = 1
    while True:
        result = engine.search(text, page=page, per_page=MAX_PER_PAGE)
        if result.corrected:
            return found  # the hits are another query's, not what the words find
        found |= {hit.id for hit in result.hits}
        if page >= result.pages:
            return found
        page += 1
