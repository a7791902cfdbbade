"""The one search API that the web app and the CLI call.

An ``Engine`` watches an index directory and always answers from the live
version; no Whoosh object leaves this package.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from pathlib import Path

import numpy as np
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from common.errors import IndexDamaged
from index import codec
from index import docmeta
from index import embedding
from index import impacts
from index import integrity
from index import mapped
from index import versions
from index import vocabulary
from index.columns import Column
from index.inverted import POSITIONAL
from index.schema import FIELD_BOOSTS
from search import snippets
from search.cache import LRUCache
from search.english import common_words
from search.expand import expand
from search.facets import FacetValue
from search.facets import subject_counts
from search.facets import subject_filter
from search.fusion import by_meaning_helps
from search.fusion import fuse
from search.fusion import shortfall
from search.meaning import Meaning
from search.postings import PostingsStore
from search.postings import phrase_counts
from search.proximity import Where
from search.proximity import rerank
from search.proximity import rerank_depth
from search.proximity import scattered
from search.query import FILLER_TERMS
from search.query import Clause
from search.query import UserQuery
from search.query import parse
from search.ranking import Ranker
from search.ranking import Scored
from search.ranking import Sparse
from search.ranking import best
from search.ranking import counted_clauses
from search.ranking import dense
from search.ranking import find_sorted
from search.ranking import held_whole
from search.ranking import sparse_max
from search.ranking import top
from search.related import Neighbours
from search.related import choose
from search.related import linked
from search.settle import Settler
from search.spelling import Correction
from search.spelling import Speller
from search.spelling import unknown_words
from search.suggest import Ranked
from search.suggest import Typed
from search.suggest import rank as rank_completions
from search.suggest import respelled
from search.suggest import split_typed
from search.synonyms import Synonyms
from search.topics import topic_bonus

MAX_PER_PAGE = 50
MAX_PAGE = 1000
RELATED_HITS = 3  # the results page shows related questions under its first three hits; only those are looked up
RELATED_CACHE = 50_000  # documents whose related articles are remembered per version
DEFAULT_CACHE_BYTES = 192 * 1024 * 1024
DEFAULT_RESULT_CACHE = 2048  # finished result pages kept per worker
DEFAULT_RESIDENT_BYTES = 512 * 1024 * 1024
LEXICAL_WEIGHED = 50  # the best matches by words that meaning scores too, near or not
# Which hits a search shows: (page, per page, how many of the first carry their related questions).
_Window = tuple[int, int, int]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Related:
    question: str
    url: str


@dataclass(frozen=True)
class Hit:
    id: int
    question: str
    question_html: str
    subject: str
    url: str
    snippet: str
    keywords: list[str]
    date: str | None
    score: float
    related: list[Related] = field(default_factory=list)
    by_meaning: bool = False  # found by meaning alone: it holds none of the query's words


def absolute_url(url: str, site: str) -> str:
    """An article's address as links show it: ``site`` (the ``SITE_URL`` setting) before a site-relative ``url``.

    The page, the API and the command line all call this, so a link is the same wherever it is shown.
    """
    if not site or "://" in url:
        return url
    return site + url


@dataclass(frozen=True)
class Suggestion:
    query: str
    html: str


@dataclass(frozen=True)
class Relaxed:
    """How the best result falls short of the query as typed."""

    typos: bool  # some words match only as close spellings
    missing: tuple[str, ...]  # typed words that the best result does not contain


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: list[FacetValue]
    suggestion: Suggestion | None = None
    corrected: bool = False  # the hits are for ``suggestion.query``: the original found nothing
    relaxed: Relaxed | None = None
    took_ms: float = 0.0

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


@dataclass(frozen=True)
class _Matches:
    """Every article a query matches, before paging: ranked once ``Engine._ranked`` has made its keys final."""

    query: UserQuery
    matched: np.ndarray  # bool per docnum, after every filter
    key: np.ndarray  # float64 ranking key per docnum
    facets: list[FacetValue]
    scored: Scored | None  # None when listing or for an empty query
    by_meaning: np.ndarray | None = None  # bool per docnum: matched by meaning alone
    settler: Settler | None = None  # until ranked: what makes its keys whole
    # Once ranked: the first matches by the key before proximity, best first, as deep as ranked.
    # Proximity only raises their keys, so every page within that depth is drawn from them.
    leaders: np.ndarray | None = None

    def top(self, start: int, stop: int) -> np.ndarray:
        """Docnums of the matches ranked ``start``..``stop``."""
        if self.leaders is None or (stop > len(self.leaders) and len(self.leaders) < self.total):
            return top(self.matched, self.key, start, stop)
        return self.leaders[best(self.key[self.leaders], self.leaders, stop)][start:stop]

    @property
    def total(self) -> int:
        return int(np.count_nonzero(self.matched))

    def exact_words(self) -> int:
        """The most of the query's words that one match holds exactly, not counting filler.

        Any match, not only the first: the ranking may put a rarer word first, while the
        question is whether a correction finds an article that holds more of what was typed.
        """
        if self.scored is None:
            return 0
        return most_words(self.query.clauses, self.scored.exact, self.matched, frozenset())


def most_words(
    clauses: tuple[Clause, ...], exact: tuple[np.ndarray, ...], matched: np.ndarray, counted: frozenset[str]
) -> int:
    """``_Matches.exact_words`` of the matches ``matched``, where ``exact`` holds each clause's exact matches."""
    asked = [(c, held) for c, held in zip(clauses, exact, strict=True) if not c.filler or counted & set(c.words)]
    if not asked or not matched.any():
        return 0
    if held_whole([held for _clause, held in asked], matched):
        return sum(len(clause.words) for clause, _held in asked)
    words = np.zeros(len(matched), dtype=np.int32)
    for clause, held in asked:
        words[held] += len(clause.words)
    return int(words[matched].max())


