"""Short texts by docnum (each article's question, url and keyword terms) in flat files that servers memory-map.

Related questions and suggestions show other articles' questions and links;
reading them from Whoosh's stored fields would decompress each whole article.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index import mapped
from index import versions
from index.articles import Article


def files(name: str) -> tuple[str, str]:
    return f"{name}s.txt", f"{name}s.npy"


def save(name: str, texts: Sequence[str], version: Path, previous: Path | None = None) -> None:
    """Write ``texts`` for docnums from 0, or after those of ``previous`` (an incremental update)."""
    text_file, offsets_file = files(name)
    encoded = [text.replace("\n", " ").encode() for text in texts]
    head = (previous / text_file).read_bytes() if previous else b""
    old = np.load(previous / offsets_file) if previous else np.zeros(1, dtype=np.int64)
    sizes = np.fromiter((len(item) for item in encoded), dtype=np.int64, count=len(encoded))
    offsets = np.concatenate([old, old[-1] + np.cumsum(sizes)])

    def write_offsets(tmp: Path) -> None:
        with open(tmp, "wb") as handle:
            np.save(handle, offsets)

    versions.replace_file(version / text_file, lambda tmp: tmp.write_bytes(head + b"".join(encoded)))
    versions.replace_file(version / offsets_file, write_offsets)


def save_articles(
    articles: Sequence[Article], key_terms: Sequence[str], version: Path, previous: Path | None = None
) -> None:
    """Every column of ``articles`` (and their saved keyword terms), as ``save`` does."""
    save("question", [a.question for a in articles], version, previous)
    save("url", [a.url for a in articles], version, previous)
    save("key_term", key_terms, version, previous)


class Column:
    """One column (``question``, ``url`` or ``key_term``) for every docnum of a version."""

    def __init__(self, version: Path, name: str) -> None:
        text_file, offsets_file = files(name)
        # Plain arrays over the mapped files: indexing a ``memmap`` object costs microseconds
        # more, and related questions read thirty articles' key terms for each hit.
        self._offsets = np.asarray(mapped.load(version / offsets_file))
        size = (version / text_file).stat().st_size
        self._text = np.asarray(mapped.raw(version / text_file, np.uint8)) if size else np.zeros(0, np.uint8)

    def __getitem__(self, docnum: int) -> str:
        start, end = int(self._offsets[docnum]), int(self._offsets[docnum + 1])
        return self._text[start:end].tobytes().decode()
