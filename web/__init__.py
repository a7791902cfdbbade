"""The Flask application: search page, JSON API and health check over one engine."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_cors import CORS

from common import settings
from search.analytics import FILENAME as analytics_file
from search.analytics import Recorder
from search.engine import Engine


def allowed_origins(setting: str) -> str | list[str]:
    """``"*"``, or the list of origins in the checked, comma-separated setting (empty: same origin only)."""
    origins = [origin for origin in setting.split(",") if origin]
    return "*" if "*" in origins else origins


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from ``config`` (what ``kbsearch serve`` checked, or a test's), else from ``common.settings``.

    :raises SettingsError: for a setting that cannot be used.
    """
    app = Flask(__name__)
    app.config.update(settings.load()[0] if config is None else settings.check(config))
    index_dir = Path(app.config["INDEX_DIR"])
    app.extensions["kbsearch"] = Engine(index_dir, **settings.engine_options(app.config))
    app.config["ANALYTICS_PATH"] = index_dir / analytics_file
    if app.config["ANALYTICS"]:
        index_dir.mkdir(parents=True, exist_ok=True)
        app.extensions["kbsearch_analytics"] = Recorder(app.config["ANALYTICS_PATH"], int(app.config["ANALYTICS_DAYS"]))

    from web import analytics
    from web import api
    from web import errors
    from web import health
    from web import observe
    from web import pages
    from web import params
    from web import security
    from web import widget

    observe.init_app(app)
    errors.init_app(app)
    app.before_request(params.require_utf8)
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


def close_app(app: Flask) -> None:
    """Release what ``create_app`` opened: write the queued analytics and stop their writer thread, close the index."""
    recorder = app.extensions.get("kbsearch_analytics")
    if recorder is not None:
        recorder.close()
    app.extensions["kbsearch"].close()
