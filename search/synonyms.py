"""Synonyms and acronyms from a plain file that maintainers edit; re-read when it changes.

One group per line, comma-separated; every entry is equivalent to the others::

    svm, support vector machine
    os, operating system

Blank lines and lines starting with ``#`` are ignored.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from index.tokens import split_words
from index.tokens import stem

DEFAULT_PATH = Path(__file__).with_name("synonyms.txt")
CHECK_EVERY_SECONDS = 1.0
MAX_REWRITTEN = 4  # each is a search of the questions: a suggestion tries them only when nothing else completes

Expression = tuple[str, ...]  # stemmed words


def parse_synonyms(text: str) -> list[tuple[Expression, ...]]:
    return [tuple(group) for group in _groups(text)]


def _groups(text: str) -> list[dict[Expression, str]]:
    """Each group's expressions, each with its words as written (folded): "oper system" is "operating system"."""
    groups = []
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        group: dict[Expression, str] = {}
        for entry in line.split(","):
            words = [t for word in split_words(entry) for t in word.texts]
            expression = tuple(stem(t) for t in words)
            if expression:
                group.setdefault(expression, " ".join(words))
        if len(group) > 1:
            groups.append(group)
    return groups


class Synonyms:
    """The groups in ``path``, reloaded when its modification time changes."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path else DEFAULT_PATH
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._checked = 0.0
        self._by_expression: dict[Expression, tuple[Expression, ...]] = {}
        self._written: dict[Expression, str] = {}

    def _reload_if_changed(self) -> None:
        now = time.monotonic()
        if now - self._checked < CHECK_EVERY_SECONDS and self._stamp is not None:
            return
        self._checked = now
        try:
            stamp = os.stat(self.path).st_mtime_ns
        except OSError:
            stamp = -1
        if stamp == self._stamp:
            return
        groups = _groups(self.path.read_text(encoding="utf-8")) if stamp != -1 else []
        by_expression, written = {}, {}
        for group in groups:
            for expression, words in group.items():
                others = tuple(e for e in group if e != expression)
                by_expression[expression] = by_expression.get(expression, ()) + others
                written.setdefault(expression, words)  # as the first line that has it writes it
        self._by_expression, self._written, self._stamp = by_expression, written, stamp

    def stamp(self) -> int | None:
        """Changes whenever the groups change (for caches of results that used them)."""
        with self._lock:
            self._reload_if_changed()
            return self._stamp

    def lookup(self) -> dict[Expression, tuple[Expression, ...]]:
        """Each expression mapped to its equivalents."""
        with self._lock:
            self._reload_if_changed()
            return self._by_expression

    def rewritten(self, words: list[str], most: int = MAX_REWRITTEN) -> list[list[str]]:
        """``words`` (folded) with a run of them that is an entry replaced by another entry of its group, as
        written ("gcd of" is "greatest common divisor of"), longer runs first, then the earlier; then those
        rewritten again ("nfa" is "nondeterministic finite automaton", and so "nondeterministic fsm"). At most
        ``most``, none twice and none ``words`` itself."""
        with self._lock:
            self._reload_if_changed()
            by_expression, written = self._by_expression, self._written
        seen, found = {tuple(words)}, []
        for text in _growing(found, words):
            for new in _replaced(text, by_expression, written):
                if tuple(new) not in seen:
                    seen.add(tuple(new))
                    found.append(new)
                    if len(found) == most:
                        return found
        return found


def _replaced(
    text: list[str], by_expression: dict[Expression, tuple[Expression, ...]], written: dict[Expression, str]
) -> Iterator[list[str]]:
    """``text`` with one run of its words that is an entry replaced by another entry, longer runs first."""
    stems = [stem(word) for word in text]
    for length in range(len(text), 0, -1):
        for start in range(len(text) - length + 1):
            for other in by_expression.get(tuple(stems[start : start + length]), ()):
                yield [*text[:start], *written[other].split(), *text[start + length :]]


def _growing(found: list[list[str]], first: list[str]) -> Iterator[list[str]]:
    """``first``, then each item of ``found``, including those added while this runs."""
    yield first
    at = 0
    while at < len(found):
        yield found[at]
        at += 1
