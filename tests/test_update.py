"""Incremental updates: only what changed is re-indexed, and the live version is never touched."""

import os
import re
import resource
import signal
import subprocess
import sys

import pytest

from common.errors import IndexDamaged
from common.errors import OldFormat
from index import docmeta
from index import integrity
from index import manifest
from index import update as update_module
from index import versions
from index import vocabulary
from index.build import BuildError
from index.build import build
from index.tokens import stem
from index.update import update
from search.engine import Engine
from search.query import Alternative
from tests.conftest import file_digests
from tests.conftest import make_older
from tests.factory import write_article


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "src"
    for n in range(1, 6):
        write_article(folder, id=n, question=f"What is topic{n}?", answer=f"Topic{n} explained.", subject="Physics")
    return folder


@pytest.fixture
def index_dir(tmp_path, source):
    folder = tmp_path / "index"
    build(source, folder)
    return folder


def test_nothing_changed_publishes_nothing(source, index_dir):
    live = versions.current_version(index_dir)
    os.utime(source / "what-is-topic1.md", (1, 1))  # a new mtime is not a change
    report = update(source, index_dir)
    assert (report.added, report.changed, report.deleted, report.unchanged) == (0, 0, 0, 5)
    assert report.version is None and versions.current_version(index_dir) == live


def test_a_touched_file_is_hashed_until_a_published_version_records_its_stamp(source, index_dir, monkeypatch):
    hashed, digest = [], update_module._digest
    monkeypatch.setattr(update_module, "_digest", lambda path: hashed.append(path.name) or digest(path))
    os.utime(source / "what-is-topic1.md", (1, 1))
    update(source, index_dir)  # nothing changed, nothing published: the stamp is not recorded
    write_article(source, name="what-is-topic2.md", id=2, question="What is topic2?", answer="New.", subject="Physics")
    report = update(source, index_dir)
    assert (report.changed, report.unchanged) == (1, 4)
    assert hashed == ["what-is-topic1.md", "what-is-topic1.md", "what-is-topic2.md"]
    hashed.clear()
    assert update(source, index_dir).version is None and hashed == []
    stamp = (source / "what-is-topic1.md").stat()
    assert manifest.read(report.version)["what-is-topic1.md"].stamp == (stamp.st_size, stamp.st_mtime_ns)


def test_an_update_publishes_for_many_touched_files_alone(source, index_dir, monkeypatch):
    monkeypatch.setattr(update_module, "RESTAMPED_TO_PUBLISH", 2, raising=False)
    hashed, digest = [], update_module._digest
    monkeypatch.setattr(update_module, "_digest", lambda path: hashed.append(path.name) or digest(path))
    os.utime(source / "what-is-topic1.md", (1, 1))
    assert update(source, index_dir).version is None  # one file is cheaper to hash again
    os.utime(source / "what-is-topic2.md", (1, 1))
    report = update(source, index_dir)
    assert report.version is not None and (report.changed, report.unchanged) == (0, 5)
    assert versions.current_version(index_dir) == report.version
    integrity.verify(report.version)
    hashed.clear()
    assert update(source, index_dir).version is None and hashed == []
    engine = Engine(index_dir)
    try:
        assert [hit.url for hit in engine.search("topic2").hits] == ["/learn/physics/questions/what-is-topic2"]
    finally:
        engine.close()


