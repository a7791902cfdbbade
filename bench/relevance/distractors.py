"""Distractor articles that compete with the sample for the same queries.

Two styles, written to a temporary folder, never the repo:

- ``generated`` (the default): articles from ``bench/generate.py`` in the
  sample's subjects, with the same shape, technical terms of the subject and
  a Zipf vocabulary.
- ``salad``: a harder stress test. Each distractor takes a subject with the sample's distribution, borrows
sentences and keywords from two or three real articles of that subject and
asks a question built from their keywords, so it competes for the same words
without being the best answer. Like real articles it has a title (the
question) and a description (its first sentence). Written to a temporary folder, never the repo.
"""

from __future__ import annotations

import itertools
import random
import re
import shutil
from pathlib import Path

from bench.generate import article_text
from index.articles import Article

TEMPLATES = [
    "What is the role of {a} in {b}?",
    "How does {a} relate to {b}?",
    "Explain {a} and its use in {b}.",
    "What are common mistakes with {a}?",
    "Why is {a} important for {b}?",
    "Compare {a} with {b}.",
]


def _sentences(article: Article) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", article.answer_text.replace("\n", " ")) if len(s) > 30]


def distractor(number: int, pool: list[Article], rng: random.Random) -> str:
    sources = rng.sample(pool, min(3, len(pool)))
    keywords = [k.strip() for a in sources for k in a.keywords.split(",") if k.strip()] or ["the topic", "practice"]
    a, b = rng.choice(keywords), rng.choice(keywords)
    question = rng.choice(TEMPLATES).format(a=a, b=b).replace(":", " ")
    sentences = [s for a in sources for s in _sentences(a)]
    chosen = rng.sample(sentences, min(len(sentences), rng.randint(8, 16)))
    answer = " ".join(chosen).replace("\\", " ")
    subject = sources[0].subject
    slug = f"distractor-{number}"
    return "\n".join(
        [
            "---",
            f"id: {9_000_000 + number}",
            "date: 2024-01-01",
            "title: >-",
            f"    {question}",
            "seo:",
            "  page_description: >-",
            "    " + (chosen[0] if chosen else question).replace("\\", " "),
            "  page_keywords: >-",
            "    " + ", ".join(rng.sample(keywords, min(8, len(keywords)))),
            "question: >-",
            f"    {question}",
            "answer: >-",
            f"    {answer}",
            f"subject: {subject}",
            f"url: /learn/{subject.lower().replace(' ', '-')}/questions/{slug}",
            "---",
            "",
            "&nbsp;",
            "",
        ]
    )


def write_generated(articles: list[Article], folder: Path, count: int, seed: int = 1) -> None:
    """Generated articles whose subject is one of the sample's."""
    subjects = {a.subject.casefold() for a in articles}
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    for number in itertools.count(1):
        if written == count:
            break
        text = article_text(number, seed)
        subject = re.search(r"^subject: (.+)$", text, re.MULTILINE).group(1).strip()
        if subject.casefold() in subjects:
            (folder / f"generated-{number}.md").write_text(text, encoding="utf-8")
            written += 1


def write_salad(articles: list[Article], folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    by_subject: dict[str, list[Article]] = {}
    for article in articles:
        by_subject.setdefault(article.subject, []).append(article)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        pool = by_subject[rng.choice(articles).subject]
        (folder / f"distractor-{number}.md").write_text(distractor(number, pool, rng), encoding="utf-8")


STYLES = {"generated": write_generated, "salad": write_salad}


def cached(articles: list[Article], cache: Path, style: str, count: int) -> Path:
    """The folder of ``count`` distractors of ``style`` below ``cache``, written on first use only.

    Writing 200,000 articles takes minutes; a folder is complete once renamed to
    its final name, so a run killed while writing leaves nothing another run would reuse.
    """
    folder = cache / f"{style}-{count}"
    if not folder.is_dir():
        partial = cache / f".partial-{style}-{count}"
        shutil.rmtree(partial, ignore_errors=True)
        STYLES[style](articles, partial, count)
        partial.rename(folder)
    return folder
