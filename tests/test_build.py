"""Building an index version and swapping it in atomically."""

import threading

import pytest

from common.errors import IndexMissing
from index import versions
from index.build import BuildError
from index.build import build
from search.engine import Engine
from tests.conftest import file_digests
from tests.factory import write_article


def test_build_reports_and_publishes(tmp_path, corpus_dir):
    index_dir = tmp_path / "index"
    (corpus_dir.parent / "broken-extra").mkdir(exist_ok=True)
    report = build(corpus_dir, index_dir)
    assert report.documents == 8 and report.problems == []
    assert versions.current_version(index_dir) == report.version
    meta = versions.read_meta(report.version)
    assert meta["documents"] == 8
    assert {p.name for p in report.version.iterdir()} >= {"meta.json", "docmeta.npz", "vocabulary.npz"}


def test_build_records_the_digest_of_every_file_in_metadata_written_last(tmp_path, corpus_dir):
    version = build(corpus_dir, tmp_path / "index").version
    digests = file_digests(version)
    assert len(digests) > 40 and versions.read_meta(version)["files"] == digests
    written = (version / "meta.json").stat().st_mtime_ns
    assert all((version / name).stat().st_mtime_ns <= written for name in digests)


def test_broken_files_are_skipped_not_fatal(tmp_path, corpus_dir):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    (source / "bad.md").write_text("---\nid: [\n---\n")
    report = build(source, tmp_path / "index")
    assert report.documents == 1
    assert [p.path for p in report.problems] == ["bad.md"]


def test_strict_build_publishes_nothing(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Good?", answer="Fine.", subject="Physics")
    (source / "bad.md").write_text("")
    with pytest.raises(BuildError, match=r"1 file\(s\) skipped, nothing published") as refused:
        build(source, tmp_path / "index", strict=True)
    assert [(p.path, p.reason) for p in refused.value.problems] == [("bad.md", "empty file")]
    assert versions.current_version(tmp_path / "index") is None


def test_nothing_usable_is_an_error(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.md").write_text("nope")
    with pytest.raises(BuildError, match="no valid articles"):
        build(tmp_path / "src", tmp_path / "index")
    with pytest.raises(IndexMissing), Engine(tmp_path / "index") as engine:
        engine.search("x")


def test_running_engine_picks_up_new_version_without_restart(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="What is entropy?", answer="Disorder.", subject="Physics")
    index_dir = tmp_path / "index"
    build(source, index_dir)
    with Engine(index_dir) as engine:
        assert engine.search("entropy").total == 1
        assert engine.search("enthalpy").total == 0
        write_article(source, id=2, question="What is enthalpy?", answer="Heat content.", subject="Chemistry")
        build(source, index_dir)
        assert engine.search("enthalpy").total == 1
        assert engine.status().documents == 2


def test_failed_build_leaves_live_index_serving(tmp_path, monkeypatch, request):
    source = tmp_path / "src"
    write_article(source, id=1, question="What is entropy?", answer="Disorder.", subject="Physics")
    index_dir = tmp_path / "index"
    first = build(source, index_dir).version
    engine = Engine(index_dir)
    request.addfinalizer(engine.close)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("index.build.versions.publish", crash)
    with pytest.raises(OSError, match="disk full"):
        build(source, index_dir)
    assert versions.current_version(index_dir) == first
    assert engine.search("entropy").total == 1
    leftovers = [p.name for p in (index_dir / "versions").iterdir()]
    assert leftovers == [first.name]


def test_searches_during_rebuilds_always_see_a_complete_index(tmp_path, request):
    source = tmp_path / "src"
    for n in range(30):
        write_article(
            source, id=n, question=f"Question number {n} about entropy?", answer="Disorder.", subject="Physics"
        )
    index_dir = tmp_path / "index"
    build(source, index_dir)
    engine = Engine(index_dir)
    request.addfinalizer(engine.close)
    totals = []
    stop = threading.Event()

    def searcher():
        while not stop.is_set():
            totals.append(engine.search("entropy").total)

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        for _ in range(3):
            build(source, index_dir)
    finally:
        stop.set()
        thread.join()
    assert totals and set(totals) == {30}


def test_replaced_versions_stay_while_requests_may_read_them_then_go(tmp_path, monkeypatch):
    source = tmp_path / "src"
    write_article(source, id=1, question="Q?", answer="A.", subject="Physics")
    index_dir = tmp_path / "index"
    built = [build(source, index_dir).version for _ in range(versions.KEEP_VERSIONS + 2)]
    assert sorted((index_dir / "versions").iterdir()) == built  # all replaced moments ago
    monkeypatch.setattr(versions, "RETIRE_AFTER_SECONDS", 0)
    built.append(build(source, index_dir).version)
    assert sorted((index_dir / "versions").iterdir()) == built[-versions.KEEP_VERSIONS :]


def test_versions_on_disk_are_bounded(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Q?", answer="A.", subject="Physics")
    index_dir = tmp_path / "index"
    built = [build(source, index_dir).version for _ in range(versions.MAX_VERSIONS + 3)]
    assert sorted((index_dir / "versions").iterdir()) == built[-versions.MAX_VERSIONS :]


def test_second_concurrent_build_is_refused(tmp_path):
    source = tmp_path / "src"
    write_article(source, id=1, question="Q?", answer="A.", subject="Physics")
    index_dir = tmp_path / "index"
    with versions.build_lock(index_dir), pytest.raises(versions.LockedError, match="another build"):
        build(source, index_dir)


def test_two_processes_sample_build(sample_dir, tmp_path):
    report = build(sample_dir, tmp_path / "index", procs=2)
    assert report.documents == 201 and report.problems == []
    with Engine(tmp_path / "index") as engine:
        facets = engine.search("").facets
    names = [f.value for f in facets]
    assert names.count("Computer Science") == 1 and "Computer science" not in names
    assert dict((f.value, f.count) for f in facets)["Computer Science"] == 102
