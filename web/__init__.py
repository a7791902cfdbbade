"""The Flask application: search page, JSON API and health check over one engine."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS

from index.versions import default_index_dir
from search.analytics import FILENAME as analytics_file
from search.analytics import Recorder
from search.engine import Engine

DEFAULTS = {
    "INDEX_DIR": None,  # falls back to index.versions.default_index_dir()
    "SITE_URL": "",
    "SITE_NAME": "kbsearch",
    "CACHE_MB": 256,
    "SYNONYMS": None,  # falls back to the bundled search/synonyms.txt
    "ALLOWED_ORIGINS": "*",  # origins whose pages may call /api/*: "*" or a comma-separated list
    "RATE_LIMIT": "",  # per-client limit on /api/*, e.g. "120/minute"; empty: no limit
    "ANALYTICS": True,  # record searches and clicks (no personal data) beside the index
    "ANALYTICS_DAYS": 90,  # how long analytics are kept
    "ADMIN_TOKEN": "",  # enables /admin/analytics for whoever presents it; empty: no admin page
}


def flag(value: Any) -> bool:
    """A boolean setting from an environment variable or a config value."""
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def allowed_origins(setting: str | list[str]) -> str | list[str]:
    """``"*"``, or the list of origins in a comma-separated setting (empty: same origin only)."""
    if isinstance(setting, list):
        return setting
    origins = [origin.strip().rstrip("/") for origin in str(setting or "").split(",") if origin.strip()]
    return "*" if "*" in origins else origins


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``KBSEARCH_*`` environment variables, or from ``config`` in tests."""
    app = Flask(__name__)
    app.config.update(DEFAULTS)
    if config is None:
        app.config.from_prefixed_env("KBSEARCH")
    else:
        app.config.update(config)
    app.config["SITE_URL"] = str(app.config["SITE_URL"] or "").rstrip("/")
    index_dir = Path(app.config["INDEX_DIR"] or default_index_dir())
    app.extensions["kbsearch"] = Engine(
        index_dir, cache_bytes=int(app.config["CACHE_MB"]) * 1024 * 1024, synonyms=app.config["SYNONYMS"]
    )
    app.config["ANALYTICS_PATH"] = index_dir / analytics_file
    if flag(app.config["ANALYTICS"]):
        index_dir.mkdir(parents=True, exist_ok=True)
        app.extensions["kbsearch_analytics"] = Recorder(app.config["ANALYTICS_PATH"], int(app.config["ANALYTICS_DAYS"]))

    from web import analytics
    from web import api
    from web import errors
    from web import health
    from web import pages
    from web import security
    from web import widget

    errors.init_app(app)
    security.init_app(app)
    if "kbsearch_limit" in app.extensions:
        app.extensions["kbsearch_limit"](api.bp)
    origins = allowed_origins(app.config["ALLOWED_ORIGINS"])
    # Only the click beacon writes; everything else a page of another origin may only read.
    resources = {
        r"/api/click": {"origins": origins, "methods": ["POST", "OPTIONS"]},
        r"/api/*": {"origins": origins, "methods": ["GET", "HEAD", "OPTIONS"]},
    }
    CORS(app, resources=resources, max_age=86400)
    app.register_blueprint(pages.bp)
    app.register_blueprint(analytics.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(widget.bp)
    return app
