"""An independent oracle for the engine's fast path: Whoosh's own searcher over the same index version.

For each plain query (one to three words, each one token), this compares:

- the match set and total: the live documents where ``Ranker.alternative``
  (the engine's BM25 of the words, all of them required) scores, against the
  documents Whoosh's searcher finds for Whoosh's own ``MultifieldParser``
  parse of the query (each word in any scored field, every word required),
  Whoosh applying the deletions;
- the facet counts: ``search.facets.subject_counts`` over that match set,
  against Whoosh's ``groupedby`` on the stored subject (spellings of one
  subject joined, as the build does);
- the scores, within float32 rounding: ``Ranker.alternative``'s value, the
  per-clause BM25F of the fast path (``K1``, ``SCALE``, ``B`` per field, ``FIELD_BOOSTS``,
  idf over the union of fields) with none of the engine's presence bonuses,
  proximity or expansions, against ``EngineBM25`` below: a Whoosh
  ``WeightingModel`` computing that formula from Whoosh's statistics alone —
  frequencies from the codec's matcher and Whoosh's postings, each field boost as the
  parser's query boost, lengths from ``doc_field_length``, document frequencies from
  Whoosh's postings; the average lengths are the version's (the last full
  build's, which ``test_a_full_build_averages_what_whoosh_counts`` checks
  against ``field_length / doc_count``).

The queries are words of the articles' questions, alone, in pairs and in
triples, on the real sample and on generated articles after two updates
(three segments, deletions).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import sorting
from whoosh.qparser import MultifieldParser
from whoosh.scoring import BaseScorer
from whoosh.scoring import WeightingModel

from index import docmeta
from index import fields
from index import impacts
from index import versions
from index.analysis import analyzer
from index.fields import ALONE
from index.inverted import SCORED_FIELDS
from index.schema import FIELD_BOOSTS
from search.facets import subject_counts
from search.postings import PostingsStore
from search.ranking import Ranker

MINIMUM_QUERIES = 1_000
# The true constants, read before a test gives the fast path a wrong one.
K1, SCALE, LENGTH_NORMS = impacts.K1, impacts.SCALE, dict(fields.LENGTH_NORMS)


class EngineBM25(WeightingModel):
    """BM25F with an idf over the union of fields, from Whoosh's statistics: a term's boosted, normalised
    frequencies in the fields of a document added, then saturated, plus the question's score on its own.

    Whoosh scores a multifield query field by field and multiplies each by its boost, so each field's
    scorer returns its share of the document's score: in proportion to the field's part of the sum.
    """

    def __init__(self, k1: float, scale: float, b: dict[str, float], averages: dict[str, float], boosts) -> None:
        self.k1 = k1
        self.scale = scale
        self.b = b
        self.averages = averages
        self.boosts = boosts
        self._idf: dict[str, float] = {}
        self._frequencies: dict[tuple[int, str], dict[int, float]] = {}

    def idf(self, searcher, text: str) -> float:
        """From the documents Whoosh's postings hold ``text`` in, in any scored field."""
        if text not in self._idf:
            top = searcher.get_parent()
            reader = top.reader()
            held = set()
            for field in SCORED_FIELDS:
                if (field, text) in reader:
                    held.update(reader.postings(field, text).all_ids())
            documents = top.doc_count()
            self._idf[text] = math.log1p((documents - len(held) + 0.5) / (len(held) + 0.5))
        return self._idf[text]

    def norm(self, searcher, doc: int, field: str) -> float:
        b = self.b.get(field, 0.5)
        return (1 - b) + b * searcher.doc_field_length(doc, field, 0) / max(self.averages[field], 1e-6)

    def frequencies(self, searcher, text: str) -> dict[int, float]:
        """Per document of ``searcher``'s segment: the boosted, normalised frequencies of ``text`` added,
        over the fields that saturate together."""
        key = (id(searcher), text)
        if key not in self._frequencies:
            reader = searcher.reader()
            found: dict[int, float] = {}
            for field in SCORED_FIELDS:
                if field not in ALONE and (field, text) in reader:
                    for doc, tf in reader.postings(field, text).items_as("frequency"):
                        found[doc] = found.get(doc, 0.0) + self.boosts[field] * tf / self.norm(searcher, doc, field)
            self._frequencies[key] = found
        return self._frequencies[key]

    def scorer(self, searcher, fieldname: str, text, qf: float = 1) -> FieldScorer:
        text = text.decode("utf-8") if isinstance(text, bytes) else text
        return FieldScorer(self, searcher, fieldname, text, qf * self.idf(searcher, text))


