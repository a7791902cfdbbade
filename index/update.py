"""Incremental updates: re-index only the files that were added, changed or deleted.

Changes are found by content hash, not modification time. The update is
written into a new version that starts as hard links to the live one, so the
live version keeps serving, untouched, until the new one is published.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from dataclasses import dataclass
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from index import versions
from index import vocabulary
from index.articles import Article
from index.articles import Problem
from index.articles import find_article_files
from index.articles import read_article
from index.build import BuildError
from index.build import finish_version
from index.build import publish_new_version
from index.build import to_document
from index.build import words_of
from index.vocabulary import article_words


@dataclass(frozen=True)
class UpdateReport:
    added: int
    changed: int
    deleted: int
    unchanged: int
    problems: list[Problem]
    seconds: float
    version: Path | None  # None when nothing changed and nothing was published

    @property
    def documents(self) -> int:
        return self.added + self.changed + self.unchanged


@dataclass
class _Plan:
    new: list[Article]
    replaced: list[Article]
    gone: list[str]
    problems: list[Problem]


def _digest(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha1(handle.read()).hexdigest()
    except OSError:
        return None  # read_article reports why


def _accept(article: Article, ids: dict[int, str], urls: dict[str, str]) -> Problem | None:
    """Check a new or changed article against every other article that will be in the index."""
    other = ids.get(article.id)
    if other is not None and other != article.path:
        return Problem(article.path, f"duplicate id {article.id} (already in {other})")
    other = urls.get(article.url)
    if other is not None and other != article.path:
        return Problem(article.path, f"duplicate url {article.url} (already in {other})")
    ids[article.id] = urls[article.url] = article.path
    return None


def _plan(source: Path, manifest: versions.Manifest, progress: bool) -> _Plan:
    files = list(find_article_files(source))
    present = {str(path.relative_to(source)) for path in files}
    plan = _Plan([], [], [p for p in manifest if p not in present], [])
    # Ids and urls of deleted files are free for new ones in the same update.
    kept = {path: entry for path, entry in manifest.items() if path in present}
    ids = {entry.id: path for path, entry in kept.items()}
    urls = {entry.url: path for path, entry in kept.items()}
    # New articles take the spelling their subject already has in the index.
    subjects = {entry.subject.casefold(): entry.subject for entry in manifest.values()}
    for path in tqdm(files, desc="checking", unit=" files", disable=not progress):
        relative = str(path.relative_to(source))
        known = manifest.get(relative)
        if known is not None and known.digest == _digest(path):
            continue
        found = read_article(path, source)
        if isinstance(found, Problem):
            plan.problems.append(found)  # a changed file that broke keeps its last good version
            continue
        subject = subjects.setdefault(found.subject.casefold(), found.subject)
        found = replace(found, subject=subject)
        if known is not None:
            # The article's own old id and url are free for it to keep.
            ids.pop(known.id, None)
            urls.pop(known.url, None)
        problem = _accept(found, ids, urls)
        if problem:
            plan.problems.append(problem)
        else:
            (plan.replaced if known is not None else plan.new).append(found)
    return plan


def _apply(building: Path, live: Path, plan: _Plan, manifest: versions.Manifest, source: Path) -> None:
    versions.link_copy(live, building)
    ix = whoosh_index.open_dir(str(building))
    writer = ix.writer(limitmb=256)
    try:
        for path in plan.gone + [a.path for a in plan.replaced]:
            writer.delete_by_term("path", path)
        for article in plan.new + plan.replaced:
            writer.add_document(**to_document(article))
    except BaseException:
        writer.cancel()
        raise
    # No merging: existing segment files stay exactly as the live version has them.
    writer.commit(merge=False)
    updated = {path: entry for path, entry in manifest.items() if path not in set(plan.gone)}
    updated.update({a.path: versions.Entry(a.digest, a.id, a.url, a.subject) for a in plan.new + plan.replaced})
    finish_version(building, updated, _word_counts(live, plan), source, len(plan.problems))


def _word_counts(live: Path, plan: _Plan) -> Counter:
    """The live vocabulary less the words of removed or replaced articles, plus those of the new ones."""
    counts = vocabulary.load(live).counts()
    with whoosh_index.open_dir(str(live)).searcher() as searcher:
        for path in plan.gone + [a.path for a in plan.replaced]:
            old = searcher.document(path=path)
            if old:
                counts.subtract(article_words((old["question"], old.get("keywords", ""), old["answer"])))
    for article in plan.new + plan.replaced:
        counts.update(words_of(article))
    return counts


def update(source: Path, index_dir: Path, progress: bool = False) -> UpdateReport:
    """Bring the live index in line with ``source`` by re-indexing only what changed."""
    started = time.monotonic()
    if not source.is_dir():
        raise BuildError(f"source folder not found: {source}")
    with versions.build_lock(index_dir):
        live = versions.current_version(index_dir)
        if live is None:
            raise BuildError(f"no index in {index_dir} to update: run a full build first")
        manifest = versions.read_manifest(live)
        plan = _plan(source, manifest, progress)
        if not (plan.new or plan.replaced or plan.gone):
            published = None
        elif len(manifest) - len(plan.gone) + len(plan.new) == 0:
            raise BuildError("the update would leave the index empty; nothing published")
        else:
            published = publish_new_version(index_dir, lambda building: _apply(building, live, plan, manifest, source))
    unchanged = len(manifest) - len(plan.gone) - len(plan.replaced)
    seconds = time.monotonic() - started
    return UpdateReport(len(plan.new), len(plan.replaced), len(plan.gone), unchanged, plan.problems, seconds, published)
