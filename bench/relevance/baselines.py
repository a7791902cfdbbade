"""The baselines the relevance benchmark compares against, each in its plainest form.

- SQLite FTS5 (Python's sqlite3): porter + unicode61 tokenizer without
  diacritics, bm25() with our field weights, the query's words OR'ed.
- tantivy (BM25): the ``en_stem`` tokenizer (lower case, Snowball English)
  on every field, our field weights as query-time field boosts, and the
  same OR of quoted words and phrases as FTS5, given to its query parser.
- Whoosh BM25F: porter2 stemming (``LanguageAnalyzer("en")``), the same field
  boosts, a MultifieldParser with OR grouping; nothing else.

``Fts5Page`` and ``TantivyPage`` are FTS5 and tantivy set up to compute a
whole results page, which bench/speed.py times against kbsearch's: the top 10
urls, a highlighted snippet of each one's answer, and subject counts over
every match.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
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
SNIPPET_CHARS = 240  # about the length of a kbsearch snippet
SUBJECT_BUCKETS = 10_000  # more than any corpus has subjects: tantivy's terms aggregation counts every one exactly


@dataclass(frozen=True)
class Page:
    """One results page: the top hits' urls and highlighted snippets, and subject counts over every match."""

    total: int
    urls: list[str]
    snippets: list[str]
    facets: dict[str, int]


NO_PAGE = Page(0, [], [], {})  # a query of no word: neither FTS5 nor tantivy can search it


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


class Fts5Page(Fts5):
    """FTS5 with each article's subject in a table beside it, to count the subjects of a query's matches."""

    def __init__(self, articles: list[Article]) -> None:
        super().__init__(articles)
        self.db.execute("CREATE TABLE subjects(url TEXT PRIMARY KEY, subject TEXT)")
        self.db.executemany("INSERT INTO subjects VALUES (?, ?)", [(a.url, a.subject) for a in articles])
        self.answer_column = 1 + FIELDS.index("answer")  # the url is column 0

    def page(self, query: str, limit: int = 10) -> Page:
        expression = or_of_terms(query)
        if not expression:
            return NO_PAGE
        hits = self.db.execute(
            f"SELECT url, snippet(docs, {self.answer_column}, '<mark>', '</mark>', '…', 40) FROM docs "
            f"WHERE docs MATCH ? ORDER BY bm25(docs, 0, {self.weights}) LIMIT ?",
            (expression, limit),
        ).fetchall()
        facets = self.db.execute(
            "SELECT s.subject, count(*) FROM docs JOIN subjects s ON s.url = docs.url "
            "WHERE docs MATCH ? GROUP BY s.subject",
            (expression,),
        ).fetchall()
        return Page(sum(n for _, n in facets), [url for url, _ in hits], [text for _, text in hits], dict(facets))


class Tantivy:
    STORED: frozenset[str] = frozenset()  # of FIELDS, besides the url: none, a ranking needs none

    def __init__(self, articles: list[Article], folder: Path, heap_size: int = 256_000_000, threads: int = 2) -> None:
        """:param heap_size: bytes the writer buffers in all, split between its ``threads``."""
        folder.mkdir(parents=True, exist_ok=True)
        self.schema = self._schema()
        self.index = tantivy.Index(self.schema, path=str(folder))
        writer = self.index.writer(heap_size=heap_size, num_threads=threads)
        for article in articles:
            writer.add_document(self._document(article))
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def _fields(self) -> tantivy.SchemaBuilder:
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("url", stored=True, tokenizer_name="raw")
        for field in FIELDS:
            builder.add_text_field(field, stored=field in self.STORED, tokenizer_name="en_stem")
        return builder

    def _schema(self) -> tantivy.Schema:
        return self._fields().build()

    @staticmethod
    def _document(article: Article) -> tantivy.Document:
        return tantivy.Document(url=article.url, **_values(article))

    def _parse(self, query: str) -> tantivy.Query | None:
        expression = or_of_terms(query)
        return self.index.parse_query(expression, FIELDS, field_boosts=BOOSTS) if expression else None

    def search(self, query: str, limit: int = 10) -> list[str]:
        parsed = self._parse(query)
        if parsed is None:
            return []
        hits = self.searcher.search(parsed, limit).hits
        return [self.searcher.doc(address).get_first("url") for _score, address in hits]

    def close(self) -> None:
        # Frees the index's memory maps and caches before the benchmark builds the next engine.
        del self.searcher, self.index


class TantivyPage(Tantivy):
    """tantivy with the answer stored, for snippets, and the subject as a fast field, for counting.

    tantivy-py has no facet collector; its terms aggregation over a fast
    ``raw`` field counts the subjects of every match in one pass, as
    tantivy's facet counts would.
    """

    STORED = frozenset({"answer"})

    def _schema(self) -> tantivy.Schema:
        builder = self._fields()
        builder.add_text_field("subject_value", tokenizer_name="raw", fast=True)  # the whole subject, one term
        return builder.build()

    @staticmethod
    def _document(article: Article) -> tantivy.Document:
        return tantivy.Document(url=article.url, subject_value=article.subject, **_values(article))

    def page(self, query: str, limit: int = 10) -> Page:
        parsed = self._parse(query)
        if parsed is None:
            return NO_PAGE
        found = self.searcher.search(parsed, limit)
        docs = [self.searcher.doc(address) for _score, address in found.hits]
        # Made per query: it holds the query's terms and their weights, for picking the best fragment.
        snippets = tantivy.SnippetGenerator.create(self.searcher, parsed, self.schema, "answer")
        snippets.set_max_num_chars(SNIPPET_CHARS)
        counts = self.searcher.aggregate(
            parsed, {"subjects": {"terms": {"field": "subject_value", "size": SUBJECT_BUCKETS}}}
        )
        return Page(
            found.count,
            [doc.get_first("url") for doc in docs],
            [snippets.snippet_from_doc(doc).to_html() for doc in docs],
            {bucket["key"]: bucket["doc_count"] for bucket in counts["subjects"]["buckets"]},
        )


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
