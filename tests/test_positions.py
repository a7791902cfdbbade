"""Where the proximity ranking finds a word: read segment by segment, checked against tokenizing the article."""

from __future__ import annotations

import random
from collections import defaultdict

import numpy as np

from index.articles import read_corpus
from index.fields import SCORED
from index.fields import field_texts
from index.inverted import segment_folders
from index.postings import Postings
from index.tokens import stem
from index.tokens import tokenize_entries
from search.engine import Engine
from search.postings import Positional


def _where(text: str, separator: str | None) -> dict[str, list[int]]:
    """By the general tokenizer, line by line where the field's entries are lines (the answer's)."""
    found: dict[str, list[int]] = defaultdict(list)
    for word, place, _start, _end in tokenize_entries(text, separator):
        found[stem(word)].append(place)
    return found


def _per_document(where: dict[str, tuple[np.ndarray, np.ndarray]], rows: int) -> list[dict[str, list[int]]]:
    found: list[dict[str, list[int]]] = [defaultdict(list) for _ in range(rows)]
    for term, (owners, positions) in where.items():
        for row, position in zip(owners.tolist(), positions.tolist(), strict=True):
            found[row][term].append(position)
    return [dict(where) for where in found]


def test_positions_over_three_segments_are_those_of_the_articles_texts(updated_generated_index):
    articles = {a.url: a for a in read_corpus(updated_generated_index.parent / "articles").articles}
    rng = random.Random(3)
    with Engine(updated_generated_index, semantic=False) as engine, engine._using() as version:
        assert len(segment_folders(version.path)) == 3
        live = [int(d) for d in np.flatnonzero(version.meta.live)]
        # Unsorted, as ranked, and from every segment (the last ones hold the changed articles).
        docs = np.array(rng.sample(live, 150) + live[-20:])
        for field in ("question", "answer"):
            separator = next(f.separator for f in SCORED if f.name == field)
            expected = [_where(field_texts(articles[version.urls[int(d)]])[field], separator) for d in docs]
            vocabulary = sorted({term for where in expected for term in where})
            terms = set(rng.sample(vocabulary, 60)) | {stem("the"), stem("what")}
            found = _per_document(version.positions(terms, field, docs), len(docs))
            assert found == [{t: w[t] for t in terms if t in w} for w in expected], field
            assert sum(map(len, found)) > len(docs)  # most articles hold some of the words


def test_positions_found_from_kept_sums_are_those_of_summing_every_count():
    rng = np.random.default_rng(5)
    for size in (1, 63, 64, 65, 129, 1_023, 1_024, 1_025, 5_000):  # each posting summed, and blocks of them
        tf = rng.integers(1, 40, size).astype(np.uint16)
        positions = np.arange(int(tf.sum()), dtype=np.uint32)
        part = Positional.of(Postings(np.arange(size, dtype=np.int32), tf, positions))
        ends = np.cumsum(tf, dtype=np.int64)
        at = np.unique(np.concatenate((rng.integers(0, size, 50), [0, size - 1])))
        expected = [positions[end - count : end].tolist() for end, count in zip(ends[at], tf[at], strict=True)]
        counts, found = part.positions(at)
        assert counts.tolist() == tf[at].tolist(), size
        assert found.tolist() == [p for each in expected for p in each], size
