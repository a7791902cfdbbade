"""The tokenizer's three paths agree on any text: highlights, indexing, and the fast path for plain ASCII."""

from __future__ import annotations

from itertools import accumulate

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from index.tokens import field_tokens
from index.tokens import index_tokens
from index.tokens import plain_text
from index.tokens import tokenize
from index.tokens import tokenize_entries
from search.proximity import WINDOW

# What makes tokens special: joiners, prefixes, operators, Greek, math alphabets, ligatures, accents.
PLAIN = ["x", "i", "H", "0", "16", "_", "-", "/", ".", "'", "+", "#", "(", ")", " ", "\n", "c++", "O(n log n)", ".NET"]
SPECIAL = ["γ", "Γ", "β\u0302", "∑", "∪", "∫", "𝔼", "ﬁ", "é", "10.0.0.0", "/8", "x_{i+1}", "non-determined", "__init__"]
PIECES = st.sampled_from([*PLAIN, *SPECIAL])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=4)), max_size=25).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_indexing_sees_what_highlighting_sees(text):
    tokens = list(tokenize(text))
    assert index_tokens(text) == ([t for t, *_ in tokens], [p for _, p, *_ in tokens])


@settings(max_examples=400, deadline=None)
@given(TEXTS.filter(plain_text))
def test_the_plain_text_path_agrees_with_the_general_one(text):
    general = list(tokenize(text + " é"))[:-1]  # the accent sends the text down the general path
    assert list(tokenize(text)) == general


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_every_token_points_into_the_text(text):
    for _token, position, start, end in tokenize(text):
        assert 0 <= start < end <= len(text) and position >= 0


@settings(max_examples=400, deadline=None)
@given(st.lists(TEXTS.map(lambda text: text.replace(",", " ")), max_size=6))
def test_each_entry_of_a_list_keeps_its_tokens_and_stands_apart_from_the_others(entries):
    text = ",".join(entries)
    found = list(tokenize_entries(text, ","))
    assert field_tokens(text, ",") == ([t for t, *_ in found], [p for _, p, *_ in found])
    # Entry by entry: its own tokens at its own offsets, shifted as one block.
    ended = None  # one past the last position of the entries so far
    for entry, offset in zip(entries, accumulate([0, *(len(e) + 1 for e in entries)]), strict=False):
        alone = list(tokenize(entry))
        mine, found = found[: len(alone)], found[len(alone) :]
        assert [(t, s + offset, e + offset) for t, _, s, e in alone] == [(t, s, e) for t, _, s, e in mine]
        if alone:
            shift = mine[0][1] - alone[0][1]
            assert [p + shift for _, p, *_ in alone] == [p for _, p, *_ in mine]
            assert ended is None or min(p for _, p, *_ in mine) > ended + WINDOW
            ended = max(p for _, p, *_ in mine)
    assert found == []
