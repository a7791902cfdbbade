"""The engine on a small index of our own: ranking, syntax, facets, snippets, spelling."""

import re

import pytest

from search.engine import MAX_PER_PAGE


def ids(result) -> list[int]:
    return [hit.id for hit in result.hits]


def test_question_match_ranks_above_answer_mention(engine):
    # "binomial" is in article 1's question and article 7's answer.
    assert ids(engine.search("binomial")) == [1, 7]


def test_all_words_rank_above_some_words(engine):
    result = engine.search("merge sort running time")
    assert ids(result)[0] == 3
    # Insertion sort mentions "merge sort" but not "running time": still found, lower.
    assert 4 in ids(result)[1:]


def test_missing_word_does_not_zero_the_results(engine):
    result = engine.search("binomial theorem zebra")
    assert ids(result) == [1, 7] and result.total == 2  # 7 mentions "binomial" only: found, lower


def test_stemming_matches_other_word_forms(engine):
    # The articles say "sort", "sorted" and "sorting"; "runs", "running" and "runner".
    assert ids(engine.search("sorting")) == [4, 3]
    assert ids(engine.search("sorted")) == [4, 3]
    assert ids(engine.search("runs")) == [3]


def test_accents_are_folded(engine):
    assert ids(engine.search("cafe")) == [5]
    assert ids(engine.search("CAFÉS")) == [5]


def test_exact_phrase(engine):
    assert ids(engine.search('"merge sort"')) == [3, 4]
    assert ids(engine.search('"sort merge"')) == []


def test_a_quoted_word_is_that_word_only(engine):
    """Unquoted, a word may be cut short or mistyped; quoted, it is the word as typed (by its stem), and required."""
    assert ids(engine.search("sor")) and ids(engine.search("sortng"))  # a completion, a typo
    assert ids(engine.search('"sor"')) == []
    assert engine.search('"sortng"').corrected  # found nothing itself: the page shows "sorting" instead, and says so
    assert ids(engine.search('"sorting"')) == ids(engine.search("sorting"))
    assert 5 in ids(engine.search("cafe sorting")) and 5 not in ids(engine.search('cafe "sorting"'))


def test_exclusion(engine):
    assert ids(engine.search("sort -insertion")) == [3]
    assert ids(engine.search('sort -"running time"')) == [4]
    assert ids(engine.search('sort -"merge sort"')) == []  # insertion sort's answer says "unlike merge sort"


def test_exclusions_alone_list_every_other_article_newest_first(engine):
    """ "-java" alone found nothing: it now lists what a search of nothing lists, less the excluded."""
    everything = engine.search("", per_page=50)
    for text in ("-sort", '-"merge sort"', "-sort -binomial"):
        excluded = {i for word in text.split(" -") for i in ids(engine.search(word.lstrip("-"), per_page=50))}
        result = engine.search(text, per_page=50)
        assert ids(result) == [i for i in ids(everything) if i not in excluded] and excluded, text


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ('"unbalanced', set()),
        ("(((", set()),
        ("AND OR", {3, 5, 6, 7}),  # plain words, not operators: the articles that say "and" or "or"
        ("*", set()),
        ("field:", set()),
        ("-", set()),
        ('""', set()),
        ("a" * 300, set()),
        ("\u202e\u0000x", set()),
        ("NOT", {7}),  # "A binomial model is not needed here."
        ("title:foo*", set()),  # no field, no wildcard: words no article holds
        ("🙂", set()),
    ],
)
def test_malformed_input_never_raises(engine, text, found):
    result = engine.search(text)
    assert set(ids(result)) == found and result.total == len(found) and not result.corrected


def test_unbalanced_quote_is_searched_as_text(engine):
    assert ids(engine.search('"classical conditioning'))[0] == 8


def test_facets_ignore_the_subject_filter_and_the_filter_narrows(engine):
    unfiltered = engine.search("sort")
    filtered = engine.search("sort", subjects=("computer SCIENCE",))
    assert [(f.value, f.count, f.selected) for f in filtered.facets] == [("Computer Science", 2, True)]
    assert filtered.total == 2 == unfiltered.total
    everything = engine.search("", subjects=("economics", "Psychology"))
    assert everything.total == 3
    assert {(f.value, f.count) for f in everything.facets} == {
        ("Computer Science", 3),
        ("Mathematics", 2),
        ("Economics", 2),
        ("Psychology", 1),
    }
    assert [f.value for f in everything.facets if f.selected] == ["Economics", "Psychology"]


def test_facets_sorted_by_count(engine):
    # Most articles first; a tie in name order.
    facets = [(f.value, f.count) for f in engine.search("").facets]
    assert facets == [("Computer Science", 3), ("Economics", 2), ("Mathematics", 2), ("Psychology", 1)]


def test_empty_query_lists_newest_first(engine):
    result = engine.search("")
    assert result.total == 8
    assert [h.date for h in result.hits] == sorted((h.date for h in result.hits), reverse=True)


