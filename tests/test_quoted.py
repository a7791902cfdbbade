"""A quoted word over the real sample: that word only, and wherever it stands.

Checked against the articles' own text, split by a plain pattern rather than the
index's tokenizer: a quoted word must not be completed, corrected or given synonyms
("os" is not "oscillation", "dns" not "domain name system").
"""

import re
from itertools import pairwise

import pytest

from index.articles import read_corpus
from index.tokens import GREEK_LETTERS
from index.tokens import MATH_SYMBOLS
from index.tokens import stem
from search.engine import Engine
from tests.conftest import every_id

# The index also reads "γ" as "gamma" and "∂" as "partial": words a plain pattern cannot see in the text.
SPELT_OUT = set(GREEK_LETTERS.values()) | set(MATH_SYMBOLS.values())
_WORDS = re.compile(r"[^\W\d_]+(?:[-_][^\W\d_]+)*")
_VERSIONED = re.compile(r"\b([a-z]{2,})v\d{1,2}\b")


def stems_of(text: str) -> set[str]:
    """The stems of the words of ``text`` and of its compounds joined ("n-MOS" is also "nmos", "a_n" "an"),
    and the name of a versioned name ("ip" of "IPv4")."""
    words = _WORDS.findall(text.lower())
    return (
        {stem(part) for word in words for part in re.split("[-_]", word)}
        | {stem(re.sub("[-_]", "", word)) for word in words}
        | set(_VERSIONED.findall(text.lower()))
    )


@pytest.fixture(scope="module")
def sample(sample_dir, sample_index):
    articles = read_corpus(sample_dir).articles
    with Engine(sample_index) as engine:
        yield articles, engine


def test_a_quoted_word_finds_where_it_stands_and_nowhere_else(sample):
    articles, engine = sample
    held = {
        a.id: stems_of(" ".join((a.question, a.answer_text, a.keywords, a.title, a.description, a.subject)))
        for a in articles
    }
    words = sorted({w.lower() for a in articles for w in re.findall(r"[A-Za-z]{2,}", a.question)} - SPELT_OUT)
    strays, missed = {}, {}
    for word in words:
        found = every_id(engine, f'"{word}"')
        pattern = re.compile(rf"(?<![\w'’-]){word}(?![\w'’-])", re.IGNORECASE)
        asked = {a.id for a in articles if pattern.search(a.question)}
        if stray := sorted(i for i in found if stem(word) not in held[i]):
            strays[word] = stray
        if miss := sorted(asked - found):
            missed[word] = miss
    assert len(words) > 500
    assert not strays
    assert not missed


def test_a_quoted_phrase_never_spans_two_lines_of_an_answer(sample):
    """ "performance enhancement" found "... network performance" ending one list item and "Enhanced
    Security" starting the next. Every pair of words across a line break of the sample's answers, quoted:
    each article it finds holds the two words side by side within one line, its question or a keyword."""
    articles, engine = sample
    pairs = set()
    for article in articles:
        lines = article.answer_text.split("\n")
        for before, after in pairwise(lines):
            ends, starts = re.findall(r"[A-Za-z]{4,}$", before), re.findall(r"^[A-Za-z]{4,}", after)
            if ends and starts:
                pairs.add((ends[0].lower(), starts[0].lower()))
    texts = {a.id: [a.question, *a.keywords.split(","), *a.answer_text.split("\n")] for a in articles}
    strays = {}
    for first, second in sorted(pairs):
        beside = re.compile(rf"\b{first[:4]}\w*\W+{second[:4]}", re.IGNORECASE)
        found = every_id(engine, f'"{first} {second}"')
        if stray := sorted(i for i in found if not any(beside.search(text) for text in texts[i])):
            strays[(first, second)] = stray
    assert len(pairs) > 100
    assert not strays
