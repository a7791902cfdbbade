"""Running it: settings validation, ``kbsearch config``, request ids and JSON logs, ``/metrics``."""

from __future__ import annotations

import json
import re
import signal
import time
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from cli.main import cli
from common.errors import SettingsError
from common.settings import check
from common.settings import load
from tests.conftest import production_process
from tests.workers import one_answer_per_worker
from web import create_app


def test_defaults_and_parsing():
    values = check({"CACHE_MB": "64", "ANALYTICS": "off", "SITE_URL": "https://x.example/"})
    assert values["CACHE_MB"] == 64 and values["ANALYTICS"] is False and values["SITE_URL"] == "https://x.example"
    assert values["INDEX_DIR"] == "var/index" and values["RATE_LIMIT"] == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"CACHE_MB": "1"}, "KBSEARCH_CACHE_MB = '1': must be a whole number from 16 to 65536"),
        ({"CACHE_MB": "lots"}, "KBSEARCH_CACHE_MB = 'lots': must be a whole number from 16 to 65536"),
        ({"CACHE_MB": "64.5"}, "must be a whole number from 16 to 65536"),
        ({"ANALYTICS_DAYS": True}, "must be a whole number from 1 to 3650"),
        ({"ANALYTICS": "maybe"}, "must be true or false"),
        ({"SITE_URL": "example.org"}, "KBSEARCH_SITE_URL = 'example.org': must be an http:// or https:// address"),
        ({"SITE_URL": "ftp://example.org"}, "must be an http:// or https:// address with a host"),
        ({"SITE_URL": "https://"}, "must be an http:// or https:// address with a host"),
        ({"SITE_URL": "https://example.org:port"}, "must be an http:// or https:// address with a host"),
        ({"ALLOWED_ORIGINS": "foo"}, "KBSEARCH_ALLOWED_ORIGINS = 'foo': 'foo' is not an origin"),
        ({"ALLOWED_ORIGINS": "https://a.example, https://b.example/app"}, "'https://b.example/app' is not an origin"),
        ({"ALLOWED_ORIGINS": "https://user@a.example"}, "is not an origin: give scheme://host[:port] with no path"),
        ({"SYNONYMS": "/nonexistent.txt"}, "KBSEARCH_SYNONYMS = '/nonexistent.txt': no such file"),
        ({"SYNONYMS": "/"}, "KBSEARCH_SYNONYMS = '/': must be a regular file"),
        ({"INDEX_DIR": " "}, "KBSEARCH_INDEX_DIR = ' ': must name a folder"),
        ({"RATE_LIMIT": "fast"}, "must look like 120/minute"),
        ({"LOG_FORMAT": "xml"}, "must be one of json, text"),
        ({"NOT_A_SETTING": "1"}, "unknown setting(s): NOT_A_SETTING"),
    ],
)
def test_bad_values_are_named(raw, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        check(raw)


def test_values_that_mean_something_are_accepted_and_tidied(tmp_path):
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("svm, support vector machine\n", encoding="utf-8")
    values = check(
        {
            "SITE_URL": "http://localhost:8000/learn/",
            "ALLOWED_ORIGINS": " https://a.example:8443/, http://127.0.0.1:5000 ,",
            "SYNONYMS": str(synonyms),
            "CACHE_MB": " 512 ",
        }
    )
    assert values["SITE_URL"] == "http://localhost:8000/learn"
    assert values["ALLOWED_ORIGINS"] == "https://a.example:8443,http://127.0.0.1:5000"
    assert values["SYNONYMS"] == str(synonyms) and values["CACHE_MB"] == 512
    assert check({"ALLOWED_ORIGINS": "*"})["ALLOWED_ORIGINS"] == "*" and check({"SYNONYMS": ""})["SYNONYMS"] is None


def test_a_synonyms_file_must_be_utf8_text(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("café, coffee\n".encode("latin-1"))
    with pytest.raises(SettingsError, match="is not UTF-8 text"):
        check({"SYNONYMS": str(latin1)})
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"svm\0svm")
    with pytest.raises(SettingsError, match="is not text"):
        check({"SYNONYMS": str(binary)})


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('cache_mb = "abc"', "{file}: cache_mb = 'abc': must be a whole number from 16 to 65536"),
        ("cache_mb = 1.5", "{file}: cache_mb = 1.5: must be a whole number from 16 to 65536"),
        ("analytics_days = true", "{file}: analytics_days = True: must be a whole number from 1 to 3650"),
        ('site_url = "example.org"', "{file}: site_url = 'example.org': must be an http:// or https:// address"),
        ('index_dir = ["a", "b"]', "{file}: index_dir = ['a', 'b']: must be text"),
        ("index_dirr = 1", "{file}: unknown setting(s) index_dirr; known: admin_token, allowed_origins, analytics,"),
        ("CACHE_MB = 64", "{file}: unknown setting(s) CACHE_MB; known: "),
    ],
)
def test_a_wrong_value_in_the_file_is_named_as_written_there(tmp_path, line, message):
    config = tmp_path / "kbsearch.toml"
    config.write_text(line + "\n")
    with pytest.raises(SettingsError, match=re.escape(message.format(file=config))):
        load({"KBSEARCH_CONFIG": str(config)})


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
    assert failed.exit_code == 2
    assert "error: KBSEARCH_CACHE_MB = 'huge': must be a whole number from 16 to 65536" in failed.output


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


def test_sighup_new_workers_keep_the_settings_the_server_started_with(tmp_path, index_dir):
    config, log = tmp_path / "kbsearch.toml", tmp_path / "server.log"
    config.write_text('site_name = "Physics Answers"\n')
    with production_process(index_dir, log, workers=1, KBSEARCH_CONFIG=str(config)) as (base, process):
        # Broken after the start: workers that read the settings themselves would now fail to boot.
        config.write_text('cache_mb = "lots"\n')
        process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 20
        while not all(event in log.read_text().partition("Hang up")[2] for event in ("Booting", "Worker exiting")):
            assert time.monotonic() < deadline and process.poll() is None, log.read_text()
            time.sleep(0.1)
        with urllib.request.urlopen(base + "/?q=sort", timeout=10) as response:  # the new worker answers
            assert "Physics Answers" in response.read().decode()
