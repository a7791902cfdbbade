"""Did you mean on the real sample: never on what the index holds, still for real typos."""

import random

import pytest

from bench.relevance.run import HERE
from bench.relevance.run import load_queries
from index import versions
from index import vocabulary
from index.articles import read_corpus
from index.build import build
from search.engine import Engine
from search.engine import most_words
from search.english import common_words
from search.expand import expand
from search.facets import subject_filter
from search.query import parse
from search.spelling import POSSESSIVES
from search.spelling import Speller
from search.spelling import unknown_words
from tests.factory import write_article

PARAPHRASES = HERE / "paraphrase.tsv"
TYPO_RECALL = 0.8  # of the judged typo queries: 78 of 92 get a suggestion (the rest already match by stem)


@pytest.fixture(scope="module")
def sample_engine(sample_index):
    with Engine(sample_index) as engine:
        yield engine


def suggested(engine: Engine, text: str) -> str | None:
    suggestion = engine.search(text, per_page=1).suggestion
    return suggestion.query if suggestion else None


def test_no_suggestion_for_any_question_or_keyword_of_the_sample(sample_engine, sample_dir):
    articles = read_corpus(sample_dir).articles
    keywords = {k.strip() for a in articles for k in a.keywords.split(",") if k.strip()}
    texts = [a.question for a in articles] + sorted(keywords)
    wrong = {text: fix for text in texts if (fix := suggested(sample_engine, text))}
    assert len(texts) > 2000
    assert not wrong


# Its word is as rare in the English word list as common misspellings ("euclidian") are.
KNOWN_WRONG = {"which switcher lowers and which raises a dc level"}


def test_no_suggestion_for_the_paraphrases_whose_words_the_articles_lack(sample_engine):
    """Queries in correct English that avoid the articles' words: "thin" is no typo of "than", nor "bets" of "bits"."""
    texts = [q["query"] for q in load_queries(PARAPHRASES)]
    wrong = {text: fix for text in texts if (fix := suggested(sample_engine, text))}
    assert len(texts) > 200
    assert set(wrong) <= KNOWN_WRONG, wrong


@pytest.mark.parametrize(("text", "offered"), [("bets", "bits"), ("cancer", "cancel")])
def test_a_common_word_that_finds_nothing_is_offered_a_correction_but_keeps_its_empty_page(
    sample_engine, text, offered
):
    """ "cancer" is English, and nothing holds it: the page offered "cancel" but showed its results as if asked."""
    result = sample_engine.search(text)
    assert result.suggestion.query == offered and not result.corrected and not result.total


@pytest.mark.parametrize(
    "text",
    [
        "pandas dataframe",  # "dataframe" is "data frame"; nothing is close to "pandas"
        "how do i bake bread",  # "break" finds nothing more than "bake" does
        "n minus 1",  # nor does "menus"
        "kirchhoff",  # the index has "kirchhoff's"
        "twos complement",  # a plural of "two", which porter2 keeps apart after a vowel
        "multicore cpus",
    ],
)
def test_no_suggestion_for_words_the_index_holds_or_that_find_nothing_better(sample_engine, text):
    assert suggested(sample_engine, text) is None


@pytest.mark.parametrize(
    ("text", "fix"), [("buck vs boost convertor", "buck vs boost converter"), ("pwd comand uses", "pwd command uses")]
)
def test_a_typo_is_not_known_as_a_split_into_filler(sample_engine, text, fix):
    # "convert or" and "com and" are no reading of these words.
    assert suggested(sample_engine, text) == fix


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        # The fix has the stem of another word typed ("recursion"): two words, each counted.
        ("recursion base case recusrive case", "recursion base case recursive case"),
        (
            "geometric transformations vs fourier transfrom image",
            "geometric transformations vs fourier transform image",
        ),
    ],
)
def test_a_fix_that_stems_as_another_typed_word_is_still_suggested(sample_engine, text, fix):
    assert suggested(sample_engine, text) == fix


def test_a_plural_that_porter2_keeps_finds_its_singular(sample_engine):
    hits = sample_engine.search("twos complement").hits
    assert hits and "two's complement" in hits[0].question


@pytest.mark.parametrize("text", ["sorts", "eigenvalue", "merge sorts"])
def test_no_suggestion_for_another_form_of_an_indexed_word(engine, text):
    # The test corpus has "sort", "sorted" and "eigenvalues", but never these forms.
    assert engine.search(text).total
    assert engine.search(text).suggestion is None


