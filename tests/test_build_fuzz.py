"""Hostile articles through the real build: it always ends, indexes what it can and reports the rest.

Hypothesis writes batches of articles whose answers are made of Markdown
and LaTeX punctuation, brackets, backticks, pipes, deep nesting, very long
tokens and control characters, and batches of real-format articles whose
front matter is damaged at random places. Each batch goes through
``kbsearch index`` in a subprocess with a time limit. Every file must end up
either indexed and searchable or skipped with one of the reasons a reader
can act on; a build that hangs, a traceback, or an "unexpected error"
reason fails the test.

``make test`` runs a short form; ``FUZZ_EXAMPLES=300 .venv/bin/python -m
pytest tests/test_build_fuzz.py`` is the long one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import frontmatter
import pytest
import yaml
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from index import versions
from index.manifest import read as read_manifest
from search.engine import Engine
from tests.factory import article_text

BUILD_SECONDS = 90  # a batch takes about a second; only a hang comes near this
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
# Every reason a skipped file may be given; anything else ("could not be read (…)") is a bug of ours.
KNOWN_REASONS = re.compile(
    "binary file|not UTF-8|empty file|no front matter|front matter is not closed|invalid YAML front matter"
    "|front matter holds no fields|missing required field|must be text|is empty|must be an integer|'id' must be between"
    "|is not a date|must be site-relative|duplicate id|duplicate url|the Markdown parser crashed|not a regular file"
    "|over the .*-byte limit"
)

MARKDOWN = st.sampled_from(
    [
        *"[]()`*_#>-+=|!~$^{}<>&\\'\":;,.",
        *["``", "```", "**", "__", "## ", "> ", "- ", "1. ", "| a | b |", "|---|", "---", "\\n", "\\n\\n"],
        *["$$", "\\(", "\\)", "\\[", "\\]", "\\frac{", "\\hat{\\beta_j}", "\\begin{array}{c}", "\\end{array}"],
        *["\\sqrt", "x_{i", "^{2}", "\\left(", "\\right.", "\\text{", "%", "&nbsp;", "<div>", "</div>", "<!--"],
        *["[`", "see [`", "![", "](", "http://", "<http://a>", "[^1]", "\\n    code", "\\n```\\n"],
    ]
)
CONTROL = st.characters(min_codepoint=0, max_codepoint=0x1F) | st.sampled_from(["\x7f", "\u200b", "\ufeff", "\u2028"])
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
ANSWERS = st.one_of(
    st.lists(st.one_of(MARKDOWN, WORDS, CONTROL), min_size=1, max_size=80).map("".join),
    st.tuples(st.sampled_from(["> ", "- ", "[", "(", "`", "*", "{", "\\left(", "1. "]), st.integers(1, 400)).map(
        lambda nest: nest[0] * nest[1] + "word" + "]" * (nest[1] // 2)
    ),
    st.tuples(st.sampled_from("ab$\\[`|-"), st.integers(5_000, 200_000)).map(lambda long: long[0] * long[1]),
)


def _name(n: int) -> str:
    """A word no other article has, so each article can be searched for alone (letters only: numbers are no words)."""
    return "zq" + "".join(chr(ord("a") + int(digit)) for digit in f"{n:04d}")


def _fuzz_article(n: int, answer: str) -> str:
    meta = {
        "id": 700000 + n,
        "date": "2025-01-01",
        "question": f"What does {_name(n)} mean?",
        "answer": answer,
        "subject": "Fuzzing",
        "url": f"/learn/fuzzing/questions/{n}",
        "seo": {"page_keywords": f"{_name(n)}, fuzzing"},
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, width=1 << 30) + "---\n\n&nbsp;\n"


def _build(source: Path, index_dir: Path) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """``kbsearch index`` in a subprocess; the skipped files with their reasons."""
    command = [sys.executable, "-m", "cli", "index", str(source), "--index-dir", str(index_dir), "--procs", "2"]
    try:
        done = subprocess.run([*command, "--quiet"], capture_output=True, text=True, timeout=BUILD_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the build did not end within {BUILD_SECONDS} s on {sorted(os.listdir(source))}")
    assert "Traceback" not in done.stderr, done.stderr
    skipped = dict(re.findall(r"^  skipped (\S+): (.*)$", done.stderr, re.MULTILINE))
    unknown = {path: reason for path, reason in skipped.items() if not KNOWN_REASONS.search(reason)}
    assert not unknown, f"files skipped for an unexpected reason: {unknown}"
    return done, skipped


def _indexed(index_dir: Path) -> set[str]:
    return set(read_manifest(versions.current_version(index_dir)).paths)


@FUZZ
@given(answers=st.lists(ANSWERS, min_size=1, max_size=24))
def test_hostile_answers_never_break_the_build(answers):
    with tempfile.TemporaryDirectory() as folder:
        source, index_dir = Path(folder) / "articles", Path(folder) / "index"
        source.mkdir()
        texts = {f"a-{n:04d}.md": _fuzz_article(n, answer) for n, answer in enumerate(["plain words", *answers])}
        for name, text in texts.items():
            (source / name).write_text(text, encoding="utf-8")
        done, skipped = _build(source, index_dir)
        assert done.returncode == 0, done.stderr
        indexed = _indexed(index_dir)
        assert indexed | set(skipped) == set(texts) and not indexed & set(skipped), (indexed, skipped)
        # Only the parser may refuse an answer that YAML delivered intact (or one that is all blanks).
        assert all("Markdown parser crashed" in reason or "is empty" in reason for reason in skipped.values()), skipped
        with Engine(index_dir) as engine:
            for name in sorted(indexed):
                n = int(name[2:6])
                urls = [hit.url for hit in engine.search(_name(n)).hits]
                assert urls == [f"/learn/fuzzing/questions/{n}"], (name, urls)


YAML_NOISE = st.sampled_from([*":-#'\"|>{}[]&*!%@`?,\\\t\n ", "\n---\n", ": :", "- -", "!!binary", "\x00", "\r"])


@st.composite
def damaged(draw, n: int) -> str:
    """A real-format article with a few characters inserted, replaced or deleted at random places."""
    text = article_text(id=800000 + n, question=f"What is {_name(n)}?", answer="A **plain** answer.\\n$x^2$")
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        noise, cut = draw(YAML_NOISE), draw(st.integers(0, 3))
        text = text[:at] + noise + text[at + cut :]
    return text


@FUZZ
@given(data=st.data())
def test_damaged_front_matter_is_reported_never_fatal(data):
    with tempfile.TemporaryDirectory() as folder:
        source, index_dir = Path(folder) / "articles", Path(folder) / "index"
        source.mkdir()
        texts = {f"d-{n:04d}.md": data.draw(damaged(n)) for n in range(1, data.draw(st.integers(1, 24)))}
        texts["d-0000.md"] = article_text(id=800000, question="What is an intact article?", answer="It is.")
        for name, text in texts.items():
            (source / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        done, skipped = _build(source, index_dir)
        assert done.returncode == 0, done.stderr
        indexed = _indexed(index_dir)
        assert indexed | set(skipped) == set(texts) and not indexed & set(skipped), (indexed, skipped)


HOSTILE = {  # name: (file content or None for a special file, expected reason or None when it must be indexed)
    "panic.md": ("see [`", "the Markdown parser crashed on this file"),
    "panic-later.md": ("fine text\\n\\nthen `code` and [`unclosed", "the Markdown parser crashed on this file"),
    "deep-quote.md": ("> " * 3000 + "deep", None),
    "deep-list.md": ("- " * 2000 + "deep", None),
    "long-token.md": ("x" * 500_000, None),
    "control.md": ("".join(map(chr, range(1, 32))) + " text", None),
    "latex.md": ("$\\frac{$ \\( \\begin{array} \\) $$\\hat{\\beta_j}$$ \\[ \\left( \\]", None),
    "pipes.md": ("| a |\\n|---|\\n| b | c | d |" * 200, None),
}


def test_sample_with_hostile_articles_builds_reports_and_finds_everything(sample_dir, tmp_path):
    source = tmp_path / "articles"
    shutil.copytree(sample_dir, source)
    for n, (name, (answer, _reason)) in enumerate(HOSTILE.items()):
        (source / "hostile" / name).parent.mkdir(exist_ok=True)
        (source / "hostile" / name).write_text(_fuzz_article(n, answer), encoding="utf-8")
    broken = {
        "hostile/bad-date.md": (_fuzz_article(90, "x").replace("2025-01-01", "2025-13-45"), "is not a date"),
        "hostile/bad-yaml.md": ("---\nid: [1\n---\n", "invalid YAML front matter"),
        "hostile/deep-yaml.md": ("---\nid: " + "[" * 10_000 + "\n---\n", "invalid YAML front matter"),
        "hostile/latin1.md": (_fuzz_article(91, "caf\xe9").encode("latin-1", "replace"), "not UTF-8"),
        "hostile/nul.md": (b"---\nid: 1\x00\n---\n", "binary file"),
        "hostile/huge.md": (_fuzz_article(92, "y " * 1_100_000), "over the"),
    }
    for name, (content, _reason) in broken.items():
        (source / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    os.mkfifo(source / "hostile" / "fifo.md")
    done, skipped = _build(source, tmp_path / "index")
    assert done.returncode == 0, done.stderr
    expected = {f"hostile/{name}": reason for name, (_answer, reason) in HOSTILE.items() if reason}
    expected |= {name: reason for name, (_content, reason) in broken.items()} | {"hostile/fifo.md": "regular file"}
    assert set(skipped) == set(expected), skipped
    assert all(expected[name] in reason for name, reason in skipped.items()), skipped
    articles = list(sample_dir.glob("*.md"))
    with Engine(tmp_path / "index") as engine:
        assert engine.search("", per_page=1).total == len(articles) + len(HOSTILE) - 2
        for n, name in enumerate(HOSTILE):
            if not HOSTILE[name][1]:
                assert [hit.url for hit in engine.search(_name(n)).hits] == [f"/learn/fuzzing/questions/{n}"]
        for path in articles:
            meta = frontmatter.load(path).metadata
            # Every real question finds its own article first, hostile neighbours and all.
            assert [hit.url for hit in engine.search(meta["question"][:256]).hits][:1] == [meta["url"]], path.name
