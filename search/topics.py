"""Topics: the keyword entries an article's author gave it.

A query whose words are one of an article's entries, exactly (stemmed, in
order), names what the article is about, more surely than the same words
scattered through its text; a query that holds an entry among other words
names it in part. Such an article gains a bonus that grows with the share of
the query's words the entry covers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.docmeta import DocMeta
from search.query import Clause
from search.ranking import NOTHING
from search.ranking import Sparse

# For an entry that is the whole query, filler aside; times the square of the share covered, so
# that an entry of one word in a query of four adds a sixteenth. Chosen on the relevance
# benchmark's tune queries at 20,000 articles: the sample's one-article keyword phrases as
# queries rose from 0.781 (none) to 0.863 (8), 0.901 (16) and 0.921 (32) with the written
# queries unchanged; 16 is worth about one and a half words held, so that an entry alone
# does not outrank an article holding more of the query.
BONUS = 16.0


def topic_bonus(meta: DocMeta, clauses: Sequence[Clause]) -> Sparse:
    """The bonus of each article with an entry that some run of consecutive ``clauses`` spells."""
    asked = sum(len(clause.words) for clause in clauses if not clause.filler)
    found = []  # (share of the query, articles)
    for start in range(len(clauses)):
        for stop in range(start + 1, len(clauses) + 1):
            run = clauses[start:stop]
            counted = sum(len(clause.words) for clause in run if not clause.filler)
            docs = meta.find_topic(word for clause in run for word in clause.words) if counted else ()
            if len(docs):
                found.append((counted / asked, docs))
    if not found:
        return NOTHING
    if len(found) == 1:
        share, docs = found[0]
        return Sparse(docs, np.full(len(docs), BONUS * share**2, dtype=np.float32))
    # Smaller shares first, so that an article's largest is written last.
    found.sort(key=lambda pair: pair[0])
    best = np.zeros(meta.size, dtype=np.float32)
    for share, docs in found:
        best[docs] = BONUS * share**2
    # A pass over every article costs less than joining the lists; numpy finds nonzero
    # floats ten times more slowly than the same places in a boolean array.
    ids = np.flatnonzero(best > 0).astype(np.int32)
    return Sparse(ids, best[ids])
