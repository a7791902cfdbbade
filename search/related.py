"""Related questions for a hit: its nearest article when that one is close, the article's own
``related_article*`` links that are in the index, then its next nearest articles.

Nearness is the cosine of the two articles' key terms (the first keyword terms the
build saves), each weighted by how rare it is among keywords. The measure is
symmetric, so two articles that are each other's nearest list each other.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence

import numpy as np

from index.docmeta import DocMeta
from index.postings import Postings
from search.ranking import best

MAX_RELATED = 3
# A key term in the keywords of more than this share of the articles ("function",
# "of") says nothing about what an article is about, and its postings are the longest;
# but on a small index a keyword that a few articles share is still their topic.
GENERIC_SHARE = 0.05
GENERIC_MIN = 10  # articles
CANDIDATES = 30  # articles, by shared key-term weight, whose exact nearness is computed
# Nearness at or above which an article is close: listed ahead of the article's own
# links, and a related question at all. On the real sample the share of pairs that the
# site's editors also linked is 13-17% for every threshold from 0.15 up and halves below
# it (10% from 0.1, 5% from 0.05).
CLOSE = 0.15
# Another subject's article is related only when the match is strong: it shares at
# least two key terms (one shared word, "consistency", is a homonym as often as not)
# and is as near as a typical nearest article (0.26 at the median on the sample).
CROSS_SUBJECT_TERMS = 2
CROSS_SUBJECT = 0.25
NEARNESS_DIGITS = 9


def linked(docnum: int, urls: Iterable[str], find: Callable[[str], int | None]) -> list[int]:
    """Documents that the article's own related links point at, if they are in the index."""
    chosen: list[int] = []
    for url in urls:
        other = find(url)
        if other is not None and other != docnum and other not in chosen and len(chosen) < MAX_RELATED:
            chosen.append(other)
    return chosen


class Neighbours:
    """Finds an article's nearest articles by their key terms."""

    def __init__(self, meta: DocMeta, parts: Callable[[str, str], list[Postings]], key_terms: Sequence[str]) -> None:
        """:param parts: a field's term's postings in each segment that has any."""
        self.meta = meta
        self._parts = parts
        self._key_terms = key_terms
        self._documents = max(int(meta.live.sum()), 1)
        self._dead = np.flatnonzero(~meta.live)
        self._weights: dict[str, float] = {}  # bounded by the keyword vocabulary

    def weight(self, term: str) -> float:
        """The term's idf among keywords; 0 for a generic term."""
        found = self._weights.get(term)
        if found is None:
            df = sum(int(np.count_nonzero(self.meta.live[part.ids])) for part in self._parts("keywords", term))
            generic = df > max(GENERIC_SHARE * self._documents, GENERIC_MIN)
            found = self._weights[term] = 0.0 if generic or not df else math.log(self._documents / df)
        return found

    def terms(self, docnum: int) -> dict[str, float]:
        """The article's key terms that are not generic, with their weights."""
        found = {}
        for term in self._key_terms[docnum].split():
            weight = self._weights.get(term)  # read here: a call per term cost a fifth of finding related articles
            if weight is None:
                weight = self.weight(term)
            if weight > 0:
                found[term] = weight
        return found

    def nearest(self, docnum: int, exclude: set[int], count: int) -> list[tuple[int, float]]:
        """Up to ``count`` articles sharing key terms with the article, with their nearness, nearest first.

        Another subject's article must share ``CROSS_SUBJECT_TERMS`` key terms and be ``CROSS_SUBJECT`` near.
        """
        mine = self.terms(docnum)
        if not mine or count <= 0:
            return []
        found = []
        norm = _square_norm(mine)
        for other in self._candidates(mine, exclude):
            theirs = self.terms(other)
            shared = mine.keys() & theirs.keys()
            if not shared:  # found by a keyword past its first KEY_TERMS key terms
                continue
            nearness = _cosine(mine, shared, norm * _square_norm(theirs))
            same = self.meta.subject[other] == self.meta.subject[docnum]
            if same or (len(shared) >= CROSS_SUBJECT_TERMS and nearness >= CROSS_SUBJECT):
                found.append((other, nearness))
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:count]

    def _candidates(self, mine: dict[str, float], exclude: set[int]) -> list[int]:
        """The live articles whose keywords share the most weight with ``mine``.

        Only these few have their own key terms read: at 200,000 articles
        a key term's postings run into the thousands.
        """
        # Segment by segment: after an update, joining each key term's postings copied them for every hit.
        postings = [(term, part.ids) for term in mine for part in self._parts("keywords", term)]
        ids = np.concatenate([part for _term, part in postings])
        weights = np.repeat([mine[term] ** 2 for term, _part in postings], [len(part) for _term, part in postings])
        # Counted over every docnum: sorting the postings cost ten times more.
        total = np.bincount(ids, weights=weights, minlength=self.meta.size)
        total[self._dead] = 0.0
        total[list(exclude)] = 0.0
        # ``best`` ranks only those at or above a floor that its first places reach for sure.
        docs = np.flatnonzero(total > 0)
        return [int(d) for d in docs[best(total[docs], docs, CANDIDATES)]]


def _square_norm(terms: dict[str, float]) -> float:
    return sum(w * w for w in terms.values())


def _cosine(mine: dict[str, float], shared: set[str], square_norms: float) -> float:
    """The two articles' nearness, from the weights of their shared terms and their norms squared, multiplied."""
    # Each term counts once per article: the weights are the vector's entries.
    dot = sum(mine[term] ** 2 for term in sorted(shared))
    # Rounded so that articles with the same key terms tie, and the lower docnum wins in every
    # worker: summed in another order, their cosines differed in the last bits.
    return round(dot / math.sqrt(square_norms), NEARNESS_DIGITS)


def choose(neighbours: Neighbours, docnum: int, links: list[int]) -> list[int]:
    """Up to ``MAX_RELATED`` related articles: the nearest if close, the article's own links, the next nearest."""
    close = [other for other, nearness in neighbours.nearest(docnum, {docnum}, MAX_RELATED) if nearness >= CLOSE]
    chosen = list(dict.fromkeys([*close[:1], *links, *close[1:]]))
    return chosen[:MAX_RELATED]
