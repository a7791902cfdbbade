"""The search page: works without JavaScript, one request per search."""

from __future__ import annotations

from flask import Blueprint
from flask import render_template
from flask import request
from flask import url_for

from search.engine import MAX_PAGE
from search.engine import RELATED_HITS
from web.analytics import record_search
from web.engine import article_url
from web.engine import engine
from web.params import SearchParams
from web.params import search_params

bp = Blueprint("pages", __name__)

PAGE_WINDOW = 2  # page links shown on each side of the current page


def search_url(params: SearchParams, **changes) -> str:
    """The page's address with some parameters changed; paging restarts unless given."""
    values = {"q": params.q, "subject": list(params.subjects), "page": 1, "per_page": params.per_page}
    values.update(changes)
    if values["per_page"] == 10:
        del values["per_page"]
    if values["page"] == 1:
        del values["page"]
    return url_for("pages.search", **{k: v for k, v in values.items() if v not in ("", [])})


def toggle_subject(params: SearchParams, value: str) -> str:
    chosen = [s for s in params.subjects if s.casefold() != value.casefold()]
    if len(chosen) == len(params.subjects):
        chosen.append(value)
    return search_url(params, subject=chosen)


def page_numbers(page: int, pages: int) -> list[int | None]:
    """Page links to show, with ``None`` for a gap: 1 … 4 5 [6] 7 8 … 20."""
    shown = {1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)}
    numbers: list[int | None] = []
    for n in sorted(shown):
        if numbers and n - (numbers[-1] or 0) > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers


@bp.get("/")
def search():
    """Results, facets and paging for ``?q=&subject=&page=``."""
    params = search_params(request.args, related=RELATED_HITS)  # the page shows them under its first hits
    result = engine().search(params.q, params.subjects, params.page, params.per_page, params.related)
    search_id = record_search(params, result, typing=request.args.get("typing") == "1") if params.q else None
    return render_template(
        "search.html",
        params=params,
        result=result,
        search_id=search_id,
        article_url=article_url,
        search_url=search_url,
        toggle_subject=toggle_subject,
        page_numbers=page_numbers(result.page, min(result.pages, MAX_PAGE)),
    )
