"""bench.serving: the working folder a benchmark is given."""

from __future__ import annotations

from bench.serving import folder_or_temporary


def test_a_work_folder_that_does_not_exist_yet_is_made(tmp_path):
    given = tmp_path / "runs" / "first"
    with folder_or_temporary(given, "unused-") as work:
        assert work == given
        assert work.is_dir()
        (work / "index").mkdir()  # what bench.speed does first
    assert given.is_dir()  # a given folder is the caller's: kept afterwards


def test_a_temporary_folder_is_removed_afterwards():
    with folder_or_temporary(None, "kbsearch-test-") as work:
        assert work.is_dir()
    assert not work.exists()
