"""The column-wise manifest: saved and read back exactly, rows dropped and added by path."""

from index import manifest
from index.manifest import Entry
from index.manifest import Manifest

ROWS = [
    (
        "psychology/ä-first.md",
        Entry("a" * 40, 7, "/learn/psychology/questions/ä", "Psychology", 0, (120, 1_700_000_000_123_456_789)),
    ),
    ("math/second.md", Entry("b" * 40, 8, "/learn/math/questions/second", "Mathematics", 1, (-1, -1))),
    ("math/third.md", Entry("c" * 40, 9, "/learn/math/questions/third", "Mathematics", 2, (5, 6))),
]


def test_round_trip(tmp_path):
    written = Manifest.of(ROWS)
    manifest.write(tmp_path, written)
    read = manifest.read(tmp_path)
    assert list(read.items()) == ROWS
    assert read["math/third.md"].docnum == 2 and "missing.md" not in read.rows
    assert "math/second.md" in read.rows and len(read) == 3


def test_empty_round_trip(tmp_path):
    manifest.write(tmp_path, Manifest.of([]))
    read = manifest.read(tmp_path)
    assert len(read) == 0 and list(read.items()) == []


def test_without_and_add_by_path():
    base = Manifest.of(ROWS)
    changed = ("math/second.md", ROWS[1][1]._replace(docnum=3, digest="d" * 40))
    updated = base.without(["math/second.md", "psychology/ä-first.md", "not/there.md"]) + Manifest.of([changed])
    assert list(updated.items()) == [ROWS[2], changed]
    assert updated["math/second.md"].docnum == 3
    assert list(base.items()) == ROWS  # the original is left as it was
