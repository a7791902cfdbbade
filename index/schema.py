"""The Whoosh schema: the store of record for each article's shown fields and its unique keys.

The searchable text lives in our own inverted index (``index.inverted``) and
the manifest and ``index.docmeta`` map paths and urls to document numbers, so
Whoosh keeps only what a result shows: indexing its id, url and path as terms
would cost a full build about forty seconds at 200,000 articles.
"""

from __future__ import annotations

from whoosh.fields import STORED
from whoosh.fields import Schema

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


def build_schema() -> Schema:
    return Schema(
        id=STORED,
        url=STORED,
        path=STORED,
        digest=STORED,
        question=STORED,
        answer=STORED,
        keywords=STORED,
        subject=STORED,
        date=STORED,
        related=STORED,
    )
