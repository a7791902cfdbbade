"""A published version is a real Whoosh index: ``whoosh.index.open_dir`` and Whoosh's own searcher work on it.

Every check opens the version with Whoosh as a maintainer would and asks
Whoosh's query objects and searcher; what they find is compared with our
memory-mapped postings (the engine's fast path) or with the articles.
"""

from __future__ import annotations

import csv
import itertools
import re
import shutil
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein
from whoosh import index as whoosh_index
from whoosh import query
from whoosh import scoring
from whoosh import sorting
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC
from whoosh.qparser import MultifieldParser
from whoosh.qparser import OrGroup
from whoosh.query.qcore import QueryError

from common.errors import IndexDamaged
from index import codec
from index import docmeta
from index import versions
from index.analysis import analyzer
from index.articles import read_corpus
from index.build import build
from index.fields import SCORED
from index.fields import field_words
from index.inverted import POSITIONAL
from index.inverted import SCORED_FIELDS
from index.inverted import segment_folders
from index.manifest import read as read_manifest
from index.schema import FIELD_BOOSTS
from index.schema import read_schema
from index.tokens import stem
from search.postings import PostingsStore
from search.postings import phrase_counts
from tests.factory import write_article

QUERIES = Path(__file__).resolve().parents[1] / "bench" / "relevance" / "queries.tsv"


def opened(index_dir: Path):
    return whoosh_index.open_dir(str(versions.current_version(index_dir)))


def store(index_dir: Path) -> PostingsStore:
    return PostingsStore(versions.current_version(index_dir), 1 << 24)


def live_ids(ours: PostingsStore, field: str, term: str, searcher) -> set[int]:
    """Live documents of our postings for ``term`` in ``field``."""
    return {int(d) for d in ours.lookup(field, term).ids if not searcher.reader().is_deleted(int(d))}


def whoosh_docs(searcher, q) -> set[int]:
    return {hit.docnum for hit in searcher.search(q, limit=None)}


def field_terms(index_dir: Path, field: str) -> list[str]:
    """Every term of ``field`` in any segment, read from the term lists the build wrote."""
    terms: set[str] = set()
    for folder in segment_folders(versions.current_version(index_dir)):
        text = (folder / f"{field}.terms").read_text(encoding="utf-8")
        terms.update(text.split("\n") if text else [])
    return sorted(terms)


def test_schema_lists_the_scored_fields_as_indexed(sample_index):
    schema = opened(sample_index).schema
    for field in SCORED_FIELDS:
        assert schema[field].indexed and schema[field].scorable, field
        assert schema[field].format.supports("positions") == (field in POSITIONAL), field
    assert {"question", "answer", "subject", "keywords", "title", "description", "lead"} <= set(SCORED_FIELDS)
    assert all(schema[field].stored for field in ("id", "url", "question", "answer", "subject", "keywords"))


def test_the_analyzer_yields_exactly_the_indexed_tokens(sample_dir):
    """Over every field of every real article: Whoosh's analysis is our index's terms, in place."""
    compared = 0
    for article in read_corpus(sample_dir).articles:
        indexed = field_words(article)
        for field in SCORED:
            words, positions = indexed[field.name]
            expected = [(stem(word), position) for word, position in zip(words, positions, strict=True)]
            analyze = analyzer(field.separator)
            found = [(t.text, t.pos) for t in analyze(field.text(article), positions=True)]
            assert found == expected, (article.path, field.name)
            compared += len(expected)
    assert compared > 90_000


def test_multifield_parser_finds_the_expected_article_in_the_top_10(sample_index):
    """The relevance benchmark's real queries through Whoosh's parser, BM25F and searcher alone."""
    with QUERIES.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    ix = opened(sample_index)
    parser = MultifieldParser(list(FIELD_BOOSTS), ix.schema, fieldboosts=FIELD_BOOSTS, group=OrGroup.factory(0.9))
    with ix.searcher(weighting=scoring.BM25F()) as searcher:
        found = [row["url"] in _urls(searcher, parser.parse(row["query"])) for row in rows]
    assert len(rows) >= 400
    assert sum(found) / len(found) >= 0.9, f"{sum(found)} of {len(found)}"


