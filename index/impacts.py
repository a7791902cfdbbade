"""Impacts: each common term's BM25 before its idf, over every scored field, kept by the build.

A query scores a term by adding its boosted, length-normalised frequency in six fields per
document and saturating the sum (BM25F), then adding the question's own saturated score. For a
word in 1,000 to 50,000 of 200,000 articles that took 0.4-0.7 ms the first time a server process
met it: most of a cold query's scoring.
The scores depend only on the documents' field lengths and the mean lengths of the last
full build (``DocMeta.averages``, which an update keeps), so the build writes them for
every term with at least ``MIN_POSTINGS`` postings in a segment, and servers map them.
A segment's impacts are the scores the engine makes itself, to the bit: per document,
each field's float32 part added in float64 in field order, rounded to float32 and saturated;
then the question's float32 score added in float64, and rounded to float32.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from index import fields
from index import mapped
from index.docmeta import DocMeta
from index.postings import IMPACT_AVERAGES
from index.postings import IMPACT_IDS
from index.postings import IMPACT_STARTS
from index.postings import IMPACT_TERMS
from index.postings import IMPACT_VALUES
from index.postings import Segment

K1 = 1.2
# BM25's largest value (before its idf) is SCALE * (K1 + 1): chosen on the relevance benchmark's tune
# queries against the presence bonus (``search.ranking.PRESENCE``); 3 to 5 ranked alike at 20,000 and
# 200,000 articles, 7 and above cost keyword phrases, 2 and below paraphrases.
SCALE = 4.0
MIN_POSTINGS = 1000  # over the scored fields of one segment: rarer terms cost less to sum than to keep
# Every so many documents summed, the build gives back the pages of postings it read: mapped, they
# counted in its resident size, and reading every common term's added 240 MB to its peak at 200,000 articles.
RELEASE_EVERY = 2_000_000


def norms(meta: DocMeta, boosts: Mapping[str, float]) -> dict[str, np.ndarray]:
    """Each document's length norm, for each field of ``boosts`` that the version has, in their order."""
    found = {}
    for field in boosts:
        if field in meta.lengths:
            b = fields.LENGTH_NORMS[field]
            found[field] = ((1.0 - b) + b * meta.lengths[field] / max(meta.averages[field], 1e-6)).astype(np.float32)
    return found


def weigh(boost: float, tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """float32 counts ``tf`` in one field, boosted and length-normalised: that field's part of the frequency."""
    return boost * tf.astype(np.float32) / norm


def saturate(frequency: np.ndarray) -> np.ndarray:
    """float32 BM25 before its idf of a term whose fields' parts (``weigh``) add up to ``frequency``."""
    return SCALE * (K1 + 1) * frequency / (K1 + frequency)


def saturate_alone(boost: float, tf: np.ndarray, norm: np.ndarray) -> np.ndarray:
    """float32 BM25 before its idf of counts ``tf`` in a field that saturates alone (``fields.ALONE``)."""
    tf = tf.astype(np.float32)
    return boost * tf / (tf + K1 * norm)


def summed(segment: Segment, term: str, norm: Mapping[str, np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(docnums, float32 scores)``: the term's BM25 before its idf in the segment, every field of ``norm`` added:
    the BM25F of the fields that saturate together, then each field that saturates alone, in field order."""
    parts = [(field, segment.get(field, term)) for field in norm]
    parts = [(field, postings) for field, postings in parts if len(postings.ids)]
    together = [(f, p) for f, p in parts if f not in fields.ALONE]
    ids = [p.ids for _f, p in together]
    values = [weigh(fields.BOOSTS[f], p.tf, norm[f].take(p.ids)) for f, p in together]
    if together:
        sums = np.bincount(np.concatenate(ids), np.concatenate(values), minlength=size)
        present = np.flatnonzero(sums > 0)
        ids, values = [present], [saturate(sums[present].astype(np.float32))]
    for f, p in parts:
        if f in fields.ALONE:
            ids.append(p.ids)
            values.append(saturate_alone(fields.BOOSTS[f], p.tf, norm[f].take(p.ids)))
    if len(ids) == 1:
        return ids[0].astype(np.int32), values[0]
    sums = np.bincount(np.concatenate(ids), np.concatenate(values), minlength=size)
    present = np.flatnonzero(sums > 0)
    return present.astype(np.int32), sums[present].astype(np.float32)


def common_terms(segment: Segment, scored: Iterable[str]) -> list[str]:
    """The terms with at least ``MIN_POSTINGS`` postings over the ``scored`` fields, in byte order."""
    totals: Counter[str] = Counter()
    for field in scored:
        terms = segment.fields[field].terms.names()
        counts = np.diff(segment.fields[field].starts).tolist()
        totals.update(dict(zip(terms, counts, strict=True)))
    return sorted((term for term, count in totals.items() if count >= MIN_POSTINGS), key=str.encode)


def write(folder: Path, meta: DocMeta) -> None:
    """Write the impacts of the segment in ``folder``, scored with ``meta``'s lengths and averages."""
    segment = Segment(folder)
    norm = norms(meta, fields.BOOSTS)
    terms = common_terms(segment, norm)
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    with open(folder / IMPACT_IDS, "wb") as ids_file, open(folder / IMPACT_VALUES, "wb") as values_file:
        for number, term in enumerate(terms):
            ids, values = summed(segment, term, norm, meta.size)
            ids_file.write(ids.data)
            values_file.write(values.data)
            starts[number + 1] = starts[number] + len(ids)
            if starts[number + 1] // RELEASE_EVERY > starts[number] // RELEASE_EVERY:
                mapped.release()
    (folder / IMPACT_TERMS).write_bytes("\n".join(terms).encode())
    np.save(folder / IMPACT_STARTS, starts)
    np.save(folder / IMPACT_AVERAGES, np.array(averages_of(meta), dtype=np.float64))


def averages_of(meta: DocMeta) -> tuple[float, ...]:
    """``meta``'s mean field lengths in ``fields.BOOSTS`` order, as a segment's impacts record them."""
    return tuple(meta.averages[field] for field in fields.BOOSTS if field in meta.averages)
