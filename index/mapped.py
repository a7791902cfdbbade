"""Memory-mapped index arrays, and giving back the pages a process has touched.

The server reads postings, columns and vectors through memory maps, so its
workers share one copy in the operating system's page cache. Every page a
worker touches still counts in its own resident size, though, and over many
different queries a worker would come to "hold" most of the index. ``release``
unmaps those pages from this process only (``MADV_DONTNEED``): they stay in
the page cache, and the next access maps them again without reading the disk.
"""

from __future__ import annotations

import mmap
import os
import threading
import weakref
from pathlib import Path
from typing import BinaryIO

import numpy as np

_PAGE = os.sysconf("SC_PAGE_SIZE")
_maps: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()  # a map is forgotten once no array uses it
_lock = threading.Lock()
_statm: dict[int, int] = {}  # per process id, its open /proc/self/statm: a forked worker opens its own


def load(path: Path) -> np.ndarray:
    """The ``.npy`` array at ``path``, memory-mapped read-only."""
    return _register(np.load(path, mmap_mode="r"))


def raw(path: Path, dtype: np.dtype | type) -> np.ndarray:
    """The file at ``path`` as a flat array of ``dtype``, memory-mapped read-only."""
    return _register(np.memmap(path, dtype=dtype, mode="r"))


def write_header(handle: BinaryIO, dtype: np.dtype | type, shape: tuple[int, ...]) -> None:
    """Begin a ``.npy`` file as ``np.save`` would for an array of ``dtype`` and ``shape``; its data follows, in pieces.

    A build writes arrays too large to hold whole this way, byte for byte as saving them whole would.
    """
    header = np.lib.format.header_data_from_array_1_0(np.empty(0, dtype))
    np.lib.format.write_array_header_1_0(handle, {**header, "shape": shape})


def _register(array: np.memmap) -> np.memmap:
    held = getattr(array, "_mmap", None)  # None for an empty file, which numpy does not map
    if held is not None:
        with _lock:
            _maps.add(held)
    return array


def resident_bytes() -> int:
    """This process's resident size, from ``/proc/self/statm``.

    The server looks after every request: the file stays open, as opening it took ten times the read.
    """
    pid = os.getpid()
    with _lock:
        held = _statm.get(pid)
        if held is None:
            held = _statm[pid] = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
    return int(os.pread(held, 64, 0).split()[1]) * _PAGE


def release() -> int:
    """Unmap from this process the pages it touched in every mapped index file; how many maps were released."""
    with _lock:
        maps = list(_maps)
    for held in maps:
        if not held.closed:
            held.madvise(mmap.MADV_DONTNEED)
    return len(maps)
