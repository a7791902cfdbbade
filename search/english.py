"""Common English words: a word a visitor types that English uses often is no typo, even if no article holds it.

The vocabulary of the index knows only what the articles say, so "thin" in a query over
articles that never say it would otherwise be "corrected" to "than" and "bets" to "bits".
"""

from __future__ import annotations

import logging
from functools import cache

# How often pyspellchecker's English list (word counts from subtitles and web text) must
# have seen a word for it to be common: its rarest entries (50) include frequent misspellings
# such as "euclidian", while "spoofed" (242) and "reachable" (372) are words.
COMMON = 100

log = logging.getLogger(__name__)


@cache
def common_words() -> frozenset[str]:
    """Lowercase English words seen at least ``COMMON`` times; empty if the list cannot be read."""
    try:
        from spellchecker import SpellChecker

        counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
        return frozenset(word for word, count in counts.items() if count >= COMMON)
    except Exception as exc:  # a third-party file: a failure costs suggestions' precision, never a search
        log.warning("no English word list (%s: %s): spelling may suggest for real words", type(exc).__name__, exc)
        return frozenset()
