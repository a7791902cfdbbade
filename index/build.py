"""Build a complete index version from a folder of articles and publish it."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from functools import partial
from pathlib import Path

import numpy as np
from tqdm import tqdm
from whoosh import index as whoosh_index

from common.errors import BuildError
from index import codec
from index import columns
from index import docmeta
from index import embedding
from index import fields
from index import impacts
from index import integrity
from index import inverted
from index import vectors
from index import versions
from index import vocabulary
from index.articles import Article
from index.articles import Corpus
from index.articles import Intake
from index.articles import Problem
from index.articles import find_article_files
from index.articles import lost_articles
from index.articles import merge_subjects
from index.articles import read_articles
from index.articles import without_texts
from index.manifest import Entry
from index.manifest import Manifest
from index.manifest import write as write_manifest
from index.reading import Reader
from index.reading import chunked
from index.schema import build_schema
from index.vocabulary import article_words


@dataclass(frozen=True)
class BuildReport:
    documents: int
    problems: list[Problem]
    seconds: float
    version: Path
    notes: list[str] = field(default_factory=list)  # failures of reading processes that were recovered from


def to_document(article: Article) -> dict:
    """The Whoosh document for one article: what a result shows, and its keys."""
    return {
        "id": str(article.id),
        "url": article.url,
        "path": article.path,
        "digest": article.digest,
        "date": article.date.isoformat() if article.date else "",
        "related": [(r.question, r.url) for r in article.related],
        **{field.name: field.text(article) for field in fields.SCORED if field.stored},
    }


Chunk = tuple[list[Article | Problem], inverted.Inverted, Counter, vectors.Vectors | None]


@dataclass
class Indexed:
    """What reading a whole folder gives: its articles (less their texts), postings, word counts and vectors."""

    corpus: Corpus
    postings: inverted.Merger
    words: Counter
    vectors: vectors.Spool | None
    topics: docmeta.Topics


def _read_chunk(paths: list[Path], source: Path, model: str) -> Chunk:
    """Read, invert and embed one chunk of files in a worker process; its articles take docnums 0, 1, …"""
    return _inverted(read_articles(paths, source), model)


def _inverted(results: list[Article | Problem], model: str) -> Chunk:
    articles = [item for item in results if isinstance(item, Article)]
    part, words = inverted.invert(articles)
    return results, part, words, embed_articles(model, articles)


def embed_articles(model: str, articles: list[Article], first: int = 0) -> vectors.Vectors | None:
    """The vectors of ``articles`` (docnums ``first``, …) by the named model; None when the model is off."""
    if model == embedding.OFF:
        return None
    return vectors.of_articles(embedding.load(model), articles, first)


def _lost_chunk(paths: list[Path], reason: str, source: Path, model: str) -> Chunk:
    return _inverted(lost_articles(paths, reason, source), model)


def read_and_index(
    writer,
    source: Path,
    reader: Reader,
    progress: bool,
    model: str = embedding.OFF,
    spool: vectors.Spool | None = None,
) -> Indexed:
    """Read every article below ``source``, invert and embed it with ``reader``'s processes, adding each to ``writer``.

    Worker processes read, invert and embed chunks of files while this one
    writes the accepted articles to Whoosh, in path order, so docnums follow it.
    Of each chunk, only what the rest of the build needs is kept: its articles
    less the texts Whoosh has stored, its postings, and its vectors, in ``spool``
    (needed unless ``model`` is off).
    """
    paths = list(find_article_files(source))
    intake = Intake()
    merger = inverted.Merger()
    words: Counter = Counter()
    topics = docmeta.Topics()
    lost = partial(_lost_chunk, source=source, model=model)
    read = reader.map(partial(_read_chunk, source=source, model=model), chunked(paths), lost)
    with tqdm(total=len(paths), desc="indexing", unit=" files", disable=not progress) as bar, contextlib.closing(read):
        for results, part, chunk_words, chunk_vectors in read:
            first = len(intake.corpus.articles)
            kept = _take_chunk(intake, writer, topics, results, chunk_words)
            merger.add(inverted.renumber(part, first, kept))
            if chunk_vectors is not None:
                spool.add(vectors.keep(chunk_vectors, kept))
            words.update(chunk_words)
            bar.update(len(results))
    intake.corpus.articles = merge_subjects(intake.corpus.articles)
    return Indexed(intake.corpus, merger, words, spool, topics)


def _take_chunk(
    intake: Intake, writer, topics: docmeta.Topics, results: list[Article | Problem], words: Counter
) -> np.ndarray:
    """Take a chunk's results into ``intake``, and its new articles into ``writer`` and ``topics``; which were kept."""
    kept = []
    for item in results:
        if not isinstance(item, Article):
            intake.take(item)
            continue
        # Whoosh stores the texts now; the corpus keeps the rest until the build ends.
        taken = intake.take(without_texts(item))
        kept.append(taken)
        if taken:
            writer.add_document(**to_document(item))
            topics.add(len(intake.corpus.articles) - 1, item)
        else:
            words.subtract(words_of(item))  # a duplicate, left out
    return np.array(kept, dtype=bool)


