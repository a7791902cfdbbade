"""Subject facet counts, over a per-document array with deleted articles in it."""

from __future__ import annotations

import numpy as np

from index.docmeta import DocMeta
from search.facets import subject_counts


def test_a_deleted_article_counts_in_no_subject_even_when_a_match_names_it():
    live = np.array([True, False, True, False, True])
    subject = np.array([0, -1, 1, -1, 1], dtype=np.int16)  # as an update leaves the deleted
    meta = DocMeta(live, subject, np.zeros(5, dtype=np.int32), {}, ("Physics", "Economics"))
    counts = subject_counts(meta, np.ones(5, dtype=bool), frozenset({0}))
    assert [(f.value, f.count, f.selected) for f in counts] == [("Economics", 2, False), ("Physics", 1, True)]
