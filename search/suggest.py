"""Search-as-you-type: questions that contain the typed words, the last one as a prefix."""

from __future__ import annotations

import re

import numpy as np

from index.analysis import PREFIX_MAX
from index.analysis import WORD_PATTERN
from search.postings import PostingsSource
from search.query import analyse_word
from search.ranking import COVERAGE_STEP
from search.ranking import Ranker

PREFIX_FIELD = "question_prefix"


def split_typed(text: str) -> tuple[list[str], str]:
    """``(complete words, prefix being typed)``; the prefix is empty after a trailing space."""
    found = re.findall(WORD_PATTERN, text)
    if not found:
        return [], ""
    if text[-1:].isspace() or not re.search(r"\w$", text):
        return found, ""
    return found[:-1], found[-1]


def completion_key(text: str, ranker: Ranker, postings: PostingsSource, question_lengths: np.ndarray):
    """``(candidates, key, stems, prefix)`` for ``text``; ``None`` when nothing was typed."""
    complete, typed_prefix = split_typed(text)
    stems = [a[1] for a in map(analyse_word, complete) if a]
    prefix_forms = analyse_word(typed_prefix) if typed_prefix else None
    prefix = prefix_forms[0][:PREFIX_MAX] if prefix_forms else ""
    if not stems and not prefix:
        return None
    scored = ranker.score([((stem,), True) for stem in stems])
    key = scored.key
    needed = len(stems)
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
