"""Read QuickTakes article files and validate them into ``Article`` records."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import stat
from collections import Counter
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from functools import partial
from pathlib import Path

import frontmatter
import yaml

from index.reading import Reader
from index.reading import chunked
from index.text import MarkdownCrash
from index.text import markdown_to_text

MAX_FILE_BYTES = 2 * 1024 * 1024
ID_RANGE = (-(2**63), 2**63 - 1)  # the index keeps ids as int64
MAX_RELATED = 5


class ArticleError(ValueError):
    """A file that cannot become an article; the message says why."""


@dataclass(frozen=True)
class Related:
    question: str
    url: str


@dataclass(frozen=True)
class Article:
    path: str
    digest: str
    id: int
    question: str
    answer_text: str
    subject: str
    url: str
    title: str = ""
    date: dt.date | None = None
    keywords: str = ""
    description: str = ""
    related: tuple[Related, ...] = ()
    stamp: tuple[int, int] = (0, 0)  # size and modification time (ns) of the file when it was read


def without_texts(article: Article) -> Article:
    """``article`` less the texts that only Whoosh's stored fields, the inverter and the embedder read.

    A full build keeps every article until its end for the columns, the
    manifest and ``docmeta``; with its texts, 200,000 of them took over a GB.
    """
    return replace(article, answer_text="", title="", keywords="", description="", related=())


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str


@dataclass
class Corpus:
    articles: list[Article]
    problems: list[Problem]


def find_article_files(source: Path) -> Iterator[Path]:
    """Yield every ``*.md`` below ``source`` in a stable order, following no link loops."""
    return map(Path, _article_file_names(source))


def _article_file_names(source: Path) -> Iterator[str]:
    return (entry.path for entry in _article_entries(str(source), set()))


def _article_entries(folder: str, seen: set[tuple[int, int]]) -> Iterator[os.DirEntry]:
    """The ``*.md`` entries below ``folder``, sorted by name, each folder once: links may loop."""
    info = os.stat(folder)
    if (info.st_dev, info.st_ino) in seen:
        return
    seen.add((info.st_dev, info.st_ino))
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: entry.name)
    for entry in entries:
        if entry.name.endswith(".md") and not is_dir(entry):
            yield entry
    for entry in entries:
        if is_dir(entry):  # follows links, as os.walk(followlinks=True) did
            yield from _article_entries(entry.path, seen)


def is_dir(entry: os.DirEntry) -> bool:
    # A link to itself raises ELOOP here; as a file, reading it reports why.
    try:
        return entry.is_dir()
    except OSError:
        return False


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ArticleError("binary file, not Markdown text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _front_matter(text: str) -> dict:
    if not text.strip():
        raise ArticleError("empty file")
    if not text.startswith("---"):
        raise ArticleError("no front matter (the file must start with ---)")
    if "\n---" not in text[3:]:
        raise ArticleError("front matter is not closed by a --- line")
    try:
        metadata, _body = frontmatter.parse(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where else ""
        raise ArticleError(f"invalid YAML front matter{line}: {getattr(exc, 'problem', exc)}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # PyYAML's constructors raise these for values it scans but cannot build ("date: 2024-13-45").
        raise ArticleError(f"invalid YAML front matter: {exc}") from None
    # python-frontmatter reads a list or a lone string as no fields at all.
    if not isinstance(metadata, dict) or not metadata:
        raise ArticleError("front matter holds no fields (it must be 'name: value' lines, such as 'id: 1')")
    return metadata


def _text(meta: dict, key: str, required: bool) -> str:
    value = meta.get(key)
    if value is None:
        if required:
            raise ArticleError(f"missing required field '{key}'")
        return ""
    if not isinstance(value, str):
        raise ArticleError(f"field '{key}' must be text, not {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise ArticleError(f"required field '{key}' is empty")
    return value


def _article_id(meta: dict) -> int:
    value = meta.get("id")
    if value is None:
        raise ArticleError("missing required field 'id'")
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArticleError(f"field 'id' must be an integer, not {type(value).__name__}")
    if not ID_RANGE[0] <= value <= ID_RANGE[1]:
        raise ArticleError(f"field 'id' must be between {ID_RANGE[0]:,} and {ID_RANGE[1]:,} (64 bits), not {value:,}")
    return value


def _date(meta: dict) -> dt.date | None:
    value = meta.get("date")
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ArticleError(f"field 'date' is not a date: {value!r}") from None


def _related(meta: dict) -> tuple[Related, ...]:
    found = []
    for n in range(1, MAX_RELATED + 1):
        block = meta.get(f"related_article{n}")
        if isinstance(block, dict) and isinstance(block.get("url"), str):
            title = block.get("title")
            found.append(Related(question=str(title or "").strip(), url=block["url"].strip()))
    return tuple(found)


def _answer_text(markdown: str) -> str:
    try:
        return markdown_to_text(markdown)
    except MarkdownCrash as exc:
        raise ArticleError(str(exc)) from None


def parse_article(path: Path, raw: bytes, relative_to: Path | None = None) -> Article:
    """Validate one file's bytes into an ``Article``; raise ``ArticleError`` with the reason."""
    if len(raw) > MAX_FILE_BYTES:
        raise ArticleError(f"file is {len(raw):,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
    meta = _front_matter(_decode(raw))
    seo = meta.get("seo") if isinstance(meta.get("seo"), dict) else {}
    url = _text(meta, "url", required=True)
    if not url.startswith("/") and "://" not in url:
        raise ArticleError(f"field 'url' must be site-relative (start with /): {url!r}")
    return Article(
        path=str(path.relative_to(relative_to)) if relative_to else str(path),
        digest=hashlib.sha1(raw).hexdigest(),
        id=_article_id(meta),
        question=_text(meta, "question", required=True),
        answer_text=_answer_text(_text(meta, "answer", required=True)),
        subject=_text(meta, "subject", required=True),
        url=url,
        title=_text(meta, "title", required=False),
        date=_date(meta),
        keywords=_text(seo, "page_keywords", required=False),
        description=_text(seo, "page_description", required=False),
        related=_related(meta),
    )


def article_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of an article file and its status, read only if it is a regular file within the limit.

    :raises ArticleError: for any other file; ``OSError`` if it cannot be read.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        # A FIFO or device would block or never end: only regular files are articles.
        raise ArticleError("not a regular file")
    with open(path, "rb") as handle:
        found = os.fstat(handle.fileno())
        if found.st_size > MAX_FILE_BYTES:  # the size it has, not the part of it worth reading
            raise ArticleError(f"file is {found.st_size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
        return handle.read(MAX_FILE_BYTES + 1), found


def read_article(path: Path, source: Path | None = None) -> Article | Problem:
    """Read and validate one file; a failure becomes a ``Problem``, never an exception."""
    name = str(path.relative_to(source)) if source else str(path)
    shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    try:
        if shown != name:  # the index keeps every file's name, as UTF-8 text
            raise ArticleError("file name is not UTF-8: rename the file")
        raw, found = article_bytes(path)
        return replace(parse_article(path, raw, relative_to=source), stamp=(found.st_size, found.st_mtime_ns))
    except ArticleError as exc:
        return Problem(shown, str(exc))
    except OSError as exc:
        return Problem(shown, f"cannot read file: {exc.strerror or exc}")
    except Exception as exc:  # a bug or a library's undocumented failure must cost this file, not the build
        return Problem(shown, f"could not be read ({type(exc).__name__}: {exc})")


def merge_subjects(articles: list[Article]) -> list[Article]:
    """Spell each subject the way most of its articles do ("Computer science" -> "Computer Science")."""
    spellings: dict[str, Counter] = {}
    for article in articles:
        spellings.setdefault(article.subject.casefold(), Counter())[article.subject] += 1
    # Ties go to the spelling with more capitals, then alphabetical, so the result is stable.
    best = {
        key: min(counts, key=lambda s: (-counts[s], -sum(c.isupper() for c in s), s))
        for key, counts in spellings.items()
    }
    return [
        a if best[a.subject.casefold()] == a.subject else replace(a, subject=best[a.subject.casefold()])
        for a in articles
    ]


class Intake:
    """Takes per-file results in path order: the first article with an id or url wins, later ones are problems."""

    def __init__(self) -> None:
        self.corpus = Corpus(articles=[], problems=[])
        self._ids: dict[int, str] = {}
        self._urls: dict[str, str] = {}

    def take(self, item: Article | Problem) -> bool:
        """Whether ``item`` joined the corpus."""
        if isinstance(item, Article):
            if item.id in self._ids:
                item = Problem(item.path, f"duplicate id {item.id} (already in {self._ids[item.id]})")
            elif item.url in self._urls:
                item = Problem(item.path, f"duplicate url {item.url} (already in {self._urls[item.url]})")
        if isinstance(item, Problem):
            self.corpus.problems.append(item)
            return False
        self._ids[item.id] = self._urls[item.url] = item.path
        self.corpus.articles.append(item)
        return True


def collect(results: Iterable[Article | Problem]) -> Corpus:
    """Turn per-file results into a corpus: duplicates reported, subject spellings merged."""
    intake = Intake()
    for item in results:
        intake.take(item)
    intake.corpus.articles = merge_subjects(intake.corpus.articles)
    return intake.corpus


def read_articles(paths: list[Path], source: Path) -> list[Article | Problem]:
    return [read_article(path, source) for path in paths]


def lost_articles(paths: list[Path], reason: str, source: Path) -> list[Problem]:
    """Problems for files whose reading process died."""
    return [Problem(str(path.relative_to(source)), reason) for path in paths]


def read_files(paths: list[Path], source: Path, reader: Reader) -> Iterator[Article | Problem]:
    """Each of ``paths`` read and validated by ``reader``'s processes, in order."""
    read = partial(read_articles, source=source)
    for results in reader.map(read, chunked(paths), partial(lost_articles, source=source)):
        yield from results


def read_corpus(source: Path, procs: int = 0) -> Corpus:
    """Read every article below ``source`` with ``procs`` worker processes (0: in this one)."""
    return collect(read_files(list(find_article_files(source)), source, Reader(procs)))
