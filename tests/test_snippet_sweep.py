"""Every snippet of the real sample, for queries made from each article's own words, reads cleanly.

The checks here are written from the text itself, not with ``search.snippets``'s helpers:
a snippet starts at a sentence start (never after a colon) or with "…", ends at a sentence end
or with "…" (never at a colon that introduces more),
joins only adjacent sentences without "…", highlights no filler, and carries no combining
accent that a letter does not hold.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter

from index.articles import read_corpus
from index.tokens import fold
from index.tokens import stem
from search.engine import Engine
from search.query import FILLER
from search.query import FILLER_TERMS

ELLIPSIS = "…"
_STOP = re.compile(r"[.?!:][\"'”’)\]]*$")  # a sentence's last characters
# What ends the sentence before a start: not a colon, which introduces the rest of its sentence.
_STOP_BEFORE = re.compile(r"[.?!][\"'”’)\]]*$")
_MARKED = re.compile(r"<mark>(.*?)</mark>")
_TABLE_RULE = re.compile(r"\|\s*:?-{3,}")  # a Markdown table's rule row: "|---|:---|"
_WORD = re.compile(r"\w+")


def plain(fragment_html: str) -> str:
    return html.unescape(re.sub(r"</?mark>", "", fragment_html))


def sentence_start(text: str, at: int) -> bool:
    """Nothing but spaces before ``at`` since the text's start, a line break, or a stop and a space."""
    before = text[:at].rstrip(" \t")
    return not before or before.endswith("\n") or (at > len(before) and bool(_STOP_BEFORE.search(before)))


def sentence_end(text: str, start: int, end: int) -> bool:
    """A stop (and closers) at ``end``, with a space, a line break or the text's end after it."""
    return bool(_STOP.search(text, start, end)) and text[end : end + 1] in ("", " ", "\n", "\t")


def _occurrences(body: str, answer: str) -> list[tuple[int, int]]:
    """Where ``body`` stands in ``answer``, whatever spaces or line breaks separate its words there."""
    pattern = r"\s+".join(re.escape(word) for word in body.split())
    return [found.span() for found in re.finditer(pattern, answer)]


def fragment_problems(snippet_html: str, answer: str) -> list[str]:
    """What is wrong with where the snippet's fragments start and end in ``answer``."""
    text = plain(snippet_html)
    problems = []
    parts = text.split(f" {ELLIPSIS} ")
    for index, part in enumerate(parts):
        cut_before = index > 0 or part.startswith(ELLIPSIS)
        cut_after = index < len(parts) - 1 or part.endswith(ELLIPSIS)
        body = part.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS).strip()
        found = _occurrences(body, answer)
        if not found:
            problems.append(f"not one piece of the answer: {body!r}")
            continue
        if not cut_before and not any(sentence_start(answer, start) for start, _end in found):
            problems.append(f"starts mid-sentence: {body[:50]!r}")
        if not cut_after and not any(sentence_end(answer, start, end) for start, end in found):
            problems.append(f"ends mid-sentence: {body[-50:]!r}")
        elif not cut_after and body.endswith(":") and not any(answer[end:].strip() == "" for _start, end in found):
            problems.append(f"ends at a lead-in without what it introduces: {body[-50:]!r}")
    return problems


def overlapping(snippet_html: str, answer: str) -> list[str]:
    """Fragments that cannot stand in the answer after the one before them: text shown twice, or out of order."""
    parts = [part.strip(f" {ELLIPSIS}") for part in plain(snippet_html).split(f" {ELLIPSIS} ")]
    reached, wrong = 0, []
    for part in parts:
        after = [span for span in _occurrences(part, answer) if span[0] >= reached]
        if not after:
            wrong.append(part[:60])
            continue
        reached = after[0][1]
    return wrong


def stray_combining(text: str) -> list[str]:
    """Combining marks that follow something other than a letter (or another mark on one)."""
    text = plain(text)
    return [
        text[max(0, i - 3) : i + 2]
        for i, char in enumerate(text)
        if unicodedata.combining(char) and (i == 0 or not (text[i - 1].isalpha() or unicodedata.combining(text[i - 1])))
    ]


def marked_filler(marked_html: str, query: str) -> list[str]:
    """Marked filler words, but forms of the query's content words (or of its filler, if that is all it holds)."""
    words = [fold(word) for word in _WORD.findall(query)]
    asked = {stem(word) for word in words if word not in FILLER} or {stem(word) for word in words}
    marked = (stem(fold(html.unescape(word))) for word in _MARKED.findall(marked_html))
    return [term for term in marked if term in FILLER_TERMS and term not in asked]


def article_queries(question: str, counts: Counter) -> list[str]:
    """A few of the question's rarest content words, one at a time, then the two rarest together, then all of it.

    The whole question brings its question words and filler, which must not be marked.
    """
    words = [w for w in dict.fromkeys(fold(w) for w in _WORD.findall(question)) if w not in FILLER and len(w) > 2]
    rarest = sorted(words, key=lambda w: (counts[w], w))[:3]
    return [*rarest, *([" ".join(rarest[:2])] if len(rarest) > 1 else []), question]


def test_every_snippet_of_the_sample_reads_cleanly(sample_dir, sample_index):
    articles = read_corpus(sample_dir).articles
    answers = {a.url: a.answer_text for a in articles}
    counts = Counter(fold(w) for a in articles for w in _WORD.findall(a.question + " " + a.answer_text))
    problems: list[tuple[str, str, str]] = []
    snippets = 0
    with Engine(sample_index) as engine:
        for article in articles:
            for query in article_queries(article.question, counts):
                for hit in engine.search(query).hits:
                    snippets += 1
                    found = fragment_problems(hit.snippet, answers[hit.url])
                    found += [f"filler marked: {w}" for w in marked_filler(hit.snippet + hit.question_html, query)]
                    found += [f"stray accent: {s!r}" for s in stray_combining(hit.snippet)]
                    found += [f"table markup: {t!r}" for t in _TABLE_RULE.findall(plain(hit.snippet))]
                    found += [f"overlaps the one before: {t!r}" for t in overlapping(hit.snippet, answers[hit.url])]
                    problems += [(query, hit.url, problem) for problem in found]
    assert snippets > 3000
    assert not problems, f"{len(problems)} problems in {snippets} snippets, e.g. {problems[:10]}"