def _urls(searcher, query) -> set[str]:
    """The hits' addresses; none for a phrase (a query that quotes code) that Whoosh asks of a field without
    positions ("title"), which its parser does not know to leave out."""
    try:
        return {hit["url"] for hit in searcher.search(query)}
    except QueryError:
        return set()


def check_terms(index_dir: Path, fields=SCORED_FIELDS) -> int:
    """Whoosh's postings of every term of ``fields`` equal ours, frequencies and positions included."""
    ours = store(index_dir)
    checked = 0
    with opened(index_dir).searcher() as searcher:
        reader = searcher.reader()
        for field in fields:
            for term in field_terms(index_dir, field):
                postings = ours.lookup(field, term, with_positions=field in POSITIONAL)
                live = [not reader.is_deleted(int(d)) for d in postings.ids]
                expected = [
                    (int(d), int(f)) for d, f, keep in zip(postings.ids, postings.tf, live, strict=True) if keep
                ]
                matcher = reader.postings(field, term) if expected else None
                got = [(d, int(f)) for d, f in matcher.items_as("frequency")] if matcher else []
                assert got == expected, (field, term)
                # Whoosh's term statistics count deleted documents too, as its own codec does.
                assert reader.doc_frequency(field, term) == len(postings.ids), (field, term)
                assert reader.frequency(field, term) == int(postings.tf.sum()), (field, term)
                if expected and field in POSITIONAL:
                    assert _whoosh_positions(reader, field, term) == _our_positions(postings, live), (field, term)
                checked += 1
    return checked


def _whoosh_positions(reader, field: str, term: str) -> list[list[int]]:
    return [list(p) for _d, p in reader.postings(field, term).items_as("positions")]


def _our_positions(postings, live: list[bool]) -> list[list[int]]:
    bounds = list(itertools.accumulate((int(f) for f in postings.tf), initial=0))
    positions = postings.positions.tolist()
    return [positions[a:b] for a, b, keep in zip(bounds, bounds[1:], live, strict=False) if keep]


def test_whoosh_reads_every_posting_of_the_sample_as_we_wrote_it(sample_index):
    assert check_terms(sample_index) > 8_000


def test_whoosh_reads_the_postings_after_updates(updated_generated_index):
    """Three segments, deleted and replaced articles: Whoosh sees exactly the live postings."""
    ix = opened(updated_generated_index)
    assert len(ix._segments()) == 3
    with ix.searcher() as searcher:
        assert searcher.doc_count() == len(read_manifest(versions.current_version(updated_generated_index)))
        assert searcher.reader().has_deletions()
    assert check_terms(updated_generated_index, ("question", "keywords", "subject")) > 1000


def test_term_phrase_prefix_and_fuzzy_queries_match_our_postings(sample_index):
    ours = store(sample_index)
    with opened(sample_index).searcher() as searcher:
        questions = [searcher.stored_fields(d)["question"] for d in range(searcher.doc_count_all())]
        answer_terms = field_terms(sample_index, "answer")
        checked = 0
        for question in questions:
            terms = [t.text for t in analyzer()(question)]
            for first, second in itertools.pairwise(terms):
                docs, _counts = phrase_counts([ours.lookup("answer", t, with_positions=True) for t in (first, second)])
                assert whoosh_docs(searcher, query.Phrase("answer", [first, second])) == set(docs.tolist())
                checked += 1
            word = max(terms, key=len)
            assert whoosh_docs(searcher, query.Term("question", word)) == live_ids(ours, "question", word, searcher)
            prefix = word[:4]
            expected = set().union(
                *(live_ids(ours, "answer", t, searcher) for t in answer_terms if t.startswith(prefix))
            )
            assert whoosh_docs(searcher, query.Prefix("answer", prefix)) == expected, prefix
            near = [t for t in answer_terms if t[:1] == word[:1] and Levenshtein.distance(t, word) <= 1]
            expected = set().union(*(live_ids(ours, "answer", t, searcher) for t in near))
            assert whoosh_docs(searcher, query.FuzzyTerm("answer", word, maxdist=1, prefixlength=1)) == expected
    assert checked > 500


