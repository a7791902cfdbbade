"""Subject facet counts over every match, from a per-document subject array."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from index.docmeta import DocMeta


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


def subject_filter(meta: DocMeta, wanted: Iterable[str]) -> tuple[np.ndarray | None, frozenset[int]]:
    """A mask of documents in any of ``wanted`` (case-insensitive), and their subject numbers.

    ``None`` means no filter was asked for.
    """
    keys = {w.strip().casefold() for w in wanted if w.strip()}  # as the result cache keys them
    if not keys:
        return None, frozenset()
    chosen = frozenset(i for i, name in enumerate(meta.subjects) if name.casefold() in keys)
    mask = np.isin(meta.subject, np.fromiter(chosen, dtype=np.int16, count=len(chosen)))
    return mask, chosen


def subject_counts(meta: DocMeta, matched: np.ndarray, selected: frozenset[int]) -> list[FacetValue]:
    """Counts per subject among ``matched``, most first, then by name; empty subjects left out."""
    # Gathered by docnum: indexing by the boolean array itself took two to three times longer.
    found = np.bincount(meta.live_subject.take(np.flatnonzero(matched)), minlength=len(meta.subjects) + 1)
    counts = found[:-1]  # the last bucket holds the deleted
    values = [
        FacetValue(meta.subjects[i], int(counts[i]), i in selected)
        for i in range(len(meta.subjects))
        if counts[i] or i in selected
    ]
    return sorted(values, key=lambda v: (-v.count, v.value.casefold()))
