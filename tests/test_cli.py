"""The kbsearch command line."""

import contextlib
import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from click.testing import CliRunner

from cli.main import cli
from tests.factory import write_article


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_index_search_and_json(tmp_path, corpus_dir):
    result = run("index", corpus_dir, "--index-dir", tmp_path / "ix", "--quiet", "--procs", "1")
    assert result.exit_code == 0, result.output
    assert "indexed 8 articles, skipped 0" in result.output
    found = run("search", "hash tables", "--index-dir", tmp_path / "ix")
    assert found.exit_code == 0 and "What are hash tables?" in found.output
    data = json.loads(
        run("search", "sort", "--json", "--subject", "computer science", "--index-dir", tmp_path / "ix").output
    )
    assert data["total"] == 2 and data["hits"][0]["url"].startswith("/learn/")


def test_index_reports_skipped_files_and_strict_fails(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    (source / "bad.md").write_text("---\nid: 1\n")
    result = run("index", source, "--index-dir", tmp_path / "ix", "--quiet")
    assert result.exit_code == 0
    assert "skipped bad.md: front matter is not closed" in result.output
    strict = run("index", source, "--index-dir", tmp_path / "ix2", "--quiet", "--strict")
    assert strict.exit_code == 1
    assert strict.output.count("bad.md") == 1  # listed once, as skipped; the error line only counts it
    assert strict.output.splitlines()[-1] == "error: 1 file(s) skipped, nothing published (--strict)"
    assert not (tmp_path / "ix2" / "CURRENT").exists()


def test_index_with_nothing_usable_exits_nonzero(tmp_path):
    (tmp_path / "src").mkdir()
    result = run("index", tmp_path / "src", "--index-dir", tmp_path / "ix", "--quiet")
    assert result.exit_code == 1 and "no valid articles" in result.output


def test_check_lists_problems_without_indexing(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    (source / "empty.md").write_text("")
    result = run("check", source)
    assert result.exit_code == 1
    assert "empty.md: empty file" in result.output and "1 valid articles, 1 skipped" in result.output
    assert not (tmp_path / "var").exists()


def test_check_of_no_articles_fails_as_index_does(tmp_path):
    (tmp_path / "src").mkdir()
    result = run("check", tmp_path / "src")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == f"error: no valid articles in {tmp_path / 'src'}"


@pytest.mark.parametrize("command", [["search", "x"], ["analytics"], ["gaps"], ["export", "out.tar"]])
def test_no_index_is_the_index_unavailable_error(tmp_path, command):
    result = run(*command, "--index-dir", tmp_path / "none")
    assert result.exit_code == 3, result.output
    assert result.output == f"error: no index in {tmp_path / 'none'}: run 'kbsearch index SOURCE' first\n"


@pytest.mark.parametrize("name", ["out.zip", "out.tar.bz2", "out"])
def test_export_refuses_names_it_would_not_write(tmp_path, index_dir, name):
    result = run("export", tmp_path / name, "--index-dir", index_dir)
    assert result.exit_code == 2 and "must end in .tar, or .tar.gz or .tgz" in result.output
    assert list(tmp_path.iterdir()) == []


def test_index_dir_from_environment(tmp_path, corpus_dir, monkeypatch):
    monkeypatch.setenv("KBSEARCH_INDEX_DIR", str(tmp_path / "env-ix"))
    assert run("index", corpus_dir, "--quiet", "--procs", "1").exit_code == 0
    assert (tmp_path / "env-ix" / "CURRENT").exists()


def test_help_on_each_command():
    for command in ("index", "check", "search", "serve"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.output


def test_incremental_without_an_index_builds_one_and_says_so(tmp_path, corpus_dir):
    result = run("index", corpus_dir, "--index-dir", tmp_path / "ix", "--incremental", "--procs", "1")
    assert result.exit_code == 0, result.output
    assert f"no index in {tmp_path / 'ix'} yet: building it in full" in result.output
    assert "indexed 8 articles, skipped 0" in result.output
    again = run("index", corpus_dir, "--index-dir", tmp_path / "ix", "--incremental")
    assert "unchanged 8" in again.output and "building" not in again.output


def test_incremental_strict_publishes_nothing_when_a_file_is_skipped(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    assert run("index", source, "--index-dir", tmp_path / "ix", "--quiet").exit_code == 0
    write_article(source, id=2, question="Another?", answer="New.", subject="Physics")
    (source / "bad.md").write_text("")
    result = run("index", source, "--index-dir", tmp_path / "ix", "--incremental", "--strict")
    assert result.exit_code == 1 and result.output.count("bad.md") == 1
    assert result.output.splitlines()[-1] == "error: 1 file(s) skipped, nothing published (--strict)"


def test_incremental_index_reports_what_it_did(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    assert run("index", source, "--index-dir", tmp_path / "ix", "--quiet").exit_code == 0
    write_article(source, id=2, question="Another?", answer="New.", subject="Physics")
    result = run("index", source, "--index-dir", tmp_path / "ix", "--quiet", "--incremental")
    assert result.exit_code == 0, result.output
    assert "added 1, changed 0, deleted 0, unchanged 1, skipped 0" in result.output
    again = run("index", source, "--index-dir", tmp_path / "ix", "--quiet", "--incremental")
    assert "nothing changed, nothing published" in again.output


def test_hostile_corpus_is_reported_file_by_file_and_good_articles_indexed(tmp_path):
    import os

    from tests.factory import article_text

    source = tmp_path / "src"
    good = dict(question="Good?", answer="Fine.", subject="Physics")
    for n in range(3):
        write_article(source, name=f"good{n}.md", id=n, url=f"/learn/physics/questions/good{n}", **good)
    hostile = {
        "yaml.md": "---\nid: [1\n---\n",
        "missing.md": article_text(id=10, **good).replace("subject: Physics\n", ""),
        "types.md": article_text(id=11, **good).replace("id: 11", "id: eleven"),
        "zz-dup-id.md": article_text(id=1, question="Dup?", answer="Dup.", subject="Physics", url="/x/dup"),
        "empty.md": "",
        "unclosed.md": "---\nid: 12\nquestion: Q\n",
        "huge.md": article_text(id=13, question="Huge?", answer="y" * 10_000_000, subject="Physics"),
    }
    for name, text in hostile.items():
        (source / name).write_text(text)
    (source / "latin1.md").write_bytes(article_text(id=14, **good).replace("Fine", "Fïne").encode("latin-1"))
    (source / "binary.md").write_bytes(bytes(range(256)))
    os.symlink(source, source / "loop")
    os.mkfifo(source / "fifo.md")
    checked = run("check", source)
    assert checked.exit_code == 1
    for name in [*hostile, "latin1.md", "binary.md", "fifo.md"]:
        assert f"skipped {name}: " in checked.output, name
    assert "3 valid articles, 10 skipped" in checked.output
    built = run("index", source, "--index-dir", tmp_path / "ix", "--quiet")
    assert built.exit_code == 0 and "indexed 3 articles, skipped 10" in built.output


def test_the_command_line_and_the_indexer_never_import_the_web_app():
    # `config` reads and checks every setting: the settings must not live in (or pull in) the web app.
    code = (
        "import sys, index.archive, index.update; from cli.main import cli; cli(['config'], standalone_mode=False); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('web', 'flask')))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert found.stdout.splitlines()[-1] == "[]"


def test_progress_bars_only_on_a_terminal(tmp_path, corpus_dir):
    command = [sys.executable, "-m", "cli", "index", str(corpus_dir), "--procs", "1", "--index-dir"]
    piped = subprocess.run([*command, str(tmp_path / "a")], capture_output=True, text=True, timeout=60, check=True)
    assert "indexing" not in piped.stderr and "\r" not in piped.stderr
    leader, follower = pty.openpty()
    # A terminal of 80 columns: tqdm sizes its bar to the window, and a new pty's is 0 wide.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        subprocess.run([*command, str(tmp_path / "b")], stderr=follower, stdout=subprocess.DEVNULL, timeout=60)
        os.set_blocking(leader, False)
        shown = b""
        with contextlib.suppress(BlockingIOError):
            while chunk := os.read(leader, 65536):
                shown += chunk
    finally:
        os.close(leader)
        os.close(follower)
    assert b"indexing: 100%" in shown


def test_serve_says_when_its_folder_holds_no_index_yet(tmp_path, index_dir, monkeypatch):
    """A server may start before the first build, but a mistyped --index-dir must not pass for one."""
    started = []
    monkeypatch.setattr("cli.server.serve", lambda settings, *args: started.append(settings["INDEX_DIR"]))
    empty = CliRunner().invoke(cli, ["serve", "--index-dir", str(tmp_path / "nothing-here")])
    assert empty.exit_code == 0 and len(started) == 1
    assert "note: no index in" in empty.output and "answers 503 until `kbsearch index` builds one" in empty.output
    built = CliRunner().invoke(cli, ["serve", "--index-dir", str(index_dir)])
    assert built.exit_code == 0 and "note:" not in built.output
