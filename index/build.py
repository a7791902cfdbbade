"""Build a complete index version from a folder of articles and publish it."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import time
from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from index import docmeta
from index import versions
from index import vocabulary
from index.articles import Article
from index.articles import Corpus
from index.articles import Problem
from index.articles import collect
from index.articles import find_article_files
from index.articles import read_article
from index.schema import build_schema


class BuildError(RuntimeError):
    """Nothing usable was built; the live index is untouched."""


@dataclass(frozen=True)
class BuildReport:
    documents: int
    problems: list[Problem]
    seconds: float
    version: Path


LEAD_CHARS = 300


def lead(text: str) -> str:
    """The first paragraph, cut at a sentence end or word near ``LEAD_CHARS``."""
    first = text.split("\n", 1)[0]
    if len(first) <= LEAD_CHARS:
        return first
    cut = first.rfind(". ", 0, LEAD_CHARS)
    return first[: cut + 1] if cut > LEAD_CHARS // 3 else first[:LEAD_CHARS].rsplit(" ", 1)[0]


def to_document(article: Article) -> dict:
    """The Whoosh document for one article."""
    return {
        "id": str(article.id),
        "url": article.url,
        "path": article.path,
        "digest": article.digest,
        "question": article.question,
        "answer": article.answer_text,
        "lead": lead(article.answer_text),
        "title": article.title,
        "description": article.description,
        "keywords": article.keywords,
        "subject": article.subject,
        "date": article.date.isoformat() if article.date else "",
        "related": [(r.question, r.url) for r in article.related],
        "spell": "\n".join((article.question, article.keywords, article.answer_text)),
        "question_prefix": article.question,
    }


def read_source(source: Path, procs: int = 1, progress: bool = False) -> Corpus:
    """Read and validate every article below ``source``, using ``procs`` processes."""
    paths = list(find_article_files(source))
    reader = partial(read_article, source=source)
    bar = partial(tqdm, total=len(paths), desc="reading", unit=" files", disable=not progress)
    if procs <= 1:
        return collect(bar(map(reader, paths)))
    with multiprocessing.get_context("forkserver").Pool(procs) as pool:
        return collect(bar(pool.imap(reader, paths, chunksize=64)))


def _write(ix, articles: Iterable[Article], count: int, procs: int, progress: bool) -> None:
    options = {"procs": procs, "multisegment": True, "limitmb": 256} if procs > 1 else {"limitmb": 256}
    writer = ix.writer(**options)
    try:
        for article in tqdm(articles, total=count, desc="indexing", unit=" articles", disable=not progress):
            writer.add_document(**to_document(article))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def finish_version(building: Path, manifest: versions.Manifest, source: Path, skipped: int) -> None:
    """Save what servers and later updates read beside the Whoosh files of ``building``."""
    ix = whoosh_index.open_dir(str(building))
    with ix.reader() as reader:
        if reader.doc_count() != len(manifest):
            # The multiprocessing writer silently drops a sub-writer that dies.
            raise BuildError(f"index holds {reader.doc_count()} of {len(manifest)} articles")
        docmeta.save(docmeta.compute(reader), building)
        vocabulary.save(vocabulary.compute(reader), building)
    versions.write_manifest(building, manifest)
    versions.write_meta(
        building,
        {
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "documents": len(manifest),
            "skipped": skipped,
            "source": str(source),
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


def manifest_of(articles: Iterable[Article]) -> versions.Manifest:
    return {a.path: versions.Entry(a.digest, a.id, a.url, a.subject) for a in articles}


def build(source: Path, index_dir: Path, procs: int = 1, progress: bool = False, strict: bool = False) -> BuildReport:
    """Build a new version from ``source`` and make it live; the old one serves until then.

    :param strict: refuse to publish if any file was skipped.
    """
    started = time.monotonic()
    if not source.is_dir():
        raise BuildError(f"source folder not found: {source}")
    with versions.build_lock(index_dir):
        corpus = read_source(source, procs, progress)
        if not corpus.articles:
            raise BuildError(f"no valid articles in {source}")
        if strict and corpus.problems:
            listing = "".join(f"\n  {p.path}: {p.reason}" for p in corpus.problems)
            raise BuildError(f"{len(corpus.problems)} file(s) skipped, nothing published (--strict):{listing}")

        def fill(building: Path) -> None:
            ix = whoosh_index.create_in(str(building), build_schema())
            _write(ix, corpus.articles, len(corpus.articles), procs, progress)
            finish_version(building, manifest_of(corpus.articles), source, len(corpus.problems))

        live = publish_new_version(index_dir, fill)
    return BuildReport(len(corpus.articles), corpus.problems, time.monotonic() - started, live)
