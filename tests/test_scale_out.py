"""Build once, ship to several hosts: export and import, two production servers on separate copies, --watch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import urllib.request

from click.testing import CliRunner

from cli.main import cli
from index import versions
from index.build import build
from search.engine import Engine
from tests.conftest import production_server
from tests.factory import write_article


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def server(index_dir, log_dir):
    return production_server(index_dir, log_dir / f"{index_dir.name}.log", workers=1, KBSEARCH_ANALYTICS="false")


def total(base: str, query: str) -> int:
    with urllib.request.urlopen(f"{base}/api/search?q={query}") as response:
        return json.loads(response.read())["total"]


def ship(origin, archive, *hosts):
    exported = run("export", archive, "--index-dir", origin)
    assert exported.exit_code == 0 and "sha256" in exported.output
    for host in hosts:
        imported = run("import", archive, "--index-dir", host)
        assert imported.exit_code == 0, imported.output


def test_one_build_serves_two_hosts_that_switch_atomically(tmp_path, corpus_dir):
    source = tmp_path / "source"
    shutil.copytree(corpus_dir, source)
    origin, host_a, host_b = tmp_path / "origin", tmp_path / "host-a", tmp_path / "host-b"
    build(source, origin)
    archive = tmp_path / "ship" / "kb.tar.gz"
    archive.parent.mkdir()
    ship(origin, archive, host_a, host_b)
    with server(host_a, tmp_path) as a, server(host_b, tmp_path) as b:
        assert total(a, "sort") == total(b, "sort") == 2
        write_article(source, id=99, question="How does heap sort work?", answer="A heap gives the maximum.")
        build(source, origin)
        ship(origin, archive, host_a)
        assert total(a, "sort") == 3 and total(b, "sort") == 2  # each host switches when its import lands
        ship(origin, archive, host_b)
        assert total(b, "sort") == 3


def test_a_damaged_archive_is_refused_and_changes_nothing(tmp_path, corpus_dir):
    origin, host = tmp_path / "origin", tmp_path / "host"
    build(corpus_dir, origin)
    archive = tmp_path / "kb.tar"
    ship(origin, archive, host)
    live = (host / "CURRENT").read_text()
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    refused = run("import", archive, "--index-dir", host)
    assert refused.exit_code == 1 and "SHA-256 is" in refused.output and "nothing imported" in refused.output
    assert (host / "CURRENT").read_text() == live
    (tmp_path / "kb.tar.sha256").unlink()
    missing = run("import", archive, "--index-dir", host)
    assert missing.exit_code == 1 and "no checksum" in missing.output


def test_watch_reindexes_when_a_file_changes(tmp_path):
    # It starts on an empty folder: the first build fails, and watching goes on until there is something to index.
    source, index_dir, log_path = tmp_path / "source", tmp_path / "index", tmp_path / "watch.log"
    source.mkdir()
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "index", str(source), "--index-dir", str(index_dir), "--quiet", "--watch"],
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 40

    def found(phrase: str) -> list[str]:
        while time.monotonic() < deadline:
            time.sleep(0.3)
            if versions.current_version(index_dir) is not None:
                with Engine(index_dir) as engine:
                    if hits := [hit.question for hit in engine.search(f'"{phrase}"').hits]:
                        return hits
        return []

    def still_found(phrase: str) -> bool:
        """Whether the phrase is found until the deadline: the watcher never saw it go."""
        while time.monotonic() < deadline:
            time.sleep(0.3)
            with Engine(index_dir) as engine:
                if not engine.search(f'"{phrase}"').total:
                    return False
        return True

    try:
        # The command says "watching" once its watcher is armed, so a change written after it must be seen.
        while b"watching" not in log_path.read_bytes():
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.1)
        assert b"error: no valid articles" in log_path.read_bytes()
        write_article(source, id=77, question="What is a skip list?", answer="Linked lists with express lanes.")
        assert found("skip list") == ["What is a skip list?"], log_path.read_text()  # built in full
        write_article(source, id=78, question="What is a trie?", answer="A tree of prefixes.")
        assert found("trie") == ["What is a trie?"], log_path.read_text()  # then updated
        assert "added 1, changed 0, deleted 0, unchanged 1" in log_path.read_text()
        # A folder moved in, then out: its files were never seen, only the folder's name.
        outside = tmp_path / "batch"
        write_article(outside, id=79, question="What is a heap?", answer="A tree kept in order by priority.")
        outside.rename(source / "batch")
        assert found("heap") == ["What is a heap?"], log_path.read_text()
        (source / "batch").rename(outside)
        assert found("trie") and not still_found("heap"), log_path.read_text()
        process.terminate()  # as a service manager stops it: done, not failed
        assert process.wait(timeout=15) == 0, log_path.read_text()
    finally:
        process.kill()
        process.wait(timeout=15)
        log.close()
