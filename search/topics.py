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
from search.ranking import Sparse
from search.ranking import sparse_max

# For an entry that is the whole query, filler aside; times the square of the share covered, so
# that an entry of one word in a query of four adds a sixteenth. Chosen on the relevance
# benchmark's tune queries at 20,000 articles: the sample's one-article keyword phrases as
# queries rose from 0.781 (none) to 0.863 (8), 0.901 (16) and 0.921 (32) with the written
# queries unchanged; 16 is worth about one and a half words held, so that an entry alone
# does not outrank an article holding more of the query.
BONUS = 16.0


def topic_bonus(meta: DocMeta, clauses: Sequence[Clause]) -> Sparse:
    """The bonus of each article with an entry that some run of consecutive ``clauses`` spells."""
    asked = _counted(clauses)
    runs = [clauses[start:stop] for start in range(len(clauses)) for stop in range(start + 1, len(clauses) + 1)]
    runs = [run for run in runs if _counted(run)]
    entries = [[word for clause in run for word in clause.words] for run in runs]
    found = [
        (_counted(run) / asked, docs) for run, docs in zip(runs, meta.find_topics(entries), strict=True) if len(docs)
    ]
    # An article's largest bonus is the one of its longest entry the query spells.
    parts = [Sparse(docs, np.full(len(docs), BONUS * share**2, dtype=np.float32)) for share, docs in found]
    return sparse_max(parts, meta.size)


def _counted(clauses: Sequence[Clause]) -> int:
    """The words of ``clauses`` that count towards a share of the query: filler does not."""
    return sum(len(clause.words) for clause in clauses if not clause.filler)