def test_added_changed_and_deleted(source, index_dir, request):
    engine = Engine(index_dir)
    request.addfinalizer(engine.close)
    old = versions.current_version(index_dir)
    write_article(source, id=6, question="What is topic6?", answer="Brand new.", subject="physics")
    write_article(
        source,
        name="what-is-topic2.md",
        id=2,
        question="What is topic2?",
        answer="Rewritten: zeppelin.",
        subject="Physics",
    )
    (source / "what-is-topic3.md").unlink()
    report = update(source, index_dir)
    assert (report.added, report.changed, report.deleted, report.unchanged) == (1, 1, 1, 3)
    assert report.version == versions.current_version(index_dir) != old
    assert engine.search("topic6").hits[0].subject == "Physics"  # the index's spelling wins
    assert [h.id for h in engine.search("zeppelin").hits] == [2]
    assert engine.search("topic3").total == 0
    assert engine.status().documents == 5
    assert engine.search("").total == 5
    # The previous version is intact: a server still on it sees the old articles.
    with Engine(tmp_index_for(old)) as frozen:
        assert frozen.search("topic3").total == 1 and frozen.search("zeppelin").total == 0


def tmp_index_for(version):
    """An index directory whose CURRENT points at ``version`` (for reading an old version)."""
    folder = version.parent.parent.parent / ("frozen-" + version.name)
    (folder / "versions").mkdir(parents=True)
    (folder / "versions" / version.name).symlink_to(version)
    (folder / "CURRENT").write_text(version.name)
    return folder


def test_broken_change_keeps_the_last_good_version(source, index_dir):
    (source / "what-is-topic4.md").write_text("---\nid: [\n---\n")
    report = update(source, index_dir)
    assert [p.path for p in report.problems] == ["what-is-topic4.md"]
    assert report.version is None
    assert (report.unchanged, report.kept, report.documents) == (4, 1, 5)  # each file counted once
    with Engine(index_dir) as engine:
        assert engine.search("topic4").total == 1


def test_strict_update_publishes_nothing_when_a_file_is_skipped(source, index_dir):
    live = versions.current_version(index_dir)
    write_article(source, id=6, question="What is topic6?", answer="Brand new.", subject="Physics")
    (source / "broken.md").write_text("")
    with pytest.raises(BuildError, match=r"1 file\(s\) skipped, nothing published") as refused:
        update(source, index_dir, strict=True)
    assert [p.path for p in refused.value.problems] == ["broken.md"]
    assert versions.current_version(index_dir) == live
    assert update(source, index_dir).added == 1  # without strict, the good file goes in


def test_duplicate_id_in_a_new_file_is_skipped(source, index_dir):
    write_article(source, name="copy.md", id=1, question="Copy?", answer="Copy.", subject="Physics")
    report = update(source, index_dir)
    assert report.problems[0].reason == "duplicate id 1 (already in what-is-topic1.md)"
    assert report.added == 0


def test_an_article_may_keep_its_own_id_when_changed_and_take_a_deleted_ones(source, index_dir):
    (source / "what-is-topic5.md").unlink()
    write_article(source, name="five.md", id=5, question="Topic five again?", answer="Moved.", subject="Physics")
    write_article(
        source, name="what-is-topic1.md", id=1, question="What is topic1?", answer="Edited.", subject="Physics"
    )
    report = update(source, index_dir)
    assert report.problems == [] and (report.added, report.changed, report.deleted) == (1, 1, 1)


def test_a_change_refused_as_a_duplicate_keeps_its_old_url_taken(source, index_dir):
    # topic2 keeps its last good version, so its url stays its own: a new article read after it
    # (the walk reads a folder's files before its subfolders) cannot take it.
    old_url = "/learn/physics/questions/what-is-topic2"
    taken_url = "/learn/physics/questions/what-is-topic3"
    write_article(source, name="what-is-topic2.md", id=2, question="Two?", answer="Edited.", url=taken_url)
    write_article(source, name="later/new.md", id=9, question="Nine?", answer="New.", subject="Physics", url=old_url)
    report = update(source, index_dir)
    assert sorted(p.reason for p in report.problems) == [
        "duplicate url /learn/physics/questions/what-is-topic2 (already in what-is-topic2.md)",
        "duplicate url /learn/physics/questions/what-is-topic3 (already in what-is-topic3.md)",
    ]
    assert [p.path for p in report.problems] == ["what-is-topic2.md", "later/new.md"]
    assert (report.added, report.changed) == (0, 0)


