"""Field-weighted BM25 over whole posting lists with numpy.

Each field saturates on its own before the weighted sum: a word that the
answer repeats five times must not count as much as the same word in the
question, which is what a Q&A visitor's query paraphrases. The ranking key
puts articles that match more of the query's words above any that match fewer.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.docmeta import DocMeta
from search.postings import PostingsSource
from search.query import Clause

K1 = 1.2
B = {"question": 0.5, "title": 0.5, "keywords": 0.3, "subject": 0.0, "description": 0.5, "lead": 0.5, "answer": 0.75}
# Each step is higher than everything below it: matching one more clause (up
# to ``sufficient_coverage``) always ranks higher, then matching one more
# clause without a typo, then BM25.
COVERAGE_STEP = 1_000_000.0
EXACT_STEP = 1_000.0
# A quoted phrase repeated through the answer is the article's topic, while a
# single word repeated there often is not: phrase counts in the answer
# saturate this many times more slowly.
PHRASE_ANSWER_SLOWDOWN = 3.0


def sufficient_coverage(clauses: int) -> int:
    """How many clauses an article must match to rank in the top tier.

    All of up to three words; from four on, one word in four may be missing,
    because a long question's paraphrase rarely repeats every word of it.
    """
    return clauses - clauses // 4


@dataclass(frozen=True)
class Scored:
    matched: np.ndarray  # bool per docnum: the candidate set before any filter
    key: np.ndarray  # float64 ranking key per docnum (coverage, exactness, then BM25)
    present: tuple[np.ndarray, ...] = ()  # per clause: where it matches at all
    exact: tuple[np.ndarray, ...] = ()  # per clause: where it matches without a typo


class Ranker:
    """Scores clauses for one index version; holds per-field length norms."""

    def __init__(self, meta: DocMeta, postings: PostingsSource, boosts: Mapping[str, float]) -> None:
        self.size = meta.size
        self.live = meta.live
        self.documents = max(int(meta.live.sum()), 1)
        # A version built before a field existed simply does not score it.
        self.boosts = {field: boost for field, boost in boosts.items() if field in meta.lengths}
        self._postings = postings
        self._saturation = {}  # K1 * length norm per document, for each field
        for field in self.boosts:
            lengths = meta.lengths[field]
            average = float(lengths[meta.live].mean()) if meta.live.any() else 1.0
            b = B.get(field, 0.5)
            self._saturation[field] = (K1 * ((1.0 - b) + b * lengths / max(average, 1e-6))).astype(np.float32)

    def term_score(self, term: str) -> np.ndarray:
        """BM25 of ``term`` per document: idf times the boosted, saturated frequency in each field."""
        weight = np.zeros(self.size, dtype=np.float32)
        present = np.zeros(self.size, dtype=bool)
        for field, saturation in self._saturation.items():
            postings = self._postings(field, term)
            if len(postings.ids):
                tf = postings.tf
                weight[postings.ids] += self.boosts[field] * tf / (tf + saturation[postings.ids])
                present[postings.ids] = True
        df = int(np.count_nonzero(present & self.live))
        idf = np.log1p((self.documents - df + 0.5) / (df + 0.5))
        return weight * np.float32(idf)

    def alternative(self, terms: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of ``terms`` summed, and where all of them occur."""
        total = np.zeros(self.size, dtype=np.float32)
        present = np.ones(self.size, dtype=bool)
        for term in terms:
            scores = self.term_score(term)
            total += scores
            present &= scores > 0
        return np.where(present, total, 0.0), present

    def phrase_score(self, counts: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 of a phrase from its occurrences per field, as if the phrase were one term."""
        weight = np.zeros(self.size, dtype=np.float32)
        present = np.zeros(self.size, dtype=bool)
        for field, count in counts.items():
            if field in self._saturation:
                slowdown = PHRASE_ANSWER_SLOWDOWN if field == "answer" else 1.0
                weight += self.boosts[field] * count / (count + slowdown * self._saturation[field])
                present |= count > 0
        df = int(np.count_nonzero(present & self.live))
        idf = np.log1p((self.documents - df + 0.5) / (df + 0.5))
        return weight * np.float32(idf), present

    def score(
        self, clauses: Sequence[Clause], phrases: Callable[[Clause], Mapping[str, np.ndarray]] | None = None
    ) -> Scored:
        """Rank by how many clauses match, then how many match exactly (not by a typo), then BM25.

        A clause scores as its best alternative, a quoted one only by where and
        how often its phrase occurs (``phrases`` counts them per field; without it,
        where its words co-occur); filler clauses add score but no coverage.
        """
        total = np.zeros(self.size, dtype=np.float64)
        coverage = np.zeros(self.size, dtype=np.int32)
        exact = np.zeros(self.size, dtype=np.int32)
        presences = []
        exactness = []
        for clause in clauses:
            best = np.zeros(self.size, dtype=np.float32)
            present = np.zeros(self.size, dtype=bool)
            present_exactly = np.zeros(self.size, dtype=bool)
            if clause.quoted and phrases is not None:
                # Only the phrase counts: its words elsewhere are not what the visitor asked for.
                best, present = self.phrase_score(phrases(clause))
                present_exactly = present
            for alternative in () if clause.quoted and phrases is not None else clause.alternatives:
                scores, found = self.alternative(alternative.terms)
                np.maximum(best, scores * alternative.weight, out=best)
                present |= found
                if alternative.exact:
                    present_exactly |= found
            total += best
            presences.append(present)
            exactness.append(present_exactly)
            if not clause.filler:
                coverage += present
                exact += present_exactly
        matched = (coverage > 0) & self.live
        enough = sufficient_coverage(sum(1 for c in clauses if not c.filler))
        tier = np.minimum(coverage, enough) * COVERAGE_STEP + np.minimum(exact, enough) * EXACT_STEP
        return Scored(matched, tier + total, tuple(presences), tuple(exactness))


def top(candidates: np.ndarray, key: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Docnums of ``candidates`` ranked ``start``..``stop`` by ``key`` descending (ties: docnum)."""
    docs = np.flatnonzero(candidates)
    if stop < len(docs):
        keys = key[docs]
        # Keep every tie of the last key that makes the cut, so the order is deterministic.
        threshold = -np.partition(-keys, stop - 1)[stop - 1]
        docs = docs[keys >= threshold]
    order = np.lexsort((docs, -key[docs]))
    return docs[order][start:stop]
