"""Every command, given a missing or unusable path, an empty folder or a wrong value, ends in one clear line.

Each case runs ``python -m cli …`` as a real process, as cron or a shell would,
and checks: no traceback, exactly one ``error:`` line (or click's own usage
error) when something failed, none when it succeeded, and the exit code the
README documents (Exit codes). The cases are independent, so they run
concurrently, once per module; each test then checks one of them.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.generate import generate
from cli.main import cli
from index.archive import export
from index.build import build
from tests.conftest import free_port
from tests.conftest import production_server
from tests.factory import write_article
from tests.workers import alive
from tests.workers import descendants
from tests.workers import ignores_ctrl_c

OK, FAILED, USAGE, NO_INDEX, UNEXPECTED, INTERRUPTED = 0, 1, 2, 3, 70, 130


@dataclass(frozen=True)
class Case:
    args: str  # split on spaces after filling in the workspace's paths: {index}, {corpus}, {tmp}, …
    codes: tuple[int, ...]  # the documented exit code (two only where another engineer's fix changes it)
    says: str  # in the error line, or in the output of a success
    env: dict[str, str] = field(default_factory=dict)


CASES = {
    # index, with --incremental and --strict
    "index-missing-source": Case("index {missing}", (USAGE,), "does not exist"),
    "index-source-is-a-file": Case("index {file}", (USAGE,), "is a file"),
    "index-empty-source": Case("index {empty} --index-dir {tmp}/ix", (FAILED,), "no valid articles in"),
    "index-below-a-file": Case("index {corpus} --index-dir {file}/sub/ix", (USAGE,), "is a file, not a folder"),
    "index-bad-procs": Case("index {corpus} --procs 0", (USAGE,), "Invalid value for '--procs'"),
    "index-bad-setting": Case("index {corpus}", (USAGE,), "must be a whole number", {"KBSEARCH_CACHE_MB": "abc"}),
    "index-setting-below-a-file": Case(
        "index {corpus}", (USAGE,), "is a file, not a folder", {"KBSEARCH_INDEX_DIR": "{file}/sub"}
    ),
    "index-missing-config": Case("index {corpus}", (USAGE,), "cannot read", {"KBSEARCH_CONFIG": "{missing}.toml"}),
    "index": Case("index {corpus} --index-dir {tmp}/ix --procs 1", (OK,), "indexed 8 articles, skipped 0"),
    "index-strict": Case("index {broken} --index-dir {tmp}/ix --strict", (FAILED,), "nothing published (--strict)"),
    "incremental-empty-index": Case(
        "index {corpus} --index-dir {tmp}/ix --incremental", (OK,), "yet: building it in full"
    ),
    "incremental-empty-source": Case(
        "index {empty} --index-dir {tmp}/ix --incremental", (FAILED,), "no valid articles in"
    ),
    "incremental-strict": Case(
        "index {broken} --index-dir {tmp}/ix --incremental --strict", (FAILED,), "nothing published (--strict)"
    ),
    "incremental-missing-source": Case("index {missing} --incremental", (USAGE,), "does not exist"),
    # The switch to the new version failed only after the build, naming CURRENT.tmp.
    "index-current-a-folder": Case(
        "index {corpus} --index-dir {pointless}", (FAILED,), "pointless/CURRENT is a folder"
    ),
    "incremental-current-a-folder": Case(
        "index {corpus} --index-dir {pointless} --incremental", (FAILED,), "pointless/CURRENT: Is a directory"
    ),
    # check
    "check-missing": Case("check {missing}", (USAGE,), "does not exist"),
    "check-empty": Case("check {empty}", (FAILED,), "no valid articles in"),
    "check-skipped": Case("check {broken}", (FAILED,), "1 file(s) would be skipped"),
    "check": Case("check {corpus}", (OK,), "8 valid articles, 0 skipped"),
    "check-bad-setting": Case(
        "check {corpus}", (USAGE,), "must be an http:// or https:// address", {"KBSEARCH_SITE_URL": "example.org"}
    ),
    # search
    "search-missing-index": Case("search x --index-dir {missing}", (NO_INDEX,), "no index in"),
    "search-empty-index": Case("search x --index-dir {empty}", (NO_INDEX,), "no index in"),
    "search-below-a-file": Case("search x --index-dir {file}/sub", (USAGE,), "is a file, not a folder"),
    "search-bad-page": Case("search x --index-dir {index} --page 0", (USAGE,), "Invalid value for '--page'"),
    "search-bad-setting": Case(
        "search x --index-dir {index}", (USAGE,), "no such file", {"KBSEARCH_SYNONYMS": "{missing}.txt"}
    ),
    "search-unknown-subject": Case(
        "search sort --index-dir {index} --subject economcs", (USAGE,), "no subject 'economcs' in the index"
    ),
    "search": Case("search sort --index-dir {index}", (OK,), "results"),
    # analytics and gaps
    "analytics-missing-index": Case("analytics --index-dir {missing}", (NO_INDEX,), "no index in"),
    "analytics-empty-index": Case("analytics --index-dir {empty}", (NO_INDEX,), "no index in"),
    "analytics-bad-days": Case("analytics --index-dir {index} --days 0", (USAGE,), "Invalid value for '--days'"),
    "analytics-bad-setting": Case(
        "analytics --index-dir {index}", (USAGE,), "'foo' is not an origin", {"KBSEARCH_ALLOWED_ORIGINS": "foo"}
    ),
    "analytics": Case("analytics --index-dir {index}", (OK,), "top searches"),
    "gaps-missing-index": Case("gaps --index-dir {missing}", (NO_INDEX,), "no index in"),
    "gaps-empty-index": Case("gaps --index-dir {empty}", (NO_INDEX,), "no index in"),
    "gaps-bad-limit": Case("gaps --index-dir {index} --limit 0", (USAGE,), "Invalid value for '--limit'"),
    "gaps": Case("gaps --index-dir {index}", (OK,), "no searches without good results"),
    # export
    "export-missing-folder": Case("export {missing}/out.tar --index-dir {index}", (USAGE,), "not an existing folder"),
    "export-below-a-file": Case("export {file}/sub/out.tar --index-dir {index}", (USAGE,), "not an existing folder"),
    "export-zip": Case("export {tmp}/out.zip --index-dir {index}", (USAGE,), "must end in .tar, or .tar.gz or .tgz"),
    "export-to-a-folder": Case("export {empty} --index-dir {index}", (USAGE,), "is a directory"),
    "export-empty-index": Case("export {tmp}/out.tar --index-dir {empty}", (NO_INDEX,), "no index in"),
    "export": Case("export {tmp}/out.tar.gz --index-dir {index}", (OK,), "sha256"),
    # import
    "import-missing": Case("import {missing}.tar --index-dir {tmp}/ix", (USAGE,), "does not exist"),
    "import-a-folder": Case("import {empty} --index-dir {tmp}/ix", (USAGE,), "is a directory"),
    "import-no-checksum": Case("import {file} --index-dir {tmp}/ix", (FAILED,), "no checksum"),
    "import-wrong-checksum": Case("import {archive} --index-dir {tmp}/ix --sha256 00", (FAILED,), "SHA-256 is"),
    "import-not-an-archive": Case(
        "import {file} --index-dir {tmp}/ix --sha256 {file_sha256}", (FAILED,), "cannot be unpacked"
    ),
    # A cut-off .tar.gz raises EOFError inside tarfile: never click's bare "Aborted!", but index.archive's own line.
    "import-truncated": Case(
        "import {truncated} --index-dir {tmp}/ix --sha256 {truncated_sha256}", (FAILED,), "ended before"
    ),
    "import-below-a-file": Case("import {archive} --index-dir {file}/sub/ix", (USAGE,), "is a file, not a folder"),
    "import": Case("import {archive} --index-dir {tmp}/ix", (OK,), "imported kb.tar"),
    # config
    "config": Case("config", (OK,), "KBSEARCH_INDEX_DIR"),
    "config-bad-variable": Case("config", (USAGE,), "from 1 to 3650", {"KBSEARCH_ANALYTICS_DAYS": "0"}),
    "config-bad-file": Case(
        "config", (USAGE,), "{toml}: cache_mb = 'abc': must be a whole number", {"KBSEARCH_CONFIG": "{toml}"}
    ),
    "config-missing-file": Case("config", (USAGE,), "cannot read", {"KBSEARCH_CONFIG": "{missing}.toml"}),
    # A folder that is no model: config says so, as the build would only after reading every article.
    "config-not-a-model": Case("config", (USAGE,), "not a Model2Vec folder", {"KBSEARCH_EMBEDDING_MODEL": "{empty}"}),
    # serve: these never get as far as starting gunicorn
    "serve-port-in-use": Case("serve --port {busy_port} --index-dir {tmp}/ix", (FAILED,), "Address already in use"),
    "serve-bad-host": Case("serve --host no_such_host.invalid --port {free_port}", (USAGE,), "--host no_such_host"),
    "serve-foreign-host": Case("serve --host 192.0.2.1 --port {free_port}", (USAGE,), "not an address of this"),
    "serve-bad-port": Case("serve --port 0", (USAGE,), "Invalid value for '--port'"),
    "serve-below-a-file": Case("serve --index-dir {file}/sub", (USAGE,), "is a file, not a folder"),
    "serve-bad-setting": Case("serve", (USAGE,), "must look like 120/minute", {"KBSEARCH_RATE_LIMIT": "fast"}),
    "no-such-command": Case("reindex {corpus}", (USAGE,), "No such command 'reindex'"),
}


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, corpus_dir) -> dict[str, str]:
    """The paths the cases name; only ``{tmp}`` differs between cases, and only cases write."""
    root = tmp_path_factory.mktemp("sweep")
    index_dir = root / "index"  # its own: other tests record searches in the session's, which gaps would report
    build(corpus_dir, index_dir)
    (root / "empty").mkdir()
    (root / "pointless" / "CURRENT").mkdir(parents=True)
    (root / "file").write_text("a regular file\n")
    broken = root / "broken"
    write_article(broken, id=1, question="Good?", answer="Fine.", subject="Physics")
    (broken / "bad.md").write_text("")
    archive = root / "kb.tar"
    export(index_dir, archive)
    truncated = root / "kb.tar.gz"
    export(index_dir, truncated)
    truncated.write_bytes(truncated.read_bytes()[:2000])
    (root / "kbsearch.toml").write_text('cache_mb = "abc"\n')
    return {
        "corpus": str(corpus_dir),
        "index": str(index_dir),
        "missing": str(root / "missing"),
        "empty": str(root / "empty"),
        "pointless": str(root / "pointless"),
        "file": str(root / "file"),
        "file_sha256": hashlib.sha256(b"a regular file\n").hexdigest(),
        "broken": str(broken),
        "archive": str(archive),
        "truncated": str(truncated),
        "truncated_sha256": hashlib.sha256(truncated.read_bytes()).hexdigest(),
        "toml": str(root / "kbsearch.toml"),
        "cases": str(root / "cases"),
    }


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any KBSEARCH_ setting of the machine running the tests."""
    return {k: v for k, v in os.environ.items() if not k.startswith("KBSEARCH_")} | extra


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_case(name: str, case: Case, paths: dict[str, str]) -> Outcome:
    here = Path(paths["cases"]) / name
    here.mkdir(parents=True)  # also the working directory: a default ./var/index lands here
    filled = {**paths, "tmp": str(here)}
    args = [part.format(**filled) for part in case.args.split()]
    env = clean_environment(**{key: value.format(**filled) for key, value in case.env.items()})
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=here, env=env, capture_output=True, text=True, timeout=120
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def outcomes(workspace) -> dict[str, Outcome]:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        paths = {**workspace, "busy_port": str(busy.getsockname()[1]), "free_port": str(free_port())}
        # Twice the cores: most of a case's time is starting Python and importing, which overlaps well.
        with ThreadPoolExecutor(max_workers=2 * (os.cpu_count() or 1)) as pool:
            running = {name: pool.submit(run_case, name, case, paths) for name, case in CASES.items()}
            return {name: future.result() for name, future in running.items()}


