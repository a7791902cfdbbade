"""The JSON API that the widget and outside clients call."""

from __future__ import annotations

import json
from pathlib import Path

from flask import Blueprint
from flask import jsonify
from flask import request

from search.engine import Completion
from search.engine import Hit
from search.engine import SearchResult
from web.analytics import record_search
from web.engine import article_url
from web.engine import engine
from web.params import query_text
from web.params import search_params
from web.params import subject_values
from web.params import suggest_limit
from web.params import typed_text

bp = Blueprint("api", __name__, url_prefix="/api")


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the API's, a route or not: its errors answer JSON and its responses allow no content.

    ``/api`` itself counts: a client that drops the endpoint's name still gets a JSON 404.
    """
    return path == bp.url_prefix or path.startswith(bp.url_prefix + "/")


def _fields(value) -> dict:
    # One level only: ``dataclasses.asdict`` copies recursively, which was most of a cached search's time.
    return dict(vars(value))


def hit_json(hit: Hit) -> dict:
    data = _fields(hit)
    data["url"] = article_url(hit.url)
    data["related"] = [{"question": r.question, "url": article_url(r.url)} for r in hit.related]
    return data


def result_json(result: SearchResult) -> dict:
    return {
        "query": result.query,
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "pages": result.pages,
        "took_ms": result.took_ms,
        "hits": [hit_json(hit) for hit in result.hits],
        "facets": {"subject": [_fields(value) for value in result.facets]},
        "suggestion": _fields(result.suggestion) if result.suggestion else None,
        "corrected": result.corrected,
        "relaxed": _fields(result.relaxed) if result.relaxed else None,
    }


def completion_json(completion: Completion) -> dict:
    data = _fields(completion)
    data["url"] = article_url(completion.url)
    return data


@bp.get("/search")
def search():
    """Search results, subject facets and a spelling suggestion."""
    params = search_params(request.args)
    result = engine().search(params.q, params.subjects, params.page, params.per_page, params.related)
    search_id = record_search(params, result, typing=request.args.get("typing") == "1") if params.q else None
    return jsonify({**result_json(result), "search_id": search_id})


@bp.get("/suggest")
def suggest():
    """Questions that complete what is being typed."""
    q = typed_text(request.args)
    completions = engine().suggest(q, suggest_limit(request.args), subject_values(request.args))
    return jsonify({"query": q, "suggestions": [completion_json(c) for c in completions]})


@bp.get("/opensearch-suggest")
def opensearch_suggest():
    """Completions in the OpenSearch suggestions format, for the browser's search bar."""
    q = query_text(request.args)
    return jsonify([q, [c.question for c in engine().suggest(q, 8)]])


OPENAPI = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI description of this API."""
    return jsonify(OPENAPI)
