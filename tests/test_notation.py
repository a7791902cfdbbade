"""Formulas typed into the search box: letters are asked for but not required, operators have names."""

from __future__ import annotations

import re

import pytest

from index.articles import read_corpus
from index.build import build
from index.tokens import tokenize
from search.engine import Engine
from search.query import parse
from search.snippets import highlight
from search.snippets import marks_for
from tests.conftest import every_id
from tests.factory import write_article

COVARIANCE = "What is covariance and how is it measured?"
INCLUSION = "How does the inclusion-exclusion principle work in probability?"
ROTATION = "How does a quarter turn move a point in the plane?"
DISCOUNT = "Why do rewards count less the later they come?"
NULL = "What does a null hypothesis state?"
PRIVATE = "Which address blocks are private?"
MERGE = "How fast is merge sort?"

ARTICLES = [
    (COVARIANCE, "The covariance Cov(X, Y) measures how X and Y vary together."),
    (INCLUSION, r"For any two events, \( P(A \cup B) = P(A) + P(B) - P(A \cap B) \)."),
    (ROTATION, "A rotation by 90 degrees counterclockwise sends (x, y) to (-y, x)."),
    (PRIVATE, "The private blocks are 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16, each a prefix."),
    (NULL, r"The null hypothesis \( H_0 \) states that there is no effect; \( H_0 \) is rejected when p is small."),
    (MERGE, r"Merge sort takes \( O(n \log n) \) time on every input."),
    (DISCOUNT, r"Each step multiplies a reward by the discount factor \( \gamma \), so \( G = \sum \gamma^k r_k \)."),
    # Articles that hold more of a formula's letters, but none of its rare words or operators.
    (
        "When is the expectation of a product the product of the expectations?",
        "For independent x and y, E[X]E[Y] is the expectation of their product: e of x times e of y.",
    ),
    (
        "What do P(A) and P(B) stand for?",
        "P(A) and P(B) are the probabilities of events A and B: p of a and p of b, each a number p.",
    ),
    ("How are points written in the plane?", "A point is (x, y): x across and y up, so y and x are coordinates."),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("notation-corpus")
    for number, (question, answer) in enumerate(ARTICLES, start=1):
        write_article(corpus, id=number, question=question, answer=answer, subject="Mathematics")
    folder = tmp_path_factory.mktemp("notation-index")
    build(corpus, folder)
    with Engine(folder) as opened:
        yield opened


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Cov(X,Y) = E[XY] - E[X]E[Y]", COVARIANCE),  # the rare word, not the letters, decides
        ("P(A ∪ B) = P(A) + P(B) − P(A ∩ B)", INCLUSION),  # the operators are words
        ("(x, y) -> (y, -x) rotation", ROTATION),  # "-x" is part of the formula, not an exclusion
    ],
)
def test_a_formula_finds_its_article_first(engine, text, expected):
    hits = engine.search(text).hits
    assert hits and hits[0].question == expected


def test_a_formula_s_letters_are_not_reported_missing(engine):
    relaxed = engine.search("Cov(X,Y) = E[XY] - E[X]E[Y]").relaxed
    assert relaxed is None or not {"e", "x", "y"} & set(relaxed.missing)


def test_a_repeated_word_is_one_clause():
    assert [clause.words for clause in parse("P(A) + P(B) = p").clauses] == [("p",), ("a",), ("b",)]


@pytest.mark.parametrize("text", ["(y, -x) rotation", "n -1", "f(-a)"])
def test_a_minus_before_a_letter_or_digit_excludes_nothing(text):
    assert parse(text).excluded == ()


def test_a_minus_before_a_word_still_excludes():
    assert [clause.words for clause in parse("python -java").excluded] == [("java",)]


@pytest.mark.parametrize(
    "text, word", [("A ∪ B", "union"), ("A ∩ B", "intersection"), ("∑ x", "sum"), ("∫ f", "integral")]
)
def test_an_operator_is_indexed_by_its_name(text, word):
    assert word in [token for token, *_ in tokenize(text)]


