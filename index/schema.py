"""The Whoosh schema: what is searchable, what is stored for a result."""

from __future__ import annotations

from whoosh.fields import ID
from whoosh.fields import STORED
from whoosh.fields import TEXT
from whoosh.fields import Schema

from index.analysis import english
from index.analysis import prefixes

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
    stemmed = english()
    return Schema(
        id=ID(stored=True, unique=True),
        url=ID(stored=True, unique=True),
        path=ID(stored=True),
        digest=STORED,
        question=TEXT(analyzer=stemmed, stored=True, phrase=True),
        answer=TEXT(analyzer=stemmed, stored=True, phrase=True),
        # The answer's opening, which in a Q&A article names what the article is about.
        lead=TEXT(analyzer=stemmed, phrase=False),
        title=TEXT(analyzer=stemmed, phrase=False),
        description=TEXT(analyzer=stemmed, phrase=False),
        keywords=TEXT(analyzer=stemmed, stored=True, phrase=True),
        subject=TEXT(analyzer=stemmed, stored=True, phrase=False),
        date=STORED,
        related=STORED,
        question_prefix=TEXT(analyzer=prefixes(), phrase=False),
    )
