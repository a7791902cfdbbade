"""Access to the app's engine and the article links it hands out."""

from __future__ import annotations

from flask import current_app

from search.engine import Engine
from search.engine import absolute_url


def engine() -> Engine:
    return current_app.extensions["kbsearch"]


def article_url(url: str) -> str:
    """The article's address on the site: absolute when ``KBSEARCH_SITE_URL`` is set."""
    return absolute_url(url, current_app.config["SITE_URL"])
