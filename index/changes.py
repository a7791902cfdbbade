"""Which article files an update must look at: one stat of every file, compared with what was indexed.

A file whose size and modification time are what they were when it was
indexed is taken as unchanged without being read, as git does. An update
stats every file of the knowledge base, so the walk works on strings, in
no order, stats each file by name relative to its open folder (the kernel
then resolves one name, not the whole path: 200,000 files in 0.9-1.2 s
here, against 1.6-1.8 s through ``DirEntry.stat``), and compares each
stamp as it goes instead of collecting them all first.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.articles import is_dir
from index.manifest import Manifest

Stamp = tuple[int, int]  # a file's size and modification time (ns)
UNREADABLE: Stamp = (-1, -1)  # a file that cannot be stat-ed: reading it will say why


@dataclass
class Changes:
    touched: dict[str, Stamp]  # path (relative to the source) -> stamp, of files new or not as indexed
    gone: list[str]  # indexed paths with no file any more


def changed_files(source: Path, indexed: Manifest) -> Changes:
    """The ``*.md`` files below ``source`` whose stamp is not ``indexed``'s, and the ``indexed`` paths now gone.

    Sees exactly the files a build reads (``index.articles.find_article_files``).
    """
    walk = _Walk(indexed.rows, indexed.sizes, indexed.mtimes, bytearray(len(indexed)), {})
    walk.folder(str(source), "", set())
    gone = np.flatnonzero(np.frombuffer(walk.found, dtype=np.uint8) == 0)
    return Changes(walk.touched, [indexed.paths[row] for row in gone.tolist()])


@dataclass
class _Walk:
    rows: dict[str, int]  # the indexed stamps, by row
    sizes: list[int]
    mtimes: list[int]
    found: bytearray  # 1 for each row whose file was found
    touched: dict[str, Stamp]

    def folder(self, folder: str, relative: str, seen: set[tuple[int, int]]) -> None:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            info = os.fstat(handle)
            if (info.st_dev, info.st_ino) in seen:
                return
            seen.add((info.st_dev, info.st_ino))
            folders = self._files(handle, relative)
        finally:
            os.close(handle)
        for name in sorted(folders):  # in the build's order, so a folder reached by two paths gets the build's path
            self.folder(os.path.join(folder, name), f"{relative}{name}/", seen)

    def _files(self, handle: int, relative: str) -> list[str]:
        """Compare the stamp of every ``*.md`` file in the open folder ``handle``; return its folders."""
        rows, sizes, mtimes, found, touched = self.rows, self.sizes, self.mtimes, self.found, self.touched
        folders = []
        with os.scandir(handle) as entries:
            for entry in entries:
                name = entry.name
                if not name.endswith(".md"):
                    if is_dir(entry):
                        folders.append(name)
                    continue
                path = relative + name
                try:
                    info = os.stat(name, dir_fd=handle)  # follows links, as reading does
                except OSError:
                    size, mtime = UNREADABLE
                else:
                    if stat.S_ISDIR(info.st_mode):
                        folders.append(name)
                        continue
                    size, mtime = info.st_size, info.st_mtime_ns
                # Inline, not a method: it runs once for each of the knowledge base's files.
                row = rows.get(path)
                if row is not None:
                    found[row] = 1
                if row is None or sizes[row] != size or mtimes[row] != mtime:
                    touched[path] = (size, mtime)
        return folders
