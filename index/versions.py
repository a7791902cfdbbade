"""Index versions on disk: build beside the live one, then swap a pointer.

Layout of an index directory::

    CURRENT              name of the live version (replaced atomically)
    build.lock           held (flock) by the one process that may build
    versions/NAME/       a complete Whoosh index (its postings in inverted-N/, read through
                         ``index.codec``) plus meta.json (written last, with the SHA-256 of
                         every other file), manifest.npz, docmeta.npz and vocabulary.npz
    versions/.building-NAME/   a build in progress; never read by servers
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from common.errors import IndexDamaged
from common.errors import IndexMissing
from common.errors import KbsearchError
from common.errors import LockedError
from common.errors import OldFormat
from common.signals import ctrl_c_ignored

__all__ = ["LockedError", "OldFormat"]

CURRENT = "CURRENT"
VERSIONS = "versions"
BUILDING_PREFIX = ".building-"
KEEP_VERSIONS = 3
RETIRE_AFTER_SECONDS = 120  # a replaced version stays this long for requests still reading it
MAX_VERSIONS = 10


def current_version(index_dir: Path) -> Path | None:
    """The live version's directory, or ``None`` when nothing was built yet."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):  # nothing built there, or a path below a file
        return None
    except UnicodeDecodeError:  # bytes that no build wrote
        raise IndexDamaged(
            f"{index_dir / CURRENT} does not name a version: run a full 'kbsearch index SOURCE'"
        ) from None
    path = index_dir / VERSIONS / name
    return path if name and path.is_dir() else None


def pointer_stamp(index_dir: Path) -> int | None:
    """A cheap value that changes whenever a new version is published."""
    try:
        return os.stat(index_dir / CURRENT).st_mtime_ns
    except FileNotFoundError:
        return None


def save_arrays(path: Path, arrays: dict) -> None:
    """Save numpy arrays as one ``.npz`` file, replaced atomically."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.savez(handle, **arrays)

    replace_file(path, write)


MANIFEST = "manifest.npz"  # written and read by ``index.manifest``
META = "meta.json"
SEAL = "meta_sha256"  # key in meta.json: the SHA-256 of the rest of it


# Files each version writes for itself (an update reads the live version's, never links them).
OWN_FILES = {
    META,
    MANIFEST,
    "docmeta.npz",
    "vocabulary.npz",
    "questions.txt",
    "questions.npy",
    "urls.txt",
    "urls.npy",
    "key_terms.txt",
    "key_terms.npy",
}


def link_copy(source: Path, target: Path) -> None:
    """Hard-link the Whoosh files and inverted segments of ``source`` into ``target``.

    Neither Whoosh nor ``index.inverted`` ever rewrites a file it wrote, so the
    copy can take new commits and segments while the original keeps serving
    unchanged. Our own files are left out: the new version writes its own.
    """
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            for file in entry.iterdir():
                os.link(file, target / entry.name / file.name)
        elif entry.is_file() and entry.name not in OWN_FILES and not entry.name.endswith("WRITELOCK"):
            os.link(entry, target / entry.name)


def replace_file(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary name, so a hard link to the old file is never written through."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def read_meta(version: Path) -> dict:
    return json.loads((version / META).read_text())


# Bumped whenever a version's files change meaning; older versions must be rebuilt.
# 8: meta.json records the SHA-256 of every other file (``index.integrity``), without which a copy cannot be checked.
# 9: stems keep words that porter2 joins to unrelated ones apart (``index.stemming``): "integral" is not "integr".
# 10: math operators index by name ("∑" is sum, "∪" union), and math alphabets fold ("𝔼" is e).
# 11: a Greek letter standing alone indexes as its name ("γ" is gamma).
# 12: "_" joins a compound as "-" does: "x_i" is x, i and xi.
# 13: a network prefix is also its number, and after an address too ("10.0.0.0/8" holds /8 and 8).
# 14: Whoosh's table of contents lists the scored fields as indexed, read through ``index.codec`` from our arrays.
# 15: a list field's entries (keywords) stand ``index.tokens.ENTRY_GAP`` positions apart: no phrase spans two.
# 16: more words kept apart from unrelated ones porter2 joins them to ("determinant" is not "determine").
# 17: irregular plurals stem as their singulars ("automata" is "automaton", "vertices" "vertex").
# 18: docmeta lists each article's keyword entries as topics (``DocMeta.find_topics``).
# 19: an answer's lines stand apart as keywords do, and a big-O, a dotted name and a versioned name are also
#     the words inside them (``index.tokens.as_indexed``): a quoted "ipv4 address" asks for ip, v4, address.
# 20: impacts hold BM25F scores: a term's fields added, then saturated (``index.impacts.saturate``).
# 21: an acronym's plural ("SVMs") is also the acronym (``index.tokens.as_indexed``).
# 22: the question saturates on its own, beside the other fields' BM25F (``index.fields.Field.alone``).
FORMAT = 22


def meta_seal(meta: dict) -> str:
    """The SHA-256 of ``meta`` but its seal: the digests of the other files cannot cover the file holding them."""
    rest = {key: value for key, value in meta.items() if key != SEAL}
    return hashlib.sha256(json.dumps(rest, sort_keys=True).encode()).hexdigest()


def write_meta(version: Path, meta: dict) -> None:
    meta = {**meta, "format": FORMAT}
    meta[SEAL] = meta_seal(meta)
    replace_file(version / META, lambda tmp: tmp.write_text(json.dumps(meta, indent=2, sort_keys=True)))


def check_format(version: Path) -> None:
    """Refuse a version that an older kbsearch wrote, or whose metadata cannot be read."""
    try:
        meta = read_meta(version)
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8 or not JSON
        raise IndexDamaged(f"{version.name}/meta.json cannot be read: {type(exc).__name__}: {exc}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise OldFormat(f"{version} was built by an older kbsearch: run a full 'kbsearch index SOURCE'")


def live_version(index_dir: Path) -> Path:
    """The live version's directory, readable by this kbsearch; ``IndexMissing`` or ``OldFormat`` if none is."""
    path = current_version(index_dir)
    if path is None:
        raise IndexMissing(f"no index in {index_dir}: run 'kbsearch index SOURCE' first")
    check_format(path)
    return path


