"""Ship an index version between hosts: one archive, one checksum, an atomic switch on arrival.

Build once, ``export`` the live version, copy the archive and its
``.sha256`` file to each web host, and ``import`` it there: the archive is
checked, unpacked beside the live version and published like a local
build, so the host's servers switch on their next request.
"""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

from common.errors import ArchiveError
from index import versions
from index.integrity import sha256_of


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def export(index_dir: Path, archive: Path) -> str:
    """Write the live version to ``archive`` (``.tar``, or ``.tar.gz`` to compress) and its checksum file.

    :return: the archive's SHA-256.
    """
    live = versions.current_version(index_dir)
    if live is None:
        raise ArchiveError(f"no index in {index_dir} to export")
    mode = "w:gz" if archive.name.endswith((".tar.gz", ".tgz")) else "w"
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
    """Check ``archive`` against its checksum, unpack it and make it the live version.

    :return: the published version's directory.
    """
    expected = _expected(archive, sha256)
    actual = sha256_of(archive)
    if actual != expected:
        raise ArchiveError(f"{archive.name}: SHA-256 is {actual}, expected {expected}; nothing imported")
    with versions.build_lock(index_dir):
        building = versions.start_version(index_dir)
        try:
            _unpack(archive, building)
            versions.check_format(building)
            return versions.publish(index_dir, building)
        except versions.OldFormat as exc:
            shutil.rmtree(building, ignore_errors=True)
            raise ArchiveError(str(exc)) from None
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)
            raise


def _unpack(archive: Path, building: Path) -> None:
    """Move the archive's one version folder's contents into ``building``."""
    try:
        with tarfile.open(archive) as tar:
            tops = {member.name.split("/", 1)[0] for member in tar.getmembers()}
            if len(tops) != 1:
                raise ArchiveError(f"{archive.name}: expected one version folder, found {len(tops)}")
            # The "data" filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(building, filter="data")
    except tarfile.TarError as exc:
        raise ArchiveError(f"{archive.name}: not a readable archive: {exc}") from None
    unpacked = building / tops.pop()
    if not (unpacked / "meta.json").is_file():
        raise ArchiveError(f"{archive.name}: not an index version (no meta.json)")
    for entry in unpacked.iterdir():
        entry.rename(building / entry.name)
    unpacked.rmdir()