def test_update_needs_an_index_and_never_empties_it(source, tmp_path, index_dir):
    with pytest.raises(BuildError, match="run a full build first"):
        update(source, tmp_path / "none")
    for path in source.iterdir():
        path.unlink()
    with pytest.raises(BuildError, match="empty"):
        update(source, index_dir)
    with Engine(index_dir) as engine:
        assert engine.status().documents == 5


def test_vocabulary_after_updates_equals_a_full_build(source, index_dir, tmp_path):
    from index import vocabulary

    write_article(source, id=7, question="What is quasar?", answer="Quasars shine.", subject="Physics")
    write_article(
        source, name="what-is-topic2.md", id=2, question="What is topic2?", answer="Pulsar.", subject="Physics"
    )
    (source / "what-is-topic4.md").unlink()
    updated = update(source, index_dir).version
    fresh = build(source, tmp_path / "fresh").version
    assert vocabulary.load(updated).counts() == vocabulary.load(fresh).counts()
    assert vocabulary.load(updated).counts()["quasar"] == 1 and vocabulary.load(updated).counts()["topic4"] == 0


def test_replaced_version_is_dropped_when_its_last_request_ends(source, index_dir, request):
    engine = Engine(index_dir)
    request.addfinalizer(engine.close)
    with engine._using() as old:  # a request under way while a new version is published
        write_article(source, id=9, question="What is topic9?", answer="Topic9 explained.", subject="Physics")
        update(source, index_dir)
        assert engine.search("topic9").total == 1
        assert engine._retired is old and old.users == 1
    assert engine._retired is None and old.users == 0
    before = engine._current()
    write_article(source, id=10, question="What is topic10?", answer="Topic10 explained.", subject="Physics")
    update(source, index_dir)
    assert engine.search("topic10").total == 1
    assert engine._current() is not before and engine._retired is None  # dropped at once: nothing used it


def test_update_in_worker_processes_skips_a_file_that_crashes_the_parser(source, index_dir):
    write_article(source, id=7, question="What is topic7?", answer="Fine and new.", subject="Physics")
    broken = {"id": 4, "question": "What is topic4?", "answer": "see [`", "subject": "Physics"}
    write_article(source, name="what-is-topic4.md", **broken)
    report = update(source, index_dir, procs=2)
    assert (report.added, report.changed, report.unchanged, report.kept) == (
        1,
        0,
        4,
        1,
    )  # topic4 keeps its last good version
    assert [(p.path, p.reason[:40]) for p in report.problems] == [
        ("what-is-topic4.md", "the Markdown parser crashed on this file")
    ]
    with Engine(index_dir) as engine:
        assert [h.id for h in engine.search("topic7").hits] == [7]
        assert [h.id for h in engine.search("topic4").hits] == [4]  # the last good version stays


def test_an_update_hashes_only_the_files_it_writes_and_records_every_digest(source, index_dir, monkeypatch):
    live = versions.current_version(index_dir)
    hashed = []
    real = integrity.sha256_of
    # By inode: the files are hashed in the building folder, renamed when the version is published.
    monkeypatch.setattr(integrity, "sha256_of", lambda path: hashed.append(path.stat().st_ino) or real(path))
    write_article(source, id=6, question="What is topic6?", answer="Brand new.", subject="Physics")
    (source / "what-is-topic3.md").unlink()
    updated = update(source, index_dir).version
    originals = {path: live / path.relative_to(updated) for path in updated.rglob("*") if path.is_file()}
    linked = {
        path.stat().st_ino for path, original in originals.items() if original.exists() and path.samefile(original)
    }
    assert len(linked) > 30 and hashed and not linked & set(hashed)  # carried over from the live version
    assert versions.read_meta(updated)["files"] == file_digests(updated)


