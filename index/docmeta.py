"""Per-document arrays that the engine needs for every query, saved beside each version.

Reading them from Whoosh document by document costs seconds at 200,000
articles, so the build computes them once and servers load them in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh.reading import IndexReader

from index import versions
from index.schema import FIELD_BOOSTS

FILENAME = "docmeta.npz"
NO_DATE = 0


@dataclass(frozen=True)
class DocMeta:
    live: np.ndarray  # bool per docnum: False for deleted documents
    subject: np.ndarray  # int16 index into ``subjects``; -1 when deleted
    date: np.ndarray  # int32 proleptic ordinal of the date; NO_DATE when absent
    lengths: dict[str, np.ndarray]  # float32 field length per docnum
    subjects: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.live)


def compute(reader: IndexReader) -> DocMeta:
    """Read the arrays out of an open index."""
    size = reader.doc_count_all()
    live = np.zeros(size, dtype=bool)
    subject = np.full(size, -1, dtype=np.int16)
    date = np.full(size, NO_DATE, dtype=np.int32)
    lengths = {field: np.zeros(size, dtype=np.float32) for field in FIELD_BOOSTS}
    names: dict[str, int] = {}
    for docnum, stored in reader.iter_docs():
        live[docnum] = True
        subject[docnum] = names.setdefault(stored["subject"], len(names))
        if stored.get("date"):
            date[docnum] = _ordinal(stored["date"])
        for field, array in lengths.items():
            # Whoosh answers None, not the default, for an empty field.
            array[docnum] = reader.doc_field_length(docnum, field, 0) or 0
    return DocMeta(live, subject, date, lengths, tuple(names))


def _ordinal(iso_date: str) -> int:
    year, month, day = (int(part) for part in iso_date.split("-"))
    return (year * 12 + month) * 31 + day  # order-preserving, cheaper than date.toordinal


def save(meta: DocMeta, version: Path) -> None:
    arrays = {
        "live": meta.live,
        "subject": meta.subject,
        "date": meta.date,
        "subjects": np.array(meta.subjects, dtype=object),
        **{"len_" + field: array for field, array in meta.lengths.items()},
    }
    versions.save_arrays(version / FILENAME, arrays)


def load(version: Path) -> DocMeta:
    with np.load(version / FILENAME, allow_pickle=True) as data:
        lengths = {key[4:]: data[key] for key in data.files if key.startswith("len_")}
        return DocMeta(data["live"], data["subject"], data["date"], lengths, tuple(data["subjects"].tolist()))
