"""Recording searches and clicks, and the maintainers' analytics page.

Recording is on unless ``KBSEARCH_ANALYTICS`` is false; the page at
``/admin/analytics`` exists only when ``KBSEARCH_ADMIN_TOKEN`` is set, and
asks for it as ``Authorization: Bearer TOKEN`` or ``?token=TOKEN``.
"""

from __future__ import annotations

import hmac
import json
import re
import time

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request

from search.analytics import Click
from search.analytics import Recorder
from search.analytics import Search
from search.analytics import new_search_id
from search.analytics import normalise
from search.engine import SearchResult
from search.reports import report
from web.params import SearchParams

bp = Blueprint("analytics", __name__)

MAX_RANK = 5000
MAX_CLICK_BYTES = 4096
_SEARCH_ID = re.compile(r"[0-9a-f]{16}")


def recorder() -> Recorder | None:
    return current_app.extensions.get("kbsearch_analytics")


def record_search(params: SearchParams, result: SearchResult, typing: bool = False) -> str | None:
    """Queue the search (first pages only: paging is not a new search); its id, for clicks."""
    found = recorder()
    if found is None or params.page != 1:
        return None
    search_id = new_search_id()
    subjects = ",".join(sorted(normalise(s) for s in params.subjects))
    found.record(
        Search(
            search_id,
            time.time(),
            normalise(params.q),
            subjects,
            result.total,
            result.corrected,
            result.relaxed is not None,
            result.took_ms,
            typing,
        )
    )
    return search_id


@bp.post("/api/click")
def click():
    """A result was opened: ``{"search_id", "rank", "url"}``, sent with ``navigator.sendBeacon``."""
    found = recorder()
    if (request.content_length or 0) > MAX_CLICK_BYTES:
        abort(413, "a click is a few hundred bytes")
    try:
        data = json.loads(request.get_data(cache=False, as_text=True) or "{}") if not request.form else request.form
        search_id, rank, url = str(data["search_id"]), int(data["rank"]), str(data["url"])
    except (ValueError, KeyError, TypeError):
        abort(400, "expected search_id, rank and url")
    if not _SEARCH_ID.fullmatch(search_id) or not 1 <= rank <= MAX_RANK or len(url) > 2000:
        abort(400, "expected search_id, rank and url")
    if found is not None:
        found.record(Click(search_id, time.time(), rank, url))
    return "", 204


def _authorised() -> bool:
    token = current_app.config.get("ADMIN_TOKEN") or ""
    if not token:
        abort(404)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or request.args.get("token", "")
    return hmac.compare_digest(given.encode(), token.encode())


@bp.get("/admin/analytics")
def admin():
    """Top searches, searches that found nothing or got no click, click-through, slowest, searches per day."""
    if not _authorised():
        abort(401, "This page needs the admin token.")
    days = request.args.get("days", "30")
    days = int(days) if days.isdigit() and 0 < int(days) <= 3650 else 30
    found = recorder()
    if found is not None:
        found.flush(timeout=2)
    data = report(current_app.config["ANALYTICS_PATH"], days)
    peak = max((row["searches"] for row in data.per_day), default=0)
    return render_template("admin_analytics.html", report=data, peak=peak, days=days)
