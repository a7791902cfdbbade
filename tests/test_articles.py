"""Reading article files: real-world quirks are handled, broken files are reported and skipped."""

import datetime as dt
import errno
import os

import pytest

from index.articles import MAX_FILE_BYTES
from index.articles import Article
from index.articles import Problem
from index.articles import find_article_files
from index.articles import read_article
from index.articles import read_corpus
from index.build import build
from index.changes import changed_files
from index.manifest import Entry
from index.manifest import Manifest
from search.engine import Engine
from tests.factory import article_text
from tests.factory import write_article

GOOD = dict(
    id=10, question="What is a heap?", answer=r"A heap is a tree.\n\nIt keeps order.", subject="Computer Science"
)


def reasons(corpus) -> dict[str, str]:
    return {p.path: p.reason for p in corpus.problems}


def test_reads_a_valid_article(tmp_path):
    path = write_article(
        tmp_path, keywords="heap, tree", related=[(11, "What is a tree?", "/learn/cs/questions/tree")], **GOOD
    )
    article = read_article(path, tmp_path)
    assert isinstance(article, Article)
    assert article.id == 10 and article.question == "What is a heap?"
    assert article.answer_text == "A heap is a tree.\nIt keeps order."
    assert article.date == dt.date(2024, 6, 1)
    assert article.keywords == "heap, tree"
    assert [r.url for r in article.related] == ["/learn/cs/questions/tree"]
    assert article.path == "what-is-a-heap.md"


def test_quirks_of_real_files(tmp_path):
    text = article_text(**GOOD).replace("score: -1.0\n", "").replace("\n---\n\n&nbsp;", "\n\n---\n\n&nbsp;")
    text = text.replace("    none", "    ext{mean}, $orall$, Thvenin")
    path = tmp_path / "quirky.md"
    path.write_text(text)
    article = read_article(path, tmp_path)
    assert isinstance(article, Article), article
    assert article.related == ()
    assert article.keywords == "ext{mean}, $orall$, Thvenin"


def test_bom_and_crlf_are_accepted(tmp_path):
    path = tmp_path / "windows.md"
    path.write_bytes(b"\xef\xbb\xbf" + article_text(**GOOD).replace("\n", "\r\n").encode())
    assert isinstance(read_article(path, tmp_path), Article)


def test_subject_spellings_merge_to_the_most_common(tmp_path):
    for n, subject in enumerate(["Computer Science", "Computer science", "Computer Science"]):
        write_article(tmp_path, id=n, question=f"Question {n}?", answer="Answer.", subject=subject)
    corpus = read_corpus(tmp_path)
    assert {a.subject for a in corpus.articles} == {"Computer Science"}


BROKEN = [
    ("invalid-yaml.md", "---\nid: 1\nquestion: [unclosed\n---\n", "invalid YAML front matter"),
    ("empty.md", "", "empty file"),
    ("no-front-matter.md", "just text\n", "no front matter"),
    ("unclosed.md", article_text(**GOOD).split("\n---\n")[0] + "\n", "not closed"),
    ("missing-answer.md", article_text(**GOOD).replace("answer: >-", "answerx: >-"), "missing required field 'answer'"),
    (
        "empty-subject.md",
        article_text(**GOOD).replace("subject: Computer Science", "subject: ''"),
        "'subject' is empty",
    ),
    (
        "list-question.md",
        article_text(**GOOD).replace("question: >-\n    What is a heap?", "question: [a, b]"),
        "'question' must be text, not list",
    ),
    ("string-id.md", article_text(**GOOD).replace("id: 10", "id: 'ten'"), "'id' must be an integer, not str"),
    ("bad-url.md", article_text(**GOOD).replace("url: /learn", "url: learn"), "site-relative"),
    # The index keeps ids as 64-bit integers: a larger one must cost its file, not the build.
    ("huge-id.md", article_text(**GOOD).replace("id: 10", "id: 9223372036854775808"), "'id' must be between"),
    ("list-front-matter.md", "---\n- id\n- 1\n---\n&nbsp;\n", "front matter holds no fields"),
    ("string-front-matter.md", "---\njust words\n---\n&nbsp;\n", "front matter holds no fields"),
]


