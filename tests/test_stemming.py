"""Stems: word forms meet, unrelated words that porter2 joins do not."""

from __future__ import annotations

import re

import pytest

from index.stemming import KEEP_APART
from index.stemming import inflectional
from index.tokens import stem
from search.engine import Engine


@pytest.mark.parametrize(
    "forms",
    [
        ("running", "runs", "run"),
        ("diagonalizing", "diagonalization", "diagonalize"),
        ("statically", "static"),
        ("integrated", "integration", "integrating"),
        ("integral", "integrals", "integrally"),
        ("consistent", "consistency", "consistently"),
        ("important", "importance"),
        ("studies", "study"),
        ("determinants", "determinant"),
        ("exclusively", "exclusive"),
        ("automata", "automaton", "automatons"),
        ("vertices", "vertex"),
        ("indices", "index", "indexes"),
        ("hypotheses", "hypothesis"),
        ("criteria", "criterion"),
    ],
)
def test_word_forms_share_a_stem(forms):
    assert len({stem(word) for word in forms}) == 1


@pytest.mark.parametrize(
    "words",
    [
        ("integral", "integrity", "integrated"),
        ("consist", "consistent"),
        ("import", "important"),
        ("complex", "complexity"),
        ("several", "severe"),
        ("positive", "position"),
        ("determinant", "determine"),
        ("exclusive", "exclusion"),
        ("inclusive", "inclusion"),
        ("format", "formation"),
        ("natural", "nature"),
        ("addition", "additional"),
        ("multiple", "multiplication"),
        ("response", "responsible"),
        ("vertices", "vertical"),
        ("indices", "indicate"),
        ("theses", "these"),
    ],
)
def test_unrelated_words_do_not(words):
    assert len({stem(word) for word in words}) == len(words)


def test_a_family_kept_apart_keeps_its_own_stem():
    """Its first word's inflectional stem, for every word of it."""
    for family in KEEP_APART:
        own = stem(family[0])
        assert own == inflectional(family[0])
        assert {stem(word) for word in family} == {own}, family


@pytest.fixture(scope="module")
def sample_engine(sample_index):
    with Engine(sample_index) as engine:
        yield engine


def test_integral_finds_calculus_before_integrated_circuits(sample_engine):
    urls = [hit.url for hit in sample_engine.search("integral", per_page=50).hits]
    simpson = urls.index(
        "/learn/mathematics/questions/what-is-simpsons-rule-and-how-does-it-improve-upon-the-trapezoidal-rule"
    )
    circuits = [rank for rank, url in enumerate(urls) if "integrated-circuit" in url]
    assert all(rank > simpson for rank in circuits)


def test_integral_does_not_highlight_integrity(sample_engine):
    hits = sample_engine.search("integral", per_page=50).hits
    marked = {word.lower() for hit in hits for word in re.findall(r"<mark>(.*?)</mark>", hit.snippet)}
    assert "integral" in marked
    assert not {word for word in marked if word.startswith("integrit")}


@pytest.mark.parametrize("forms", [("kirchhoff", "kirchhoff's", "kirchhoff’s"), ("newton", "newton's")])
def test_a_possessive_stems_as_its_word(forms):
    assert len({stem(word) for word in forms}) == 1


def test_a_name_finds_its_possessive_exactly_on_the_sample(sample_index):
    with Engine(sample_index) as engine:
        result = engine.search("kirchhoff")
    # Found as the word itself, not as a close spelling: nothing relaxed, nothing suggested.
    assert result.total >= 1 and result.relaxed is None and result.suggestion is None
    assert all("<mark>Kirchhoff" in hit.snippet for hit in result.hits), [hit.snippet for hit in result.hits]
