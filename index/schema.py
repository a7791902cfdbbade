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

from index import fields
from index.analysis import analyzer

# Fields scored by the engine, and how much a match in each is worth.
FIELD_BOOSTS = fields.BOOSTS
# What a result shows, written by Whoosh's W3 codec for each article.
STORED_FIELDS = ("id", "url", "path", "digest", "date", "related", *(f.name for f in fields.SCORED if f.stored))


def build_schema() -> Schema:
    """What the build hands Whoosh's writer: stored fields only, so Whoosh inverts nothing."""
    return Schema(**dict.fromkeys(STORED_FIELDS, STORED))


def read_schema() -> Schema:
    """What ``whoosh.index.open_dir`` on a version shows: the stored fields, and the scored fields indexed.

    The scored fields carry no boost of their own: give ``FIELD_BOOSTS`` to the
    query (``MultifieldParser(..., fieldboosts=FIELD_BOOSTS)``) as the engine does.
    """
    declared = dict.fromkeys(STORED_FIELDS, STORED)
    for field in fields.SCORED:
        declared[field.name] = TEXT(analyzer=analyzer(field.separator), phrase=field.positions, stored=field.stored)
    return Schema(**declared)
