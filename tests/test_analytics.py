"""Search analytics: recording over HTTP, reports on a seeded database, gaps, the admin page."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import pytest
import yaml
from click.testing import CliRunner

from cli.main import cli
from index.build import build
from search.analytics import FILENAME
from search.analytics import Click
from search.analytics import Recorder
from search.analytics import Search
from search.engine import Engine
from search.reports import gaps
from search.reports import report
from tests.corpus import write_corpus
from web import close_app
from web import create_app

TOKEN = "s3cret-token"


@pytest.fixture
def index_dir(tmp_path):
    folder = tmp_path / "index"
    build(write_corpus(tmp_path / "corpus"), folder)
    return folder


@pytest.fixture
def app(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir), "ADMIN_TOKEN": TOKEN})
    yield app
    close_app(app)


def rows(index_dir, sql):
    with sqlite3.connect(index_dir / FILENAME) as connection:
        return connection.execute(sql).fetchall()


def test_search_and_click_are_recorded_without_personal_data(app, index_dir):
    client = app.test_client()
    data = client.get("/api/search?q=Hash  Tables").get_json()
    assert len(data["search_id"]) == 16
    beacon = json.dumps({"search_id": data["search_id"], "rank": 1, "url": data["hits"][0]["url"]})
    assert client.post("/api/click", data=beacon, content_type="text/plain").status_code == 204
    assert client.get("/?q=zzqqxx").status_code == 200
    assert client.get("/api/search?q=sort&page=2").get_json()["search_id"] is None  # paging is not a new search
    app.extensions["kbsearch_analytics"].flush()
    searches = rows(index_dir, "SELECT query, results, typing FROM searches ORDER BY at")
    assert searches == [("hash tables", data["total"], 0), ("zzqqxx", 0, 0)]
    assert rows(index_dir, "SELECT search_id, rank FROM clicks") == [(data["search_id"], 1)]
    columns = [c[1] for c in rows(index_dir, "PRAGMA table_info(searches)")]
    assert not {"ip", "address", "user_agent", "session"} & set(columns)


@pytest.mark.parametrize(
    "body", ["", "not json", '{"search_id": "x", "rank": 1, "url": "/a"}', '{"search_id": "0123456789abcdef"}']
)
def test_bad_clicks_are_refused(app, body):
    response = app.test_client().post("/api/click", data=body, content_type="text/plain")
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == 400


def test_a_search_never_waits_on_analytics(app, index_dir):
    client = app.test_client()
    client.get("/api/search?q=sort")
    app.extensions["kbsearch_analytics"].flush()
    blocker = sqlite3.connect(index_dir / FILENAME, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")  # the writer cannot write until this ends
    try:
        started = time.monotonic()
        for n in range(30):
            assert client.get(f"/api/search?q=graph {n}").status_code == 200
        # A search that waited for its write would take the writer's whole lock timeout.
        assert time.monotonic() - started < 5
    finally:
        blocker.rollback()
        blocker.close()
    app.extensions["kbsearch_analytics"].flush()
    assert rows(index_dir, "SELECT COUNT(*) FROM searches")[0][0] == 31


def test_analytics_can_be_turned_off(index_dir, client_with):
    client = client_with(ANALYTICS="false")
    assert client.get("/api/search?q=sort").get_json()["search_id"] is None
    assert not (index_dir / FILENAME).exists()


def test_closing_the_app_writes_what_was_queued_and_stops_the_writer(index_dir):
    app = create_app({"INDEX_DIR": str(index_dir)})
    writer = app.extensions["kbsearch_analytics"]._thread
    app.test_client().get("/api/search?q=sort")
    close_app(app)  # no flush first: closing must write the queued search
    assert not writer.is_alive()
    assert rows(index_dir, "SELECT query FROM searches") == [("sort",)]


def seed(path) -> None:
    """Two days of searches: typing that led to a query, a query nobody clicked, one that found nothing."""
    recorder = Recorder(path)
    # Early in two past UTC days (as reports count days), whatever the time now: "a day ago" and
    # "a minute ago" fell on one date in the first minutes after midnight.
    yesterday = (time.time() // 86400 - 1) * 86400 + 3600
    day = yesterday - 86400
    events = [
        Search("a" * 16, day, "mer", "", 3, False, False, 2.0, True),
        Search("b" * 16, day + 1, "merge sort", "", 5, False, False, 4.0, True),
        Search("c" * 16, day + 60, "merge sort", "", 5, False, False, 3.0, False),
        Click("b" * 16, day + 2, 1, "/learn/a"),
        Click("c" * 16, day + 61, 3, "/learn/b"),
        Search("d" * 16, day + 100, "hash tables", "", 4, False, False, 90.0, False),
        Search("e" * 16, yesterday, "quantum tunneling", "", 0, False, False, 1.0, False),
        Search("f" * 16, yesterday + 10, "quantum tunnelling effect", "", 0, True, True, 1.5, False),
        Search("g" * 16, yesterday + 20, "quantum tunneling", "", 0, False, False, 1.0, False),
    ]
    for event in events:
        recorder.record(event)
    recorder.close()


def test_reports_on_a_seeded_database(tmp_path):
    seed(tmp_path / FILENAME)
    found = report(tmp_path / FILENAME, days=30)
    assert found.searches == 6  # "mer" was typing on the way to "merge sort"
    assert found.clicked == 2 and found.click_through == round(2 / 6, 4)
    assert found.mean_clicked_rank == 2.0
    assert found.top[0] == {"query": "merge sort", "searches": 2, "clicked": 2, "mean_results": 5.0}
    assert [(r["query"], r["searches"]) for r in found.no_results] == [
        ("quantum tunneling", 2),
        ("quantum tunnelling effect", 1),
    ]
    assert [r["query"] for r in found.no_clicks] == ["hash tables"]
    assert found.slowest[0]["query"] == "hash tables" and found.slowest[0]["took_ms"] == 90.0
    assert sum(day["searches"] for day in found.per_day) == 6 and len(found.per_day) == 2


def test_analytics_command(tmp_path, corpus_dir):
    build(corpus_dir, tmp_path)  # the report is of an index's visitors: without an index it is an error
    seed(tmp_path / FILENAME)
    runner = CliRunner()
    text = runner.invoke(cli, ["analytics", "--index-dir", str(tmp_path)], catch_exceptions=False).output
    assert "6 searches, 2 with a click (click-through 33.3%, mean clicked rank 2.0)" in text
    assert "searches with no results" in text and "quantum tunneling" in text
    data = json.loads(runner.invoke(cli, ["analytics", "--index-dir", str(tmp_path), "--json"]).output)
    assert data["searches"] == 6 and data["no_clicks"][0]["query"] == "hash tables"


def test_gaps_group_similar_queries_with_a_subject_and_a_stub(index_dir):
    seed(index_dir / FILENAME)
    with Engine(index_dir) as engine:
        found = gaps(index_dir / FILENAME, engine)
    first = found[0]
    assert first.query == "quantum tunneling" and first.searches == 3
    assert first.wordings == ["quantum tunneling", "quantum tunnelling effect"]
    stub = yaml.safe_load(first.stub.split("---")[1])
    assert stub["question"] == "Quantum tunneling?" and stub["url"].endswith("/questions/quantum-tunneling")
    assert "hash tables" in [gap.query for gap in found]  # results, but nobody clicked
    output = CliRunner().invoke(cli, ["gaps", "--index-dir", str(index_dir)], catch_exceptions=False).output
    assert "'quantum tunneling': 3 searches" in output and "also searched as: quantum tunnelling effect" in output


def test_admin_page_needs_the_token(app, index_dir):
    client = app.test_client()
    client.get("/api/search?q=sort")
    assert client.get("/admin/analytics").status_code == 401
    assert client.get("/admin/analytics?token=wrong").status_code == 401
    page = client.get("/admin/analytics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "1 searches" in html and "<svg" in html and "Searches with no results" in html
    assert client.get(f"/admin/analytics?token={TOKEN}&days=7").status_code == 200


def test_admin_page_is_absent_without_a_token(client_with):
    assert client_with(ANALYTICS="0").get("/admin/analytics?token=").status_code == 404


def test_recording_is_thread_safe(tmp_path):
    recorder = Recorder(tmp_path / FILENAME)

    def many(prefix):
        for n in range(200):
            recorder.record(Search(f"{prefix}{n:015x}", time.time(), f"q{n}", "", 1, False, False, 1.0, False))

    threads = [threading.Thread(target=many, args=(str(i),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    recorder.close()
    with sqlite3.connect(tmp_path / FILENAME) as connection:
        assert connection.execute("SELECT COUNT(*) FROM searches").fetchone()[0] == 800


def test_old_events_are_forgotten(tmp_path):
    from search.analytics import connect
    from search.analytics import purge

    recorder = Recorder(tmp_path / FILENAME)
    old = time.time() - 100 * 86400
    recorder.record(Search("1" * 16, old, "ancient", "", 1, False, False, 1.0, False))
    recorder.record(Click("1" * 16, old, 1, "/a"))
    recorder.record(Search("2" * 16, time.time(), "recent", "", 1, False, False, 1.0, False))
    recorder.close()
    with connect(tmp_path / FILENAME) as connection:
        purge(connection, 90)
        assert connection.execute("SELECT query FROM searches").fetchall() == [("recent",)]
        assert connection.execute("SELECT COUNT(*) FROM clicks").fetchone() == (0,)