class FieldScorer(BaseScorer):
    def __init__(self, model: EngineBM25, searcher, fieldname: str, text: str, weight: float) -> None:
        self.model = model
        self.searcher = searcher
        self.fieldname = fieldname
        self.frequencies = model.frequencies(searcher, text)
        self.weight = weight

    def supports_block_quality(self) -> bool:
        return False

    def score(self, matcher) -> float:
        doc, model, tf = matcher.id(), self.model, matcher.weight()
        norm = model.norm(self.searcher, doc, self.fieldname)
        if self.fieldname in ALONE:  # the question saturates on its own; Whoosh multiplies by the boost
            return self.weight * tf / (tf + model.k1 * norm)
        total = self.frequencies[doc]
        share = tf / norm / total  # Whoosh adds the boost
        return self.weight * model.scale * (model.k1 + 1) * total / (model.k1 + total) * share


def plain_queries(questions: list[str], pairs: int) -> list[str]:
    """Single words, then adjacent pairs and triples of words, from ``questions``; each word one plain token."""
    singles, longer = {}, {}
    for question in questions:
        words = [w for w in question.lower().strip("?").split() if w.isalpha()]
        singles.update(dict.fromkeys(words))
        for size in (2, 3):
            for start in range(len(words) - size + 1):
                longer[" ".join(words[start : start + size])] = None
    return list(singles) + list(itertools.islice(longer, pairs))


class Oracle:
    """One version read both ways: the engine's ranker over our postings, and Whoosh's searcher."""

    def __init__(self, index_dir: Path, ranker: Ranker | None = None) -> None:
        self.version = versions.current_version(index_dir)
        self.meta = docmeta.load(self.version)
        self.ranker = ranker or ranker_for(self.version, self.meta)
        self.index = whoosh_index.open_dir(str(self.version))
        self.parser = MultifieldParser(list(FIELD_BOOSTS), self.index.schema, fieldboosts=FIELD_BOOSTS)

    def questions(self) -> list[str]:
        with self.index.searcher() as searcher:
            return [fields["question"] for fields in searcher.all_stored_fields()]

    def differences(self, queries: list[str]) -> list[str]:
        """What differs between the two readers, per query; empty when they agree on everything."""
        found = []
        model = EngineBM25(K1, SCALE, LENGTH_NORMS, self.meta.averages, FIELD_BOOSTS)
        with self.index.searcher(weighting=model) as searcher:
            for text in queries:
                found += [f"{text!r}: {problem}" for problem in self._compare(searcher, text)]
        return found

    def _compare(self, searcher, text: str) -> list[str]:
        terms = tuple(dict.fromkeys(token.text for token in analyzer()(text)))
        ours = self.ranker.alternative(terms)
        keep = self.meta.live[ours.ids]
        ids, scores = ours.ids[keep], ours.values[keep]
        results = searcher.search(self.parser.parse(text), limit=None, groupedby=sorting.StoredFieldFacet("subject"))
        theirs = {hit.docnum: hit.score for hit in results}
        if set(ids.tolist()) != set(theirs) or len(results) != len(ids):
            return [f"{len(ids)} matches against Whoosh's {len(results)}"]
        problems = []
        expected = np.array([theirs[int(doc)] for doc in ids], dtype=np.float64)
        if not np.allclose(scores, expected, rtol=1e-4, atol=1e-5):
            problems.append(f"scores differ by up to {np.abs(scores - expected).max():.5f}")
        if self._facets(ids) != _joined_groups(results.groups(), searcher):
            problems.append("facet counts differ")
        return problems

    def _facets(self, ids: np.ndarray) -> dict[str, int]:
        matched = np.zeros(self.meta.size, dtype=bool)
        matched[ids] = True
        return {value.value.casefold(): value.count for value in subject_counts(self.meta, matched, frozenset())}


