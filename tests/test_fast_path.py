"""The fast path against a straightforward recomputation on a small index.

The index holds generated articles after a full build and an incremental
update (so two segments and deleted documents). The reference re-tokenizes
every article from its file with the general tokenizer, counts terms and
positions in dictionaries, and scores queries document by document with
dense arrays, as the engine did before it scored sparsely.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pytest

from bench.generate import article_path
from bench.generate import generate
from index import docmeta
from index import fields
from index import impacts
from index import manifest
from index import versions
from index.articles import read_corpus
from index.build import build
from index.fields import SCORED
from index.inverted import FIELDS
from index.inverted import PREFIX_MAX
from index.schema import FIELD_BOOSTS
from index.tokens import stem
from index.tokens import tokenize
from index.tokens import tokenize_entries
from index.update import update
from search import ranking
from search import related
from search import snippets
from search.engine import Engine
from search.query import Alternative
from search.query import parse

QUERIES = [
    "algorithm",
    "theory of the matrix",
    "network protocol security",
    "eigenvalue decompostion",
    "cnn training",  # a synonym's words, most of which count
    "virtual private network security",  # words that are a synonym entry
    '"linear regression"',
    "data -model",
    "the",
    "qzxv",
    "cov(x,y) = e[xy] - e[x]e[y]",  # notation: letters score without a bonus
    "x y",  # nothing but notation: the letters are what is asked
]


@dataclass
class Reference:
    postings: dict[tuple[str, str], dict[int, list[int]]]  # (field, term) -> docnum -> positions
    subject: dict[int, str]


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    source = tmp_path_factory.mktemp("fast-src")
    generate(source, 300, workers=1)
    index_dir = tmp_path_factory.mktemp("fast-index")
    build(source, index_dir, procs=2)
    for number in range(1, 41, 4):  # change ten, delete five
        path = article_path(source, number)
        path.write_text(path.read_text().replace("\nsubject:", " Changed words: eigenvalue network.\nsubject:", 1))
    for number in range(100, 150, 10):
        article_path(source, number).unlink()
    update(source, index_dir)
    return source, index_dir


@pytest.fixture(scope="module")
def reference(updated) -> Reference:
    source, index_dir = updated
    indexed = manifest.read(versions.current_version(index_dir))
    postings: dict = {}
    subject = {}
    for article in read_corpus(source).articles:
        docnum = indexed[article.path].docnum
        subject[docnum] = article.subject
        for field in SCORED:
            for word, position, _start, _end in tokenize_entries(field.text(article), field.separator):
                postings.setdefault((field.name, stem(word)), {}).setdefault(docnum, []).append(position)
        for word, *_ in tokenize(article.question):
            for size in range(1, min(len(word), PREFIX_MAX) + 1):
                postings.setdefault(("question_prefix", word[:size]), {}).setdefault(docnum, []).append(0)
    return Reference(postings, subject)


@pytest.fixture(scope="module")
def engine(updated):
    with Engine(updated[1], result_cache=0) as opened:
        yield opened


def test_index_has_two_segments_and_deletions(engine):
    version = engine._current()
    assert len(version.postings._segments) == 2
    assert not version.meta.live.all()


def test_every_posting_matches_a_recount(engine, reference):
    store = engine._current().postings
    for (field, term), docs in reference.postings.items():
        found = store.lookup(field, term, with_positions=True)
        live = engine._current().meta.live[found.ids]
        ids, tf = found.ids[live], found.tf[live]
        assert ids.tolist() == sorted(docs), (field, term)
        assert tf.tolist() == [len(docs[d]) for d in sorted(docs)], (field, term)
        if field in ("question", "keywords", "answer"):
            owners = np.repeat(found.ids, found.tf.astype(np.int64))
            kept = found.positions[np.isin(owners, ids)].tolist()
            assert kept == [p for d in sorted(docs) for p in docs[d]], (field, term)
    assert all(field in FIELDS for field, _ in reference.postings)


def test_every_word_of_a_live_article_is_found_and_no_other(engine, reference):
    """``Ranker.finds`` reads each segment's postings as they are, not joined: a recount of the live articles says."""
    ranker = engine._current().ranker
    held = {term for (field, term), docs in reference.postings.items() if field in FIELD_BOOSTS and docs}
    assert len(held) > 500
    assert all(ranker.finds(Alternative((term,))) for term in held)
    assert not any(ranker.finds(Alternative((term,))) for term in ("qzxv", "zzyzx", "eigenvaluez"))


def _lengths(reference: Reference, size: int) -> dict[str, np.ndarray]:
    lengths = {field: np.zeros(size, dtype=np.float32) for field in FIELD_BOOSTS}
    for (field, _term), docs in reference.postings.items():
        if field in lengths:
            for doc, positions in docs.items():
                lengths[field][doc] += len(positions)
    return lengths


