"""What a build wrote, recorded so that any copy of it can be checked: the SHA-256 of every file of a version.

A version's files are never rewritten once written, so any difference from
the digests its build recorded in ``meta.json`` is damage: a disk that
rotted a file, a copy cut short, an archive altered on its way. ``export``
checks the digests before shipping a version; ``import`` checks them and
then reads every document and array before publishing one; servers look
at a few documents and the list of files on every health check.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import whoosh.index
from whoosh.filedb.filestore import FileStorage

from common.errors import IndexDamaged
from index import versions

FILES = "files"  # key in meta.json: every other file's path relative to the version -> its SHA-256
CHUNK = 1 << 20
SHOWN = 3  # problems named in one message; the rest are counted

# What reading a damaged file raises: each decoder (zlib, zip, pickle, struct, numpy's header) has its own.
READ_ERRORS = (
    NotImplementedError,  # zipfile, for a compression method a damaged header names
    OSError,
    EOFError,
    ValueError,
    KeyError,
    IndexError,
    zlib.error,
    zipfile.BadZipFile,
    pickle.UnpicklingError,
    struct.error,
    whoosh.index.IndexError,
    MemoryError,  # numpy, for a damaged header's enormous shape
)


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


def recorded(version: Path) -> dict[str, str]:
    """The digests ``version``'s build recorded, once its metadata is known to be what the build wrote.

    :raises IndexDamaged: ``meta.json`` is missing, unreadable or altered.
    :raises OldFormat: an older kbsearch wrote the version (it has no digests).
    """
    try:
        meta = versions.read_meta(version)
    except FileNotFoundError:
        raise IndexDamaged(f"{versions.META} is missing: not an index version") from None
    except (OSError, ValueError) as exc:
        raise IndexDamaged(f"{versions.META} cannot be read: {exc}") from None
    versions.check_format(version)
    if meta.get(versions.SEAL) != versions.meta_seal(meta):
        raise IndexDamaged(f"{versions.META} is not what its build wrote")
    return meta[FILES]


def _raise_any(problems: list[str]) -> None:
    if problems:
        more = f" (and {len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
        raise IndexDamaged("; ".join(problems[:SHOWN]) + more)


def _missing(version: Path, files: dict[str, str]) -> list[str]:
    return [f"{name} is missing" for name in sorted(files) if not (version / name).exists()]


def check_present(version: Path, files: dict[str, str]) -> None:
    """Raise ``IndexDamaged`` naming the ``files`` recorded for ``version`` that are not there.

    One ``stat`` per file and no read: cheap enough for every health check.
    """
    _raise_any(_missing(version, files))


def check_unaltered(version: Path, files: dict[str, str], names: list[str]) -> None:
    """Raise ``IndexDamaged`` naming those of ``names``, files recorded for ``version``, that differ."""
    _raise_any([problem for name in names if (problem := _altered(version, name, files))])


def _altered(version: Path, name: str, files: dict[str, str]) -> str | None:
    """What is wrong with the file ``name`` if it is not what its build wrote."""
    if sha256_of(version / name) != files[name]:
        return f"{name} is not the file its build wrote (SHA-256 differs)"
    return None


def verify_files(version: Path) -> None:
    """Check that ``version`` holds exactly the files its build recorded, each as the build wrote it.

    :raises IndexDamaged: naming the files that are missing, unexpected or different.
    """
    files = recorded(version)
    found = dict(_entries(version))
    problems = _missing(version, files)
    problems += [f"{name} is not one of its files" for name in sorted(found.keys() - files.keys())]
    for name, path in found.items():
        if name not in files:
            continue
        if path.is_symlink() or not path.is_file():
            problems.append(f"{name} is not a regular file")
        elif altered := _altered(version, name, files):
            problems.append(altered)
    _raise_any(problems)


def verify_contents(version: Path) -> None:
    """Read every stored document and load every array and text file of ``version``, as servers will.

    :raises IndexDamaged: naming what could not be read.
    """
    for name, path in _entries(version):
        try:
            _load(path)
        except READ_ERRORS as exc:
            raise IndexDamaged(f"{name} cannot be read: {type(exc).__name__}: {exc}") from None
    try:
        with FileStorage(str(version), supports_mmap=False).open_index().reader() as reader:
            for docnum in range(reader.doc_count_all()):
                reader.stored_fields(docnum)
    except READ_ERRORS as exc:
        raise IndexDamaged(f"the stored documents cannot be read: {type(exc).__name__}: {exc}") from None


def _load(path: Path) -> None:
    if path.suffix == ".npy":
        np.load(path)
    elif path.suffix == ".npz":
        # docmeta.npz keeps its subject names as an object array, as ``index.docmeta`` reads it.
        with np.load(path, allow_pickle=True) as arrays:
            for name in arrays.files:
                arrays[name]  # reading a member inflates it and checks its CRC
    elif path.suffix in (".txt", ".terms"):
        path.read_text(encoding="utf-8")


def verify(version: Path) -> None:
    """Everything a version's build wrote is there, unaltered, and readable.

    :raises IndexDamaged: or ``OldFormat`` for a version an older kbsearch wrote.
    """
    verify_files(version)
    verify_contents(version)