def error_lines(output: str) -> list[str]:
    """Our ``error: …`` lines, and click's ``Error: …`` for a usage error."""
    return [line for line in output.splitlines() if line.startswith(("error: ", "Error: "))]


@pytest.mark.parametrize("name", list(CASES))
def test_each_command_ends_in_one_clear_line(name, outcomes, workspace):
    case, outcome = CASES[name], outcomes[name]
    output = outcome.stdout + outcome.stderr
    assert outcome.code in case.codes, output
    assert "Traceback" not in output and "Aborted!" not in output
    says = case.says.format(**workspace)
    if outcome.code == OK:
        assert error_lines(output) == [] and says in outcome.stdout, output
        return
    [line] = error_lines(output)
    assert says in line and line in outcome.stderr.splitlines(), output
    if line.startswith("Error: "):
        assert "Usage: " in outcome.stderr  # click's usage error, exit 2
    else:
        assert outcome.stderr.splitlines()[-1] == line  # our line ends the command
    if name.startswith("serve-"):  # a server that could not start made no index folder (./var/index by default)
        assert list((Path(workspace["cases"]) / name).iterdir()) == []


def test_debug_shows_the_traceback_then_the_same_line(workspace):
    env = clean_environment()
    args = [sys.executable, "-m", "cli", "--debug", "search", "x", "--index-dir", workspace["missing"]]
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == NO_INDEX
    assert done.stderr.startswith("Traceback (most recent call last):")
    assert re.search(r"^common\.errors\.IndexMissing: no index in ", done.stderr, re.MULTILINE)
    assert done.stderr.splitlines()[-1].startswith("error: no index in ")


