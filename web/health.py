"""Health check for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint
from flask import jsonify

from web.engine import engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Document count and build time of the index being served."""
    status = engine().status()
    return jsonify({"status": "ok", "documents": status.documents, "built_at": status.built_at})
