"""The Whoosh schemas: what Whoosh writes (stored fields and keys) and what it reads (those, and the scored fields).

The searchable text lives in our own inverted index (``index.inverted``),
which the build writes itself: Whoosh writes only what a result shows, and
indexing its id, url and path as terms would cost a full build about forty
seconds at 200,000 articles. ``index.codec`` then lets Whoosh read the scored
fields from our arrays, under ``read_schema``.
"""

from __future__ import annotations

from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema

from index.analysis import analyzer
from index.inverted import POSITIONAL
from index.inverted import SCORED_FIELDS

# Fields scored by the engine, and how much a match in each is worth.
FIELD_BOOSTS = {
    "question": 6.0,
    "title": 2.0,
    "keywords": 3.0,
    "subject": 2.0,
    "description": 1.0,
    "lead": 2.0,
    "answer": 1.0,
}
# What a result shows, written by Whoosh's W3 codec for each article.
STORED_FIELDS = ("id", "url", "path", "digest", "question", "answer", "keywords", "subject", "date", "related")


def build_schema() -> Schema:
    """What the build hands Whoosh's writer: stored fields only, so Whoosh inverts nothing."""
    return Schema(**dict.fromkeys(STORED_FIELDS, STORED))


def read_schema() -> Schema:
    """What ``whoosh.index.open_dir`` on a version shows: the stored fields, and the scored fields indexed.

    The scored fields carry no boost of their own: give ``FIELD_BOOSTS`` to the
    query (``MultifieldParser(..., fieldboosts=FIELD_BOOSTS)``) as the engine does.
    """
    fields = dict.fromkeys(STORED_FIELDS, STORED)
    for field in SCORED_FIELDS:
        fields[field] = TEXT(analyzer=analyzer(), phrase=field in POSITIONAL, stored=field in STORED_FIELDS)
    return Schema(**fields)