def test_a_version_without_digests_must_be_rebuilt(source, index_dir):
    make_older(versions.current_version(index_dir))
    write_article(source, id=6, question="What is topic6?", answer="Brand new.", subject="Physics")
    with pytest.raises(OldFormat, match="run a full"):
        update(source, index_dir)
    with pytest.raises(OldFormat, match="run a full"), Engine(index_dir) as engine:
        engine.search("topic1")
    build(source, index_dir)
    assert update(source, index_dir).version is None


def test_a_word_that_only_deleted_articles_hold_is_found_nowhere(source, index_dir, request):
    (source / "what-is-topic1.md").unlink()
    update(source, index_dir)
    engine = Engine(index_dir)
    request.addfinalizer(engine.close)
    with engine._using() as version:  # the deleted articles' postings stay in the first segment
        assert not version.ranker.finds(Alternative((stem("topic1"),)))
        assert version.ranker.finds(Alternative((stem("explained"),)))
    assert engine.search("topic1").total == 0


def test_topics_follow_the_keywords_through_an_update(source, index_dir):
    # Changed, added, then deleted and added again: only the live articles' entries are topics,
    # an entry in other word forms is the same topic, and one entry among others counts.
    for number, keywords in ((2, "zeppelin design"), (6, "airship, zeppelin design")):
        write_article(source, id=number, question=f"What is topic{number}?", answer="A.", keywords=keywords)
    update(source, index_dir)
    (source / "what-is-topic2.md").unlink()
    write_article(source, id=7, question="What is topic7?", answer="B.", keywords="zeppelins designed")
    update(source, index_dir)
    meta = docmeta.load(versions.current_version(index_dir))
    with Engine(index_dir) as engine:
        urls = {number: engine.search(f"topic{number}").hits[0].url for number in (1, 6, 7)}
    both, airship, zeppelin = meta.find_topics([["zeppelin", "design"], ["airship"], ["zeppelin"]])
    assert sorted(both) == sorted(meta.find_url(urls[n]) for n in (6, 7))
    assert list(airship) == [meta.find_url(urls[6])]
    assert not len(zeppelin)


@pytest.mark.parametrize("field", ["url", "id"])
def test_two_articles_may_swap_their_urls_or_ids(source, index_dir, field):
    """Correcting two addresses mixed up between articles: each takes the one the other gives up."""
    one, two = source / "what-is-topic1.md", source / "what-is-topic2.md"
    first, second = (re.search(rf"^{field}: .*$", path.read_text(), re.M).group() for path in (one, two))
    one.write_text(one.read_text().replace(first, second))
    two.write_text(two.read_text().replace(second, first))
    report = update(source, index_dir)
    assert report.problems == [] and report.changed == 2
    with Engine(index_dir) as engine:
        [hit] = engine.search("topic1").hits
    assert hit.url.endswith("what-is-topic2") if field == "url" else hit.id == 2


def test_a_swap_with_an_article_whose_change_is_refused_is_refused_too(source, index_dir):
    """topic2's new version is broken, so its last good one keeps its url: topic1 cannot take it."""
    one, two = source / "what-is-topic1.md", source / "what-is-topic2.md"
    one.write_text(one.read_text().replace("what-is-topic1\n", "what-is-topic2\n"))
    two.write_text("---\nid: [\n---\n")
    report = update(source, index_dir)
    assert sorted(p.path for p in report.problems) == ["what-is-topic1.md", "what-is-topic2.md"]
    assert report.version is None and report.kept == 2


