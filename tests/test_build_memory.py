"""What the full build does to stay small changes none of the bytes it writes.

The build keeps each chunk's vectors in a spool on disk, joins the chunks'
postings a batch of terms at a time, and keeps of each article only what its
last steps need. Here small chunks and batches force all of that many times
over, and every file must come out as when the articles are read as one chunk
and joined in one batch, and as one plain inversion and embedding of them all
would save it.
"""

from __future__ import annotations

import gc
import json
import shutil
from functools import partial
from functools import partialmethod
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from bench.generate import generate
from common.values import WORDLLAMA
from index import build as build_module
from index import docmeta
from index import embedding
from index import impacts
from index import inverted
from index import vectors
from index.articles import Article
from index.articles import read_corpus
from index.build import build
from index.reading import chunked
from index.versions import current_version
from tests.factory import write_article

WHOOSH_OWN = (".seg", ".toc")  # named and stamped anew by every build: their documents are compared instead
VOLATILE = ("built_at", "seconds", "meta_sha256")  # in meta.json: when and how fast, and a seal over those


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    generate(folder, 300, workers=1)
    # A copy read just before its original: the original, a duplicate, leaves a gap inside its chunk.
    original = sorted(folder.rglob("*.md"))[150]
    shutil.copy(original, original.with_name(original.stem + "-copy.md"))
    return folder


def _build(source: Path, index_dir: Path, chunk: int, batch: int) -> Path:
    """Build with ``chunk`` files per chunk read and ``batch`` postings per batch joined; the version built."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_module, "chunked", partial(chunked, size=chunk))
        patch.setattr(inverted.Merger, "save", partialmethod(inverted.Merger.save, batch=batch))
        build(source, index_dir, model=WORDLLAMA)
    return current_version(index_dir)


@pytest.fixture(scope="module")
def whole(source, tmp_path_factory) -> Path:
    return _build(source, tmp_path_factory.mktemp("whole"), chunk=10**6, batch=10**12)


@pytest.fixture(scope="module")
def pieces(source, tmp_path_factory) -> Path:
    return _build(source, tmp_path_factory.mktemp("pieces"), chunk=16, batch=200)


def files(version: Path) -> dict[str, bytes]:
    """Every file of a version but Whoosh's own and ``meta.json``, by path."""
    found = (p for p in version.rglob("*") if p.is_file() and not p.name.endswith(WHOOSH_OWN))
    return {p.relative_to(version).as_posix(): p.read_bytes() for p in found if p.name != "meta.json"}


def lasting_meta(version: Path) -> dict:
    """``meta.json`` without the build's time, and with the digests of the files ``files`` compares."""
    meta = {key: value for key, value in json.loads((version / "meta.json").read_text()).items() if key not in VOLATILE}
    meta["files"] = {name: digest for name, digest in meta["files"].items() if not name.endswith(WHOOSH_OWN)}
    return meta


def stored_documents(version: Path) -> list[dict]:
    with whoosh_index.open_dir(str(version)).reader() as reader:
        return [dict(fields) for _, fields in reader.iter_docs()]


def test_pieces_are_joined_into_the_files_one_piece_gives(whole, pieces):
    whole_files, piece_files = files(whole), files(pieces)
    assert sorted(piece_files) == sorted(whole_files)
    assert [name for name in whole_files if piece_files[name] != whole_files[name]] == []
    assert lasting_meta(pieces) == lasting_meta(whole)
    assert stored_documents(pieces) == stored_documents(whole)


def test_small_batches_are_many(source, tmp_path, monkeypatch):
    """The chunks and batch size of ``pieces`` do split every field into several batches."""
    articles = read_corpus(source).articles
    merger = inverted.Merger()
    for first in range(0, len(articles), 16):
        merger.add(inverted.invert(articles[first : first + 16], first)[0])
    batches = []
    split = inverted._batches

    def counted(weight, batch):
        batches.append(list(split(weight, batch)))
        return batches[-1]

    monkeypatch.setattr(inverted, "_batches", counted)
    merger.save(tmp_path / "segment", batch=200)
    assert len(batches) == len(inverted.FIELDS)
    assert min(len(found) for found in batches) > 1


def test_chunks_that_fit_16_bits_and_one_that_does_not_join_as_one_inversion(tmp_path):
    """The merger holds each run in 16 bits where it fits; a field that needs 32 bits somewhere is saved in 32."""
    long_answer = "echo " * 70_000  # a frequency and positions past 65,535
    articles = [
        Article(f"{n}.md", "0" * 40, n, f"Question {n}?", long_answer if n == 7 else f"Answer {n}.", "S", f"/q/{n}")
        for n in range(12)
    ]
    merger = inverted.Merger()
    for first in range(0, len(articles), 4):
        merger.add(inverted.invert(articles[first : first + 4], first)[0])
    merger.save(tmp_path / "joined", batch=5)
    inverted.save(inverted.invert(articles)[0], tmp_path / "plain")
    joined = {path.name: path.read_bytes() for path in (tmp_path / "joined").iterdir()}
    plain = {path.name: path.read_bytes() for path in (tmp_path / "plain").iterdir()}
    assert joined == plain
    assert np.load(tmp_path / "joined" / "answer.positions.npy").dtype == np.uint32


def test_the_segment_is_one_plain_inversion_and_embedding_of_the_articles(source, pieces, tmp_path):
    articles = read_corpus(source).articles  # duplicates left out, as the build leaves them
    segment = tmp_path / "inverted-0"
    inverted_articles = inverted.invert(articles)[0]
    inverted.save(inverted_articles, segment)
    impacts.write(segment, docmeta.from_articles(articles, inverted_articles.lengths))
    vectors.save(vectors.of_articles(embedding.load(WORDLLAMA), articles), segment)
    plain = {path.name: path.read_bytes() for path in segment.iterdir()}
    built = {path.name: path.read_bytes() for path in (pieces / "inverted-0").iterdir()}
    assert sorted(built) == sorted(plain)
    assert [name for name in plain if built[name] != plain[name]] == []


def _held(markers: set[str]) -> set[str]:
    """The markers that some live object holds within a longer text."""
    gc.collect()
    found = set()
    for holder in gc.get_objects():
        for text in gc.get_referents(holder):
            if type(text) is str and text not in markers:
                found.update(marker for marker in markers if marker in text)
    return found


def test_articles_texts_are_let_go_once_whoosh_has_stored_them(tmp_path, monkeypatch):
    # Built here, so that no constant of this module holds them; capitals keep them from any index term.
    texts = ("answer", "keywords", "description", "related")
    markers = {name: " ".join(("Unretained", name, "Text")) for name in texts}
    source = tmp_path / "articles"
    for n in range(1, 31):
        write_article(
            source,
            id=n,
            question=f"Question number {n}?",
            answer=f"An answer of {n} words. {markers['answer']} {n}, and more.",
            keywords=f"number {n}, {markers['keywords']} {n}",
            description=f"{markers['description']} {n}.",
            related=[(n + 100, f"{markers['related']} {n}?", f"/learn/related/{n}")],
        )
    read = read_corpus(source)
    assert _held(set(markers.values())) == set(markers.values())  # the check sees texts that are held
    del read
    held_while_writing = []
    save = inverted.Merger.save

    def checked_save(self, folder, *args, **kwargs):
        held_while_writing.append(_held(set(markers.values())))
        return save(self, folder, *args, **kwargs)

    monkeypatch.setattr(inverted.Merger, "save", checked_save)
    build(source, tmp_path / "index", model=WORDLLAMA)
    assert held_while_writing == [set()]