def _dense_score(reference: Reference, meta: docmeta.DocMeta, clauses, phrase_counts) -> tuple[np.ndarray, np.ndarray]:
    """The ranking key and match set, one dense array per term, as the unoptimised engine computed them."""
    size = meta.size
    live = meta.live
    lengths = _lengths(reference, size)
    documents = int(live.sum())

    def norm(field, slowdown=1.0):
        b = fields.LENGTH_NORMS[field]
        average = meta.averages[field]  # the last full build's (tests/test_impacts.py)
        return slowdown * ((1 - b) + b * lengths[field] / average)

    def saturated(frequency):  # BM25F: the fields' boosted, normalised frequencies added, then saturated
        return impacts.SCALE * (impacts.K1 + 1) * frequency / (impacts.K1 + frequency)

    def idf(present):
        df = int(np.count_nonzero(present & live))
        return np.log1p((documents - df + 0.5) / (df + 0.5))

    def term_score(term):
        weight, alone, present = np.zeros(size), np.zeros(size), np.zeros(size, dtype=bool)
        for field, boost in FIELD_BOOSTS.items():
            for doc, positions in reference.postings.get((field, term), {}).items():
                tf = len(positions)
                if field in fields.ALONE:
                    alone[doc] += boost * tf / (tf + impacts.K1 * norm(field)[doc])
                else:
                    weight[doc] += boost * tf / norm(field)[doc]
                present[doc] = True
        return (saturated(weight) + alone) * idf(present), present

    total = np.zeros(size)
    content = np.zeros(size, dtype=bool)
    bonus = np.zeros(size)
    asked = [not c.filler and not all(len(w) == 1 for w in c.words) for c in clauses]
    asked = asked if any(asked) else [not c.filler for c in clauses]
    for clause, counted in zip(clauses, asked, strict=True):
        best, whole, whole_exactly = np.zeros(size), np.zeros(size, dtype=bool), np.zeros(size, dtype=bool)
        if clause.quoted:
            held_alone = np.zeros(size)
            for field, counts in phrase_counts(clause).items():
                slowdown = ranking.PHRASE_ANSWER_SLOWDOWN if field == "answer" else 1.0
                if field in fields.ALONE:
                    held_alone += FIELD_BOOSTS[field] * counts / (counts + impacts.K1 * norm(field, slowdown))
                else:
                    best += FIELD_BOOSTS[field] * counts / norm(field, slowdown)
                whole |= counts > 0
            best = (saturated(best) + held_alone) * idf(whole)
            whole_exactly = whole
        for alternative in () if clause.quoted else clause.alternatives:
            scores, held = np.zeros(size), np.zeros(size, dtype=int)
            for term in alternative.terms:
                term_scores, term_present = term_score(term)
                scores += term_scores
                held += term_present
            all_terms = held == len(alternative.terms)
            # A synonym's words match where most of them occur, for a share of their score, and whole only where all do.
            found = held * 2 > len(alternative.terms) if alternative.synonym else all_terms
            if alternative.synonym:
                scores = np.where(all_terms, scores, scores * ranking.APART_SHARE)
            best = np.maximum(best, np.where(found, scores, 0) * alternative.weight)
            whole |= all_terms
            whole_exactly |= all_terms if alternative.exact else False
        total += best
        if not clause.filler:
            content |= best > 0
        if counted:
            worth = ranking.PRESENCE + ranking.PRESENCE_PER_IDF * idf(whole)
            bonus += worth * whole + worth * ranking.EXACT_SHARE * whole_exactly
    return bonus + total, content & live


def _reference_phrases(reference: Reference, size: int):
    def counts(clause):
        found = {}
        for field in ("question", "keywords", "answer"):
            array = np.zeros(size)
            first = reference.postings.get((field, clause.literal[0]), {})
            for doc, positions in first.items():
                for start in positions:
                    following = (
                        start + i in reference.postings.get((field, term), {}).get(doc, ())
                        for i, term in enumerate(clause.literal[1:], 1)
                    )
                    array[doc] += all(following)
            found[field] = array
        return found

    return counts


@pytest.mark.parametrize("text", QUERIES)
def test_scores_match_a_dense_recomputation(engine, reference, text):
    version = engine._current()
    query = engine._expand(version, parse(text))
    fast = version.ranker.score(query.clauses, version.phrase_fields)
    key, matched = _dense_score(
        reference, version.meta, query.clauses, _reference_phrases(reference, version.meta.size)
    )
    assert np.array_equal(fast.matched, matched)
    assert np.allclose(fast.key[matched], key[matched], rtol=0, atol=1e-3)


def _reference_docs(reference: Reference, clause, size: int) -> np.ndarray:
    """Where any alternative of ``clause`` has all its terms, in any scored field."""
    found = np.zeros(size, dtype=bool)
    for alternative in clause.alternatives:
        docs = [
            {d for field in FIELD_BOOSTS for d in reference.postings.get((field, t), {})} for t in alternative.terms
        ]
        found[list(set.intersection(*docs))] = True
    return found