@pytest.mark.parametrize("share", [i / 20 for i in range(1, 20)])
@pytest.mark.parametrize("edited", [False, True])
@pytest.mark.parametrize("name", [docmeta.FILENAME, vocabulary.FILENAME, "_MAIN_*.toc"])
def test_an_update_over_a_damaged_live_version_says_so(source, index_dir, share, edited, name):
    """A byte of one of the files of the live version that every update reads changed: the update
    reports the index damaged (exit 3), or the byte was one no reader looks at (a zip header's time)
    and the index still serves. Never "nothing changed" (success) over an index that cannot serve,
    nor an unexpected error (the vocabulary and the table of contents gave exit 70)."""
    [damaged] = versions.current_version(index_dir).glob(name)
    data = bytearray(damaged.read_bytes())
    data[int(len(data) * share)] ^= 0xFF
    damaged.write_bytes(bytes(data))
    if edited:
        write_article(source, id=1, question="What is topic1?", answer="Edited.", subject="Physics")
    try:
        update(source, index_dir)
    except IndexDamaged as exc:
        assert "run a full build" in str(exc)
        return
    with Engine(index_dir) as engine:
        assert engine.search("topic1").total == 1


def _update_in_a_process(source, index_dir, memory_bytes: int = 2 * 1024**3) -> subprocess.CompletedProcess:
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    command = [sys.executable, "-m", "cli", "index", str(source), "--incremental", "--index-dir", str(index_dir)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, preexec_fn=limit_memory)


@pytest.mark.parametrize("kind", ["fifo", "endless"])
def test_an_indexed_file_that_became_a_fifo_or_endless_is_skipped_not_read(source, index_dir, kind):
    """The update hashed a changed file whole before reading it as an article: a FIFO blocked it for
    ever, and a link to /dev/zero read until the memory ran out. Now each is one skipped file."""
    path = source / "what-is-topic2.md"
    path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    try:
        done = _update_in_a_process(source, index_dir)
    except subprocess.TimeoutExpired:
        pytest.fail("the update blocked on the file")
    assert done.returncode == 0, done.stderr
    assert "what-is-topic2.md: not a regular file" in done.stdout + done.stderr
    with Engine(index_dir) as engine:
        assert engine.search("topic2").total == 1  # its last good version stays


def test_a_file_name_that_is_not_utf8_is_skipped_by_builds_and_updates(source, index_dir, tmp_path):
    """The index keeps file names as UTF-8 text: such a name failed every build and update, exit 70."""
    os.rename(source / "what-is-topic3.md", source / os.fsdecode(b"topic-\xe9.md"))
    report = update(source, index_dir)
    assert [(p.path, p.reason) for p in report.problems] == [
        ("topic-\\xe9.md", "file name is not UTF-8: rename the file")
    ]
    assert report.deleted == 1 and report.version is not None
    rebuilt = build(source, tmp_path / "rebuilt")
    assert [p.path for p in rebuilt.problems] == ["topic-\\xe9.md"] and rebuilt.documents == 4


def test_a_pointer_to_the_live_version_that_is_not_text_is_damage_a_full_build_repairs(source, index_dir):
    """CURRENT of bytes that are not UTF-8 failed search and update with an unexpected error (exit 70)."""
    (index_dir / versions.CURRENT).write_bytes(b"\xff\xfe\n")
    with pytest.raises(IndexDamaged, match="does not name a version"):
        update(source, index_dir)
    with pytest.raises(IndexDamaged, match="does not name a version"):
        Engine(index_dir).search("topic1")
    build(source, index_dir)
    with Engine(index_dir) as engine:
        assert engine.search("topic1").total == 1


def test_ctrl_c_once_the_switch_began_lets_the_update_finish_as_published(source, index_dir, monkeypatch):
    """A Ctrl-C after CURRENT named the new version reported "interrupted" (exit 130) for a published update."""
    pruned = versions.prune

    def interrupted_while_pruning(folder):
        os.kill(os.getpid(), signal.SIGINT)
        pruned(folder)

    monkeypatch.setattr(versions, "prune", interrupted_while_pruning)
    write_article(source, id=1, question="What is topic1?", answer="Edited again.", subject="Physics")
    try:
        report = update(source, index_dir)
    except KeyboardInterrupt:
        pytest.fail("interrupted after the switch")
    assert report.version is not None and versions.current_version(index_dir) == report.version