def _joined_groups(groups: dict[str, list[int]], searcher) -> dict[str, int]:
    """Whoosh's groups by stored subject, with the spellings of one subject counted together."""
    joined: dict[str, int] = {}
    for subject, docs in groups.items():
        joined[subject.casefold()] = joined.get(subject.casefold(), 0) + len(docs)
    return joined


def ranker_for(version: Path, meta: docmeta.DocMeta, boosts: dict[str, float] = FIELD_BOOSTS) -> Ranker:
    """The ranker the engine builds for a version (``search.engine``)."""
    store = PostingsStore(version, 1 << 24, averages=impacts.averages_of(meta))
    return Ranker(meta, store.parts, boosts, 1 << 24, impacts=store.impacts if boosts == FIELD_BOOSTS else None)


@pytest.fixture(scope="module")
def sample_oracle(sample_index) -> Oracle:
    return Oracle(sample_index)


@pytest.fixture(scope="module")
def generated_oracle(updated_generated_index) -> Oracle:
    return Oracle(updated_generated_index)


def test_a_full_build_averages_what_whoosh_counts(sample_oracle):
    with sample_oracle.index.searcher() as searcher:
        reader, documents = searcher.reader(), searcher.doc_count()
        counted = {field: reader.field_length(field) / documents for field in SCORED_FIELDS}
    assert set(sample_oracle.meta.averages) == set(counted)
    for field, average in counted.items():
        assert sample_oracle.meta.averages[field] == pytest.approx(average, rel=1e-6), field


def test_the_fast_path_agrees_with_whoosh_on_the_real_sample(sample_oracle):
    queries = plain_queries(sample_oracle.questions(), pairs=600)
    assert len(queries) >= MINIMUM_QUERIES
    assert sample_oracle.differences(queries) == []


def test_the_fast_path_agrees_with_whoosh_on_generated_articles_after_updates(generated_oracle):
    queries = plain_queries(generated_oracle.questions()[:600], pairs=900)
    assert len(queries) >= MINIMUM_QUERIES
    assert generated_oracle.differences(queries) == []


def wrong_k1(version: Path, meta: docmeta.DocMeta, monkeypatch) -> Ranker:
    monkeypatch.setattr(impacts, "K1", 1.3)
    return ranker_for(version, meta)


def wrong_scale(version: Path, meta: docmeta.DocMeta, monkeypatch) -> Ranker:
    monkeypatch.setattr(impacts, "SCALE", impacts.SCALE * 1.01)
    return ranker_for(version, meta)


def wrong_answer_b(version: Path, meta: docmeta.DocMeta, monkeypatch) -> Ranker:
    monkeypatch.setitem(fields.LENGTH_NORMS, "answer", 0.7)
    return ranker_for(version, meta)


def wrong_keyword_boost(version: Path, meta: docmeta.DocMeta, monkeypatch) -> Ranker:
    return ranker_for(version, meta, {**FIELD_BOOSTS, "keywords": 2.5})


@pytest.mark.parametrize("bug", [wrong_k1, wrong_scale, wrong_answer_b, wrong_keyword_boost])
def test_a_scoring_bug_in_the_fast_path_is_caught(sample_index, sample_oracle, monkeypatch, bug):
    """A ranker built with one wrong constant disagrees with Whoosh, which is given the true ones."""
    buggy = bug(sample_oracle.version, sample_oracle.meta, monkeypatch)
    found = Oracle(sample_index, buggy).differences(plain_queries(sample_oracle.questions(), pairs=50))
    assert found and all("scores differ" in problem for problem in found)