@pytest.mark.parametrize(("name", "content", "reason"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_file_is_reported_with_reason(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_text(content)
    problem = read_article(path, tmp_path)
    assert isinstance(problem, Problem)
    assert problem.path == name
    assert reason in problem.reason


def test_binary_non_utf8_and_oversized_files(tmp_path):
    (tmp_path / "binary.md").write_bytes(b"\x89PNG\x00\x00\x01")
    (tmp_path / "latin1.md").write_bytes(article_text(**GOOD).replace("heap", "h\xe9ap").encode("latin-1"))
    (tmp_path / "huge.md").write_text(article_text(**GOOD).replace("A heap is a tree.", "x" * 10 * 1024 * 1024))
    os.mkfifo(tmp_path / "pipe.md")
    corpus = read_corpus(tmp_path)
    assert corpus.articles == []
    found = reasons(corpus)
    assert "binary file" in found["binary.md"]
    assert "not UTF-8" in found["latin1.md"]
    size = (tmp_path / "huge.md").stat().st_size  # its own size, not the part read
    assert found["huge.md"] == f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit"
    assert found["pipe.md"] == "not a regular file"


def test_duplicates_are_skipped_and_good_files_kept(tmp_path):
    write_article(tmp_path, name="a.md", **GOOD)
    write_article(tmp_path, name="b.md", **{**GOOD, "question": "Other?", "url": "/learn/cs/questions/other"})
    write_article(tmp_path, name="c.md", **{**GOOD, "id": 11})  # same url as a.md
    write_article(tmp_path, name="d.md", **{**GOOD, "id": 12, "url": "/learn/cs/questions/d"})
    corpus = read_corpus(tmp_path)
    assert [a.path for a in corpus.articles] == ["a.md", "d.md"]
    assert reasons(corpus) == {
        "b.md": "duplicate id 10 (already in a.md)",
        "c.md": "duplicate url /learn/computer-science/questions/what-is-a-heap (already in a.md)",
    }


def test_unreadable_file_and_symlink_loop(tmp_path):
    # Tests run as root, and root reads a file whatever its mode: chmod 000 makes nothing unreadable.
    # What fails for root too: a link to nothing (ENOENT on opening) and a regular file whose read fails,
    # as on a failing disk (EIO): /proc/self/mem, read at offset 0, which no process maps.
    source = tmp_path / "src"
    write_article(source, name="good.md", **GOOD)
    os.symlink(source / "missing-target.md", source / "dangling.md")
    os.symlink("/proc/self/mem", source / "eio.md")
    (source / "sub").mkdir()
    os.symlink(source, source / "sub" / "loop")  # a folder link back up: read once, not again through the link
    report = build(source, tmp_path / "index")
    assert report.documents == 1
    assert reasons(report) == {
        "dangling.md": f"cannot read file: {os.strerror(errno.ENOENT)}",
        "eio.md": f"cannot read file: {os.strerror(errno.EIO)}",
    }
    with Engine(tmp_path / "index") as engine:
        assert [hit.id for hit in engine.search("heap").hits] == [10]


def test_a_link_to_itself_is_reported_not_fatal(tmp_path):
    write_article(tmp_path, name="good.md", **GOOD)
    os.symlink("itself.md", tmp_path / "itself.md")
    corpus = read_corpus(tmp_path)
    assert [a.path for a in corpus.articles] == ["good.md"]
    assert reasons(corpus) == {"itself.md": f"cannot read file: {os.strerror(errno.ELOOP)}"}


def test_sample_reads_completely(sample_dir):
    corpus = read_corpus(sample_dir)
    assert len(corpus.articles) == 201
    assert corpus.problems == []
    subjects = {a.subject for a in corpus.articles}
    assert "Computer Science" in subjects and "Computer science" not in subjects
    assert all("\\n" not in a.answer_text.replace("\\neg", "").replace("\\neq", "") for a in corpus.articles)


def test_changed_files_see_the_files_a_build_reads(tmp_path):
    # An update compares the stamps of what it finds with what the last build read: the two walks must agree.
    source = tmp_path / "src"
    write_article(source, name="good.md", **GOOD)
    write_article(source / "a" / "b", name="deep.md", **GOOD)
    os.symlink(source / "missing-target.md", source / "dangling.md")
    os.symlink("itself.md", source / "itself.md")
    os.symlink(source, source / "a" / "loop")
    (source / "folder.md").mkdir()
    write_article(source / "folder.md", name="inside.md", **GOOD)
    os.symlink(source / "a", source / "linked.md")  # a link to a folder, named like an article
    (source / "notes.txt").write_text("not an article")
    stamps = changed_files(source, Manifest.of([])).touched
    assert set(stamps) == {str(path.relative_to(source)) for path in find_article_files(source)}
    assert set(stamps) == {"good.md", "a/b/deep.md", "dangling.md", "itself.md", "folder.md/inside.md"}
    deep = (source / "a" / "b" / "deep.md").stat()
    assert stamps["a/b/deep.md"] == (deep.st_size, deep.st_mtime_ns)
    assert stamps["dangling.md"] == stamps["itself.md"] == (-1, -1)


def test_changed_files_compare_stamps_with_the_indexed_ones(tmp_path):
    source = tmp_path / "src"
    write_article(source, name="same.md", **GOOD)
    write_article(source / "a", name="edited.md", **GOOD)
    os.symlink(source / "missing-target.md", source / "dangling.md")
    same = (source / "same.md").stat()
    stamps = {
        "same.md": (same.st_size, same.st_mtime_ns),
        "a/edited.md": (same.st_size, same.st_mtime_ns - 1),
        "dangling.md": (10, 10),  # there but unreadable: changed, not gone
        "deleted.md": (10, 10),
        "a/deleted.md": (10, 10),
    }
    indexed = Manifest.of((path, Entry("", n, f"/{n}", "", n, stamp)) for n, (path, stamp) in enumerate(stamps.items()))
    changes = changed_files(source, indexed)
    edited = (source / "a" / "edited.md").stat()
    assert changes.touched == {"a/edited.md": (edited.st_size, edited.st_mtime_ns), "dangling.md": (-1, -1)}
    assert sorted(changes.gone) == ["a/deleted.md", "deleted.md"]
