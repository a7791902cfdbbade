"""What the full build does to stay small at 200,000 articles.

It keeps of each article only what its last steps need, once Whoosh has
stored its texts.
"""

from __future__ import annotations

import gc

from common.values import WORDLLAMA
from index import inverted
from index.articles import read_corpus
from index.build import build
from tests.factory import write_article


def _held(markers: set[str]) -> set[str]:
    """The markers that some live object holds within a longer text."""
    gc.collect()
    found = set()
    for holder in gc.get_objects():
        for text in gc.get_referents(holder):
            if type(text) is str and text not in markers:
                found.update(marker for marker in markers if marker in text)
    return found


def test_articles_texts_are_let_go_once_whoosh_has_stored_them(tmp_path, monkeypatch):
    # Built here, so that no constant of this module holds them; capitals keep them from any index term.
    texts = ("answer", "keywords", "description", "related")
    markers = {name: " ".join(("Unretained", name, "Text")) for name in texts}
    source = tmp_path / "articles"
    for n in range(1, 31):
        write_article(
            source,
            id=n,
            question=f"Question number {n}?",
            answer=f"An answer of {n} words. {markers['answer']} {n}, and more.",
            keywords=f"number {n}, {markers['keywords']} {n}",
            description=f"{markers['description']} {n}.",
            related=[(n + 100, f"{markers['related']} {n}?", f"/learn/related/{n}")],
        )
    read = read_corpus(source)
    assert _held(set(markers.values())) == set(markers.values())  # the check sees texts that are held
    del read
    held_while_writing = []
    save = inverted.save

    def checked_save(found, folder):
        held_while_writing.append(_held(set(markers.values())))
        return save(found, folder)

    monkeypatch.setattr(inverted, "save", checked_save)
    build(source, tmp_path / "index", model=WORDLLAMA)
    assert held_while_writing == [set()]
