"""Build a complete index version from a folder of articles and publish it."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import shutil
import time
from collections import Counter
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
from index.vocabulary import article_words


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
        "question_prefix": article.question,
    }


READ_CHUNK = 256  # files per task for a reading process


def words_of(article: Article) -> set[str]:
    return article_words((article.question, article.keywords, article.answer_text))


def _read_chunk(paths: list[Path], source: Path) -> tuple[list[Article | Problem], Counter]:
    results = [read_article(path, source) for path in paths]
    words: Counter = Counter()
    for result in results:
        if isinstance(result, Article):
            words.update(words_of(result))
    return results, words


def read_source(source: Path, procs: int = 1, progress: bool = False) -> tuple[Corpus, Counter]:
    """Read and validate every article below ``source`` with ``procs`` processes, counting words.

    :return: the corpus, and in how many of its articles each word occurs.
    """
    paths = list(find_article_files(source))
    chunks = [paths[i : i + READ_CHUNK] for i in range(0, len(paths), READ_CHUNK)]
    reader = partial(_read_chunk, source=source)
    results: list[Article | Problem] = []
    words: Counter = Counter()
    with contextlib.ExitStack() as stack:
        bar = stack.enter_context(tqdm(total=len(paths), desc="reading", unit=" files", disable=not progress))
        mapper = stack.enter_context(multiprocessing.get_context("forkserver").Pool(procs)).imap if procs > 1 else map
        for chunk_results, chunk_words in mapper(reader, chunks):
            results += chunk_results
            words.update(chunk_words)
            bar.update(len(chunk_results))
    corpus = collect(results)
    accepted = {article.path for article in corpus.articles}
    for result in results:
        if isinstance(result, Article) and result.path not in accepted:
            words.subtract(words_of(result))  # a duplicate that was skipped
    return corpus, words


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


def finish_version(building: Path, manifest: versions.Manifest, words: Counter, source: Path, skipped: int) -> None:
    """Save what servers and later updates read beside the Whoosh files of ``building``."""
    ix = whoosh_index.open_dir(str(building))
    with ix.reader() as reader:
        if reader.doc_count() != len(manifest):
            # The multiprocessing writer silently drops a sub-writer that dies.
            raise BuildError(f"index holds {reader.doc_count()} of {len(manifest)} articles")
        docmeta.save(docmeta.compute(reader), building)
    vocabulary.save(vocabulary.Vocabulary.from_counts(words), building)
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
        corpus, words = read_source(source, procs, progress)
        if not corpus.articles:
            raise BuildError(f"no valid articles in {source}")
        if strict and corpus.problems:
            listing = "".join(f"\n  {p.path}: {p.reason}" for p in corpus.problems)
            raise BuildError(f"{len(corpus.problems)} file(s) skipped, nothing published (--strict):{listing}")

        def fill(building: Path) -> None:
            ix = whoosh_index.create_in(str(building), build_schema())
            _write(ix, corpus.articles, len(corpus.articles), procs, progress)
            finish_version(building, manifest_of(corpus.articles), words, source, len(corpus.problems))

        live = publish_new_version(index_dir, fill)
    return BuildReport(len(corpus.articles), corpus.problems, time.monotonic() - started, live)
