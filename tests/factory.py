"""Write article files in the real QuickTakes format for tests."""

from __future__ import annotations

import re
from pathlib import Path


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def article_text(
    id: int,
    question: str,
    answer: str,
    subject: str = "Computer Science",
    keywords: str = "",
    date: str = "2024-06-01",
    related: list[tuple[int, str, str]] = (),
    url: str | None = None,
    description: str = "",
) -> str:
    """One article file; ``answer`` uses ``\\n`` (two characters) for paragraph breaks."""
    url = url or f"/learn/{slug(subject)}/questions/{slug(question)}"
    lines = [
        "---",
        "_schema: default",
        f"id: {id}",
        f"date: {date}",
        "title: >-",
        f"    {question}",
        "seo:",
        f"  title: QuickTakes | {subject}",
        "  page_description: >-",
        f"    {description or question}",
        "  page_keywords: >-",
        f"    {keywords or 'none'}",
        "author: tests",
        "question: >-",
        f"    {question}",
        "answer: >-",
        f"    {answer}",
        f"subject: {subject}",
        f"url: {url}",
        "score: -1.0",
    ]
    for n, (rid, rquestion, rurl) in enumerate(related, start=1):
        lines += [f"related_article{n}:", f"    id: {rid}", "    title: >-", f"        {rquestion}", f"    url: {rurl}"]
    return "\n".join(lines) + "\n---\n\n&nbsp;\n"


def write_article(folder: Path, name: str | None = None, **fields) -> Path:
    path = folder / (name or slug(fields["question"]) + ".md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(**fields), encoding="utf-8")
    return path
