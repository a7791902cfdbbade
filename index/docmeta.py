"""Per-document arrays that the engine needs for every query, saved beside each version.

The build computes them from the articles it indexes, and an update extends
the live version's arrays, so servers load them in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from array import array
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path

import numpy as np

from index import versions
from index.articles import Article
from index.tokens import split_words
from index.tokens import stem

FILENAME = "docmeta.npz"
NO_DATE = 0
# An update keeps the last full build's mean field lengths until the live ones differ by more than this
# share: the scores the build kept for common terms stay valid, while a field's length norm moves by
# less than this times its ``b``. (A short field's mean drifts fastest: one subject word among 1.2 on average.)
AVERAGES_DRIFT = 0.05


@dataclass(frozen=True)
class DocMeta:
    live: np.ndarray  # bool per docnum: False for deleted documents
    subject: np.ndarray  # int16 index into ``subjects``; -1 when deleted
    date: np.ndarray  # int32 proleptic ordinal of the date; NO_DATE when absent
    lengths: dict[str, np.ndarray]  # float32 field length per docnum
    subjects: tuple[str, ...]
    url_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))  # sorted hashes of urls
    url_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))  # docnum of each url_keys
    # Each keyword entry of each article (its topics, ``topic_key``), sorted, and the docnum that lists it.
    topic_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    topic_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    # Each field's mean length over the live documents of the last full build: BM25's length norm.
    # An update keeps them, so that the scores a build kept (``index.impacts``) stay the scores.
    averages: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.live)

    @functools.cached_property
    def live_subject(self) -> np.ndarray:
        """Per docnum, its subject's number, or ``len(subjects)`` where deleted: a count per subject needs no mask."""
        return np.where(self.live, self.subject, len(self.subjects)).astype(np.int16)

    def find_url(self, url: str) -> int | None:
        """The live document whose url is ``url``."""
        key = url_key(url)
        at = int(np.searchsorted(self.url_keys, key))
        if at < len(self.url_keys) and self.url_keys[at] == key:
            return int(self.url_docs[at])
        return None

    def find_topics(self, entries: Sequence[Iterable[str]]) -> list[np.ndarray]:
        """For each of ``entries``, the documents whose keywords list its words (folded, in order) as one entry,
        ascending: one search for all (a query asks for a score of them)."""
        keys = np.fromiter((topic_key(words) for words in entries), dtype=np.uint64, count=len(entries))
        starts, ends = np.searchsorted(self.topic_keys, keys), np.searchsorted(self.topic_keys, keys, "right")
        return [self.topic_docs[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]


def average_lengths(lengths: dict[str, np.ndarray], live: np.ndarray) -> dict[str, float]:
    """Each field's mean length over the ``live`` documents (1 where there is none)."""
    return {name: float(array[live].mean()) if live.any() else 1.0 for name, array in lengths.items()}


def _kept(meta: DocMeta, lengths: dict[str, np.ndarray], live: np.ndarray) -> dict[str, float]:
    """``meta``'s averages, unless the live documents' ``lengths`` have drifted from them."""
    now = average_lengths(lengths, live)
    kept = meta.averages
    drifted = any(abs(now[name] - kept.get(name, 0.0)) > AVERAGES_DRIFT * max(now[name], 1e-6) for name in now)
    return now if drifted else kept


def _key(text: str) -> np.uint64:
    # 64 bits: a collision among two million keys (urls and keyword entries) has odds of about 1 in 9 million.
    return np.uint64(int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little"))


def url_key(url: str) -> np.uint64:
    return _key(url)


def topic_key(words: Iterable[str]) -> np.uint64:
    """A keyword entry's words (folded) as its topic: stemmed, so "pointers initialized" is "pointer initialization"."""
    return _key(" ".join(stem(word) for word in words))


class Topics:
    """The topics of articles as they are indexed, kept compact: a full build lets go of their keywords."""

    def __init__(self) -> None:
        self.keys = array("Q")
        self.docs = array("i")

    def add(self, doc: int, article: Article) -> None:
        entries = article.keywords.split(",")
        words = (tuple(text for word in split_words(entry) for text in word.texts) for entry in entries)
        found = {topic_key(entry) for entry in words if entry}
        self.keys.extend(int(key) for key in found)
        self.docs.extend([doc] * len(found))

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Each topic and the docnum of the article listing it."""
        return np.frombuffer(self.keys, dtype=np.uint64), np.frombuffer(self.docs, dtype=np.int32)


def _sorted(keys: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")  # stable: the documents of one key stay ascending
    return keys[order], docs[order].astype(np.int32)


def _with_keys(meta: DocMeta, urls: tuple[np.ndarray, np.ndarray], topics: tuple[np.ndarray, np.ndarray]) -> DocMeta:
    (url_keys, url_docs), (topic_keys, topic_docs) = _sorted(*urls), _sorted(*topics)
    return replace(meta, url_keys=url_keys, url_docs=url_docs, topic_keys=topic_keys, topic_docs=topic_docs)


def _url_keys(articles: Sequence[Article]) -> np.ndarray:
    return np.array([url_key(a.url) for a in articles], dtype=np.uint64)


def topics_of(articles: Sequence[Article], first: int = 0) -> Topics:
    """The topics of ``articles``, the first being docnum ``first``."""
    topics = Topics()
    for doc, article in enumerate(articles, start=first):
        topics.add(doc, article)
    return topics


def from_articles(articles: Sequence[Article], lengths: dict[str, np.ndarray], topics: Topics | None = None) -> DocMeta:
    """The arrays of a fresh build, whose docnums follow ``articles``; ``topics``, unless their keywords are here."""
    names: dict[str, int] = {}
    subject = np.array([names.setdefault(a.subject, len(names)) for a in articles], dtype=np.int16)
    date = np.array([_ordinal(a.date) for a in articles], dtype=np.int32)
    live = np.ones(len(articles), dtype=bool)
    meta = DocMeta(live, subject, date, dict(lengths), tuple(names), averages=average_lengths(lengths, live))
    topics = topics_of(articles) if topics is None else topics
    return _with_keys(meta, (_url_keys(articles), np.arange(len(articles))), topics.pairs())


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
    extended = DocMeta(
        live, subject, np.concatenate([meta.date, added.date]), joined, tuple(names), averages=_kept(meta, joined, live)
    )
    urls = _joined((meta.url_keys, meta.url_docs), (added.url_keys, added.url_docs), dead, meta.size)
    topics = _joined((meta.topic_keys, meta.topic_docs), (added.topic_keys, added.topic_docs), dead, meta.size)
    return _with_keys(extended, urls, topics)


def _joined(
    old: tuple[np.ndarray, np.ndarray], new: tuple[np.ndarray, np.ndarray], dead: np.ndarray, first: int
) -> tuple[np.ndarray, np.ndarray]:
    """Keys and docnums: ``old``'s but of ``dead`` documents, then ``new``'s with docnums from ``first``."""
    kept = ~np.isin(old[1], dead)
    return np.concatenate([old[0][kept], new[0]]), np.concatenate([old[1][kept], new[1] + first])


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
        "topic_keys": meta.topic_keys,
        "topic_docs": meta.topic_docs,
        **{"len_" + field: array for field, array in meta.lengths.items()},
        **{"avg_" + field: np.float64(average) for field, average in meta.averages.items()},
    }
    versions.save_arrays(version / FILENAME, arrays)


def load(version: Path) -> DocMeta:
    with np.load(version / FILENAME, allow_pickle=True) as data:
        lengths = {key[4:]: data[key] for key in data.files if key.startswith("len_")}
        subjects = tuple(data["subjects"].tolist())
        # A version built before they were kept: its live documents' (an update of it keeps those from then on).
        averages = {key[4:]: float(data[key]) for key in data.files if key.startswith("avg_")}
        return DocMeta(
            data["live"],
            data["subject"],
            data["date"],
            lengths,
            subjects,
            data["url_keys"],
            data["url_docs"],
            data["topic_keys"],
            data["topic_docs"],
            averages or average_lengths(lengths, data["live"]),
        )
