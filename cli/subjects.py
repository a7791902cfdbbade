"""``--subject`` must name a subject of the index: a misspelt one would filter out every hit in silence."""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

from common.errors import UsageError

if TYPE_CHECKING:  # only named in a hint: the command imports the engine when it runs
    from search.engine import Engine


def known_subjects(engine: Engine) -> list[str]:
    """Every subject of the live version: an empty query lists every article, and its facets count them all."""
    return [facet.value for facet in engine.search("", per_page=1).facets]


def check_subjects(asked: Sequence[str], known: Sequence[str]) -> None:
    """Raise ``UsageError`` naming the ``asked`` subjects not ``known`` (in any case), listing those nearest first."""
    names = {name.casefold() for name in known}
    unknown = [subject for subject in asked if subject.casefold() not in names]
    if not unknown:
        return
    nearest = sorted(known, key=lambda name: (*(-x for x in max(_likeness(name, u) for u in unknown)), name.casefold()))
    raise UsageError(
        f"no subject {', '.join(map(repr, unknown))} in the index; its subjects, nearest first: {', '.join(nearest)}"
    )


def _likeness(name: str, typed: str) -> tuple[bool, bool, float]:
    """How near ``typed`` is to ``name``: its start ("comp"), then inside it, then alike (a typo)."""
    name, typed = name.casefold(), typed.casefold()
    return name.startswith(typed), typed in name, SequenceMatcher(None, name, typed).ratio()
