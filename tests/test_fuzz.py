"""Property-based tests: no input makes the engine raise or the API answer with a 5xx."""

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from search.engine import MAX_PAGE
from search.engine import MAX_PER_PAGE

QUERY_ALPHABET = st.characters(blacklist_categories=("Cs",))
SYNTAX = st.sampled_from(['"', "-", "(", ")", "*", ":", "AND", "OR", "NOT", "c++", "O(", "/16", "\\", "\u0000", " "])
# Words of the test corpus, so that many queries find something and the checks on hits have hits to check.
WORDS = st.sampled_from(["sort", "merge", "hash", "binomial", "Café", "demand", "conditioning", "matirx", " "])
QUERIES = st.one_of(
    st.text(QUERY_ALPHABET, max_size=300),
    st.lists(st.one_of(SYNTAX, WORDS, st.text(QUERY_ALPHABET, max_size=12)), max_size=30).map("".join),
)
SUBJECTS = st.one_of(st.sampled_from(["computer SCIENCE", "Economics", "mathematics"]), st.text(max_size=20))
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(
    text=QUERIES,
    subjects=st.lists(SUBJECTS, max_size=4),
    page=st.one_of(st.integers(1, 3), st.integers(1, MAX_PAGE)),
    per_page=st.integers(1, MAX_PER_PAGE),
)
def test_engine_answers_any_query(engine, text, subjects, page, per_page):
    result = engine.search(text, tuple(subjects), page, per_page)
    # The page holds what is left of the total after the pages before it, up to per_page.
    assert len(result.hits) == max(0, min(per_page, result.total - (page - 1) * per_page))
    assert len({hit.id for hit in result.hits}) == len(result.hits)
    # Facets count every match ignoring the filter; the total is that of the subjects filtered on.
    filtered = any(subject.strip() for subject in subjects)
    assert result.total == sum(facet.count for facet in result.facets if facet.selected or not filtered)
    assert all("<" not in hit.snippet.replace("<mark>", "").replace("</mark>", "") for hit in result.hits)


@FUZZ
@given(text=QUERIES)
def test_suggest_answers_anything(engine, text):
    assert len(engine.suggest(text)) <= 8


PARAM = st.one_of(st.none(), st.text(max_size=30), st.integers(-10, 5000).map(str))


@FUZZ
@given(q=st.one_of(st.none(), QUERIES), subject=PARAM, page=PARAM, per_page=PARAM, limit=PARAM)
def test_api_never_fails_with_5xx(client, q, subject, page, per_page, limit):
    params = {k: v for k, v in dict(q=q, subject=subject, page=page, per_page=per_page).items() if v is not None}
    for path, query in (("/api/search", params), ("/api/suggest", {"q": q or "", "limit": limit or ""}), ("/", params)):
        response = client.get(path, query_string=query)
        assert response.status_code in (200, 400), (path, query, response.status_code)