def test_a_misspelled_name_that_articles_write_only_as_a_possessive_is_corrected_to_it(sample_engine, sample_index):
    """ "djikstra" for "Dijkstra's": every possessive of the sample whose base word is not a token of its
    own, typed with two inner letters swapped, is corrected to the base word and finds its articles."""
    words = set(vocabulary.load(versions.current_version(sample_index)).words.tolist())
    bases = sorted({w[:-2] for w in words if w.endswith(POSSESSIVES)} - words)
    bases = [b for b in bases if len(b) >= 6 and b.isalpha()]
    assert len(bases) >= 3  # dijkstra, kirchhoff, bessel ...
    wrong = {}
    for base in bases:
        at = next(i for i in range(2, len(base) - 1) if base[i] != base[i + 1])
        typo = base[:at] + base[at + 1] + base[at] + base[at + 2 :]
        result = sample_engine.search(typo)
        # The sample itself misspells some names ("Thvenin's" beside "Thévenin"): either is a fix.
        if result.suggestion is None or result.suggestion.query not in {*bases, *words} or not result.total:
            wrong[typo] = result.suggestion
    assert not wrong


def test_a_vowel_put_for_a_vowel_is_the_likelier_typo(sample_engine):
    # "help" and "heap" are both one letter from "heep", and "help" is the more frequent.
    result = sample_engine.search("heep")
    assert result.suggestion.query == "heap"
    assert "heap" in result.hits[0].question.lower()


def test_typos_of_the_relevance_benchmark_still_get_suggestions(sample_engine):
    typos = [q for q in load_queries() if q["kind"] == "typo"]
    fixed = [q for q in typos if suggested(sample_engine, q["query"])]
    assert len(fixed) >= TYPO_RECALL * len(typos)


def test_a_suggestion_above_the_query_hits_is_judged_as_its_full_matches_would_judge_it(sample_engine, sample_dir):
    """The quick judgement (where the corrected words match, no ranking, facets or meaning, filler only where
    it was put in) against the one every clause's full scores give."""
    subject = read_corpus(sample_dir).articles[0].subject
    typos = [q["query"] for q in load_queries() if q["kind"] == "typo"]
    judged = 0
    with sample_engine._using() as version:
        for text in typos:
            query = parse(text)
            found = sample_engine._unranked(version, sample_engine._expand(version, query), (), False)
            correction = version.speller.correct(query, unknown_words(found.query, version.ranker.finds))
            if correction is None:
                continue
            fixed = sample_engine._expand(version, parse(correction.query))
            scored = version.ranker.score(fixed.clauses, version.phrase_fields)  # nothing deferred
            for subjects in ((), (subject,)):
                mask, _selected = subject_filter(version.meta, subjects)
                matched = scored.matched.copy() if mask is None else scored.matched & mask
                matched = sample_engine._required(version, fixed, scored, matched)
                full = most_words(fixed.clauses, scored.exact, matched, correction.words)
                assert sample_engine._exact_words(version, fixed, subjects, correction.words) == full, text
                judged += 1
    assert judged > 100


def test_a_common_english_word_the_articles_lack_is_read_as_no_other_word(sample_index):
    """ "spring mass": "spring" is not a typo of "string", nor is "bell" the start of "bellman"; only a word
    still being typed, the last, is read as the start of longer ones."""
    vocabulary_words = set(vocabulary.load(versions.current_version(sample_index)).words.tolist())
    speller = Speller(vocabulary.load(versions.current_version(sample_index)))
    absent = sorted(w for w in common_words() if w.isalpha() and len(w) >= 5 and w not in vocabulary_words)
    words = random.Random(3).sample(absent, 400)
    misread = {}
    for word in words:
        clause = expand(parse(f"{word} mass"), speller, {}).clauses[0]
        guesses = [" ".join(a.terms) for a in clause.alternatives if not a.exact]
        if guesses:
            misread[word] = guesses
    assert not misread, list(misread.items())[:10]


def test_the_word_for_a_typo_is_the_one_that_fits_the_rest_of_the_query(tmp_path):
    """ "belman" is one letter from "beman", a word of three articles, and from "bellman", of one: the
    more frequent word made "beman ford", which holds no more of the query, so no suggestion was given."""
    corpus = tmp_path / "corpus"
    write_article(
        corpus, id=1, question="How does the Bellman-Ford algorithm find shortest paths?", answer="It relaxes."
    )
    for number in range(2, 5):
        write_article(corpus, id=number, question=f"Who is Beman {number}?", answer="A name in a story.")
    build(corpus, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        result = engine.search("belman ford")
    assert result.suggestion is not None and result.suggestion.query == "bellman ford"
