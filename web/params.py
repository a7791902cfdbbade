"""Validate query-string parameters shared by the search page and the API."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.datastructures import MultiDict

from search.engine import MAX_PAGE
from search.engine import MAX_PER_PAGE
from search.engine import RELATED_HITS
from search.query import MAX_QUERY_CHARS

MAX_SUBJECTS = 20
MAX_SUGGESTIONS = 20


class BadParameter(ValueError):
    """A parameter a client must fix; the message says how."""


@dataclass(frozen=True)
class SearchParams:
    q: str
    subjects: tuple[str, ...]
    page: int
    per_page: int
    related: int  # how many of the first hits carry their related questions


def _integer(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(f"'{name}' must be a whole number, not {raw[:40]!r}") from None
    if not low <= value <= high:
        raise BadParameter(f"'{name}' must be between {low} and {high}")
    return value


def require_utf8() -> None:
    """Refuse a query string that is not UTF-8 (run before every request).

    Werkzeug keeps such bytes as the text "%FF", which would be searched as the word "FF".
    """
    try:
        unquote_to_bytes(request.query_string.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        raise BadParameter("the query string is not UTF-8: percent-encode text as UTF-8 bytes") from None


def query_text(args: MultiDict) -> str:
    return typed_text(args).strip()


def typed_text(args: MultiDict) -> str:
    """``q`` as typed so far: a space at its end says the last word is finished ("how does a ")."""
    q = args.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(f"'q' is limited to {MAX_QUERY_CHARS} characters")
    return q.replace("\x00", " ").lstrip()  # control characters are no text; searched as a space


def subject_values(args: MultiDict) -> tuple[str, ...]:
    """The ``subject`` values asked for, each filtering to one subject."""
    subjects = tuple(s.strip() for s in args.getlist("subject") if s.strip())
    if len(subjects) > MAX_SUBJECTS or any(len(s) > 200 for s in subjects):
        raise BadParameter(f"at most {MAX_SUBJECTS} 'subject' values of up to 200 characters")
    return subjects


def search_params(args: MultiDict, related: int = 0) -> SearchParams:
    """:param related: how many of the first hits carry related questions unless ``related`` in ``args`` says."""
    return SearchParams(
        q=query_text(args),
        subjects=subject_values(args),
        page=_integer(args, "page", 1, 1, MAX_PAGE),
        per_page=_integer(args, "per_page", 10, 1, MAX_PER_PAGE),
        related=_integer(args, "related", related, 0, RELATED_HITS),
    )


def suggest_limit(args: MultiDict) -> int:
    return _integer(args, "limit", 8, 1, MAX_SUGGESTIONS)
