"""Search-as-you-type: questions that contain the typed words, the last one as a prefix."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from index.inverted import PREFIX_FIELD
from index.inverted import PREFIX_MAX
from index.tokens import Word
from index.tokens import split_words
from search.postings import PostingsSource
from search.query import MAX_QUERY_CHARS
from search.query import word_clause
from search.ranking import COVERAGE_STEP
from search.ranking import Ranker


def split_typed(text: str) -> tuple[list[Word], str]:
    """``(complete words, prefix being typed)``; the prefix is empty after a trailing space."""
    text = text[:MAX_QUERY_CHARS]
    found = list(split_words(text))
    if not found:
        return [], ""
    last = found[-1]
    if last.end < len(text) or last.joined or not last.texts[0].isalnum():
        return found, ""
    return found[:-1], last.texts[0]


def completion_key(text: str, ranker: Ranker, postings: PostingsSource, question_lengths: np.ndarray):
    """``(candidates, key, stems, prefix)`` for ``text``; ``None`` when nothing was typed."""
    complete, typed_prefix = split_typed(text)
    clauses = [word_clause(word) for word in complete]
    stems = [t for clause in clauses for t in clause.terms]
    prefix = typed_prefix[:PREFIX_MAX]
    if not clauses and not prefix:
        return None
    scored = ranker.score([replace(c, filler=False) for c in clauses])
    key = scored.key
    needed = len(clauses)
    coverage = np.floor(key / COVERAGE_STEP)
    if prefix:
        hits = postings(PREFIX_FIELD, prefix).ids
        key = key.copy()
        key[hits] += COVERAGE_STEP
        coverage[hits] += 1
        needed += 1
    # Shorter questions first among equals: they are more likely what is being typed.
    key = key - question_lengths / 1000.0
    candidates = (coverage >= needed) & ranker.live
    return candidates, key, frozenset(stems), prefix
