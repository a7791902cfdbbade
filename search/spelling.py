"""Did you mean: replace words the index holds in no form with close ones it has."""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Callable
from collections.abc import Container
from dataclasses import dataclass
from html import escape

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from index.tokens import stem
from index.vocabulary import Vocabulary
from search.query import Alternative
from search.query import UserQuery

POSSESSIVES = ("'s", "’s")  # "kirchhoff's" is one token: "kirchhoff" is the same word
OPTIONS = 4  # the likeliest words for a typo that are tried against the rest of the query


@dataclass(frozen=True)
class Correction:
    query: str
    html: str  # the corrected query, escaped, each changed word in <mark>
    words: frozenset[str]  # the words put in
    replaced: frozenset[str]  # the typed words they replace


def max_edits(word: str, suggesting: bool = False) -> int:
    """How many typos a word may carry when matching: none below 5 letters or in numbers.

    A did-you-mean suggestion, which the visitor sees before it is used, may
    fix one letter earlier.
    """
    shortest = 4 if suggesting else 5
    if not word.isalpha() or len(word) < shortest:
        return 0
    return 1 if len(word) < shortest + 4 else 2


class Speller:
    """Edit-distance look-ups over one version's vocabulary."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self._frequency = _with_bases(vocabulary.words.tolist(), vocabulary.frequencies.tolist())
        words = sorted(self._frequency)
        self._sorted = words
        # Typos rarely hit the first letter; bucketing by it keeps each look-up to a few thousand words.
        self._buckets: dict[str, list[str]] = defaultdict(list)
        for word in words:
            self._buckets[word[0]].append(word)

    def frequency(self, word: str) -> int:
        return self._frequency.get(word, 0)

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The most frequent words that start with ``prefix`` (other than ``prefix`` itself)."""
        low = bisect.bisect_left(self._sorted, prefix)
        high = bisect.bisect_left(self._sorted, prefix + "\U0010ffff")
        found = [w for w in self._sorted[low:high] if w != prefix]
        return sorted(found, key=lambda w: (-self.frequency(w), w))[:limit]

    def near(self, word: str, distance: int) -> list[tuple[str, int]]:
        """Vocabulary words within ``distance`` edits (a swap of two letters is one), nearest first."""
        if distance <= 0 or not word:
            return []
        found = process.extract(
            word, self._buckets.get(word[0], []), scorer=OSA.distance, score_cutoff=distance, limit=None
        )
        return sorted(((w, d) for w, d, _ in found if w != word), key=lambda item: item[1])

    def likeliest(self, word: str) -> list[str]:
        """The likely intended words, likeliest first: those at the fewest edits, by same last letter, then
        by a vowel put for a vowel, then by frequency."""
        near = self.near(word, max_edits(word, suggesting=True))
        if not near:
            return []
        best = min(d for _, d in near)
        return sorted(
            (w for w, d in near if d == best),
            key=lambda w: (w[-1] == word[-1], _vowels_only(word, w), np.log1p(self.frequency(w)), w),
            reverse=True,
        )

    def likeliest_start(self, prefix: str) -> str | None:
        """The likeliest intended start of a word still being typed ("djikstr" is "dijkstr", "polymorf"
        "polymorp"): the start, as long, of the most frequent word whose start is fewest edits away."""
        edits = max_edits(prefix, suggesting=True)
        if edits <= 0:
            return None
        size = len(prefix)
        found = process.extract(
            prefix,
            [w for w in self._buckets.get(prefix[0], []) if len(w) >= size],
            scorer=OSA.distance,
            processor=lambda word: word[:size],
            score_cutoff=edits,
            limit=None,
        )
        if not found:
            return None
        word, _distance, _index = min(found, key=lambda item: (item[1], -self.frequency(item[0]), item[0]))
        return word[:size]

    def correct(
        self, query: UserQuery, unknown: frozenset[str], fit: Callable[[Correction], int] | None = None
    ) -> Correction | None:
        """The query with each of its ``unknown`` words replaced, or ``None`` if nothing changes.

        :param fit: how well a correction fits the rest of the query; among the likeliest words for a typo,
            the one that fits best wins ("belman ford" is "bellman ford", not the more frequent "beman ford").
        """
        options = {
            word: self.likeliest(word)[:OPTIONS] for clause in query.clauses for word in clause.words if word in unknown
        }
        replacements = {word: found[0] for word, found in options.items() if found}
        if not replacements:
            return None
        for word in [word for word in replacements if fit and len(options[word]) > 1]:
            fits = {option: fit(_corrected(query, {**replacements, word: option})) for option in options[word]}
            replacements[word] = max(options[word], key=lambda option: fits[option])  # the likeliest if tied
        return _corrected(query, replacements)


def _corrected(query: UserQuery, replacements: dict[str, str]) -> Correction:
    pattern = re.compile(r"(?<!\w)({})(?!\w)".format("|".join(map(re.escape, replacements))), re.IGNORECASE)
    parts = pattern.split(query.text)
    # split() puts each matched word at the odd positions.
    plain = "".join(replacements[p.lower()] if i % 2 else p for i, p in enumerate(parts))
    html = "".join(
        f"<mark>{escape(replacements[p.lower()])}</mark>" if i % 2 else escape(p) for i, p in enumerate(parts)
    )
    return Correction(plain, html, frozenset(replacements.values()), frozenset(replacements))


def _with_bases(words: list[str], frequencies: list[int]) -> dict[str, int]:
    """Each word's frequency, and each possessive's under its base word too: "djikstra" is a typo
    of "dijkstra", which an index whose articles only say "Dijkstra's" holds as that token."""
    found = dict(zip(words, frequencies, strict=False))
    for word, frequency in zip(words, frequencies, strict=False):
        if word.endswith(POSSESSIVES) and len(word) > 2:
            found[word[:-2]] = found.get(word[:-2], 0) + frequency
    return found


VOWELS = frozenset("aeiouy")


def _vowels_only(typed: str, word: str) -> bool:
    """Whether ``word`` differs from ``typed`` only in vowels put for vowels: "heep" is "heap", not "help"."""
    return len(typed) == len(word) and all(a == b or {a, b} <= VOWELS for a, b in zip(typed, word, strict=True))


def unknown_words(
    query: UserQuery, finds: Callable[[Alternative], bool], listed: Container[tuple[str, ...]] = ()
) -> frozenset[str]:
    """The typed words that the index holds in no form: not by their stem, nor as a possessive,
    nor through an exact alternative of their clause (a synonym, a split or joined compound),
    and that the maintainers did not list as a word of their own ("adhd" is no typo of "add").

    :param query: as expanded (``search.expand.expand``), its clauses with their alternatives.
    :param finds: whether an alternative matches any article.
    :param listed: the synonyms file's expressions, as stems.
    """
    unknown = set()
    for clause in query.clauses:
        if any(a.exact and finds(a) for a in clause.alternatives):
            continue
        for word in clause.words:
            if (stem(word),) in listed:
                continue
            forms = (stem(word), *(word + mark for mark in POSSESSIVES))
            if not any(finds(Alternative((form,))) for form in forms):
                unknown.add(word)
    return frozenset(unknown)