@pytest.mark.parametrize("text", ["gamma discount", "γ discount", "Γ discount"])
def test_a_greek_letter_is_found_by_its_name_and_its_symbol(engine, text):
    hits = engine.search(text).hits
    assert hits and hits[0].question == DISCOUNT
    assert "<mark>γ</mark>" in hits[0].snippet


@pytest.mark.parametrize("text", ["H0", "h_0", "H_{0}"])
def test_a_subscript_is_found_however_it_is_typed(engine, text):
    hits = engine.search(text).hits
    assert hits and hits[0].question == NULL
    assert "<mark>H_0</mark>" in hits[0].snippet


@pytest.mark.parametrize("text", ["/16", "/8"])
def test_a_network_prefix_after_an_address_is_the_prefix_and_its_number(engine, text):
    hits = engine.search(text).hits
    assert hits and hits[0].question == PRIVATE


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("x_{i+1}", ["x", "i", "1"]),  # as typed
        ("x_i+1", ["x", "i", "xi", "1"]),  # as a formula renders
        ("H_0", ["h", "0", "h0"]),
        ("snake_case", ["snake", "case", "snakecase"]),
        ("192.168.0.0/16 or /16", ["192.168.0.0", "/16", "16", "or", "/16", "16"]),
        ("1/2", ["1", "/2", "2"]),
    ],
)
def test_how_notation_tokenizes(text, tokens):
    assert [token for token, *_ in tokenize(text)] == tokens


def test_math_alphabets_fold_to_plain_letters():
    assert [token for token, *_ in tokenize("𝔼[X] ﬁnite")] == ["e", "x", "finite"]


def test_a_formula_of_letters_alone_still_finds_them(engine):
    """With nothing but notation in the query, the letters are what is asked for."""
    assert engine.search("x y").total >= 3


BIG_O = re.compile(r"O\((?:[^()$]|\([^()$]*\))*\)")


def typed(latex: str) -> str:
    """A formula as a visitor types it: "O(\\log n)" is "O(log n)"."""
    return " ".join(re.sub(r"\\([a-z]+)", r"\1", latex).replace("( ", "(").split())


def test_every_big_o_of_the_sample_finds_its_article_as_typed(sample_index, sample_dir):
    """ "O(log n)" finds the articles that write $O(\\log n)$, as "O(n log n)" finds $O(n \\log n)$."""
    wanted = {
        (typed(found), article.id)
        for article in read_corpus(sample_dir).articles
        for found in BIG_O.findall((sample_dir / article.path).read_text(encoding="utf-8"))
    }
    assert len(wanted) >= 12
    with Engine(sample_index) as sample:
        lost = sorted((text, id_) for text, id_ in wanted if id_ not in every_id(sample, f'"{text}"'))
    assert not lost


def test_lone_letters_beside_a_word_find_only_what_the_word_finds(engine):
    """ "ff02::1", "S/MIME": a lone digit or letter stands in most articles; it ranks, but finds nothing alone."""
    assert [hit.question for hit in engine.search("covariance x y").hits] == [COVARIANCE]
    assert engine.search("x y").total > 2  # letters alone still find what holds them
    assert engine.search("vitamin x").total == 0  # nor when no article holds the word beside them


def test_the_words_inside_a_big_o_find_its_article_where_nothing_else_holds_them(engine):
    for text in ("n log n", "log n", '"n log n"'):
        hits = engine.search(text).hits
        assert hits and hits[0].question == MERGE, text
    assert "<mark>n</mark> <mark>log</mark> <mark>n</mark>" in engine.search('"n log n"').hits[0].snippet


@pytest.mark.parametrize("text", ['"O(n log n) time"', '"sort takes O(n log n)"', "O(n log n)", '"O(n log n)"'])
def test_a_big_o_still_finds_its_article_whole_and_in_a_phrase(engine, text):
    assert [hit.question for hit in engine.search(text).hits] == [MERGE]


