"""A damaged or unwritable analytics database never stops recording, reporting or searching."""

from __future__ import annotations

import logging
import os
import sqlite3
import time

import pytest
from click.testing import CliRunner

from cli.main import cli
from index.build import build
from search.analytics import FILENAME
from search.analytics import Recorder
from search.analytics import Search
from tests.corpus import write_corpus
from web import close_app
from web import create_app

TOKEN = "s3cret-token"


def search(number: int) -> Search:
    return Search(f"{number:016x}", time.time(), f"query {number}", "", 1, False, False, 1.0, False)


def queries(path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [row[0] for row in connection.execute("SELECT query FROM searches ORDER BY query")]


def asides(path) -> list:
    return sorted(p for p in path.parent.iterdir() if p.name.startswith(f"{path.name}.damaged-"))


def record_and_close(path, numbers) -> Recorder:
    recorder = Recorder(path)
    for number in numbers:
        recorder.record(search(number))
    started = time.monotonic()
    recorder.close()
    assert time.monotonic() - started < 5  # closing never waits out a dead writer
    return recorder


def test_a_file_that_is_not_a_database_is_set_aside_and_recording_goes_on(tmp_path, caplog):
    path = tmp_path / FILENAME
    path.write_bytes(b"not a database at all\n" * 100)
    with caplog.at_level(logging.ERROR, logger="kbsearch.analytics"):
        record_and_close(path, [1, 2])
    assert queries(path) == ["query 1", "query 2"]
    [aside] = asides(path)
    assert aside.read_bytes() == b"not a database at all\n" * 100  # kept, not deleted
    assert str(path) in caplog.text and aside.name in caplog.text


@pytest.mark.parametrize("offset", [0, 16, 100, 1024, 4096, 6000, 8192, 12000, 20000, 40000])
def test_a_database_damaged_at_any_offset_is_replaced_and_recording_goes_on(tmp_path, offset):
    path = tmp_path / FILENAME
    record_and_close(path, range(1000))
    with open(path, "r+b") as handle:  # as a failing disk or a copy cut short would leave it
        handle.seek(offset)
        handle.write(os.urandom(4096))
    record_and_close(path, range(5000, 5300))
    try:
        found = set(queries(path))
    except sqlite3.DatabaseError:
        pytest.fail("the database left in place cannot be read")
    assert {f"query {n}" for n in range(5000, 5300)} <= found
    # Either the damage was met and the old file kept aside, or it did not touch what was written.
    assert asides(path) or {f"query {n}" for n in range(1000)} <= found


def test_an_unwritable_place_turns_analytics_off_without_stalling(tmp_path, caplog):
    path = tmp_path / "missing-folder" / FILENAME
    with caplog.at_level(logging.ERROR, logger="kbsearch.analytics"):
        recorder = record_and_close(path, range(5))
    assert recorder.dropped == 5
    assert "analytics are off" in caplog.text


@pytest.fixture
def damaged_index(tmp_path):
    folder = tmp_path / "index"
    build(write_corpus(tmp_path / "corpus"), folder)
    (folder / FILENAME).write_bytes(b"\x00garbage" * 512)
    return folder


def test_the_report_command_names_the_damaged_file(damaged_index):
    result = CliRunner().invoke(cli, ["analytics", "--index-dir", str(damaged_index)])
    assert result.exit_code == 1
    assert result.output.startswith("error: the analytics database ") and str(damaged_index / FILENAME) in result.output
    assert "Traceback" not in result.output


def test_the_admin_page_answers_503_and_search_still_works(damaged_index):
    app = create_app({"INDEX_DIR": str(damaged_index), "ADMIN_TOKEN": TOKEN, "ANALYTICS": False})
    try:
        client = app.test_client()
        page = client.get(f"/admin/analytics?token={TOKEN}")
        assert page.status_code == 503 and b"analytics database is damaged" in page.data
        assert client.get("/api/search?q=sort").status_code == 200
    finally:
        close_app(app)
