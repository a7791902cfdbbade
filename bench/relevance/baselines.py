"""The baselines the relevance benchmark compares against, each in its plainest form.

- SQLite FTS5 (Python's sqlite3): porter + unicode61 tokenizer without
  diacritics, bm25() with our field weights, the query's words OR'ed.
- tantivy (BM25): the ``en_stem`` tokenizer (lower case, Snowball English)
  on every field, our field weights as query-time field boosts, and the
  same OR of quoted words and phrases as FTS5, given to its query parser.
- Whoosh BM25F: porter2 stemming (``LanguageAnalyzer("en")``), the same field
  boosts, a MultifieldParser with OR grouping; nothing else.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import tantivy
from whoosh import index as whoosh_index
from whoosh.analysis import LanguageAnalyzer
from whoosh.fields import ID
from whoosh.fields import TEXT
from whoosh.fields import Schema
from whoosh.qparser import MultifieldParser
from whoosh.qparser import OrGroup

from index.articles import Article
from index.fields import field_texts
from index.schema import FIELD_BOOSTS

# The article's own fields, weighted as kbsearch weights them (kbsearch's derived
# fields, such as the answer's lead, are part of what is being compared).
FIELDS = ["question", "title", "keywords", "subject", "description", "answer"]
BOOSTS = {field: FIELD_BOOSTS[field] for field in FIELDS}


def _values(article: Article) -> dict[str, str]:
    return {field: text for field, text in field_texts(article).items() if field in FIELDS}


def or_of_terms(query: str) -> str:
    """The query's quoted phrases and words, each quoted, OR'ed: valid FTS5 and tantivy syntax for any text.

    Quoting every word keeps what visitors type (``c++``, ``O(n)``, ``AND``,
    ``field:value``) from being read as operators or fields by either parser.
    """
    phrases = re.findall(r'"([^"]+)"', query)
    rest = re.sub(r'"[^"]*"', " ", query)
    parts = ['"' + " ".join(re.findall(r"\w+", p)) + '"' for p in phrases if re.findall(r"\w+", p)]
    parts += ['"' + w + '"' for w in re.findall(r"\w+", rest)]
    return " OR ".join(parts)


class Fts5:
    def __init__(self, articles: list[Article]) -> None:
        self.db = sqlite3.connect(":memory:")
        columns = ", ".join(FIELDS)
        self.db.execute(
            f"CREATE VIRTUAL TABLE docs USING fts5(url UNINDEXED, {columns}, "
            "tokenize='porter unicode61 remove_diacritics 2')"
        )
        rows = [(a.url, *_values(a).values()) for a in articles]
        self.db.executemany(f"INSERT INTO docs VALUES (?, {', '.join('?' for _ in FIELDS)})", rows)
        self.weights = ", ".join(str(BOOSTS[f]) for f in FIELDS)

    match_expression = staticmethod(or_of_terms)  # bench/speed.py times the expression it builds

    def search(self, query: str, limit: int = 10) -> list[str]:
        expression = or_of_terms(query)
        if not expression:
            return []
        rows = self.db.execute(
            f"SELECT url FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, {self.weights}) LIMIT ?",
            (expression, limit),
        )
        return [row[0] for row in rows]

    def close(self) -> None:
        self.db.close()


class Tantivy:
    def __init__(self, articles: list[Article], folder: Path) -> None:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("url", stored=True, tokenizer_name="raw")
        for field in FIELDS:
            builder.add_text_field(field, tokenizer_name="en_stem")
        folder.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(builder.build(), path=str(folder))
        writer = self.index.writer(heap_size=256_000_000, num_threads=2)
        for article in articles:
            writer.add_document(tantivy.Document(url=article.url, **_values(article)))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def search(self, query: str, limit: int = 10) -> list[str]:
        expression = or_of_terms(query)
        if not expression:
            return []
        parsed = self.index.parse_query(expression, FIELDS, field_boosts=BOOSTS)
        hits = self.searcher.search(parsed, limit).hits
        return [self.searcher.doc(address).get_first("url") for _score, address in hits]

    def close(self) -> None:
        # Frees the index's memory maps and caches before the benchmark builds the next engine.
        del self.searcher, self.index


class PlainWhoosh:
    def __init__(self, articles: list[Article], folder: Path) -> None:
        analyzer = LanguageAnalyzer("en")
        schema = Schema(url=ID(stored=True), **{f: TEXT(analyzer=analyzer) for f in FIELDS})
        folder.mkdir(parents=True, exist_ok=True)
        ix = whoosh_index.create_in(str(folder), schema)
        with ix.writer(limitmb=256) as writer:
            for article in articles:
                writer.add_document(url=article.url, **_values(article))
        self.searcher = ix.searcher()
        self.parser = MultifieldParser(FIELDS, schema, fieldboosts=BOOSTS, group=OrGroup)

    def search(self, query: str, limit: int = 10) -> list[str]:
        return [hit["url"] for hit in self.searcher.search(self.parser.parse(query), limit=limit)]

    def close(self) -> None:
        self.searcher.close()
