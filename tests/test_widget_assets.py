"""The widget's budget, caching and CORS, and the page's OpenSearch description."""

import gzip
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
BUDGET = 10 * 1024


def test_widget_fits_the_size_budget():
    # The widget's CSS is inside widget.js: this is the whole payload.
    size = len(gzip.compress((STATIC / "widget.js").read_bytes(), compresslevel=9))
    assert size <= BUDGET, f"widget.js is {size} bytes gzipped, over {BUDGET}"


def test_widget_defines_one_global():
    source = (STATIC / "widget.js").read_text()
    assert source.lstrip().startswith("/*") and "(function () {" in source
    assert source.count("window.KBSearch =") == 1


def test_widget_script_is_cacheable_from_any_origin(client):
    response = client.get("/widget.js")
    response.close()
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert response.headers["ETag"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = client.get("/widget.js", headers={"If-None-Match": response.headers["ETag"]})
    again.close()
    assert again.status_code == 304


@pytest.fixture
def restricted(client_with):
    return client_with(ALLOWED_ORIGINS="https://a.example, https://b.example/")


def test_cors_allows_listed_origins_only(restricted):
    allowed = restricted.get("/api/suggest?q=ha", headers={"Origin": "https://b.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://b.example"
    denied = restricted.get("/api/suggest?q=ha", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in denied.headers


def test_cors_preflight(restricted):
    response = restricted.options(
        "/api/search",
        headers={"Origin": "https://a.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "POST" not in response.headers["Access-Control-Allow-Methods"]


def test_cors_star_by_default(client):
    response = client.get("/api/search?q=x", headers={"Origin": "https://anyone.example"})
    # Any origin is allowed, and named back to it: so a cache must keep one answer per origin.
    assert response.headers["Access-Control-Allow-Origin"] == "https://anyone.example"
    assert response.headers["Vary"] == "Origin"


def test_opensearch_description_and_suggestions(client):
    xml = client.get("/opensearch.xml")
    assert xml.headers["Content-Type"].startswith("application/opensearchdescription+xml")
    assert b'template="http://localhost/?q={searchTerms}"' in xml.data
    assert client.get("/api/opensearch-suggest?q=hash").get_json() == ["hash", ["What are hash tables?"]]


def test_widget_demo_page_embeds_the_script(client):
    html = client.get("/widget-demo").get_data(as_text=True)
    assert 'src="/widget.js" data-kbsearch-target="#search"' in html


def test_only_the_click_beacon_may_post_cross_origin(restricted):
    response = restricted.options(
        "/api/click", headers={"Origin": "https://a.example", "Access-Control-Request-Method": "POST"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
