"""Per-document arrays that the engine needs for every query, saved beside each version.

The build computes them from the articles it indexes, and an update extends
the live version's arrays, so servers load them in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import versions
from index.articles import Article

FILENAME = "docmeta.npz"
NO_DATE = 0


@dataclass(frozen=True)
class DocMeta:
    live: np.ndarray  # bool per docnum: False for deleted documents
    subject: np.ndarray  # int16 index into ``subjects``; -1 when deleted
    date: np.ndarray  # int32 proleptic ordinal of the date; NO_DATE when absent
    lengths: dict[str, np.ndarray]  # float32 field length per docnum
    subjects: tuple[str, ...]
    url_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # sorted hashes of urls
    url_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # docnum of each url_keys

    @property
    def size(self) -> int:
        return len(self.live)

    def find_url(self, url: str) -> int | None:
        """The live document whose url is ``url``."""
        key = url_key(url)
        at = int(np.searchsorted(self.url_keys, key))
        if at < len(self.url_keys) and self.url_keys[at] == key:
            return int(self.url_docs[at])
        return None


def url_key(url: str) -> np.uint64:
    # 64 bits: a collision among a million urls has odds of about 1 in 30 million.
    return np.uint64(int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "little"))


def _with_urls(meta: DocMeta, keys: np.ndarray, docs: np.ndarray) -> DocMeta:
    order = np.argsort(keys)
    return replace(meta, url_keys=keys[order], url_docs=docs[order].astype(np.int32))


def _url_keys(articles: Sequence[Article]) -> np.ndarray:
    return np.array([url_key(a.url) for a in articles], dtype=np.uint64)


def from_articles(articles: Sequence[Article], lengths: dict[str, np.ndarray]) -> DocMeta:
    """The arrays of a fresh build, whose docnums follow ``articles``."""
    names: dict[str, int] = {}
    subject = np.array([names.setdefault(a.subject, len(names)) for a in articles], dtype=np.int16)
    date = np.array([_ordinal(a.date) for a in articles], dtype=np.int32)
    meta = DocMeta(np.ones(len(articles), dtype=bool), subject, date, dict(lengths), tuple(names))
    return _with_urls(meta, _url_keys(articles), np.arange(len(articles)))


def extend(
    meta: DocMeta, deleted: Iterable[int], articles: Sequence[Article], lengths: dict[str, np.ndarray]
) -> DocMeta:
    """``meta`` with ``deleted`` docnums dead and ``articles`` appended, as an incremental update leaves Whoosh."""
    names = {name: number for number, name in enumerate(meta.subjects)}
    added = from_articles(articles, lengths)
    remap = np.array([names.setdefault(name, len(names)) for name in added.subjects] or [0], dtype=np.int16)
    live = np.concatenate([meta.live, added.live])
    subject = np.concatenate([meta.subject, remap[added.subject]])
    dead = np.fromiter(deleted, dtype=np.int64)
    live[dead] = False
    subject[dead] = -1
    joined = {field: np.concatenate([meta.lengths[field], added.lengths[field]]) for field in meta.lengths}
    extended = DocMeta(live, subject, np.concatenate([meta.date, added.date]), joined, tuple(names))
    kept = ~np.isin(meta.url_docs, dead)
    keys = np.concatenate([meta.url_keys[kept], _url_keys(articles)])
    docs = np.concatenate([meta.url_docs[kept], np.arange(meta.size, meta.size + len(articles))])
    return _with_urls(extended, keys, docs)


def _ordinal(date: dt.date | None) -> int:
    if date is None:
        return NO_DATE
    return (date.year * 12 + date.month) * 31 + date.day  # order-preserving, cheaper than date.toordinal


def save(meta: DocMeta, version: Path) -> None:
    arrays = {
        "live": meta.live,
        "subject": meta.subject,
        "date": meta.date,
        "subjects": np.array(meta.subjects, dtype=object),
        "url_keys": meta.url_keys,
        "url_docs": meta.url_docs,
        **{"len_" + field: array for field, array in meta.lengths.items()},
    }
    versions.save_arrays(version / FILENAME, arrays)


def load(version: Path) -> DocMeta:
    with np.load(version / FILENAME, allow_pickle=True) as data:
        lengths = {key[4:]: data[key] for key in data.files if key.startswith("len_")}
        subjects = tuple(data["subjects"].tolist())
        return DocMeta(
            data["live"], data["subject"], data["date"], lengths, subjects, data["url_keys"], data["url_docs"]
        )
