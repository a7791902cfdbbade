"""Security headers everywhere, rate limits when configured, no markup injection, no tracebacks."""

import pytest

PAGES = ["/", "/?q=hash", "/widget-demo", "/nothing", "/?page=abc"]
DATA = ["/api/search?q=hash", "/api/suggest?q=ha", "/healthz", "/api/nothing", "/api/search?page=0"]


@pytest.mark.parametrize("path", PAGES + DATA)
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    policy = response.headers["Content-Security-Policy"]
    if path in PAGES:
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    else:
        assert policy.startswith("default-src 'none'")


def test_pages_have_no_inline_script_or_style(client):
    for path in ("/", "/?q=hash", "/widget-demo"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and " style=" not in html


def test_hostile_article_text_is_escaped_everywhere(client):
    body = client.get("/api/search?q=alert").get_json()
    snippet = body["hits"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    keywords = client.get("/api/search?q=hash+tables").get_json()["hits"][0]["keywords"]
    assert "<b>dictionary</b>" in keywords  # plain JSON strings: the client must escape them
    html = client.get("/?q=hash+tables").get_data(as_text=True)
    assert "<b>dictionary</b>" not in html


@pytest.fixture
def limited(client_with):
    return client_with(RATE_LIMIT="3/minute")


def test_rate_limit_answers_429_with_retry_after(limited):
    statuses = [limited.get("/api/search?q=hash").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = limited.get("/api/suggest?q=ha")  # one limit shared by the whole API
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.get_json()["error"]["status"] == 429
    assert limited.get("/").status_code == 200  # pages are not limited


def test_no_rate_limit_by_default(client):
    assert all(client.get("/api/suggest?q=ha").status_code == 200 for _ in range(30))


def test_errors_reveal_no_traceback(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["kbsearch"], "search", broken)
    response = app.test_client().get("/api/search?q=x")
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert response.get_json() == {"error": {"status": 500, "message": "Something went wrong on our side."}}