def test_grouped_by_subject(sample_index):
    """Whoosh's ``groupedby`` over the stored subject counts what our postings and the stored fields say."""
    ours = store(sample_index)
    with opened(sample_index).searcher() as searcher:
        subject_of = {d: searcher.stored_fields(d)["subject"] for d in range(searcher.doc_count_all())}
        for word in ("what", "function", "energy", "the", "model"):
            results = searcher.search(query.Term("answer", word), limit=None, groupedby=SUBJECT)
            expected: dict[str, list[int]] = {}
            for doc in sorted(live_ids(ours, "answer", word, searcher)):
                expected.setdefault(subject_of[doc], []).append(doc)
            assert {subject: sorted(docs) for subject, docs in results.groups().items()} == expected, word


def test_highlights_mark_the_query_words_in_the_stored_answer(sample_index):
    with opened(sample_index).searcher() as searcher:
        marked = 0
        for doc in range(0, searcher.doc_count_all(), 4):
            word = stem(max(searcher.stored_fields(doc)["question"].lower().split(), key=len).strip("?.,"))
            for hit in searcher.search(query.Term("answer", word), limit=3):
                shown = re.findall(r'<b class="match term\d+">(.*?)</b>', hit.highlights("answer"))
                assert shown and all(t.text == word for found in shown for t in analyzer()(found)), word
                marked += len(shown)
    assert marked > 50


SUBJECT = sorting.StoredFieldFacet("subject")


def rewrite_segments(version: Path, change) -> None:
    """Write a new table of contents for ``version`` with ``change`` applied to its list of segments."""
    storage = FileStorage(str(version))
    toc = TOC.read(storage, codec.INDEX_NAME, schema=read_schema())
    TOC(toc.schema, change(list(toc.segments)), toc.generation + 1).write(storage, codec.INDEX_NAME)


def delete_one(segments: list) -> list:
    """A deletion that docmeta does not know of."""
    deleted = set(segments[0].deleted_docs())
    segments[0].delete_document(next(doc for doc in range(segments[0].doc_count_all()) if doc not in deleted))
    return segments


@pytest.mark.parametrize(
    "change",
    [pytest.param(lambda s: s[::-1], id="reordered"), pytest.param(lambda s: s[:-1], id="one lost"), delete_one],
)
def test_a_version_whose_document_numbers_disagree_is_refused(updated_generated_index, tmp_path, change):
    version = tmp_path / "version"
    shutil.copytree(versions.current_version(updated_generated_index), version)
    meta = docmeta.load(version)
    codec.check_numbering(version, meta)
    rewrite_segments(version, change)
    with pytest.raises(IndexDamaged):
        codec.check_numbering(version, meta)


def test_a_duplicate_left_out_leaves_no_term_behind(tmp_path):
    """The inverter lists a term of a left-out duplicate with no postings; Whoosh must not see it at all."""
    source = tmp_path / "articles"
    write_article(source, id=1, question="What is alpha?", answer="Alpha is a letter.")
    write_article(source, name="z.md", id=1, question="What is zeppelinium?", answer="Only zeppelinium here.")
    build(source, tmp_path / "index")
    with opened(tmp_path / "index").searcher() as searcher:
        reader = searcher.reader()
        assert searcher.doc_count() == 1
        assert reader.frequency("answer", "zeppelinium") == reader.doc_frequency("answer", "zeppelinium") == 0
        assert not any(term.startswith(b"zeppelin") for term in reader.lexicon("answer"))
        assert searcher.search(query.Prefix("answer", "zeppelin")).is_empty()
        assert dict(reader.most_frequent_terms("answer", 10)) and searcher.search(query.Term("answer", "alpha"))
