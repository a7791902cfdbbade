"""Ship an index version between hosts: one archive, one checksum, an atomic switch on arrival.

Build once, ``export`` the live version, copy the archive and its
``.sha256`` file to each web host, and ``import`` it there: the archive is
checked, unpacked beside the live version and published like a local
build, so the host's servers switch on their next request.

The checksum only says the archive arrived as it left. What is published
is what the build wrote: import checks every unpacked file against the
digests the build recorded and reads every document before publishing, and
export checks the digests before shipping, so a version that rotted on
disk, or an archive whose checksum was recomputed after it was damaged,
is refused.
"""

from __future__ import annotations

import gzip
import shutil
import tarfile
import zlib
from pathlib import Path
from typing import BinaryIO

from common.errors import ArchiveError
from common.errors import IndexUnavailable
from index import integrity
from index import versions
from index.integrity import sha256_of

# What reading a damaged archive raises: tarfile's own errors, gzip's (BadGzipFile is an OSError; a stream
# cut short is an EOFError) and zlib's for damaged compressed data.
UNREADABLE = (tarfile.TarError, OSError, EOFError, zlib.error)


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def export(index_dir: Path, archive: Path) -> str:
    """Write the live version to ``archive`` (``.tar``, or ``.tar.gz`` to compress) and its checksum file.

    :return: the archive's SHA-256.
    """
    live = versions.current_version(index_dir)
    if live is None:
        raise ArchiveError(f"no index in {index_dir} to export")
    try:
        integrity.verify_files(live)
    except IndexUnavailable as exc:
        raise ArchiveError(f"the live version {live.name} cannot be shipped: {exc}; nothing exported") from None
    mode = "w:gz" if _compressed(archive) else "w"
    partial = archive.with_name(archive.name + ".partial")
    with tarfile.open(partial, mode) as tar:
        tar.add(live, arcname=live.name)
    partial.replace(archive)
    digest = sha256_of(archive)
    checksum_path(archive).write_text(f"{digest}  {archive.name}\n")
    return digest


def _expected(archive: Path, sha256: str | None) -> str:
    if sha256:
        return sha256.strip().lower()
    try:
        return checksum_path(archive).read_text().split()[0].lower()
    except (OSError, IndexError):
        raise ArchiveError(f"no checksum: give --sha256 or put {checksum_path(archive).name} beside it") from None


def import_archive(archive: Path, index_dir: Path, sha256: str | None = None) -> Path:
    """Check ``archive`` against its checksum, unpack it, check what it holds, and make it the live version.

    :return: the published version's directory.
    :raises ArchiveError: for an archive that is damaged, altered or not an index version; nothing changes.
    """
    expected = _expected(archive, sha256)
    actual = sha256_of(archive)
    if actual != expected:
        raise ArchiveError(f"{archive.name}: SHA-256 is {actual}, expected {expected}; nothing imported")
    with versions.build_lock(index_dir):
        building = versions.start_version(index_dir)
        try:
            _unpack(archive, building)
            integrity.verify(building)
            return versions.publish(index_dir, building)
        except (ArchiveError, IndexUnavailable) as exc:
            shutil.rmtree(building, ignore_errors=True)
            raise ArchiveError(f"{archive.name}: {exc}; nothing imported") from None
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise


def _compressed(archive: Path) -> bool:
    return archive.name.endswith((".tar.gz", ".tgz"))


def _open(archive: Path) -> BinaryIO:
    return gzip.open(archive) if _compressed(archive) else open(archive, "rb")


def _unpack(archive: Path, building: Path) -> None:
    """Move the contents of the archive's one version folder into ``building``, reading the archive to its end."""
    try:
        with _open(archive) as stream, tarfile.open(fileobj=stream, mode="r|") as tar:
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(building, filter="data")
            # tarfile stops at the end-of-archive blocks; gzip checks its CRC and length only past the last byte.
            while stream.read(integrity.CHUNK):
                pass
    except UNREADABLE as exc:
        # The reason (a CRC mismatch, a stream cut short, no space left on the disk…) is in the message.
        raise ArchiveError(f"cannot be unpacked: {exc}") from None
    tops = list(building.iterdir())
    if len(tops) != 1 or not tops[0].is_dir():
        raise ArchiveError(f"expected one version folder, found {len(tops)} entries")
    for entry in tops[0].iterdir():
        entry.rename(building / entry.name)
    tops[0].rmdir()