@pytest.mark.parametrize(
    ("raised", "code", "line"),
    [
        (ValueError("boom"), UNEXPECTED, "error: unexpected ValueError: boom; run with --debug for the traceback"),
        (EOFError(), UNEXPECTED, "error: unexpected EOFError; run with --debug for the traceback"),
        (KeyboardInterrupt(), INTERRUPTED, "error: interrupted"),
        (PermissionError(13, "Permission denied", "/srv/kb"), FAILED, "error: /srv/kb: Permission denied"),
    ],
)
def test_what_no_command_expects_still_ends_in_one_line(monkeypatch, corpus_dir, raised, code, line):
    def fail(_source, **_options):
        raise raised

    monkeypatch.setattr("cli.main.read_corpus", fail)
    result = CliRunner().invoke(cli, ["check", str(corpus_dir)])
    assert result.exit_code == code
    assert result.output.splitlines() == [line]


def metrics_folders(folder: Path) -> list[Path]:
    return sorted(folder.glob("kbsearch-metrics-*"))


def test_two_servers_run_side_by_side_with_no_shared_control_socket_and_leave_nothing(tmp_path, index_dir):
    home, runtime, temporary = tmp_path / "home", tmp_path / "run", tmp_path / "tmp"
    for folder in (home, runtime, temporary):
        folder.mkdir()
    # Where gunicorn would put its control socket ($XDG_RUNTIME_DIR, else ~/.gunicorn), and a private TMPDIR.
    private = {"HOME": str(home), "XDG_RUNTIME_DIR": str(runtime), "TMPDIR": str(temporary)}
    with (
        production_server(index_dir, tmp_path / "a.log", workers=1, **private) as first,
        production_server(index_dir, tmp_path / "b.log", workers=1, **private) as second,
    ):
        for base in (first, second):
            with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
                assert response.status == 200
        assert len(metrics_folders(temporary)) == 2  # one each, in the TMPDIR they were given
        assert list(home.rglob("*")) == [] and list(runtime.rglob("*")) == []
    assert metrics_folders(temporary) == []
    for log in ("a.log", "b.log"):
        assert "control socket" not in (tmp_path / log).read_text().lower()


