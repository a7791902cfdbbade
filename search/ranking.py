"""Field-weighted BM25 (BM25F) over whole posting lists with numpy.

A word's frequencies in the fields, each boosted and normalised by the field's length, are
added before they saturate: an article whose title and keywords both hold a word is not worth
twice one whose answer does. Summing each field's saturated score instead let a common word in
a rival's title and keywords outweigh a rare one the right article holds only in its answer.
The question saturates on its own and adds to that (``index.fields.Field.alone``): it is what
the article is about, and in BM25F a word in it weighed little more than a word repeated in a
long answer. Each word of the query that an article holds adds a bonus to BM25, larger for
rarer words.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

import numpy as np

from index.docmeta import DocMeta
from index.fields import ALONE
from index.impacts import norms
from index.impacts import saturate
from index.impacts import saturate_alone
from index.impacts import weigh
from index.postings import Postings
from search.cache import ByteBoundedCache
from search.postings import Kept
from search.postings import PartsSource
from search.postings import members
from search.query import Alternative
from search.query import Clause

# Each clause asked for that an article holds whole adds PRESENCE, plus PRESENCE_PER_IDF
# for each unit of the clause's idf, and a third of both again when held without a typo.
# A flat part alone made every word required (a tier per word); measured on the relevance
# benchmark's tune queries at 20,000 and 200,000 articles, a bonus worth a strong word's
# BM25 ranks better: an article missing one common word of a paraphrase can still come
# first, while missing a rare one costs more.
PRESENCE = 10.0
PRESENCE_PER_IDF = 0.5
EXACT_SHARE = 1 / 3
# A synonym of several words whose words an article holds only in part, or apart (``search.proximity``),
# counts as those words do, for this share of the entry's score: "transmission" in "maximum transmission
# unit" is no "tcp".
APART_SHARE = 0.5
# A quoted phrase repeated through the answer is the article's topic, while a
# single word repeated there often is not: phrase counts in the answer
# weigh this many times less.
PHRASE_ANSWER_SLOWDOWN = 3.0
# ``best`` bounds its cut by the maxima of blocks of this many keys, when there are more
# than BLOCKS_PER_PLACE blocks for each place asked for (fewer keys partition faster alone).
BLOCK = 64
BLOCKS_PER_PLACE = 4
WHOLE_TRIED = 512  # documents of the rarest list looked for in the others at a time (``held_whole``)


@dataclass(frozen=True)
class Sparse:
    """Values for some documents: ``ids`` ascending and unique, zero everywhere else."""

    ids: np.ndarray  # int32 docnums
    values: np.ndarray  # float32

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.values.nbytes


NOTHING = Sparse(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
NO_KEY = np.zeros(0)  # of a ``Scored`` that only says where a query matches (``Ranker.presence``)


def _dense_path(parts: Sequence[Sparse], size: int) -> bool:
    # Sorting many postings costs more than one pass over an array of every document.
    return size > 0 and sum(len(p.ids) for p in parts) * 16 > size


def _combine(parts: Sequence[Sparse], size: int, combine: Callable[[np.ndarray, np.ndarray, bool], Sparse]) -> Sparse:
    """``combine(ids, values, dense)`` over the parts' entries joined, unless at most one part has any."""
    parts = [part for part in parts if len(part.ids)]
    if len(parts) <= 1:
        return parts[0] if parts else NOTHING
    ids = np.concatenate([p.ids for p in parts])
    values = np.concatenate([p.values for p in parts])
    return combine(ids, values, _dense_path(parts, size))


def sparse_sum(parts: Sequence[Sparse], size: int = 0) -> Sparse:
    """Values added where documents meet, over the union of documents (docnums below ``size``, if given)."""
    return _combine(parts, size, partial(_sum, size=size))


def _sum(ids: np.ndarray, weights: np.ndarray, dense: bool, size: int) -> Sparse:
    if dense:
        # Every weight is positive (BM25, a bonus or a count): the documents present are the positive sums
        # (found in a boolean array: numpy finds them there at twice the speed).
        sums = np.bincount(ids, weights=weights, minlength=size)
        present = np.flatnonzero(sums > 0).astype(np.int32)
        return Sparse(present, sums[present].astype(np.float32))
    # A stable sort merges the parts' ascending runs and keeps each document's values in their
    # order, which ``bincount`` adds in: the sums to the bit, in half the time of ``np.unique``.
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    first = np.diff(ids, prepend=-1) != 0
    values = np.bincount(np.cumsum(first) - 1, weights=weights[order])
    return Sparse(ids[first].astype(np.int32), values.astype(np.float32))


