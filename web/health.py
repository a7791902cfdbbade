"""Health check for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint
from flask import current_app
from flask import jsonify

from common.errors import IndexDamaged
from common.errors import IndexUnavailable
from web.engine import engine

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Document count and build time of the index being served, once a few of its documents were read."""
    try:
        status = engine().health()
    except IndexUnavailable as error:
        current_app.logger.error("unhealthy: %s", error)
        # A damaged version's reason names files inside it; the others name the index folder, which stays private.
        reason = str(error) if isinstance(error, IndexDamaged) else "no usable index version (see the server log)"
        return jsonify({"status": "unhealthy", "reason": reason}), 503
    return jsonify({"status": "ok", "documents": status.documents, "built_at": status.built_at})
