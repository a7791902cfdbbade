"""Running it: settings validation, ``kbsearch config``, request ids and JSON logs, ``/metrics``."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.workers import one_answer_per_worker
from web import create_app
from web.settings import SettingsError
from web.settings import check
from web.settings import load


def test_defaults_and_parsing():
    values = check({"CACHE_MB": "64", "ANALYTICS": "off", "SITE_URL": "https://x.example/"})
    assert values["CACHE_MB"] == 64 and values["ANALYTICS"] is False and values["SITE_URL"] == "https://x.example"
    assert values["INDEX_DIR"] == "var/index" and values["RATE_LIMIT"] == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"CACHE_MB": "lots"}, "KBSEARCH_CACHE_MB = 'lots'"),
        ({"CACHE_MB": "1"}, "must be between 16 and 65536"),
        ({"ANALYTICS": "maybe"}, "must be true or false"),
        ({"RATE_LIMIT": "fast"}, "must look like 120/minute"),
        ({"LOG_FORMAT": "xml"}, "must be one of json, text"),
        ({"NOT_A_SETTING": "1"}, "unknown setting(s): NOT_A_SETTING"),
    ],
)
def test_bad_values_are_named(raw, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        check(raw)


def test_file_then_environment(tmp_path):
    config = tmp_path / "kbsearch.toml"
    config.write_text('index_dir = "/srv/kb"\ncache_mb = 512\nadmin_token = "t0k"\n')
    values, origin = load({"KBSEARCH_CONFIG": str(config), "KBSEARCH_CACHE_MB": "128"})
    assert values["INDEX_DIR"] == "/srv/kb" and origin["INDEX_DIR"] == str(config)
    assert values["CACHE_MB"] == 128 and origin["CACHE_MB"] == "KBSEARCH_CACHE_MB"
    config.write_text("index_dirr = 1\n")
    with pytest.raises(SettingsError, match="unknown setting"):
        load({"KBSEARCH_CONFIG": str(config)})
    config.write_text("index_dir = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load({"KBSEARCH_CONFIG": str(config)})


def test_a_secret_is_never_shown_in_an_error():
    with pytest.raises(SettingsError) as error:
        check({"ADMIN_TOKEN": object()} | {"CACHE_MB": "x"})
    assert "object" not in str(error.value)


def test_config_command(tmp_path, monkeypatch):
    config = tmp_path / "kbsearch.toml"
    config.write_text('admin_token = "very-secret"\nsite_name = "Docs"\n')
    monkeypatch.setenv("KBSEARCH_CONFIG", str(config))
    monkeypatch.setenv("KBSEARCH_CACHE_MB", "64")
    output = CliRunner().invoke(cli, ["config"]).output
    assert re.search(r"KBSEARCH_SITE_NAME\s+Docs\s+\(.*kbsearch.toml\)", output)
    assert re.search(r"KBSEARCH_CACHE_MB\s+64\s+\(KBSEARCH_CACHE_MB\)", output)
    assert "very-secret" not in output and "********" in output
    monkeypatch.setenv("KBSEARCH_CACHE_MB", "huge")
    failed = CliRunner().invoke(cli, ["config"])
    assert failed.exit_code == 2 and "KBSEARCH_CACHE_MB = 'huge' (from KBSEARCH_CACHE_MB)" in failed.output


def test_the_app_refuses_a_bad_setting(index_dir):
    with pytest.raises(SettingsError, match="KBSEARCH_RATE_LIMIT"):
        create_app({"INDEX_DIR": str(index_dir), "RATE_LIMIT": "often"})


def test_request_ids_and_json_logs(client_with, capsys):
    client = client_with(ANALYTICS="false")
    given = client.get("/api/search?q=secret+words", headers={"X-Request-Id": "abc-123"})
    assert given.headers["X-Request-Id"] == "abc-123"
    made = client.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-Id"])
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    search = next(line for line in lines if line["request_id"] == "abc-123")
    assert search["path"] == "/api/search" and search["status"] == 200 and search["ms"] > 0
    assert "secret" not in json.dumps(lines)  # no query text in logs


def counted(metrics: bytes) -> tuple[float, float]:
    """Searches answered, as the request counter and as the latency histogram count."""
    text = metrics.decode()
    served = re.search(
        r'^kbsearch_requests_total\{endpoint="/api/search",method="GET",status="200"\} (\S+)$', text, re.M
    )
    timed = re.search(r'^kbsearch_request_seconds_count\{endpoint="/api/search"\} (\S+)$', text, re.M)
    return float(served.group(1)) if served else 0.0, float(timed.group(1)) if timed else 0.0


def test_metrics_from_each_worker_count_the_requests_of_all_workers(live_server):
    # one_answer_per_worker makes each of the two workers answer one request, and says which answered what.
    port = urllib.parse.urlsplit(live_server).port
    before = {pid: counted(body) for pid, body in one_answer_per_worker(port, "/metrics").items()}
    assert len(before) == 2 and len(set(before.values())) == 1, before
    for _ in range(3):
        one_answer_per_worker(port, "/api/search?q=sort")
    # Each worker answered three of the six searches, and each reports all six.
    served, timed = next(iter(before.values()))
    after = {pid: counted(body) for pid, body in one_answer_per_worker(port, "/metrics").items()}
    assert after == {pid: (served + 6, timed + 6) for pid in before}


def test_metrics_describe_the_served_index(live_server):
    with urllib.request.urlopen(live_server + "/metrics") as response:
        text = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/plain")
    assert 'kbsearch_request_seconds_bucket{endpoint="/healthz",le="0.05"}' in text
    assert re.search(r"^kbsearch_index_documents 8\.0$", text, re.M)
    assert re.search(r'^kbsearch_index_info\{version="\d{8}T\d+Z"\} 1\.0$', text, re.M)
    assert re.search(r"^kbsearch_index_build_seconds [\d.]+$", text, re.M)
