"""The JSON contract, over HTTP against the production server."""

import re

import pytest

from tests.http import get

HIT_KEYS = {
    "id",
    "question",
    "question_html",
    "subject",
    "url",
    "snippet",
    "keywords",
    "date",
    "score",
    "related",
    "by_meaning",
}
TOP_KEYS = {
    "query",
    "total",
    "page",
    "per_page",
    "pages",
    "took_ms",
    "hits",
    "facets",
    "suggestion",
    "corrected",
    "relaxed",
}


def only_mark_tags(html: str) -> bool:
    return all(tag in ("<mark>", "</mark>") for tag in re.findall(r"<[^>]*>", html))


def assert_error(response, status: int) -> None:
    assert response.status == status
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]


def test_search_response_shape(live_server):
    response = get(live_server, "/api/search", {"q": "sort", "per_page": 1})
    assert response.status == 200
    body = response.json()
    assert set(body) >= TOP_KEYS
    assert body["query"] == "sort" and body["total"] == 2
    assert body["page"] == 1 and body["per_page"] == 1 and body["pages"] == 2
    assert isinstance(body["took_ms"], float | int)
    [hit] = body["hits"]
    assert set(hit) == HIT_KEYS
    assert hit["url"].startswith("https://kb.example.org/learn/")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", hit["date"])
    assert isinstance(hit["id"], int) and isinstance(hit["keywords"], list) and isinstance(hit["score"], float)
    assert body["facets"] == {"subject": [{"value": "Computer Science", "count": 2, "selected": False}]}
    assert body["suggestion"] is None


def test_empty_query_lists_everything_newest_first(live_server):
    body = get(live_server, "/api/search", {"q": "", "per_page": 50}).json()
    assert body["total"] == 8
    dates = [hit["date"] for hit in body["hits"]]
    assert len(dates) == 8 and dates == sorted(dates, reverse=True)


def test_subject_repeats_are_ored_case_insensitively(live_server):
    body = get(live_server, "/api/search", [("subject", "ECONOMICS"), ("subject", "psychology")]).json()
    assert body["total"] == 3
    assert {h["subject"] for h in body["hits"]} == {"Economics", "Psychology"}
    selected = {f["value"] for f in body["facets"]["subject"] if f["selected"]}
    assert selected == {"Economics", "Psychology"}


def test_html_fields_are_escaped_with_mark_only(live_server):
    body = get(live_server, "/api/search", {"q": "hash <script>alert(1)</script> chaining"}).json()
    assert body["hits"]
    for hit in body["hits"]:
        assert only_mark_tags(hit["question_html"]) and only_mark_tags(hit["snippet"])
    assert "<mark>" in body["hits"][0]["snippet"]


def test_suggestion_shape(live_server):
    body = get(live_server, "/api/search", {"q": "matirx"}).json()
    assert body["suggestion"] == {"query": "matrix", "html": "<mark>matrix</mark>"}


@pytest.mark.parametrize(
    "params",
    [
        {"per_page": 1000},
        {"per_page": 0},
        {"page": 0},
        {"page": "abc"},
        {"page": "-1"},
        {"per_page": "1.5"},
        {"q": "x" * 5000},
        {"related": 4},
        {"related": -1},
        {"related": "all"},
    ],
)
def test_bad_parameters_are_400(live_server, params):
    assert_error(get(live_server, "/api/search", params), 400)


@pytest.mark.parametrize("q", ['"unbalanced', "(((", "AND OR", "*", "field:", "%", "\\", "🙂" * 50])
def test_odd_queries_are_200(live_server, q):
    assert get(live_server, "/api/search", {"q": q}).status == 200


@pytest.mark.parametrize("path", ["/api/search?q=%ff%fe", "/api/suggest?q=sort%e9", "/api/search?q=a&subject=%c3"])
def test_query_strings_that_are_not_utf8_are_400(live_server, path):
    assert_error(get(live_server, path), 400)


def test_a_typed_percent_sign_is_searched(live_server):
    assert get(live_server, "/api/search?q=%25ff").json()["query"] == "%ff"


def test_related_questions_only_for_as_many_first_hits_as_asked(live_server):
    eigen = "https://kb.example.org/learn/mathematics/questions/eigen"

    def related(params: dict) -> list[list[str]]:
        hits = get(live_server, "/api/search", {"q": "what", **params}).json()["hits"]
        assert hits[2]["question"] == "What is the binomial theorem?"  # the one article with a related link
        return [[r["url"] for r in hit["related"]] for hit in hits]

    assert related({"related": 3})[2] == [eigen]
    assert related({"related": 2})[2] == []
    assert related({}) == [[]] * 4  # the widget shows none: none are looked up


def test_page_past_the_end_is_empty_not_an_error(live_server):
    body = get(live_server, "/api/search", {"q": "sort", "page": 50}).json()
    assert body["hits"] == [] and body["total"] == 2


def test_suggest(live_server):
    response = get(live_server, "/api/suggest", {"q": "hash t", "limit": 8})
    assert response.status == 200
    body = response.json()
    assert body["query"] == "hash t"
    [suggestion] = body["suggestions"]
    assert set(suggestion) == {"id", "question", "question_html", "subject", "url"}
    assert suggestion["question_html"] == "What are <mark>hash</mark> <mark>tables</mark>?"
    assert suggestion["url"] == "https://kb.example.org/learn/computer-science/questions/what-are-hash-tables"


def test_suggest_keeps_the_subjects_asked_for(live_server):
    every = get(live_server, "/api/suggest", {"q": "wh"}).json()["suggestions"]
    assert {s["subject"] for s in every} >= {"Mathematics", "Computer Science"}
    kept = get(live_server, "/api/suggest", {"q": "wh", "subject": "mathematics"}).json()["suggestions"]
    assert kept == [s for s in every if s["subject"] == "Mathematics"]


@pytest.mark.parametrize(
    "params",
    [{"q": "a", "limit": 0}, {"q": "a", "limit": "x"}, {"q": "y" * 300}, {"q": "a", "subject": ["s"] * 21}],
)
def test_suggest_bad_parameters(live_server, params):
    assert_error(get(live_server, "/api/suggest", params), 400)


def test_healthz(live_server):
    body = get(live_server, "/healthz").json()
    assert body["status"] == "ok" and body["documents"] == 8
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", body["built_at"])


@pytest.mark.parametrize("path", ["/api/nothing", "/api", "/api/search/extra", "/api/nothing?q=x"])
def test_unknown_api_path_is_json_404(live_server, path):
    response = get(live_server, path)
    assert_error(response, 404)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_server_is_not_a_debug_server(live_server):
    response = get(live_server, "/api/search", {"q": "x"})
    assert "Werkzeug" not in response.headers.get("Server", "")


def test_score_orders_the_hits_of_one_query_across_its_pages(live_server):
    # What the score is documented to mean (README, openapi.json), and all it means.
    pages = [get(live_server, "/api/search", {"q": "sort", "per_page": 1, "page": n}).json() for n in (1, 2)]
    scores = [hit["score"] for page in pages for hit in page["hits"]]
    assert len(scores) == 2 and scores[0] >= scores[1]
