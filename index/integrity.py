"""What a build wrote, recorded so that any copy of it can be checked: the SHA-256 of every file of a version.

A version's files are never rewritten once written, so any difference from
the digests its build recorded in ``meta.json`` is damage: a disk that
rotted a file, a copy cut short, an archive altered on its way.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from index import versions

FILES = "files"  # key in meta.json: every other file's path relative to the version -> its SHA-256
CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _entries(version: Path) -> Iterator[tuple[str, Path]]:
    """Everything in ``version`` but folders and ``meta.json``, by relative path (symlinks included, not followed)."""
    for path in sorted(version.rglob("*")):
        if path.is_dir() and not path.is_symlink():
            continue
        name = path.relative_to(version).as_posix()
        if name != versions.META:
            yield name, path


def digests(version: Path, previous: Path | None = None) -> dict[str, str]:
    """The SHA-256 of every file of ``version`` but ``meta.json``, by path relative to it.

    A file that is ``previous``'s file of the same name (an incremental
    update hard-links most of the live version's files, which are never
    rewritten) keeps the digest ``previous`` recorded instead of being read.
    """
    known = versions.read_meta(previous)[FILES] if previous else {}
    return {
        name: known[name] if name in known and _same_file(path, previous / name) else sha256_of(path)
        for name, path in _entries(version)
    }


def _same_file(path: Path, other: Path) -> bool:
    try:
        return os.path.samefile(path, other)
    except FileNotFoundError:
        return False
