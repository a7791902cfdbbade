"""Errors as JSON for API clients and as a page for people; never a traceback."""

from __future__ import annotations

from flask import Flask
from flask import jsonify
from flask import render_template
from flask import request
from werkzeug.exceptions import HTTPException

from common.errors import AnalyticsDamaged
from common.errors import IndexDamaged
from common.errors import IndexUnavailable
from web.api import is_api_path
from web.params import BadParameter


def _wants_json() -> bool:
    return is_api_path(request.path) or request.path == "/healthz"


def error_response(status: int, message: str):
    if _wants_json():
        response = jsonify({"error": {"status": status, "message": message}})
    else:
        response = render_template("error.html", status=status, message=message)
    return response, status


def init_app(app: Flask) -> None:
    @app.errorhandler(BadParameter)
    def bad_parameter(error: BadParameter):
        return error_response(400, str(error))

    @app.errorhandler(IndexUnavailable)
    def index_unavailable(error: IndexUnavailable):
        app.logger.error("%s", error)
        if isinstance(error, IndexDamaged):
            return error_response(503, "The search index is damaged.")
        return error_response(503, "The search index is not available yet.")

    @app.errorhandler(AnalyticsDamaged)
    def analytics_damaged(error: AnalyticsDamaged):
        app.logger.error("%s", error)
        return error_response(503, "The analytics database is damaged; searching is unaffected.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code == 429:
            return error_response(429, f"Too many requests (limit: {error.description}); retry later.")
        return error_response(error.code or 500, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        app.logger.exception("unhandled error on %s", request.path)
        return error_response(500, "Something went wrong on our side.")