def words_of(article: Article) -> set[str]:
    return article_words(field.text(article) for field in fields.SCORED if field.vocabulary)


def index_articles(writer, articles: list[Article], first: int) -> tuple[inverted.Inverted, Counter]:
    """Add ``articles`` to the Whoosh ``writer`` and invert them, as docnums ``first``, …

    :return: their inverted arrays and in how many of them each word occurs.
    """
    for article in articles:
        writer.add_document(**to_document(article))
    return inverted.invert(articles, first)


def finish_version(
    building: Path,
    manifest: Manifest,
    meta: docmeta.DocMeta,
    words: Counter,
    source: Path,
    skipped: int,
    started: float,
    previous: Path | None = None,
    model: str = embedding.OFF,
) -> None:
    """Save what servers and later updates read beside the Whoosh files of ``building``, then its metadata.

    The metadata goes last, with the SHA-256 of every other file, so a copy
    can be checked against what this build wrote.

    :param previous: the live version that an update hard-linked files from; their digests are carried over.
    :param model: the embedding model whose vectors the version's segments hold (``off`` when none).
    """
    with whoosh_index.open_dir(str(building)).reader() as reader:
        if reader.doc_count() != len(manifest) or reader.doc_count_all() != meta.size:
            raise BuildError(f"index holds {reader.doc_count()} of {len(manifest)} articles")
    docmeta.save(meta, building)
    vocabulary.save(vocabulary.Vocabulary.from_counts(words), building)
    write_manifest(building, manifest)
    versions.write_meta(
        building,
        {
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "documents": len(manifest),
            "skipped": skipped,
            "source": str(source),
            embedding.VERSION_KEY: model,
            integrity.FILES: integrity.digests(building, previous),
            "seconds": round(time.monotonic() - started, 1),
        },
    )


def publish_new_version(index_dir: Path, fill: Callable[[Path], None]) -> Path:
    """Let ``fill`` write a new version beside the live one, then publish it; on failure, remove it."""
    building = versions.start_version(index_dir)
    try:
        fill(building)
        return versions.publish(index_dir, building)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def manifest_of(articles: Iterable[Article], first: int = 0) -> Manifest:
    """Entries of ``articles``, which take docnums ``first``, ``first + 1``, …"""
    return Manifest.of(
        (a.path, Entry(a.digest, a.id, a.url, a.subject, n, a.stamp)) for n, a in enumerate(articles, first)
    )


def build(
    source: Path,
    index_dir: Path,
    procs: int = 0,
    progress: bool = False,
    strict: bool = False,
    model: str = embedding.OFF,
) -> BuildReport:
    """Build a new version from ``source`` and make it live; the old one serves until then.

    :param procs: worker processes that read and invert the articles; 0 does it in this process.
    :param strict: refuse to publish if any file was skipped.
    :param model: the embedding model's canonical name (``index.embedding.parse_name``), or ``off``.
    """
    started = time.monotonic()
    if not source.is_dir():
        raise BuildError(f"source folder not found: {source}")
    if model != embedding.OFF:
        embedding.load(model)  # a model that cannot load stops the build before any article is read
    read = Corpus([], [])
    reader = Reader(procs)

    def fill(building: Path) -> None:
        nonlocal read
        with vectors.Spool(building) if model != embedding.OFF else contextlib.nullcontext() as spool:
            indexed = _read_into_whoosh(building, source, reader, progress, strict, model, spool)
            read, topics = indexed.corpus, indexed.topics
            postings = indexed.postings
            folder = inverted.next_segment(building)
            postings.save(folder)
            if indexed.vectors is not None:
                indexed.vectors.save(folder)
        codec.register(building, folder.name, postings.size)
        meta = docmeta.from_articles(read.articles, postings.lengths(), topics)
        impacts.write(folder, meta)
        columns.save_articles(read.articles, postings.key_terms, building)
        manifest = manifest_of(read.articles)
        finish_version(building, manifest, meta, indexed.words, source, len(read.problems), started, model=model)

    with versions.build_lock(index_dir):
        live = publish_new_version(index_dir, fill)
    return BuildReport(len(read.articles), read.problems, time.monotonic() - started, live, reader.notes)


def _read_into_whoosh(
    building: Path, source: Path, reader: Reader, progress: bool, strict: bool, model: str, spool: vectors.Spool | None
) -> Indexed:
    """``read_and_index`` into a Whoosh index created in ``building``, committed only if the build may go on."""
    writer = whoosh_index.create_in(str(building), build_schema()).writer(limitmb=256)
    try:
        indexed = read_and_index(writer, source, reader, progress, model, spool)
        _check(indexed.corpus, source, strict)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    return indexed


def _check(corpus: Corpus, source: Path, strict: bool) -> None:
    if not corpus.articles:
        raise BuildError(f"no valid articles in {source}", corpus.problems)
    if strict:
        refuse_skipped(corpus.problems)


def refuse_skipped(problems: list[Problem]) -> None:
    """``strict``: publish nothing when any file was skipped; the error carries them."""
    if problems:
        raise BuildError(f"{len(problems)} file(s) skipped, nothing published (--strict)", problems)
