"""Snippets and highlights: escaped text in which only ``<mark>`` is markup."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape

from whoosh.support.charset import accent_map

from index.tokens import stem
from index.tokens import tokenize

SNIPPET_CHARS = 240
MAX_FRAGMENTS = 2
_SENTENCE_END = re.compile(r"[.!?:]\s+|\n+")
_HYPHEN = re.compile(r"\w-\w")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@lru_cache(maxsize=1024)
def _detector(terms: frozenset[str], prefix: str) -> re.Pattern | None:
    """A regex that finds where a word with one of ``terms`` as its stem may start.

    A porter2 stem is its word less at most a letter or two at the end
    ("happi" for "happy"), so the stem without its last letter is a safe head.
    """
    heads = {t[:-1] if len(t) > 3 else t for t in terms if t} | ({prefix} if prefix else set())
    if not heads:
        return None
    alternatives = "|".join(map(re.escape, sorted(heads, key=len, reverse=True)))
    return re.compile(rf"(?<!\w)(?:{alternatives})")


def _candidate_blocks(text: str, sentences: list[tuple[int, int]], detector: re.Pattern) -> list[tuple[int, int]]:
    """The sentences of ``text`` in which a query word may occur (tokenizing only those is cheap)."""
    if not text.isascii():
        folded = [text[a:b].lower().translate(accent_map).replace("-", "") for a, b in sentences]
        return [sentence for sentence, words in zip(sentences, folded, strict=True) if detector.search(words)]
    # ASCII folds in place, so one pass over the whole text finds the sentences;
    # a sentence with a hyphen may hold a compound that matches only when joined.
    starts = [a for a, _ in sentences]
    hits = {m.start() for m in detector.finditer(text.lower())} | {m.start() for m in _HYPHEN.finditer(text)}
    chosen = sorted({bisect.bisect_right(starts, at) - 1 for at in hits})
    return [sentences[i] for i in chosen if i >= 0]


def term_spans(text: str, terms: frozenset[str], prefix: str = "", sentences: list | None = None) -> list[Span]:
    """Where ``text`` has a word whose stem is in ``terms`` (or that starts with ``prefix``)."""
    detector = _detector(terms, prefix)
    if detector is None:
        return []
    spans = {
        (offset + start, offset + end)
        for offset, block_end in _candidate_blocks(text, sentences or _sentences(text), detector)
        for word, _position, start, end in tokenize(text[offset:block_end])
        if stem(word) in terms or (prefix and word.startswith(prefix))
    }
    # A compound and its parts can all match: keep the widest span at each start.
    widest: dict[int, int] = {}
    for start, end in spans:
        widest[start] = max(end, widest.get(start, end))
    return [Span(start, end) for start, end in sorted(widest.items())]


def mark(text: str, spans: list[Span]) -> str:
    """HTML-escape ``text`` and wrap each span in ``<mark>``."""
    out = []
    cursor = 0
    for span in spans:
        if span.start < cursor:
            continue
        out.append(escape(text[cursor : span.start]))
        out.append("<mark>" + escape(text[span.start : span.end]) + "</mark>")
        cursor = span.end
    out.append(escape(text[cursor:]))
    return "".join(out)


def highlight(text: str, terms: frozenset[str], prefix: str = "") -> str:
    return mark(text, term_spans(text, terms, prefix))


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds = []
    start = 0
    for found in _SENTENCE_END.finditer(text):
        # A sentence keeps its closing mark; a line break is not part of either side.
        bounds.append((start, found.start() + (text[found.start()] != "\n")))
        start = found.end()
    bounds.append((start, len(text)))
    return [(a, b) for a, b in bounds if b > a]


def _window(text: str, start: int, end: int, spans: list[Span], budget: int) -> tuple[int, int]:
    """Trim a long sentence to ``budget`` characters around its first match, on word boundaries."""
    if end - start <= budget:
        return start, end
    first = next((s.start for s in spans if start <= s.start < end), start)
    lo = max(start, min(first - budget // 4, end - budget))
    hi = min(end, lo + budget)
    if lo > start:
        lo = text.find(" ", lo, first) + 1 or lo
    if hi < end:
        hi = text.rfind(" ", lo, hi) if text.rfind(" ", lo, hi) > lo else hi
    return lo, hi


def _coverage(sentence: tuple[int, int], spans: list[Span], text: str) -> tuple[int, int]:
    inside = [s for s in spans if sentence[0] <= s.start < sentence[1]]
    return len({text[s.start : s.end].lower() for s in inside}), len(inside)


def snippet(text: str, terms: frozenset[str], budget: int = SNIPPET_CHARS) -> str:
    """The one or two sentences of ``text`` that hold the most query terms, highlighted.

    With no match the snippet is the opening of the text, so every hit shows something.
    """
    sentences = _sentences(text)
    spans = term_spans(text, terms, sentences=sentences)
    order = list(range(len(sentences)))
    if spans:
        coverage = {i: _coverage(sentences[i], spans, text) for i in order}
        order = sorted((i for i in order if coverage[i][0]), key=lambda i: coverage[i], reverse=True)
    chosen: list[tuple[int, int]] = []
    left = budget
    for i in order[:MAX_FRAGMENTS]:
        if left < budget // 4:
            break
        lo, hi = _window(text, *sentences[i], spans, left)
        chosen.append((lo, hi))
        left -= hi - lo
    parts = [
        mark(text[lo:hi], [Span(s.start - lo, s.end - lo) for s in spans if lo <= s.start and s.end <= hi])
        for lo, hi in sorted(chosen)
    ]
    return " … ".join(parts)