def test_the_words_inside_every_big_o_of_the_sample_find_its_article(sample_index, sample_dir):
    """ "n log n" in quotes finds every article that writes $O(n \\log n)$ and nothing else of it."""
    wanted = {
        (typed(found)[2:-1], article.id)
        for article in read_corpus(sample_dir).articles
        for found in BIG_O.findall((sample_dir / article.path).read_text(encoding="utf-8"))
    }
    with Engine(sample_index) as sample:
        lost = sorted((text, id_) for text, id_ in wanted if id_ not in every_id(sample, f'"{text}"'))
    assert not lost


DOTTED = re.compile(r"(?<![\w.])[A-Za-z]\w*(?:\.[A-Za-z]\w*)+")


def test_every_word_of_a_dotted_name_of_the_sample_finds_its_article(sample_index, sample_dir):
    """ "pack" found nothing of label.pack(), nor "cisco" of www.cisco.com: a dotted name was one token.
    Each word of every dotted name in the sample's answers, quoted, finds its article, and the name whole too."""
    wanted = {
        (name, article.id)
        for article in read_corpus(sample_dir).articles
        for name in DOTTED.findall(article.answer_text)
    }
    assert len(wanted) > 100
    with Engine(sample_index) as sample:
        found = {
            text: every_id(sample, f'"{text}"') for text in {t for name, _ in wanted for t in (name, *name.split("."))}
        }
    lost = sorted((text, id_) for name, id_ in wanted for text in (name, *name.split(".")) if id_ not in found[text])
    assert not lost


VERSIONED = re.compile(r"(?<![\w.])([A-Za-z]{2,})(v\d{1,2})(?![\w.-])")


def test_the_name_of_every_versioned_name_of_the_sample_finds_its_article(sample_index, sample_dir):
    """ "ip" found none of the articles that write only IPv4 or IPv6: the versioned name was one token.
    The name of each ("ip", "ospf") finds its article, alone, quoted and beside the next word, and so does the whole."""
    named = {
        (found.group(), found.group(1), article.id)
        for article in read_corpus(sample_dir).articles
        for text in (article.question, article.answer_text)
        for found in VERSIONED.finditer(text)
    }
    assert len({id_ for *_, id_ in named}) > 10
    with Engine(sample_index) as sample:
        lost = sorted(
            (query, id_)
            for whole, name, id_ in named
            for query in (whole, name, f'"{name}"', f'"{whole}"')
            if id_ not in every_id(sample, query)
        )
    assert not lost


ACRONYM_PLURAL = re.compile(r"(?<![\w.-])([a-z]{0,2}[A-Z]{2,})s(?![\w.-])")


def test_the_acronym_of_every_acronym_plural_of_the_sample_finds_its_article(sample_index, sample_dir):
    """ "svm" found none of the 30 places where the sample writes SVMs: porter2 keeps the s of "svms" after a
    consonant, and of "nfas" after a vowel. The acronym of each plural ("svm", "gtld", "nfa") finds its article,
    alone and quoted beside the word after it, the plural whole too, and highlighting the acronym marks the plural."""
    named = {
        (found.group(), found.group(1), following, article.id, text[max(0, found.start() - 40) : found.end() + 40])
        for article in read_corpus(sample_dir).articles
        for text in (article.question, article.answer_text)
        for found, following in ((f, re.match(r"\s+(\w+)", text[f.end() :])) for f in ACRONYM_PLURAL.finditer(text))
    }
    assert len({id_ for *_, id_, _near in named}) > 10
    queries = {
        (query, id_)
        for whole, acronym, following, id_, _near in named
        for query in (whole, acronym, *([f'"{acronym} {following.group(1)}"'] if following else []))
    }
    with Engine(sample_index) as sample:
        lost = sorted((query, id_) for query, id_ in queries if id_ not in every_id(sample, query))
    unmarked = sorted(
        whole
        for whole, acronym, *_, near in named
        if f"<mark>{whole}</mark>" not in highlight(near, marks_for(parse(acronym)))
    )
    assert not lost
    assert not unmarked
