"""Pages on the real sample: walked one by one, they show every match once, in the order of ``score``.

Pages within the ranked leaders come from them, later ones from every match ranked by the key: any
change to a key after the leaders are chosen must keep the leaders above the rest.
"""

from __future__ import annotations

from index.articles import read_corpus
from search.engine import Engine


def test_every_page_of_broad_queries_shows_each_match_once_in_order(sample_index, sample_dir):
    phrases = sorted({k.strip().lower() for a in read_corpus(sample_dir).articles for k in a.keywords.split(",")})
    walked = 0
    with Engine(sample_index) as engine:
        for text in phrases:
            first = engine.search(text, per_page=10)
            if first.total <= 60 or first.corrected:
                continue
            walked += 1
            hits = [hit for page in range(1, first.pages + 1) for hit in engine.search(text, page=page).hits]
            assert len({hit.id for hit in hits}) == len(hits) == first.total, text
            scores = [hit.score for hit in hits]
            assert scores == sorted(scores, reverse=True), text
    assert walked >= 100
