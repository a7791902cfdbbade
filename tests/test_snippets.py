"""Snippets read as sentences, cut only where an ellipsis says so."""

import re

from search.query import parse
from search.snippets import ELLIPSIS
from search.snippets import SNIPPET_CHARS
from search.snippets import snippet

LONG = " ".join(f"word{i}" for i in range(60))


def marks(query: str) -> frozenset[str]:
    return parse(query).terms


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