def sparse_max(parts: Sequence[Sparse], size: int = 0) -> Sparse:
    """The largest value per document, over the union of documents (docnums below ``size``, if given)."""
    return _combine(parts, size, partial(_max, size=size))


def _max(ids: np.ndarray, values: np.ndarray, dense: bool, size: int) -> Sparse:
    if dense:
        present = np.flatnonzero(np.bincount(ids, minlength=size) > 0).astype(np.int32)
        best = np.zeros(size, dtype=np.float32)
        np.maximum.at(best, ids, values)
        return Sparse(present, best[present])
    order = np.argsort(ids, kind="stable")
    ids, values = ids[order], values[order]
    starts = np.flatnonzero(np.diff(ids, prepend=-1) != 0)
    return Sparse(ids[starts], np.maximum.reduceat(values, starts))


def sparse_all(parts: Sequence[Sparse]) -> Sparse:
    """Values added, only where every part has the document."""
    if len(parts) <= 1:
        return parts[0] if parts else NOTHING
    ids, values = parts[0].ids, parts[0].values
    for part in parts[1:]:
        ids, mine, theirs = np.intersect1d(ids, part.ids, assume_unique=True, return_indices=True)
        values = values[mine] + part.values[theirs]
    return Sparse(ids, values)


def find_sorted(ids: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``docs`` would sit in the ascending ``ids``, and whether it is there."""
    if not len(ids):
        return np.zeros(len(docs), dtype=np.intp), np.zeros(len(docs), dtype=bool)
    # Of the same type as ``ids``: a search of int64 docnums first copied all of int32 ``ids`` to int64.
    docs = docs.astype(ids.dtype, copy=False)
    at = np.minimum(np.searchsorted(ids, docs), len(ids) - 1)
    return at, ids[at] == docs


def dense(size: int, ids: np.ndarray, value=True, dtype=bool) -> np.ndarray:
    array = np.zeros(size, dtype=dtype)
    array[as_index(ids)] = value
    return array


def as_index(ids: np.ndarray) -> np.ndarray:
    """``ids`` (int32 docnums, as postings hold them) as numpy's own index type.

    An index of int32 is cast at every read or write through it: converted once, writing
    through 60,000 docnums of an array of 200,000 took half the time. Reads use ``take``,
    which reads such an index as it is.
    """
    return ids.astype(np.intp, copy=False)


@dataclass(frozen=True)
class Deferred:
    """A filler word's weighted BM25, read only at the articles that ask (``search.settle``).

    Filler ("the", "what") stands in nearly every article: its scores over all of them
    took a third of the scored terms' cache at 200,000 articles and two fifths at
    400,000, crowding out the words that decide rankings, while a query reads them for
    a few hundred contenders at most.
    """

    ranker: Ranker
    term: str
    weight: float
    most: float  # its largest value at any article
    kept: Sparse | None  # its scores at every article, while the filler cache holds them

    def at(self, docs: np.ndarray) -> np.ndarray:
        """float32 per docnum of ``docs`` (ascending), 0 where the word is not."""
        if self.kept is None or not len(self.kept.ids):
            return self.ranker.term_score_at(self.term, docs) * self.weight
        at, held = find_sorted(self.kept.ids, docs)
        return np.where(held, self.kept.values[at], np.float32(0)) * self.weight


@dataclass(frozen=True)
class ClauseMatch:
    """Where one clause matches and how well."""

    score: Sparse | Deferred  # its best alternative's weighted BM25, wherever it matches at all
    whole: np.ndarray  # ascending docnums that match the whole clause, not just most of a synonym's words
    exact: np.ndarray  # the same, leaving out typo alternatives


@dataclass(frozen=True)
class Scored:
    matched: np.ndarray  # bool per docnum: the candidate set before any filter
    key: np.ndarray  # float64 ranking key per docnum (coverage, exactness, then BM25)
    present: tuple[np.ndarray, ...] = ()  # per clause: the ascending docnums where it matches whole
    exact: tuple[np.ndarray, ...] = ()  # per clause: the ascending docnums where it matches whole without a typo
    # With filler deferred (search.settle): every clause's score and presence bonus, and
    # the most that the clauses left out of ``key`` add to any document's key (0: none left out).
    # A clause left out has no ``present`` or ``exact`` docnums: filler earns no bonus, is not
    # reported missing, and ``Ranker.presence`` finds where it stands when that is asked.
    scores: tuple[Sparse | Deferred, ...] = ()
    worths: tuple[float, ...] = ()
    left_out: float = 0.0
    extra: Sparse = NOTHING  # a bonus of some documents besides the clauses' (``search.topics``)


class Ranker:
    """Scores clauses for one index version; holds per-field length norms.

    Every step works on the documents that hold a term, never on an array
    of every document, until the final ranking key: at 200,000 articles a
    pass over all of them costs more than most queries' postings.
    """

    def __init__(
        self,
        meta: DocMeta,
        parts: PartsSource,
        boosts: Mapping[str, float],
        cache_bytes: int = 0,
        filler_bytes: int = 0,
        impacts: Callable[[str], Kept] | None = None,
    ) -> None:
        """:param parts: a term's postings in each segment that has any (``PostingsStore.parts``): scored
        segment by segment, as joining them first copied every posting of a version that an update extended.
        :param impacts: a term's sums kept by the build (``PostingsStore.impacts``), read instead of its
            postings where kept; they hold every field of ``index.fields.BOOSTS``, so only with those boosts.
        """
        self.size = meta.size
        self.live = meta.live
        self.documents = max(int(meta.live.sum()), 1)
        self._dead = np.flatnonzero(~meta.live).astype(np.int32)
        # A version built before a field existed simply does not score it.
        self.boosts = {field: boost for field, boost in boosts.items() if field in meta.lengths}
        self._parts = parts
        self._norms = norms(meta, self.boosts)  # length norm per document, for each field
        self._impacts = impacts
        self._terms = ByteBoundedCache(cache_bytes)
        self._frequencies: dict[str, int] = {}  # bounded by the vocabulary
        self._filler_facts: dict[str, tuple[np.float32, np.float32]] = {}  # bounded by the filler words
        self._filler = ByteBoundedCache(filler_bytes)

    def _idf(self, ids: np.ndarray) -> np.float32:
        if len(self._dead) < len(ids):
            # Updates delete a few articles: finding those among ``ids`` costs less than reading ``live`` at each.
            df = len(ids) - int(np.count_nonzero(members(self._dead, ids)))
        else:
            df = int(np.count_nonzero(self.live.take(ids)))
        return np.float32(np.log1p((self.documents - df + 0.5) / (df + 0.5)))

    def term_score(self, term: str) -> Sparse:
        """BM25 of ``term`` where it occurs: idf times the boosted, saturated frequency in each field."""
        found = self._terms.get(term)
        if found is None:
            found = self._filler.get(term)  # a filler word's, kept by ``_facts``
        if found is None:
            saturated = self._saturated(term)
            found = Sparse(saturated.ids, saturated.values * self._idf(saturated.ids))
            self._terms.put(term, found, found.nbytes)
        return found

    def _saturated(self, term: str) -> Sparse:
        """BM25 of ``term`` before its idf: its fields' boosted, normalised frequencies added, then saturated,
        plus the score of each field that saturates alone (``index.fields.ALONE``)."""
        # Field after field, as ``term_score_at`` and the build's impacts add them: a document is in one
        # segment, so its fields' values meet in the same order as over joined postings, and sum to the same bits.
        kept, covered = self._kept(term)
        together, alone = [], []
        for field in self._norms:
            for postings in self._unkept(field, term, covered):
                part = self._part(field, postings.tf, self._norms[field].take(postings.ids))
                (alone if field in ALONE else together).append(Sparse(postings.ids, part))
        return _disjoint([*kept, self._combined(together, alone)], self.size)

    def _combined(self, together: list[Sparse], alone: list[Sparse]) -> Sparse:
        """The BM25F of the ``together`` fields' parts (``weigh``), plus the scores of the ``alone`` fields."""
        summed = sparse_sum(together, self.size)
        return sparse_sum([Sparse(summed.ids, saturate(summed.values)), *alone], self.size)

    def _kept(self, term: str) -> tuple[list[Sparse], frozenset[int]]:
        if self._impacts is None:
            return [], frozenset()
        kept, covered = self._impacts(term)
        return [Sparse(ids, values) for ids, values in kept], covered

    def _unkept(self, field: str, term: str, covered: frozenset[int]) -> list[Postings]:
        """The term's postings in ``field`` in the segments that did not keep its impacts."""
        return self._parts(field, term, without=covered) if covered else self._parts(field, term)

    def _part(self, field: str, tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
        """float32 part of counts ``tf`` in ``field`` of documents whose length norms are ``norm``: the boosted,
        normalised counts (``index.impacts.weigh``), or the field's score where it saturates alone; one
        expression for scores over every posting, at a few documents, for phrases and in the build's impacts."""
        if field in ALONE:
            return saturate_alone(self.boosts[field], tf, norm)
        return weigh(self.boosts[field], tf, norm)

    def term_score_at(self, term: str, docs: np.ndarray) -> np.ndarray:
        """``term_score(term)`` at ``docs`` (ascending docnums), 0 where it is not, to the bit:
        each field's part is found in the postings and added in field order, as ``sparse_sum`` adds them."""
        idf, _most = self._facts(term)
        kept_total = np.zeros(len(docs), dtype=np.float32)
        kept, covered = self._kept(term)
        for impact in kept:
            at, held = find_sorted(impact.ids, docs)
            kept_total[held] += impact.values[at[held]]
        together, alone = np.zeros(len(docs)), np.zeros(len(docs))
        for field in self._norms:
            total = alone if field in ALONE else together
            for postings in self._unkept(field, term, covered):  # segments hold ascending, disjoint docnums
                at, held = find_sorted(postings.ids, docs)
                if held.any():
                    total[held] += self._part(field, postings.tf[at[held]], self._norms[field].take(docs[held]))
        unkept = (saturate(together.astype(np.float32)) + alone).astype(np.float32)
        # A document's fields are all in one segment: kept whole, or summed here; the other part is 0.
        return (unkept + kept_total) * idf

    def _facts(self, term: str) -> tuple[np.float32, np.float32]:
        """``(idf, largest score)`` of ``term``, found once per version; its scores go to the filler cache."""
        found = self._filler_facts.get(term)
        if found is None:
            saturated = self._saturated(term)
            idf = self._idf(saturated.ids)
            scores = Sparse(saturated.ids, saturated.values * idf)
            found = self._filler_facts[term] = (idf, scores.values.max() if len(scores.ids) else np.float32(0))
            self._filler.put(term, scores, scores.nbytes)
        return found

    def prepare(self, terms: Iterable[str]) -> None:
        """Find the idf and largest score of each of ``terms`` (filler words) now, not in a visitor's query.

        The most frequent last, so that the filler cache keeps their scores: a query of nothing
        but filler ("what is the") scores each of them whole.
        """
        for term in sorted(terms, key=self.frequency):
            self._facts(term)

    def deferred(self, clause: Clause) -> Deferred | None:
        """``clause``'s score to be read only where asked, if it is one filler word (one term, one alternative)."""
        if not clause.filler or len(clause.alternatives) != 1 or len(clause.literal) != 1:
            return None
        term, weight = clause.literal[0], clause.alternatives[0].weight
        _idf, most = self._facts(term)
        return Deferred(self, term, weight, float(most * weight), self._filler.get(term))

    def frequency(self, term: str) -> int:
        """How many postings ``term`` has in the scored fields: a cheap bound on its document frequency."""
        found = self._frequencies.get(term)
        if found is None:
            parts = (part for field in self._norms for part in self._parts(field, term))
            found = self._frequencies[term] = sum(len(part.ids) for part in parts)
        return found

    def alternative(self, terms: tuple[str, ...]) -> Sparse:
        """BM25 of ``terms`` summed, where all of them occur."""
        return sparse_all([self.term_score(term) for term in terms])

    def finds(self, alternative: Alternative) -> bool:
        """Whether ``alternative`` matches any live article."""
        if len(alternative.terms) == 1:  # its postings say, unscored and unjoined: filler is never scored whole
            term = alternative.terms[0]
            return any(self._any_live(part.ids) for field in self._norms for part in self._parts(field, term))
        return self._any_live(self._alternative(alternative)[0].ids)

    def _any_live(self, ids: np.ndarray) -> bool:
        # More documents than are deleted: one of them is live, without reading which ("the" has 200,000).
        return len(ids) > len(self._dead) or bool(self.live[ids].any())

    def _alternative(self, alternative: Alternative) -> tuple[Sparse, np.ndarray]:
        """``(BM25, docnums holding every term)`` where ``alternative`` matches, before its weight."""
        if not alternative.synonym:
            found = self.alternative(alternative.terms)
            return found, found.ids
        scores = [self.term_score(term) for term in alternative.terms]
        held = sparse_sum([Sparse(s.ids, np.ones(len(s.ids), dtype=np.float32)) for s in scores], self.size)
        # Most of the words, or "value" alone would match "eigenvalue" (characteristic value).
        most = held.values * 2 > len(scores)
        total = sparse_sum(scores, self.size)
        every = held.values == len(scores)
        values = np.where(every, total.values, total.values * APART_SHARE).astype(np.float32)
        return Sparse(total.ids[most], values[most]), held.ids[every]

    def clause_key_at(
        self, clause: Clause, worth: float, docs: np.ndarray, apart: np.ndarray | None = None
    ) -> np.ndarray:
        """``clause``'s part of the key at ``docs``: its best alternative's score, plus ``worth`` where held whole
        and a third more where exactly. Where ``apart``, a synonym of several words counts as its words held
        apart: ``APART_SHARE`` of its score, and no bonus."""
        score, whole, exact = np.zeros(len(docs)), np.zeros(len(docs), dtype=bool), np.zeros(len(docs), dtype=bool)
        for alternative in clause.alternatives:
            value, holds = self._alternative_at(alternative, docs)
            if apart is not None and alternative.synonym and len(alternative.terms) > 1:
                value[holds & apart] *= APART_SHARE
                holds &= ~apart
            score = np.maximum(score, value * alternative.weight)
            whole |= holds
            exact |= holds & alternative.exact
        return score + worth * whole + worth * EXACT_SHARE * exact

    def _alternative_at(self, alternative: Alternative, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``_alternative`` at a few ``docs``, from each term's cached scores: ``(BM25, whether held whole)``."""
        total, held = np.zeros(len(docs)), np.zeros(len(docs), dtype=int)
        for term in alternative.terms:
            scores = self.term_score(term)
            at, there = find_sorted(scores.ids, docs)
            total[there] += scores.values[at[there]]
            held += there
        every = held == len(alternative.terms)
        if not alternative.synonym:
            return np.where(every, total, 0.0), every
        return np.where(every, total, np.where(held * 2 > len(alternative.terms), total * APART_SHARE, 0.0)), every

    def match(self, clause: Clause, phrases: Callable[[Clause], Mapping[str, Sparse]] | None = None) -> ClauseMatch:
        """Score ``clause`` as its best alternative, a quoted one only where its phrase stands
        (``phrases`` counts it per field; without it, where its words co-occur)."""
        if clause.phrase and phrases is not None:
            # Only the phrase counts: its words elsewhere are not what the visitor asked for.
            found = self.phrase_score(phrases(clause))
            return ClauseMatch(found, found.ids, found.ids)
        found = [self._alternative(alternative) for alternative in clause.alternatives]
        pairs = list(zip(found, clause.alternatives, strict=True))
        return ClauseMatch(
            sparse_max([_weighted(score, a.weight) for (score, _), a in pairs], self.size),
            _union([whole for (_, whole), _a in pairs], self.size),
            _union([whole for (_, whole), a in pairs if a.exact], self.size),
        )

    def phrase_score(self, counts: Mapping[str, Sparse]) -> Sparse:
        """BM25 of a phrase from its occurrences per field, as if the phrase were one term."""
        together, alone = [], []
        for field, count in counts.items():
            if field in self._norms and len(count.ids):
                slowdown = PHRASE_ANSWER_SLOWDOWN if field == "answer" else 1.0
                part = self._part(field, count.values, slowdown * self._norms[field][count.ids])
                (alone if field in ALONE else together).append(Sparse(count.ids, part))
        found = self._combined(together, alone)
        return Sparse(found.ids, found.values * self._idf(found.ids))

    def presence(
        self,
        clauses: Sequence[Clause],
        phrases: Callable[[Clause], Mapping[str, Sparse]] | None = None,
        counted: frozenset[str] = frozenset(),
    ) -> Scored:
        """Where ``score`` would match and where each clause matches whole, with and without a typo: no key.

        Of filler, only where the words ``counted`` stand: the rest match nearly every article.
        """
        unasked = ClauseMatch(NOTHING, NOTHING.ids, NOTHING.ids)
        matches = [
            self.match(clause, phrases) if not clause.filler or counted & set(clause.words) else unasked
            for clause in clauses
        ]
        matched = _content(clauses, matches, self.size) & self.live
        return Scored(matched, NO_KEY, tuple(m.whole for m in matches), tuple(m.exact for m in matches))

    def score(
        self,
        clauses: Sequence[Clause],
        phrases: Callable[[Clause], Mapping[str, Sparse]] | None = None,
        defer_filler: bool = False,
        extra: Sparse = NOTHING,
    ) -> Scored:
        """Rank by BM25 plus a bonus for each clause matched whole, more if exactly (not by a typo).

        Each clause scores as ``match`` does; filler and notation clauses add score but no bonus.
        An article that holds only most of a synonym's words is found, without that clause's bonus.
        With ``defer_filler``, filler beside other words is left out of the key until
        ``search.settle`` adds it where the ranking reads the key. ``extra`` is added to the key last.
        """
        defer = defer_filler and not all(c.filler for c in clauses)  # a query of only filler ranks by it
        deferred = [self.deferred(clause) if defer else None for clause in clauses]
        matches = [
            self.match(clause, phrases) if later is None else ClauseMatch(later, NOTHING.ids, NOTHING.ids)
            for clause, later in zip(clauses, deferred, strict=True)
        ]
        worths = [
            PRESENCE + PRESENCE_PER_IDF * float(self._idf(m.whole)) if counted else 0.0
            for m, counted in zip(matches, counted_clauses(clauses), strict=True)
        ]
        now = [i for i, later in enumerate(deferred) if later is None]
        key, matched = _keyed([clauses[i] for i in now], [matches[i] for i in now], [worths[i] for i in now], self.size)
        key[extra.ids] += extra.values
        left_out = sum(later.most for later in deferred if later is not None)
        matched &= self.live
        return Scored(
            matched,
            key,
            tuple(m.whole for m in matches),
            tuple(m.exact for m in matches),
            tuple(m.score for m in matches),
            tuple(worths),
            left_out,
            extra,
        )


def _disjoint(parts: Sequence[Sparse], size: int) -> Sparse:
    """The union of parts from different segments: joined in order when their docnums do not interleave."""
    parts = sorted((part for part in parts if len(part.ids)), key=lambda part: int(part.ids[0]))
    if all(int(a.ids[-1]) < int(b.ids[0]) for a, b in pairwise(parts)):
        if len(parts) <= 1:
            return parts[0] if parts else NOTHING
        return Sparse(np.concatenate([p.ids for p in parts]), np.concatenate([p.values for p in parts]))
    return sparse_sum(parts, size)  # one value per document: added to nothing, the same bits


def _weighted(score: Sparse, weight: float) -> Sparse:
    # Most alternatives weigh 1: multiplying a common word's scores by it copied them for nothing.
    return score if weight == 1 else Sparse(score.ids, score.values * weight)


def _keyed(
    clauses: Sequence[Clause], matches: list[ClauseMatch], worths: list[float], size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per docnum, the ranking key and whether it matches (``_content``).

    The key is the clauses' scores summed plus the bonus each clause is worth where held,
    0 where none matches. Arrays of every document: a map from docnum to place among the
    matches cost more than the passes over them that it saved.
    """
    bonus = presence_bonus(worths, [m.whole for m in matches], [m.exact for m in matches], size)
    bonus += _dense_sum([m.score for m in matches], size)
    return bonus, _content(clauses, matches, size)


def presence_bonus(
    worths: Sequence[float], wholes: Sequence[np.ndarray], exacts: Sequence[np.ndarray], size: int
) -> np.ndarray:
    """Per docnum, the bonus each clause is worth where held whole, a third more where held exactly.

    Added clause by clause, the whole bonus before the exact one: ``search.settle`` adds them
    in this order for a few documents, and a key must come out the same to the bit.
    """
    bonus = np.zeros(size)
    for worth, found, exact in zip(worths, wholes, exacts, strict=True):
        if not worth:
            continue
        whole = as_index(found)
        if len(exact) == len(whole):  # held exactly wherever held (``exact`` is a subset): one gather and scatter
            held = bonus[whole]
            held += worth
            held += worth * EXACT_SHARE
            bonus[whole] = held
        else:
            bonus[whole] += worth
            bonus[as_index(exact)] += worth * EXACT_SHARE
    return bonus


def _content(clauses: Sequence[Clause], matches: list[ClauseMatch], size: int) -> np.ndarray:
    """Per docnum, whether a clause asked for (``counted_clauses``) matches it, at least in part.

    Lone letters and digits find articles on their own only in a formula, a query of more of them
    than words, where no article holds its words ("Cov(X,Y) = E[XY]", "n minus 1"): "ff02::1" must
    not find every article that holds a 1, nor "vitamin d", where no article says vitamin, every lone d.
    """
    content = np.zeros(size, dtype=bool)
    asked = counted_clauses(clauses)
    for found, counted in zip(matches, asked, strict=True):
        if counted:
            content[as_index(found.score.ids)] = True
    letters = sum(c.notation and not c.filler for c in clauses)
    if content.any() or letters <= sum(asked):
        return content
    for found, clause in zip(matches, clauses, strict=True):
        if not clause.filler:
            content[as_index(found.score.ids)] = True
    return content


def _dense_sum(parts: Sequence[Sparse], size: int) -> np.ndarray:
    """``sparse_sum`` as float32 per docnum, 0 where no part has the document."""
    parts = [part for part in parts if len(part.ids)]
    if len(parts) > 1 and _dense_path(parts, size):
        weights = np.concatenate([p.values for p in parts])
        return np.bincount(np.concatenate([p.ids for p in parts]), weights=weights, minlength=size).astype(np.float32)
    found = sparse_sum(parts, size)
    return dense(size, found.ids, found.values, np.float32)


def counted_clauses(clauses: Sequence[Clause]) -> list[bool]:
    """Per clause, whether holding it earns the presence bonus: not filler, and not notation unless nothing else is."""
    content = [not c.filler for c in clauses]
    asked = [not c.filler and not c.notation for c in clauses]
    return asked if any(asked) else content


def _union(ids: Sequence[np.ndarray], size: int) -> np.ndarray:
    """The ascending docnums in any of ``ids``."""
    if len(ids) <= 1:  # most clauses have one alternative
        return ids[0] if ids else NOTHING.ids
    return sparse_max([Sparse(i, np.ones(len(i), dtype=np.float32)) for i in ids], size).ids


def held_whole(present: list[np.ndarray], matched: np.ndarray) -> bool:
    """Whether some match is in every one of ``present`` (ascending docnums).

    The rarest word's documents are tried a few at a time: where one article holds
    every word, many do, and the first few usually settle it.
    """
    rarest, *others = sorted(present, key=len)
    for start in range(0, len(rarest), WHOLE_TRIED):
        docs = rarest[start : start + WHOLE_TRIED]
        for other in others:
            docs = docs[members(docs, other)] if len(docs) else docs
        if matched[docs].any():
            return True
    return False


def top(candidates: np.ndarray, key: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Docnums of ``candidates`` ranked ``start``..``stop`` by ``key`` descending (ties: docnum)."""
    docs = np.flatnonzero(candidates)
    return docs[best(key[docs], docs, stop)][start:stop]


def best(keys: np.ndarray, docs: np.ndarray, count: int) -> np.ndarray:
    """Indexes into ``docs`` of the ``count`` highest ``keys``, best first (ties: lower docnum)."""
    chosen = np.arange(len(docs))
    if count < len(docs):
        chosen, some = _at_or_above_block_floor(keys, count)
        if count < len(chosen):
            # Keep every tie of the last key that makes the cut, so the order is deterministic.
            threshold = np.partition(some, len(some) - count)[len(some) - count]
            chosen = chosen[some >= threshold]
    return chosen[np.lexsort((docs[chosen], -keys[chosen]))][:count]


def _at_or_above_block_floor(keys: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """``(indexes, their keys)`` of the keys at or above a floor that the ``count`` highest reach for sure.

    Each of the ``count`` highest maxima of blocks of ``BLOCK`` keys is some key's, so the
    ``count``-th of them is such a floor. Partitioning those few maxima and comparing every key
    once took a fifth of the time of partitioning 150,000 keys (0.3 ms against 1.9).
    """
    blocks = len(keys) // BLOCK
    if blocks <= count * BLOCKS_PER_PLACE:
        return np.arange(len(keys)), keys
    maxima = keys[: blocks * BLOCK].reshape(blocks, BLOCK).max(axis=1)
    chosen = np.flatnonzero(keys >= np.partition(maxima, blocks - count)[blocks - count])
    return chosen, keys[chosen]
