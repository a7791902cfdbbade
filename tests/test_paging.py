"""Pages on the real sample: walked one by one, they show every match once, in the order of ``score``.

Pages within the ranked leaders come from them, later ones from every match ranked by the key: any
change to a key after the leaders are chosen must keep the leaders above the rest.
"""

from __future__ import annotations

from collections.abc import Iterable

from index.articles import read_corpus
from search.engine import Engine
from tests.test_synonyms import groups


def test_every_page_of_broad_queries_shows_each_match_once_in_order(sample_index, sample_dir):
    phrases = sorted({k.strip().lower() for a in read_corpus(sample_dir).articles for k in a.keywords.split(",")})
    assert walk_pages(sample_index, phrases) >= 100


def test_every_page_shows_each_match_once_in_order_where_synonyms_stand_apart(sample_index):
    """ "os process" showed the same four articles at the end of every page past the fifth, and never
    showed 21 others: lowering a leader's key for its synonym's words standing apart let it fall among
    the articles ranked past the leaders. Every single word entry beside a common word."""
    words = [entry for group in groups() for entry in group if len(entry.split()) == 1]
    texts = [f"{word} {other}" for word in words for other in ("process", "function", "structure")]
    assert walk_pages(sample_index, texts) >= 10


def walk_pages(index, texts: Iterable[str]) -> int:
    """Walks every page of each of ``texts`` with over 60 matches, checking each; how many it walked."""
    walked = 0
    with Engine(index) as engine:
        for text in texts:
            first = engine.search(text, per_page=10)
            if first.total <= 60 or first.corrected:
                continue
            walked += 1
            hits = [hit for page in range(1, first.pages + 1) for hit in engine.search(text, page=page).hits]
            assert len({hit.id for hit in hits}) == len(hits) == first.total, text
            scores = [hit.score for hit in hits]
            assert scores == sorted(scores, reverse=True), text
    return walked
