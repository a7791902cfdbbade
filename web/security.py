"""Security headers on every response, and optional per-client rate limits on the API."""

from __future__ import annotations

from flask import Flask
from flask import Response
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from web.api import is_api_path

# The page and the widget load only their own files: no inline script or style
# (the widget styles its Shadow DOM with a constructed stylesheet).
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'self'"
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'"


def _headers(response: Response) -> Response:
    data = is_api_path(request.path) or response.mimetype in ("application/json", "text/javascript")
    response.headers.setdefault("Content-Security-Policy", DATA_POLICY if data else PAGE_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    limit = str(app.config.get("RATE_LIMIT") or "").strip()
    if limit:
        # Counted per worker process, in memory: a limit of N per minute allows up to N per worker.
        limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", headers_enabled=True)
        app.extensions["kbsearch_limit"] = limiter.shared_limit(limit, scope="api")
