"""Search-as-you-type on the real sample: a question stays among the suggestions while it is typed."""

import bisect
import re

import pytest

from index.articles import read_corpus
from index.tokens import split_words
from search.engine import Engine
from search.synonyms import DEFAULT_PATH

SHOWN = 8  # suggestions the widget shows
SHORTEST = 3  # characters typed before suggestions are expected


@pytest.fixture(scope="module")
def sample_engine(sample_index):
    with Engine(sample_index) as engine:
        yield engine


def rare_starts(sample_dir) -> dict[str, set[str]]:
    """Each start of a question, cut anywhere from ``SHORTEST`` characters on, that at most
    ``SHOWN`` questions share (as lower-cased text), with the urls of the questions cut there."""
    articles = read_corpus(sample_dir).articles
    lowered = sorted(a.question.lower() for a in articles)
    starts: dict[str, set[str]] = {}
    for article in articles:
        for cut in range(SHORTEST, len(article.question) + 1):
            typed = article.question[:cut]
            low = typed.lower()
            sharing = bisect.bisect_left(lowered, low + "\U0010ffff") - bisect.bisect_left(lowered, low)
            if sharing <= SHOWN:
                starts.setdefault(typed, set()).add(article.url)
    return starts


def test_a_question_stays_suggested_while_it_is_typed(sample_engine, sample_dir):
    version = sample_engine._current()
    starts = rare_starts(sample_dir)
    lost = {}
    for typed, urls in starts.items():
        # What Engine.suggest shows, without reading each suggestion's stored article.
        ranked = sample_engine._ranked_completions(version, typed)
        shown = {version.urls[doc] for doc in ranked.best(SHOWN)} if ranked else set()
        if urls - shown:
            lost[typed] = sorted(urls - shown)
    assert len(starts) > 10_000
    assert not lost, f"{len(lost)} of {len(starts)} starts lose their question, e.g. {list(lost.items())[:5]}"


@pytest.mark.parametrize(
    "typed", ["how do you calculate the", "how do you calculate the lim", "How do you calculate the limit of a "]
)
def test_suggestions_for_a_long_question(sample_engine, typed):
    questions = [c.question for c in sample_engine.suggest(typed)]
    assert questions[0] == "How do you calculate the limit of a convergent sequence?"


def test_a_question_about_none_of_the_earlier_words_is_not_suggested(engine):
    assert [c.id for c in engine.suggest("hash t")] == [6]
    assert engine.suggest("zebra t") == []


@pytest.mark.parametrize("joiner", ["vs", "versus", "or", "v"])
def test_the_suggestions_do_not_go_blank_at_a_joining_word(sample_engine, sample_dir, joiner):
    """ "pmf vs": the visitor is still typing a comparison; the widget must not go blank at the joining word.
    Where no question has a word that starts like it, the suggestions are those of the words before it."""
    articles = read_corpus(sample_dir).articles
    words = {max(split_words(a.question), key=lambda w: len(w.texts[0])).texts[0] for a in articles}
    starts_none = not any(w.startswith(joiner) for a in articles for t in split_words(a.question) for w in t.texts)
    wrong = []
    for word in sorted(words):
        before = [c.id for c in sample_engine.suggest(word)]
        after = [c.id for c in sample_engine.suggest(f"{word} {joiner}")]
        if before and (not after or (starts_none and after != before)):
            wrong.append(word)
    assert len(words) > 100
    assert not wrong


@pytest.mark.parametrize("typed", ["what", "how do", "wh", "the", "explain"])
def test_suggestions_of_a_subject_are_its_best_questions_in_the_same_order(sample_engine, typed):
    every = sample_engine.suggest(typed, limit=50)
    subjects = {c.subject for c in every}
    assert len(subjects) > 2
    for subject in subjects:
        own = [c.id for c in every if c.subject == subject]
        kept = [c.id for c in sample_engine.suggest(typed, limit=SHOWN, subjects=(subject.upper(),))]
        assert kept == own[:SHOWN] or (len(every) == 50 and kept[: len(own)] == own[:SHOWN])


