"""Look-alike distractor articles made from the sample's own vocabulary.

Each distractor takes a subject with the sample's distribution, borrows
sentences and keywords from two or three real articles of that subject and
asks a question built from their keywords, so it competes for the same words
without being the best answer. Written to a temporary folder, never the repo.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

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
    answer = " ".join(rng.sample(sentences, min(len(sentences), rng.randint(8, 16)))).replace("\\", " ")
    subject = sources[0].subject
    slug = f"distractor-{number}"
    return "\n".join(
        [
            "---",
            f"id: {9_000_000 + number}",
            "date: 2024-01-01",
            "seo:",
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


def write_distractors(articles: list[Article], folder: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    by_subject: dict[str, list[Article]] = {}
    for article in articles:
        by_subject.setdefault(article.subject, []).append(article)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        pool = by_subject[rng.choice(articles).subject]
        (folder / f"distractor-{number}.md").write_text(distractor(number, pool, rng), encoding="utf-8")
