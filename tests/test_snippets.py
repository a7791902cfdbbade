"""Snippets read as sentences, cut only where an ellipsis says so, and mark what was asked, not filler."""

import re

import pytest

from index.tokens import GREEK_LETTERS
from index.tokens import MATH_SYMBOLS
from index.tokens import stem
from search.query import parse
from search.snippets import ELLIPSIS
from search.snippets import SNIPPET_CHARS
from search.snippets import Marks
from search.snippets import highlight
from search.snippets import marks_for
from search.snippets import snippet

LONG = " ".join(f"word{i}" for i in range(60))


def marks(query: str) -> Marks:
    return marks_for(parse(query))


def unmarked(html: str) -> str:
    return re.sub(r"</?mark>", "", html)


def test_a_long_sentence_is_cut_at_words_with_an_ellipsis_at_each_cut():
    text = f"Short opening. {LONG} target {LONG}. Closing."
    found = snippet(text, marks("target"))
    assert found.startswith(f"{ELLIPSIS} word") and found.endswith(f" {ELLIPSIS}")
    shown = unmarked(found).removeprefix(f"{ELLIPSIS} ").removesuffix(f" {ELLIPSIS}")
    assert "target" in shown and shown in text and len(shown) <= SNIPPET_CHARS
    assert f" {shown} " in f" {text} "  # whole words only


def test_sentences_apart_are_joined_by_an_ellipsis_and_neighbours_by_a_space():
    apart = "Alpha beta here. Nothing in between. Gamma beta there. Last words."
    assert snippet(apart, marks("beta")) == f"Alpha <mark>beta</mark> here. {ELLIPSIS} Gamma <mark>beta</mark> there."
    neighbours = "Alpha beta here.\nGamma beta there. Last words."
    assert snippet(neighbours, marks("beta")) == "Alpha <mark>beta</mark> here. Gamma <mark>beta</mark> there."


def test_a_line_without_a_stop_ends_with_an_ellipsis():
    text = "Benefits of encapsulation\nIt hides the data."
    assert snippet(text, marks("encapsulation")) == f"Benefits of <mark>encapsulation</mark> {ELLIPSIS}"


def test_a_sentence_ends_after_its_closing_quote():
    text = 'He said "stop." Then java runs.'
    assert snippet(text, marks("java")) == "Then <mark>java</mark> runs."


def test_without_a_match_the_snippet_is_the_opening_sentences():
    text = "First sentence here. Second one follows. Third is left out."
    assert snippet(text, marks("absent")) == "First sentence here. Second one follows."


def test_filler_is_not_marked_beside_the_words_asked_about():
    query = marks("what is the binomial theorem of a sum")
    question = "What is the binomial theorem?"
    assert highlight(question, query) == "What is the <mark>binomial</mark> <mark>theorem</mark>?"
    answer = "The binomial theorem is the expansion of a power of a sum."
    expected = "The <mark>binomial</mark> <mark>theorem</mark> is the expansion of a power of a <mark>sum</mark>."
    assert snippet(answer, query) == expected


def test_a_query_of_filler_alone_is_marked():
    assert highlight("What is it?", marks("what is it")) == "<mark>What</mark> <mark>is</mark> <mark>it</mark>?"


def test_a_word_typed_is_marked_even_if_its_stem_is_a_fillers():
    # "differs" is not filler, though "difference" is: it was asked for, in every form.
    assert highlight("They differ in one difference.", marks("differs")) == (
        "They <mark>differ</mark> in one <mark>difference</mark>."
    )


def test_filler_within_a_compound_is_marked_only_as_part_of_it():
    text = "Exclusive-or differs from or."
    assert highlight(text, marks("exclusive-or")) == "<mark>Exclusive-or</mark> differs from or."


def test_quoted_filler_is_marked_only_where_the_whole_phrase_stands():
    text = "The law of demand holds. A law of nature, of sorts."
    expected = "The <mark>law</mark> <mark>of</mark> <mark>demand</mark> holds. A <mark>law</mark> of nature, of sorts."
    assert highlight(text, marks('"law of demand"')) == expected


@pytest.mark.parametrize(
    ("words", "text", "marked"),
    [
        ("automata", "Deterministic Finite Automata (DFA) accept regular languages.", ["Automata"]),
        ("maxima minima", "Local maxima and minima of f.", ["maxima", "minima"]),
        ("vertex", "A graph joins its vertices by edges.", ["vertices"]),
    ],
)
def test_an_irregular_plural_is_highlighted(words, text, marked):
    """ "automata" stems as "automaton", a word it does not start with."""
    shown = snippet(text, Marks(frozenset(stem(word) for word in words.split())))
    assert re.findall(r"<mark>(.*?)</mark>", shown) == marked


@pytest.mark.parametrize("symbol", [*GREEK_LETTERS, *MATH_SYMBOLS])
@pytest.mark.parametrize("typed", ["symbol", "name"])
def test_a_greek_letter_or_math_symbol_is_highlighted_by_its_name_or_itself(symbol, typed):
    """The index holds a lone "λ" as "lambda", so a snippet must show where it stands.

    The opening sentence has none: an unmarked snippet would show that instead.
    """
    name = GREEK_LETTERS.get(symbol) or MATH_SYMBOLS[symbol]
    text = f"The method starts from a matrix. Here {symbol} gives the answer."
    shown = snippet(text, marks(symbol if typed == "symbol" else name))
    assert re.findall(r"<mark>(.*?)</mark>", shown) == [symbol]