def test_ctrl_c_while_the_command_loads_ends_in_one_line():
    """A third of a second of imports before click runs: Ctrl-C then is no traceback either."""
    interrupt_the_import = (
        "import builtins; real = builtins.__import__\n"
        "def imported(name, *args, **kwargs):\n"
        "    if name == 'cli.main':\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = imported\n"
        "from cli import run; run()\n"
    )
    done = subprocess.run([sys.executable, "-c", interrupt_the_import], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stderr) == (130, "error: interrupted\n")


def test_sigterm_stops_a_build_and_its_worker_processes_which_leave_ctrl_c_to_it(tmp_path):
    """A service manager's SIGTERM ended the parent at once and left its worker processes running for good."""
    generate(tmp_path / "articles", 6000)
    command = [sys.executable, "-m", "cli", "index", str(tmp_path / "articles"), "--index-dir", str(tmp_path / "index")]
    with subprocess.Popen(
        [*command, "--procs", "2", "--quiet"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as process:
        try:
            deadline = time.monotonic() + 60
            while len(workers := descendants(process.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert process.poll() is None and len(workers) >= 2, "no worker processes started"
            # A Ctrl-C at a terminal reaches every process of the command: one starting up printed a traceback.
            assert [pid for pid in workers if not ignores_ctrl_c(pid)] == []
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=60) == 143
        finally:
            process.kill()
    time.sleep(1)
    assert not [pid for pid in workers if alive(pid)]
    assert not list((tmp_path / "index" / "versions").glob(".*")), "a half-made version was left"