@pytest.mark.parametrize("text", QUERIES)
def test_totals_and_facets_match_a_recount(engine, reference, text):
    version = engine._current()
    size = version.meta.size
    query = engine._expand(version, parse(text))
    phrases = _reference_phrases(reference, size)
    _, matched = _dense_score(reference, version.meta, query.clauses, phrases)
    for clause in query.clauses:
        if clause.quoted:
            matched &= np.logical_or.reduce([counts > 0 for counts in phrases(clause).values()])
    for clause in query.excluded:
        matched &= ~_reference_docs(reference, clause, size)
    result = engine.search(text)
    assert not result.corrected
    assert result.total == int(np.count_nonzero(matched))
    expected = Counter(reference.subject[int(d)] for d in np.flatnonzero(matched))
    assert {f.value: f.count for f in result.facets} == dict(expected)


def test_every_live_url_finds_its_document(engine, updated):
    version = engine._current()
    indexed = manifest.read(versions.current_version(updated[1]))
    assert len(indexed) == int(version.meta.live.sum())
    for _path, entry in indexed.items():
        assert version.meta.find_url(entry.url) == entry.docnum
        assert version.stored(entry.docnum)["url"] == entry.url


def _reference_related(version, docnum: int, count: int = 3) -> list[int]:
    """Nearest articles by the cosine of weighted key terms, computed against every live article."""
    neighbours, meta = version.neighbours, version.meta
    mine = neighbours.terms(docnum)
    found = []
    for other in np.flatnonzero(meta.live):
        theirs = neighbours.terms(int(other))
        shared = mine.keys() & theirs.keys()
        if other == docnum or not shared:
            continue
        cosine = sum(mine[t] ** 2 for t in shared) / np.sqrt(
            sum(w * w for w in mine.values()) * sum(w * w for w in theirs.values())
        )
        strong = len(shared) >= related.CROSS_SUBJECT_TERMS and cosine >= related.CROSS_SUBJECT
        if meta.subject[other] == meta.subject[docnum] or strong:
            found.append((-round(cosine, 9), int(other)))
    return [other for _key, other in sorted(found)[:count]]


def test_related_match_a_dense_recomputation(engine):
    version = engine._current()
    live = np.flatnonzero(version.meta.live)
    assert len(live) > 250
    for docnum in live:
        found = [other for other, _nearness in version.neighbours.nearest(int(docnum), {int(docnum)}, 3)]
        assert found == _reference_related(version, int(docnum)), docnum


def _reference_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    """Every token of the whole text whose stem is a term, the widest at each start."""
    widest: dict[int, int] = {}
    for word, _position, start, end in tokenize(text):
        if stem(word) in terms:
            widest[start] = max(end, widest.get(start, end))
    return sorted(widest.items())


SPECIAL_TEXTS = [
    "Self-esteem and self esteem differ. In C++ and C#, O(n log n) sorts; a /16 network.",
    "Naïve Bayes is a naive, non-deterministic model: nondeterministic in Zürich.",
    "Use node.js (or .NET) for the e-mail server; email it.\nNext line - a dash.",
    "Reject H_0 when x_i is far out; 10.0.0.0/8 is private.",
    # Plain text: words between quotes, brackets and stops, and runs that are not one word.
    "\"Quoted\" (bracketed) [listed], {set}; 'single' end. It's e.g. x.y or 3.14 and/or (a)... done!?",
]


def test_snippet_spans_match_tokenizing_the_whole_text(updated):
    texts = [a.answer_text for a in read_corpus(updated[0]).articles[:120]] + SPECIAL_TEXTS
    rng = random.Random(5)
    checked = 0
    for text in texts:
        words = [word for word, *_ in tokenize(text)]
        for size in (1, 2, 3):
            terms = frozenset(stem(w) for w in rng.sample(words, min(size, len(words))))
            expected = _reference_spans(text, terms)
            assert [(s.start, s.end) for s in snippets.term_spans(text, terms)] == expected, (text[:40], terms)
            checked += bool(expected)
    joined = " ".join(SPECIAL_TEXTS)
    for terms in (
        {"selfesteem"},
        {"c++", "o(n log n)"},
        {"naiv"},
        {"email", "node.js"},
        {"nondeterminist"},
        {"h0"},
        {"8"},
    ):
        found = [(s.start, s.end) for s in snippets.term_spans(joined, frozenset(terms))]
        assert found and found == _reference_spans(joined, frozenset(terms)), terms
    assert checked > 300


def test_sentence_of_each_word_matches_splitting_the_whole_text(updated):
    texts = [a.answer_text for a in read_corpus(updated[0]).articles[:60]] + SPECIAL_TEXTS
    texts.append("Pi is 3.14, e.g. roughly.  Next: one!\n\n  indented code ?x\nend")
    for text in texts:
        checked = set()
        for sentence in snippets._sentences(text):
            for _word, _position, start, _end in tokenize(text[sentence[0] : sentence[1]]):
                assert snippets._sentence_at(text, sentence[0] + start) == sentence, (text[:40], sentence)
                checked.add(sentence[0] + start)
        # Every word of the text was checked: no sentence lost, none cut through a word.
        assert checked == {start for _word, _position, start, _end in tokenize(text)}, text[:40]
