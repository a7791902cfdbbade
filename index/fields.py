"""Every scored field's facts, declared once: the build, the Whoosh schemas, the codec and the ranker derive from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from index.articles import Article
from index.tokens import field_tokens

LEAD_CHARS = 300


def lead(text: str) -> str:
    """The first paragraph, cut at a sentence end or word near ``LEAD_CHARS``."""
    first = text.split("\n", 1)[0]
    if len(first) <= LEAD_CHARS:
        return first
    cut = first.rfind(". ", 0, LEAD_CHARS)
    return first[: cut + 1] if cut > LEAD_CHARS // 3 else first[:LEAD_CHARS].rsplit(" ", 1)[0]


@dataclass(frozen=True)
class Field:
    name: str
    text: Callable[[Article], str]  # what the field holds of an article
    boost: float  # how much a match in it is worth to the ranker
    b: float  # BM25 length normalisation: 0 for a field whose length says nothing
    positions: bool = False  # kept for quoted phrases
    vocabulary: bool = False  # its words are what spelling correction knows; needs ``stored`` (an update
    # takes a deleted article's words out of the counts from its stored text)
    stored: bool = False  # Whoosh stores its text for results
    separator: str | None = None  # between entries of a list, whose words never stand side by side
    # Saturates on its own, beside the other fields' BM25F (``index.impacts``): the question is what the
    # article is about, and a word it holds must not weigh as little as one word more in a long answer.
    alone: bool = False


# The answer's opening ("lead") names what a Q&A article is about.
SCORED = (
    Field("question", lambda a: a.question, 3.0, 0.5, positions=True, vocabulary=True, stored=True, alone=True),
    Field("title", lambda a: a.title, 2.0, 0.5),
    Field("keywords", lambda a: a.keywords, 3.0, 0.3, positions=True, vocabulary=True, stored=True, separator=","),
    Field("subject", lambda a: a.subject, 2.0, 0.0, stored=True),
    Field("description", lambda a: a.description, 1.0, 0.5),
    Field("lead", lambda a: lead(a.answer_text), 2.0, 0.5),
    # Its lines (paragraphs, headings, list items) are entries: no phrase or pair of neighbours spans two.
    Field("answer", lambda a: a.answer_text, 1.0, 0.75, positions=True, vocabulary=True, stored=True, separator="\n"),
)

NAMES = tuple(field.name for field in SCORED)
BOOSTS = {field.name: field.boost for field in SCORED}
LENGTH_NORMS = {field.name: field.b for field in SCORED}
POSITIONAL = frozenset(field.name for field in SCORED if field.positions)
VOCABULARY = frozenset(field.name for field in SCORED if field.vocabulary)
ALONE = frozenset(field.name for field in SCORED if field.alone)


def field_texts(article: Article) -> dict[str, str]:
    """The text of each scored field."""
    return {field.name: field.text(article) for field in SCORED}


def field_words(article: Article) -> dict[str, tuple[list[str], list[int]]]:
    """The folded words of each scored field and their positions, as the index holds them."""
    return {field.name: field_tokens(field.text(article), field.separator) for field in SCORED}