@dataclass(frozen=True)
class Completion:
    id: int
    question: str
    question_html: str
    subject: str
    url: str


@dataclass(frozen=True)
class IndexStatus:
    documents: int
    built_at: str
    version: str
    build_seconds: float

    @property
    def built_timestamp(self) -> float:
        return dt.datetime.fromisoformat(self.built_at).timestamp()


@dataclass
class _Version:
    """One opened index version: Whoosh reader, per-document arrays, postings."""

    path: Path
    cache_bytes: int
    semantic: bool = True  # rank with the version's vectors too, when it has them
    lock: threading.RLock = field(default_factory=threading.RLock)
    users: int = 0  # requests under way on this version
    probes: int = 0  # health checks so far: each reads a different document

    def __post_init__(self) -> None:
        self.info = versions.read_meta(self.path)
        self.check_files()  # a file gone since publishing is named, rather than met halfway through opening
        self.meta = docmeta.load(self.path)
        codec.check_numbering(self.path, self.meta)
        self.questions, self.urls = Column(self.path, "question"), Column(self.path, "url")
        self.key_terms = Column(self.path, "key_term")
        # Joined postings exist only after incremental updates; scored terms are what queries reuse.
        # Filler's scores ("the", "what") have a share of their own: among the rest they took a third
        # of the scored terms' room at 200,000 articles and two fifths at 400,000, and the words
        # that decide rankings were scored again and again.
        self.postings = PostingsStore(
            self.path, self.cache_bytes // 6, self.cache_bytes // 12, impacts.averages_of(self.meta)
        )
        scored, filler = self.cache_bytes // 2, self.cache_bytes // 6
        self.ranker = Ranker(self.meta, self.postings.parts, FIELD_BOOSTS, scored, filler, self.postings.impacts)
        # Here, once per version (0.1 s at 200,000 articles), rather than in the first twenty queries that use them.
        self.ranker.prepare(FILLER_TERMS)
        self.question_ranker = Ranker(self.meta, self.postings.parts, {"question": 1.0}, self.cache_bytes // 12)
        self.speller = Speller(vocabulary.load(self.path))
        self.neighbours = Neighbours(self.meta, self.postings.parts, self.key_terms)
        self.meaning = self._meaning() if self.semantic else None
        self._related: dict[int, list[Related]] = {}
        # Last: when a damaged file stops the opening, no open Whoosh file is left for the collector to close.
        # Without mmap a searcher opens in a millisecond instead of copying the index into memory.
        storage = FileStorage(str(self.path), supports_mmap=False)
        self.reader = storage.open_index().reader()
        self.searcher = Searcher(self.reader)

    def close(self) -> None:
        with self.lock:
            self.searcher.close()

    def _meaning(self) -> Meaning | None:
        """The version's vectors and their model; None without vectors, or when the model cannot load."""
        name = embedding.of_version(self.info)
        if name == embedding.OFF:
            return None
        try:
            return Meaning(self.path, embedding.load(name))
        except embedding.ModelError as exc:
            # Words alone still answer every query; the log says why meaning is missing.
            log.warning("version %s: searching by words alone: %s", self.path.name, exc)
            return None

    def subject(self, docnum: int) -> str:
        # Not the stored one: the build settles each subject's spelling after storing its articles.
        return self.meta.subjects[self.meta.subject[docnum]]

    def stored(self, docnum: int) -> dict:
        """The stored fields of a document: every hit, completion and health check reads them here."""
        with self.lock:
            try:
                return self.reader.stored_fields(int(docnum))
            except integrity.READ_ERRORS as exc:
                # Files rotted since the version was published: a 503 for the web, never a 500.
                raise IndexDamaged(
                    f"version {self.path.name}: stored document {docnum} cannot be read: {type(exc).__name__}: {exc}"
                ) from exc

    def status(self) -> IndexStatus:
        return IndexStatus(
            int(self.meta.live.sum()), self.info["built_at"], self.path.name, self.info.get("seconds", 0.0)
        )

    def check_files(self) -> None:
        """Raise ``IndexDamaged`` naming any file the build recorded that is gone; no file is read."""
        integrity.check_present(self.path, self.info[integrity.FILES])

    def probe(self) -> None:
        """Find every file the build recorded and read the first, the last and one more stored document.

        The third moves on with each call, so repeated health checks read every document in turn.

        :raises IndexDamaged: naming what is missing or cannot be read.
        """
        self.check_files()
        live = np.flatnonzero(self.meta.live)
        self.probes += 1
        for docnum in {live[0], live[-1], live[self.probes % len(live)]}:
            self.stored(docnum)

    def related(self, docnum: int, stored: dict) -> list[Related]:
        """Its nearest article if close, its own related articles that are in the index, then its next nearest."""
        if docnum not in self._related:
            if len(self._related) > RELATED_CACHE:
                self._related.clear()
            self._related[docnum] = self._find_related(docnum, stored)
        return self._related[docnum]

    def _find_related(self, docnum: int, stored: dict) -> list[Related]:
        links = linked(docnum, (url for _question, url in stored.get("related") or ()), self.meta.find_url)
        chosen = choose(self.neighbours, docnum, links)
        return [Related(self.questions[d], self.urls[d]) for d in chosen]

    def positions(self, terms: set[str], field: str, docs: np.ndarray) -> dict[str, Where]:
        """Where each of ``terms`` stands in the ``field`` of ``docs``: the row in ``docs`` and the position of each."""
        found = {}
        docs = docs.astype(np.int32)  # as postings hold them: searching int64 ones copied each list to int64
        lowest, highest = (int(docs.min()), int(docs.max())) if len(docs) else (0, -1)
        for term in terms:
            rows, places = [], []
            # Segment by segment: joining a common word's positions across segments copied
            # tens of megabytes per query, too many for the cache to keep.
            for part in self.postings.positional(field, term):
                ids = part.postings.ids
                # An update's segment holds a few new docnums, most often none of the leaders.
                if int(ids[0]) > highest or int(ids[-1]) < lowest:
                    continue
                at, there = find_sorted(ids, docs)
                held = np.flatnonzero(there)
                if not len(held):
                    continue
                counts, positions = part.positions(at[held])
                rows.append(np.repeat(held, counts))
                places.append(positions)
            if rows:
                found[term] = (np.concatenate(rows), np.concatenate(places))
        return found

    def phrase_fields(self, clause: Clause) -> dict[str, Sparse]:
        """Per phrase field, how often the clause's words stand together in order."""
        found = {}
        for name in sorted(POSITIONAL):
            postings = [self.postings.lookup(name, term, with_positions=True) for term in clause.literal]
            found[name] = Sparse(*phrase_counts(postings))
        return found

    def clause_docs(self, clause: Clause) -> np.ndarray:
        """Where the clause matches: the exact phrase if it is one, else any alternative."""
        if clause.phrase:
            parts = self.phrase_fields(clause).values()
        else:
            parts = [self.ranker.alternative(alternative.terms) for alternative in clause.alternatives]
        return dense(self.meta.size, sparse_max(list(parts), self.meta.size).ids)


class Engine:
    """Search an index directory; picks up newly published versions by itself."""

    def __init__(
        self,
        index_dir: Path | str,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
        synonyms: Path | str | None = None,
        result_cache: int = DEFAULT_RESULT_CACHE,
        semantic: bool = True,
        resident_bytes: int = DEFAULT_RESIDENT_BYTES,
    ) -> None:
        """:param semantic: rank by meaning too where the index has vectors; False gives the ranking by words alone.
        :param resident_bytes: past this resident size, the process gives back the index pages it mapped.
        """
        # The real path: a symlinked directory must not change under an open index.
        self.index_dir = Path(index_dir).resolve()
        self.cache_bytes = cache_bytes
        self.semantic = semantic
        self.resident_bytes = resident_bytes
        self.synonyms = Synonyms(synonyms)
        self._results: LRUCache[SearchResult] = LRUCache(result_cache)
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._version: _Version | None = None
        # The version replaced last while requests were still using it; the last of them closes it.
        self._retired: _Version | None = None
        common_words()  # read once here (0.15 s), not by the first query that needs it

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the open index files; the next search opens them again."""
        with self._lock:
            for version in (self._retired, self._version):
                if version is not None:
                    version.close()
            self._version = self._retired = None
            self._stamp = None

    def _current(self, use: bool = False) -> _Version:
        """The live version, opened if it changed; ``use`` counts a request on it until ``_release``."""
        stamp = versions.pointer_stamp(self.index_dir)
        with self._lock:
            if self._version is None or stamp != self._stamp:
                path = versions.live_version(self.index_dir)
                if self._version is None or path != self._version.path:
                    opened = self._open(path)
                    self._retire(self._version)
                    self._version = opened
                self._stamp = stamp
            self._version.users += use
            return self._version

    def _open(self, path: Path) -> _Version:
        try:
            return _Version(path, self.cache_bytes, self.semantic)
        except integrity.READ_ERRORS as exc:
            raise IndexDamaged(f"version {path.name} cannot be opened: {type(exc).__name__}: {exc}") from exc

    def _retire(self, version: _Version | None) -> None:
        # Dropping a version unmaps its files at once: a worker does not hold two versions' pages.
        if self._retired is not None:
            self._retired.close()
        self._retired = version if version is not None and version.users else None
        if version is not None and not version.users:
            version.close()

    def _release(self, version: _Version) -> None:
        with self._lock:
            version.users -= 1
            if version is self._retired and not version.users:
                version.close()
                self._retired = None

    @contextlib.contextmanager
    def _using(self) -> Iterator[_Version]:
        version = self._current(use=True)
        try:
            yield version
        finally:
            self._release(version)
            self._trim()

    def _trim(self) -> None:
        """After each request, give back the mapped index pages if this process is over its resident budget.

        They stay in the page cache, shared by every worker; the next request maps what it needs again.
        Looking costs a read of ``/proc/self/statm`` (microseconds); one query by meaning maps every
        article vector (200 MB at 200,000 articles), so a look every few requests let workers pass the budget.
        """
        if mapped.resident_bytes() > self.resident_bytes:
            mapped.release()

    def status(self) -> IndexStatus:
        return self._current().status()

    def health(self) -> IndexStatus:
        """``status()``, once the live version's files were found and a few of its documents read.

        Cheap enough for every poll of a load balancer: a ``stat`` of each
        of the version's files and three stored documents, never a whole file.

        :raises IndexDamaged: when the live version cannot be read (``IndexUnavailable`` when there is none).
        """
        with self._using() as version:
            version.probe()
            return version.status()

    def search(
        self,
        text: str,
        subjects: tuple[str, ...] = (),
        page: int = 1,
        per_page: int = 10,
        related: int = RELATED_HITS,
    ) -> SearchResult:
        """One page of results for ``text``, with subject facets and a spelling suggestion.

        :param subjects: keep only these subjects (any of them, case-insensitive).
        :param page: 1-based, at most ``MAX_PAGE``; ``per_page`` at most ``MAX_PER_PAGE``.
        :param related: how many of the page's first hits carry their related questions, at most
            ``RELATED_HITS``; finding them is a fifth of an uncached search's time at 200,000 articles.
        """
        started = time.perf_counter()
        if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE or not 0 <= related <= RELATED_HITS:
            raise ValueError("page, per_page or related out of range")
        with self._using() as version:
            return self._cached_or_new(version, text, subjects, (page, per_page, related), started)

    def _cached_or_new(
        self, version: _Version, text: str, subjects: tuple[str, ...], window: _Window, started: float
    ) -> SearchResult:
        key = (
            version.path.name,
            self.synonyms.stamp(),
            " ".join(text.split()),
            tuple(sorted({s.strip().casefold() for s in subjects if s.strip()})),
            window,
        )
        cached = self._results.get(key)
        if cached is not None:
            return replace(cached, took_ms=round((time.perf_counter() - started) * 1000, 2))
        result = self._search(version, text, subjects, window, started)
        self._results.put(key, result)
        return result

    def _search(
        self, version: _Version, text: str, subjects: tuple[str, ...], window: _Window, started: float
    ) -> SearchResult:
        query = parse(text)
        page, per_page, _related = window
        depth = max(page * per_page, rerank_depth(query.clauses))
        found = self._match(version, self._expand(version, query), subjects, not text.strip(), depth)
        suggestion, fixed = self._correction(version, query, found, subjects)
        corrected = fixed is not None and not found.total
        result = self._page(version, self._ranked(version, fixed, depth) if corrected else found, window)
        took = round((time.perf_counter() - started) * 1000, 2)
        return replace(result, query=query.text, suggestion=suggestion, corrected=corrected, took_ms=took)

    def _expand(self, version: _Version, query: UserQuery) -> UserQuery:
        return expand(query, version.speller, self.synonyms.lookup())

    def _correction(
        self, version: _Version, query: UserQuery, found: _Matches, subjects: tuple[str, ...]
    ) -> tuple[Suggestion | None, _Matches | None]:
        """A spelling suggestion when its best match holds more of the words exactly, and its matches (not yet
        ranked) when the query itself found nothing, so that the page shows them instead.

        A suggestion that is not better is worse than none: a word the index holds in any
        form is never replaced, and a real word the index lacks ("bread") must not become
        one it has ("break") unless the query found nothing and the correction finds something;
        even then, its results are not shown in place of the query's ("cancer" is no typo of "cancel").
        """
        unknown = unknown_words(found.query, version.ranker.finds, self.synonyms.lookup())
        if found.total:  # what was typed finds articles: a real word the index lacks is no typo
            unknown -= common_words()

        def fit(correction: Correction) -> int:
            # A word put in counts even if it is filler: "exmaple" was typed as something asked for.
            expanded = self._expand(version, parse(correction.query))
            return self._exact_words(version, expanded, subjects, correction.words)

        correction = version.speller.correct(query, unknown, fit)
        if correction is None or fit(correction) <= found.exact_words():
            return None, None
        suggestion = Suggestion(correction.query, correction.html)
        expanded = self._expand(version, parse(correction.query))
        if found.total or correction.replaced <= common_words():  # the query's own hits, if any, and the offer
            return suggestion, None
        return suggestion, self._unranked(version, expanded, subjects, False)

    def _match(
        self, version: _Version, query: UserQuery, subjects: tuple[str, ...], listing: bool, depth: int
    ) -> _Matches:
        """Every article ``query`` matches, ranked exactly as far as ``depth``: the last rank a page shows, at least."""
        return self._ranked(version, self._unranked(version, query, subjects, listing), depth)

    @staticmethod
    def _ranked(version: _Version, found: _Matches, depth: int) -> _Matches:
        """``found`` with its keys whole as far as ``depth`` and the proximity bonuses added."""
        if found.scored is None:
            return found
        query, matched, key = found.query, found.matched, found.key
        leaders = found.settler.settle_best(key, matched, depth)
        key = rerank(leaders, key, query.clauses, version.positions)
        key = scattered(leaders, key, query.clauses, found.scored.worths, version.ranker, version.positions)
        return replace(found, key=key, settler=None, leaders=leaders)

    def _unranked(self, version: _Version, query: UserQuery, subjects: tuple[str, ...], listing: bool) -> _Matches:
        meta = version.meta
        scored = by_meaning = settler = None
        if listing or (query.is_empty and query.excluded):  # "-java": every article but those, newest first
            matched, key = self._excluding(version, query, meta.live.copy()), meta.date.astype(np.float64)
        elif query.is_empty:
            matched, key = np.zeros(meta.size, dtype=bool), np.zeros(meta.size)
        else:
            topics = topic_bonus(meta, query.clauses)
            scored = version.ranker.score(query.clauses, version.phrase_fields, defer_filler=True, extra=topics)
            matched, key = scored.matched, scored.key
            settler = Settler(scored)
            short = shortfall(query.clauses, scored)
            if version.meaning is not None and by_meaning_helps(query.clauses, matched, short):
                lexical = matched
                # The best by words are weighed by meaning too, wherever they rank by it.
                weighed = settler.settle_best(key, matched, LEXICAL_WEIGHED)
                near = version.meaning.nearest(query.text, meta.live, weighed)
                settler.settle(key, near.ids)
                matched, key = fuse(matched, key, near, short, weighed[:2])
                by_meaning = matched & ~lexical
            matched = self._required(version, query, scored, matched)
        mask, selected = subject_filter(meta, subjects)
        facets = subject_counts(meta, matched, selected)
        if mask is not None:
            matched &= mask
        return _Matches(query, matched, key, facets, scored, by_meaning, settler)

    @staticmethod
    def _required(version: _Version, query: UserQuery, scored: Scored, matched: np.ndarray) -> np.ndarray:
        """``matched`` (changed in place) less the articles without a quoted phrase, or with an excluded word."""
        for clause, present in zip(query.clauses, scored.present, strict=True):
            if clause.quoted:
                matched &= dense(version.meta.size, present)  # an exact phrase is required, whatever else matches
        return Engine._excluding(version, query, matched)

    @staticmethod
    def _excluding(version: _Version, query: UserQuery, matched: np.ndarray) -> np.ndarray:
        """``matched`` (changed in place) less the articles with an excluded word."""
        for clause in query.excluded:
            matched &= ~version.clause_docs(clause)
        return matched

    def _exact_words(
        self, version: _Version, query: UserQuery, subjects: tuple[str, ...], counted: frozenset[str]
    ) -> int:
        """``_Matches.exact_words`` of ``query``'s matches, found without a ranking key, facets or meaning:
        a word is found by the words of an article, and whether one holds more of them needs no order."""
        scored = version.ranker.presence(query.clauses, version.phrase_fields, counted)
        mask, _selected = subject_filter(version.meta, subjects)
        matched = self._required(version, query, scored, scored.matched)
        return most_words(query.clauses, scored.exact, matched if mask is None else matched & mask, counted)

    def _page(self, version: _Version, found: _Matches, window: _Window) -> SearchResult:
        query, key = found.query, found.key
        page, per_page, related = window
        docs = found.top((page - 1) * per_page, page * per_page)
        marks = snippets.marks_for(query)
        hits = [self._hit(version, doc, marks, float(key[doc]), rank < related) for rank, doc in enumerate(docs)]
        if found.by_meaning is not None:
            hits = [replace(hit, by_meaning=bool(found.by_meaning[doc])) for hit, doc in zip(hits, docs, strict=True)]
        relaxed = _relaxed(query, found.scored, int(docs[0])) if found.scored and len(docs) else None
        return SearchResult(query.text, found.total, page, per_page, hits, found.facets, relaxed=relaxed)

    def _hit(self, version: _Version, docnum: int, marks: snippets.Marks, score: float, with_related: bool) -> Hit:
        stored = version.stored(docnum)
        return Hit(
            id=int(stored["id"]),
            question=stored["question"],
            question_html=snippets.highlight(stored["question"], marks),
            subject=version.subject(docnum),
            url=stored["url"],
            snippet=snippets.snippet(stored["answer"], marks),
            keywords=[k.strip() for k in stored.get("keywords", "").split(",") if k.strip()],
            date=stored.get("date") or None,
            score=round(score, 4),
            related=version.related(docnum, stored) if with_related else [],
        )

    def suggest(self, text: str, limit: int = 8, subjects: tuple[str, ...] = ()) -> list[Completion]:
        """Questions that may be what ``text`` is the start of (its last word as a prefix), best first,
        of the ``subjects`` only if any are given (case-insensitive, as ``search`` filters)."""
        with self._using() as version:
            ranked = self._ranked_completions(version, text, subjects)
            if ranked is None:
                return []  # nothing typed, or nothing completes it
            return [self._completion(version, doc, ranked) for doc in ranked.best(max(1, min(limit, MAX_PER_PAGE)))]

    def _ranked_completions(self, version: _Version, text: str, subjects: tuple[str, ...] = ()) -> Ranked | None:
        """The completions of ``text`` or, when no question holds all its words, of the first reading of it
        that some question does ("gcd of" as "greatest common divisor of"); failing that, of the first
        reading that completes at all, and only when none does, of the text less its last word ("pmf vs")."""
        typed = split_typed(text)
        if typed is None:
            return None
        mask, _selected = subject_filter(version.meta, subjects)
        first = None
        for ranked in _completing(version, self._readings(version, typed), mask):
            if ranked.whole:
                return ranked
            first = first or ranked
        if first is not None:
            return first
        shorter = (other and other.shorter() for other in (typed, *self._synonymous(typed)))
        return next(_completing(version, shorter, mask), None)

    def _readings(self, version: _Version, typed: Typed) -> Iterator[Typed | None]:
        """``typed`` and what else a visitor may be typing, likeliest first: "djikstra algo" is a question
        about dijkstra and "gcd of" one about the greatest common divisor."""
        yield typed
        yield respelled(typed, version.speller)
        yield from self._synonymous(typed)

    def _synonymous(self, typed: Typed) -> Iterator[Typed | None]:
        """``typed`` with a synonyms entry in it read as another entry of its line (``Synonyms.rewritten``)."""
        end = " " if typed.finished else ""
        for words in self.synonyms.rewritten([*typed.tokens, typed.prefix]):
            yield split_typed(" ".join(words) + end)

    @staticmethod
    def _completion(version: _Version, doc: int, ranked: Ranked) -> Completion:
        stored = version.stored(doc)
        return Completion(
            id=int(stored["id"]),
            question=stored["question"],
            question_html=snippets.highlight(stored["question"], snippets.typing_marks(ranked.stems, ranked.prefix)),
            subject=version.subject(doc),
            url=stored["url"],
        )


def _completing(version: _Version, readings: Iterable[Typed | None], mask: np.ndarray | None) -> Iterator[Ranked]:
    """The completions of each of ``readings`` that has some, in order, each found only when asked for."""
    for typed in readings:
        if typed is None:
            continue
        ranked = _completions_of(version, typed, mask)
        if ranked.candidates.any():
            yield ranked


def _completions_of(version: _Version, typed: Typed, mask: np.ndarray | None) -> Ranked:
    """``typed``'s completions among the questions of ``version``, those ``mask`` holds only (if given)."""
    lengths = version.meta.lengths["question"]
    ranked = rank_completions(typed, version.question_ranker, version.postings.lookup, version.questions, lengths)
    return ranked if mask is None else replace(ranked, candidates=ranked.candidates & mask)


def _relaxed(query: UserQuery, scored: Scored, best: int) -> Relaxed | None:
    """What the best hit lacks: words it does not contain, words it matches only by a typo."""
    missing = []
    typos = False
    asked = counted_clauses(query.clauses)  # a formula's lone letters are not reported missing
    for clause, present, exact, counted in zip(query.clauses, scored.present, scored.exact, asked, strict=True):
        if not counted:
            continue
        if not _holds(present, best):
            missing.extend(clause.words)
        elif not _holds(exact, best):
            typos = True
    return Relaxed(typos, tuple(missing)) if missing or typos else None


def _holds(docs: np.ndarray, doc: int) -> bool:
    """Whether the ascending ``docs`` include ``doc``."""
    at = int(np.searchsorted(docs, docs.dtype.type(doc)))  # a Python int made numpy copy ``docs`` to int64
    return at < len(docs) and int(docs[at]) == doc
