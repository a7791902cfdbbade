"""Related questions on small indexes of our own."""

from __future__ import annotations

from index.build import build
from search.engine import Engine
from tests.factory import write_article

GENERIC = ", ".join(f"generic{letter}" for letter in "abcdefghijkl")  # as many as an article's key terms


def test_an_article_sharing_only_a_keyword_past_its_key_terms_is_not_related(tmp_path):
    """Its key terms all generic, it has no weight: it is passed over, not divided by."""
    for number in range(11):
        write_article(
            tmp_path / "src", id=number, question=f"Filler question {number}?", answer="Filler.", keywords=GENERIC
        )
    write_article(
        tmp_path / "src", id=20, question="Why tune a xylophone?", answer="Bars.", keywords=f"{GENERIC}, xylophone"
    )
    write_article(tmp_path / "src", id=21, question="Who plays the xylophone?", answer="Players.", keywords="xylophone")
    build(tmp_path / "src", tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        hit = engine.search("who plays the xylophone").hits[0]
        assert hit.id == 21
        assert hit.related == []