def test_a_finished_word_is_not_read_as_the_start_of_a_longer_one(sample_engine, sample_dir):
    """ "How does a ": the questions that go on "How does a …" come before "How does an …", for
    every question of the sample typed up to each space in it (the words there are finished)."""
    questions = [a.question for a in read_corpus(sample_dir).articles]
    typed = {q[: i + 1] for q in questions for i, char in enumerate(q) if char == " "}
    wrong = {}
    for text in sorted(typed):
        shown = [c.question.lower().startswith(text.lower()) for c in sample_engine.suggest(text)]
        if True in shown and False in shown[: len(shown) - shown[::-1].index(True)]:
            wrong[text] = [c.question for c in sample_engine.suggest(text)][:3]
    assert len(typed) > 1000
    assert not wrong, list(wrong.items())[:5]


def swapped(word: str) -> str:
    """A typo typed often: two letters inside the word swapped ("expalin")."""
    return word[:3] + word[4] + word[3] + word[5:]


# An ambiguous typo: "setlting" is one edit from "settling" and from the more frequent "setting".
AMBIGUOUS = {"How is setlting ti"}


@pytest.mark.parametrize("next_letters", [0, 2])
def test_a_question_stays_suggested_with_a_typo_in_its_first_long_word(sample_engine, sample_dir, next_letters):
    """ "djikstra", "eucledian algoritm", "subneting" suggested nothing, while search corrected them. Each
    question typed to its first word of seven letters or more, misspelled, and on into the next word,
    keeps it among the suggestions wherever at most eight questions begin with the text as meant."""
    starts = rare_starts(sample_dir)
    lost, tried = {}, 0
    for article in read_corpus(sample_dir).articles:
        words = article.question.split()
        at = next((i for i, w in enumerate(words) if len(w) >= 7 and w.isalpha()), None)
        if at is None:
            continue
        meant = " ".join(words[: at + 1] + [w[:next_letters] for w in words[at + 1 : at + 2] if next_letters])
        typed = meant.replace(words[at], swapped(words[at]))
        if article.url not in starts.get(meant, ()) or typed in AMBIGUOUS:
            continue
        tried += 1
        if article.id not in [c.id for c in sample_engine.suggest(typed, SHOWN)]:
            lost[typed] = article.question
    assert tried > 100
    assert not lost, lost


def test_an_acronym_suggests_the_questions_of_its_words(sample_engine):
    """ "gcd" suggested nothing, though searching it finds "greatest common divisor": every one-word entry of
    the synonyms file suggests questions whenever another entry of its line, typed, does."""
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    groups = [[e.strip() for e in line.split(",") if e.strip()] for line in lines if not line.startswith("#")]
    silent = []
    for group in groups:
        for entry in (e for e in group if " " not in e):
            others = [other for other in group if other != entry]
            if any(sample_engine.suggest(other) for other in others) and not sample_engine.suggest(entry):
                silent.append((entry, others))
    assert len(groups) > 50
    assert not silent


def test_a_question_typed_with_other_words_of_a_synonyms_line_stays_suggested(sample_engine, sample_dir):
    """ "gcd of tw" suggested nothing, though "gcd" alone and "greatest common divisor of tw" did. Each
    question that holds an entry of the synonyms file, typed with another entry of its line in its place
    and on two letters into the next word, is suggested whenever it is when typed as written."""
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    groups = [[e.strip() for e in line.split(",") if e.strip()] for line in lines if not line.startswith("#")]
    lost, tried = {}, 0
    for article in read_corpus(sample_dir).articles:
        for group in groups:
            for entry, other in ((e, o) for e in group for o in group if o != e):
                found = re.search(rf"\b{re.escape(entry)}\b (\w{{2}})", article.question, re.IGNORECASE)
                if not found or article.id not in [
                    c.id for c in sample_engine.suggest(article.question[: found.end()], SHOWN)
                ]:
                    continue
                tried += 1
                typed = f"{article.question[: found.start()]}{other} {found.group(1)}"
                if article.id not in [c.id for c in sample_engine.suggest(typed, SHOWN)]:
                    lost[typed] = article.question
    assert tried > 20
    assert not lost, (tried, len(lost), lost)
