"""Request ids, structured request logs and Prometheus metrics.

Every response carries ``X-Request-Id`` (the caller's, when it sent a sane
one) and every log line names it. Logs are JSON lines by default
(``KBSEARCH_LOG_FORMAT=text`` for people); they hold no address and no query
text. ``/metrics`` serves Prometheus counters and latency histograms per
endpoint plus the served index's version, size and last build time; under
``kbsearch serve`` the workers share them through ``PROMETHEUS_MULTIPROC_DIR``.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid

from flask import Blueprint
from flask import Flask
from flask import Response
from flask import g
from flask import has_request_context
from flask import request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Gauge
from prometheus_client import Histogram
from prometheus_client import generate_latest
from prometheus_client import multiprocess
from pythonjsonlogger.json import JsonFormatter

from web.engine import engine

bp = Blueprint("observe", __name__)
log = logging.getLogger("kbsearch.requests")
_GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

REQUESTS = Counter("kbsearch_requests", "Requests answered", ["endpoint", "method", "status"])
LATENCY = Histogram(
    "kbsearch_request_seconds",
    "Time to answer a request",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
DOCUMENTS = Gauge("kbsearch_index_documents", "Documents in the index version being served", multiprocess_mode="max")
BUILD_SECONDS = Gauge(
    "kbsearch_index_build_seconds", "How long the served version took to build", multiprocess_mode="max"
)
VERSION = Gauge("kbsearch_index_info", "1 for the index version being served", ["version"], multiprocess_mode="max")
_served: list[str] = []  # the version this process last reported
BUILT_AT = Gauge(
    "kbsearch_index_built_timestamp", "When the served version was built (unix time)", multiprocess_mode="max"
)


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _handler(log_format: str) -> logging.Handler:
    handler = logging.StreamHandler()
    if log_format == "json":
        fields = ["asctime", "levelname", "name", "message", "request_id"]
        handler.setFormatter(JsonFormatter(fields, rename_fields={"asctime": "time", "levelname": "level"}))
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"))
    handler.addFilter(_RequestId())
    return handler


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    LATENCY.labels(endpoint).observe(seconds)
    response.headers["X-Request-Id"] = g.get("request_id", "")
    log.info(
        "%s %s %s",
        request.method,
        request.path,
        response.status_code,
        extra={"method": request.method, "path": request.path, "status": response.status_code, "ms": seconds * 1000},
    )
    return response


def init_app(app: Flask) -> None:
    handler = _handler(app.config["LOG_FORMAT"])
    for logger in (log, app.logger):
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
    app.before_request(_start)
    app.after_request(_finish)
    app.register_blueprint(bp)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text format."""
    status = engine().status()
    if _served and _served[0] != status.version:
        VERSION.labels(_served.pop()).set(0)
    if not _served:
        _served.append(status.version)
    VERSION.labels(status.version).set(1)
    DOCUMENTS.set(status.documents)
    BUILD_SECONDS.set(status.build_seconds)
    BUILT_AT.set(status.built_timestamp)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest()
    return Response(body, content_type=CONTENT_TYPE_LATEST)