@contextlib.contextmanager
def build_lock(index_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the directory's build lock; raise ``LockedError`` if it stays taken."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / "build.lock", "a+") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    raise LockedError(f"another build is running on {index_dir}") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_version(index_dir: Path) -> Path:
    """Create an empty directory for a new build (call with the build lock held).

    The pointer files must be files: a folder in their place would fail the switch only after the build.
    """
    for pointer in (CURRENT, CURRENT + ".tmp"):
        path = index_dir / pointer
        if path.is_dir():
            raise KbsearchError(f"{path} is a folder: move it away, the name of the live version is written there")
    versions = index_dir / VERSIONS
    versions.mkdir(parents=True, exist_ok=True)
    for leftover in versions.glob(BUILDING_PREFIX + "*"):
        # Only a crashed build leaves these: the lock guarantees no build is running.
        shutil.rmtree(leftover, ignore_errors=True)
    name = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = versions / (BUILDING_PREFIX + name)
    path.mkdir()
    return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, building: Path) -> Path:
    """Make a finished build the live version, atomically, and prune old ones.

    A Ctrl-C once the switch has begun is let go when it is done: the command then reports the
    new version it published, not an interruption, which a cron job would count as a failure.
    """
    final = building.with_name(building.name.removeprefix(BUILDING_PREFIX))
    for file in building.rglob("*"):
        if file.is_dir():
            _fsync_dir(file)
            continue
        with open(file, "rb") as handle:
            os.fsync(handle.fileno())
    with ctrl_c_ignored():
        _switch(index_dir, building, final)
    return final


def _switch(index_dir: Path, building: Path, final: Path) -> None:
    os.rename(building, final)
    _fsync_dir(final.parent)
    tmp = index_dir / (CURRENT + ".tmp")
    with open(tmp, "w") as handle:
        handle.write(final.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    prune(index_dir)


def _published_at(version: Path) -> float:
    try:
        return dt.datetime.fromisoformat(read_meta(version)["built_at"]).timestamp()
    except (OSError, ValueError, KeyError):
        return 0.0


def prune(index_dir: Path, keep: int = KEEP_VERSIONS) -> None:
    """Remove old versions that no request can still be reading.

    Servers look for a new version on every request, so only a request already
    under way (gunicorn stops any after 30 s) can still read a replaced one: a
    version goes once it is not among the newest ``keep`` and was replaced more
    than ``RETIRE_AFTER_SECONDS`` ago, or, whatever its age, when more than
    ``MAX_VERSIONS`` are on disk.
    """
    live = current_version(index_dir)
    found = sorted(p for p in (index_dir / VERSIONS).iterdir() if p.is_dir() and not p.name.startswith("."))
    now = time.time()
    for position, old in enumerate(found[:-keep]):
        replaced_at = _published_at(found[position + 1])
        crowded = position < len(found) - MAX_VERSIONS
        if old != live and (crowded or now - replaced_at > RETIRE_AFTER_SECONDS):
            shutil.rmtree(old, ignore_errors=True)
