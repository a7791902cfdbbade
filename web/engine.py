"""Access to the app's engine and the article links it hands out."""

from __future__ import annotations

from flask import current_app

from search.engine import Engine


def engine() -> Engine:
    return current_app.extensions["kbsearch"]


def article_url(url: str) -> str:
    """The article's address on the site: absolute when ``KBSEARCH_SITE_URL`` is set."""
    site = current_app.config["SITE_URL"]
    if not site or "://" in url:
        return url
    return site + url