def test_paging(engine):
    first = engine.search("", per_page=3)
    third = engine.search("", page=3, per_page=3)
    assert first.pages == 3 and len(third.hits) == 2
    assert not set(ids(first)) & set(ids(third))
    with pytest.raises(ValueError):
        engine.search("x", per_page=MAX_PER_PAGE + 1)


def test_snippet_highlights_stemmed_forms_and_escapes(engine):
    hit = engine.search("run").hits[0]
    assert hit.id == 3
    assert "<mark>runs</mark>" in hit.snippet and "<mark>running</mark>" in hit.snippet
    table = engine.search("hash collisions").hits[0]
    assert re.sub(r"</?mark>", "", table.snippet).count("<") == 0
    assert table.question_html == "What are <mark>hash</mark> tables?"
    # Article 6's answer holds "<script>alert(1)</script>": a snippet of that sentence shows it as text.
    script = engine.search("alert").hits[0]
    assert script.id == 6 and script.snippet == "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt; is just text here."


def test_snippet_is_short_and_around_the_match(engine):
    hit = engine.search("chaining").hits[0]
    text = re.sub(r"</?mark>", "", hit.snippet)
    assert "chaining" in text and len(text) <= 260


def test_math_is_readable_in_snippets(engine):
    hit = engine.search("characteristic polynomial").hits[0]
    assert "det(A - λI) = 0" in re.sub(r"</?mark>", "", hit.snippet)


def test_filler_is_never_marked_in_hits_or_completions(engine):
    hit = engine.search("what is the binomial theorem").hits[0]
    assert hit.question_html == "What is the <mark>binomial</mark> <mark>theorem</mark>?"
    assert hit.snippet == "The <mark>binomial</mark> <mark>theorem</mark> expands powers of a sum."
    [completion] = engine.suggest("what is classical cond")
    assert completion.question_html == "What is <mark>classical</mark> <mark>conditioning</mark>?"


def test_did_you_mean_for_unknown_words(engine):
    result = engine.search("eigenvalues of a matirx")
    assert result.suggestion is not None
    assert result.suggestion.query == "eigenvalues of a matrix"
    assert result.suggestion.html == "eigenvalues of a <mark>matrix</mark>"
    assert not result.corrected and ids(result)[0] == 2


def test_typo_matches_close_words_and_suggests(engine):
    result = engine.search("condtioning")
    assert ids(result) == [8] and not result.corrected
    assert result.suggestion.query == "conditioning"


def test_correction_runs_when_nothing_is_found(engine):
    # Four letters are too few to match with a typo, but enough to suggest a fix.
    result = engine.search("hsah")
    assert result.corrected and result.suggestion.query == "hash"
    assert ids(result) == [6]
    assert result.query == "hsah"


def test_no_suggestion_for_known_words(engine):
    assert engine.search("hash table").suggestion is None


def test_hit_fields(engine):
    hit = engine.search("hash tables").hits[0]
    assert hit.id == 6 and hit.subject == "Computer Science"
    assert hit.url == "/learn/computer-science/questions/what-are-hash-tables"
    assert hit.keywords == ["hash table", "hashing", "<b>dictionary</b>"]
    assert hit.date == "2024-06-10"


def test_suggest_completes_the_last_word(engine):
    completions = engine.suggest("classical cond")
    assert [c.id for c in completions] == [8]
    assert completions[0].question_html == "What is <mark>classical</mark> <mark>conditioning</mark>?"
    assert [c.id for c in engine.suggest("ins")] == [4]
    assert engine.suggest("") == [] and engine.suggest("zzzz") == []


def test_sample_computer_science_is_one_facet(sample_index):
    from search.engine import Engine

    with Engine(sample_index) as engine:
        result = engine.search("")
        assert result.total == 201
        names = [f.value for f in result.facets]
        assert names.count("Computer Science") == 1
        assert ids(engine.search("smb vs nfs"))[0] == ids(engine.search("SMB CIFS NFS protocols"))[0]


def test_repeated_search_is_answered_from_the_cache_identically(engine, monkeypatch):
    first = engine.search("merge  sort", subjects=("computer science",))

    def search_again(*args):
        raise AssertionError("searched again instead of answering from the cache")

    # Spacing and case of the filter differ, but it is the same search: it must not be run again.
    monkeypatch.setattr(engine, "_search", search_again)
    again = engine.search("merge sort", subjects=("Computer Science",))
    assert again.hits == first.hits and again.total == first.total == 2 and again.facets == first.facets


def test_a_subject_filter_ignores_surrounding_spaces_as_its_cache_key_does(engine):
    padded = engine.search("", (" Economics ",))
    plain = engine.search("", ("Economics",))
    assert padded.total == plain.total > 0
    assert [hit.id for hit in padded.hits] == [hit.id for hit in plain.hits]
