"""Incremental updates: re-index only the files that were added, changed or deleted.

A file whose size and modification time are what they were when it was
indexed is taken as unchanged without being read (as git does); any other
is compared by content hash, so a touched but unchanged file is not
re-indexed, and its new stamp is recorded with the next version an update
publishes (for stamps alone once thousands of files were touched), so that it
is not hashed again. The update is written into a new
version that starts as hard links to the live one, so the live version keeps
serving, untouched, until the new one is published.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from functools import partial
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from common.errors import IndexDamaged
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
from index.articles import ArticleError
from index.articles import Problem
from index.articles import article_bytes
from index.articles import read_articles
from index.articles import read_files
from index.build import BuildError
from index.build import embed_articles
from index.build import finish_version
from index.build import index_articles
from index.build import manifest_of
from index.build import publish_new_version
from index.build import refuse_skipped
from index.changes import Stamp
from index.changes import changed_files
from index.manifest import Manifest
from index.manifest import read as read_manifest
from index.reading import Reader
from index.schema import build_schema
from index.vocabulary import article_words

# Files touched but unchanged that make an update publish for their stamps alone. Fewer are
# hashed again by each update until one publishes (under 0.1 ms a file); publishing costs a second
# or two at 200,000 articles, so many (a copy that reset every file's time) are recorded at once.
RESTAMPED_TO_PUBLISH = 10_000


@dataclass(frozen=True)
class UpdateReport:
    added: int
    changed: int
    deleted: int
    unchanged: int
    problems: list[Problem]
    seconds: float
    version: Path | None  # None when nothing changed and nothing was published
    notes: list[str] = field(default_factory=list)  # failures of reading processes that were recovered from
    kept: int = 0  # of the problems, indexed files whose last good version stays

    @property
    def documents(self) -> int:
        return self.added + self.changed + self.unchanged + self.kept


@dataclass
class _Plan:
    new: list[Article]
    replaced: list[Article]
    gone: list[str]
    problems: list[Problem]
    restamped: dict[str, Stamp]  # unchanged files with a new stamp (touched, or copied), recorded by the update


# Small files that every update reads and rewrites: checked whole against their digests first.
CARRIED = (docmeta.FILENAME, vocabulary.FILENAME, versions.MANIFEST)


def _digest(path: Path) -> str | None:
    """The SHA-1 of an article file, or ``None`` for one ``read_article`` refuses or cannot read (it says
    why): read whole, a FIFO would block the update, and /dev/zero or a huge file would fill the memory."""
    try:
        return hashlib.sha1(article_bytes(path)[0]).hexdigest()
    except (ArticleError, OSError):
        return None


def _accepted(found: list[Article], manifest: Manifest, gone: list[str]) -> tuple[list[Article], list[Problem]]:
    """The new or changed articles that may go into the index, and why the others may not.

    An article may take an id or url that another changed article gives up ("correcting
    two swapped addresses"), but none that an article the index keeps holds: an unchanged
    one, or one whose new version is refused and whose last good version therefore stays.
    Refusing one can take an id or url back from another, so the check runs until nothing
    more is refused; in path order, the first of two new articles claiming one keeps it.
    """
    rows = manifest.rows
    # Most updates edit articles without touching their id or url: no other article is looked at.
    moving = [a for a in found if a.path not in rows or (a.id, a.url) != (manifest[a.path].id, manifest[a.path].url)]
    refused: dict[str, Problem] = {}
    while moving:
        problem = _first_clash([a for a in found if a.path not in refused], manifest, gone)
        if problem is None:
            break
        refused[problem.path] = problem
    return [a for a in found if a.path not in refused], list(refused.values())


def _first_clash(accepted: list[Article], manifest: Manifest, gone: list[str]) -> Problem | None:
    """The first of ``accepted`` whose id or url another article the index would hold already has."""
    leaving = set(gone) | {a.path for a in accepted}
    ids = {i: path for path, i in zip(manifest.paths, manifest.ids, strict=True) if path not in leaving}
    urls = {url: path for path, url in zip(manifest.paths, manifest.urls, strict=True) if path not in leaving}
    for article in accepted:
        if article.id in ids:
            return Problem(article.path, f"duplicate id {article.id} (already in {ids[article.id]})")
        if article.url in urls:
            return Problem(article.path, f"duplicate url {article.url} (already in {urls[article.url]})")
        ids[article.id] = urls[article.url] = article.path
    return None


def _readable(live: Path) -> Manifest:
    """The live version's manifest, once its recorded files are there and those every update reads and
    carries forward (``CARRIED``, Whoosh's table of contents) are as its build wrote them, so that an
    update reports a damaged index as one (exit 3), also when nothing changed, instead of success or a
    crash; the rest, most of the index, is linked unread.

    :raises IndexDamaged: naming what is missing, altered or cannot be read.
    """
    files = integrity.recorded(live)
    integrity.check_present(live, files)
    carried = [name for name in files if name in CARRIED or name.endswith(".toc")]
    with _reading(live):
        integrity.check_unaltered(live, files, carried)
        return read_manifest(live)


@contextlib.contextmanager
def _reading(live: Path) -> Iterator[None]:
    """What reading a damaged file of the live version raises, as ``IndexDamaged``."""
    try:
        yield
    except (IndexDamaged, *integrity.READ_ERRORS) as exc:
        message = f"the live version {live.name} cannot be read ({type(exc).__name__}: {exc}); run a full build"
        raise IndexDamaged(message) from None


def _plan(source: Path, manifest: Manifest, progress: bool, reader: Reader) -> _Plan:
    changes = changed_files(source, manifest)
    plan = _Plan([], [], changes.gone, [], {})
    # New articles take the spelling their subject already has in the index.
    subjects = {subject.casefold(): subject for subject in dict.fromkeys(manifest.subjects)}
    rows = manifest.rows
    changed = []
    for relative, stamp in tqdm(changes.touched.items(), desc="checking", unit=" files", disable=not progress):
        if relative in rows and manifest.digests[rows[relative]] == _digest(source / relative):
            plan.restamped[relative] = stamp  # touched, not changed: not hashed again once this is recorded
        else:
            changed.append(source / relative)
    read = []
    for found in read_files(changed, source, reader):
        if isinstance(found, Problem):
            plan.problems.append(found)  # a changed file that broke keeps its last good version
        else:
            read.append(replace(found, subject=subjects.setdefault(found.subject.casefold(), found.subject)))
    accepted, refused = _accepted(read, manifest, changes.gone)
    plan.problems += refused
    for article in accepted:
        (plan.replaced if article.path in rows else plan.new).append(article)
    return plan


def _apply(building: Path, live: Path, plan: _Plan, manifest: Manifest, source: Path, started: float) -> None:
    versions.link_copy(live, building)
    # Whoosh's writer sees the stored fields only: the postings of what it adds are ours to write.
    ix = whoosh_index.open_dir(str(building), schema=build_schema())
    removed = plan.gone + [a.path for a in plan.replaced]
    deleted = [manifest[path].docnum for path in removed]
    added = plan.new + plan.replaced
    live_meta = docmeta.load(live)
    size = live_meta.size  # every docnum Whoosh has used, deleted ones too
    writer = ix.writer(limitmb=256)
    try:
        for docnum in deleted:
            writer.delete_document(docnum)
        # Whoosh numbers the new segment's documents after every existing one.
        found, words = index_articles(writer, added, size)
    except BaseException:
        writer.cancel()
        raise
    # No merging: existing segment files stay exactly as the live version has them.
    writer.commit(merge=False)
    # The new articles are embedded by the model the live version's vectors were made with.
    model = embedding.of_version(versions.read_meta(live))
    folder = inverted.next_segment(building) if added else None
    if folder is not None:
        inverted.save(found, folder)
        embedded = embed_articles(model, added, size)
        if embedded is not None:
            vectors.save(embedded, folder)
    codec.register(building, folder and folder.name, len(added))
    meta = docmeta.extend(live_meta, deleted, added, found.lengths)
    if folder is not None:
        impacts.write(folder, meta)
    columns.save_articles(added, found.key_terms, building, previous=live)
    updated = manifest.restamped(plan.restamped).without(removed) + manifest_of(added, size)
    with _reading(live):  # the stored articles of those deleted
        counts = _word_counts(live, deleted, words)
    finish_version(building, updated, meta, counts, source, len(plan.problems), started, live, model)


def _word_counts(live: Path, deleted: list[int], added: Counter) -> Counter:
    """The live vocabulary less the words of the ``deleted`` documents, plus ``added``."""
    counts = vocabulary.load(live).counts()
    # Without mmap, reading a few stored documents does not first copy every article's stored column.
    with FileStorage(str(live), supports_mmap=False).open_index().reader() as reader:
        for docnum in deleted:
            old = reader.stored_fields(docnum)
            counts.subtract(article_words(old.get(name, "") for name in fields.VOCABULARY))
    counts.update(added)
    return counts


def update(source: Path, index_dir: Path, progress: bool = False, strict: bool = False, procs: int = 0) -> UpdateReport:
    """Bring the live index in line with ``source`` by re-indexing only what changed.

    :param strict: publish nothing if any new or changed file would be skipped.
    :param procs: worker processes that read the changed files; 0 reads them in this process.
    """
    started = time.monotonic()
    if not source.is_dir():
        raise BuildError(f"source folder not found: {source}")
    with versions.build_lock(index_dir):
        live = versions.current_version(index_dir)
        if live is None:
            raise BuildError(f"no index in {index_dir} to update: run a full build first")
        versions.check_format(live)
        manifest = _readable(live)
        reader = Reader(procs)
        reader.start(partial(read_articles, [], source=source))  # it boots while every file is stat-ed
        try:
            plan = _plan(source, manifest, progress, reader)
        finally:
            reader.close()
        if strict:
            refuse_skipped(plan.problems)
        if not (plan.new or plan.replaced or plan.gone or len(plan.restamped) >= RESTAMPED_TO_PUBLISH):
            published = None
        elif len(manifest) - len(plan.gone) + len(plan.new) == 0:
            raise BuildError("the update would leave the index empty; nothing published")
        else:
            published = publish_new_version(
                index_dir, lambda building: _apply(building, live, plan, manifest, source, started)
            )
    kept = sum(problem.path in manifest.rows for problem in plan.problems)
    unchanged = len(manifest) - len(plan.gone) - len(plan.replaced) - kept
    seconds = time.monotonic() - started
    counts = (len(plan.new), len(plan.replaced), len(plan.gone), unchanged)
    return UpdateReport(*counts, plan.problems, seconds, published, reader.notes, kept)
