"""Queries as the site's visitors type them, made from the articles of the index being benchmarked.

    .venv/bin/python -m bench.visitors INDEX_DIR [-n 20] [--seed 15]

Visitors seldom type a whole question. They type its first three to eight
words, two of an article's keywords with "vs" between them, "how to" and a
keyword, or a notation met in the texts (``O(n log n)``, ``/16``, ``VIL``,
``H2O``, ``p-value``), alone or with a keyword; one query in five has a typo,
some search within a subject, a few ask for page 2. Each query is a dict of
``/api/search`` parameters. A set is a pure function of the live version's
articles (the generated ones and, when the benchmark indexed them, the real
ones) and the seed, and its queries are distinct.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import random
import re
import string
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from whoosh.filedb.filestore import FileStorage

from index import docmeta
from index import versions
from index.manifest import read as read_manifest
from search.query import FILLER

SEED = 15
# Shares of the kinds of query; questions take whatever a kind the articles cannot make leaves.
KINDS = {"question": 0.4, "comparison": 0.2, "how to": 0.2, "notation": 0.2}
TYPO_SHARE = 0.2
SUBJECT_SHARE = 0.15
PAGE_TWO_SHARE = 0.1
TYPO_MIN_LETTERS = 5  # shorter words get no typo: the engine corrects only from five letters
SOURCE_ARTICLES = 5000  # articles read: enough for 10,000 distinct queries, read in a few seconds
ATTEMPTS = 300  # draws of one kind of query before the articles are judged to have no new one of that kind
# Kinds that take the place of one the articles have run out of (a small corpus has little notation).
FALLBACKS = ("comparison", "question")

NOTATION = re.compile(
    r"""
      \bO\([^()\n]{1,15}\)                         # O(1), O(n log n)
    | (?:(?<![^\s(])|(?<=\.\d)|(?<=\.\d\d)|(?<=\.\d\d\d))/\d{1,3}\b   # /16, alone or after an address
    | \b[A-Za-z](?:\+\+|\#)(?![\w+#])              # C++, C#
    | \.NET\b
    | (?<![\w-])[^\W\d_]{1,2}-[^\W\d_]+(?![\w-])   # p-value, t-test, NP-hard; not end-to-end
    | \b[^\W\d_]+\d[^\W_]*\b                       # H2O, IPv6, CO2
    | \b[A-Z]{2,5}\b                               # VIL, TCP
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Source:
    """What a visitor looking for one article may type from."""

    question: str
    keywords: tuple[str, ...]
    notation: tuple[str, ...]  # as written in its question, keywords and answer
    subject: str


def notation_tokens(text: str) -> tuple[str, ...]:
    """The notation in ``text``, each once, in order of appearance; capitals that spell filler ("AS") are not."""
    found = (match.group() for match in NOTATION.finditer(text))
    return tuple(dict.fromkeys(token for token in found if token.casefold() not in FILLER))


def _typable(keyword: str) -> bool:
    # Some real keywords are garbled LaTeX ("$orall$", "ext{...}"): nobody types those.
    return any(c.isalpha() for c in keyword) and not any(c in keyword for c in "${}\\")


def _source(stored: dict, subject: str) -> Source:
    keywords = tuple(k.strip() for k in stored.get("keywords", "").split(",") if _typable(k))
    text = " ".join((stored["question"], stored.get("keywords", ""), stored.get("answer", "")))
    return Source(stored["question"], keywords, notation_tokens(text), subject)


def read_sources(index_dir: Path, count: int = SOURCE_ARTICLES, seed: int = SEED) -> list[Source]:
    """Up to ``count`` live articles of the index's live version, picked by ``seed`` and their paths.

    Each article's place in the pick depends on its own path only, so an update
    that deletes or changes articles outside it (as ``bench.speed``'s own update
    does, run after run) leaves the sources, and so the query set, as they were.
    """
    version = versions.live_version(index_dir)
    meta = docmeta.load(version)
    indexed = read_manifest(version)
    picked = heapq.nsmallest(count, zip(map(partial(_rank, seed), indexed.paths), indexed.docnums, strict=True))
    reader = FileStorage(str(version), supports_mmap=False).open_index().reader()
    try:
        # Read in docnum order (the stored fields' order on disk), then put back in the pick's.
        docs = sorted(doc for _, doc in picked)
        # The subject as the engine shows it: the build settles each subject's spelling after storing.
        found = {doc: _source(reader.stored_fields(doc), meta.subjects[meta.subject[doc]]) for doc in docs}
    finally:
        reader.close()
    return [found[doc] for _, doc in picked]


def _rank(seed: int, path: str) -> bytes:
    return hashlib.blake2b(f"{seed} {path}".encode(), digest_size=8).digest()


# --- What one visitor types ---------------------------------------------------


def _opening(source: Source, rng: random.Random) -> str:
    words = source.question.split()
    return " ".join(words[: rng.randint(3, 8)]).rstrip("?.!,;:")


def _comparison(source: Source, rng: random.Random) -> str:
    first, second = rng.sample(source.keywords, 2)
    return f"{first} vs {second}"


def _how_to(source: Source, rng: random.Random) -> str:
    return "how to " + rng.choice(source.keywords)


def _notation(source: Source, rng: random.Random) -> str:
    token = rng.choice(source.notation)
    # Half the time with a keyword of its article, as in "/24 subnet mask".
    return f"{token} {rng.choice(source.keywords)}" if source.keywords and rng.random() < 0.5 else token


Maker = tuple[Callable[[Source], bool], Callable[[Source, random.Random], str]]
MAKERS: dict[str, Maker] = {
    "question": (lambda s: bool(s.question.split()), _opening),
    "comparison": (lambda s: len(s.keywords) >= 2, _comparison),
    "how to": (lambda s: bool(s.keywords), _how_to),
    "notation": (lambda s: bool(s.notation), _notation),
}


# --- Typos -------------------------------------------------------------------
# Never in the first letter: visitors get it right most often, and the engine looks
# for corrections among the words that share it.


def swap(word: str, rng: random.Random) -> str:
    """``word`` with a letter and the next swapped (the same word when both are alike)."""
    at = rng.randrange(1, len(word) - 1)
    return word[:at] + word[at + 1] + word[at] + word[at + 2 :]


def _delete(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word))
    return word[:at] + word[at + 1 :]


def _insert(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word) + 1)
    return word[:at] + rng.choice(string.ascii_lowercase) + word[at:]


def _replace(word: str, rng: random.Random) -> str:
    at = rng.randrange(1, len(word))
    return word[:at] + rng.choice(string.ascii_lowercase.replace(word[at].lower(), "")) + word[at + 1 :]


EDITS = (swap, _delete, _insert, _replace)


def one_edit(word: str, rng: random.Random) -> str:
    """``word`` with one letter swapped with the next, deleted, inserted or replaced: a different word, in any case."""
    while True:
        typo = rng.choice(EDITS)(word, rng)
        if typo.casefold() != word.casefold():
            return typo


def _typo_positions(text: str) -> list[int]:
    return [i for i, word in enumerate(text.split(" ")) if word.isalpha() and len(word) >= TYPO_MIN_LETTERS]


def _misspelt(text: str, taken: set[str], rng: random.Random) -> str:
    """``text`` with one edit in one of its words of ``TYPO_MIN_LETTERS`` letters or more, unlike any of ``taken``."""
    words = text.split(" ")
    for _ in range(ATTEMPTS):
        at = rng.choice(_typo_positions(text))
        typo = " ".join([*words[:at], one_edit(words[at], rng), *words[at + 1 :]])
        if typo.casefold() not in taken:
            return typo
    raise ValueError(f"no typo of {text!r} differs from the other queries")


# --- A set -------------------------------------------------------------------


def _kinds(sources: Sequence[Source], count: int, rng: random.Random) -> list[str]:
    """A kind for each query, in the shares of ``KINDS`` (exactly, to rounding), shuffled.

    The share is what the set gets unless the articles run out of distinct queries of a kind.
    """
    makeable = [kind for kind, (usable, _) in MAKERS.items() if any(usable(s) for s in sources)]
    if "question" not in makeable:
        raise ValueError("no article has a question")
    kinds = [kind for kind in makeable if kind != "question" for _ in range(round(KINDS[kind] * count))]
    kinds += ["question"] * (count - len(kinds))
    rng.shuffle(kinds)
    return kinds


def _new_text(
    pools: dict[str, list[Source]], kinds: Sequence[str], taken: set[str], rng: random.Random
) -> tuple[str, Source]:
    """A query text unlike any of ``taken`` (in any case) and its article, of the first of ``kinds`` that gives one."""
    for kind in kinds:
        make = MAKERS[kind][1]
        for _ in range(ATTEMPTS if pools[kind] else 0):
            source = rng.choice(pools[kind])
            text = make(source, rng)
            if text.casefold() not in taken:
                return text, source
    raise ValueError(f"the articles give no other query than {len(taken)}")


def _texts(sources: Sequence[Source], count: int, rng: random.Random) -> list[tuple[str, Source]]:
    """``count`` distinct (in any case) query texts, each with the article it was made from."""
    pools = {kind: [s for s in sources if usable(s)] for kind, (usable, _) in MAKERS.items()}
    taken: set[str] = set()
    found = []
    for kind in _kinds(sources, count, rng):
        text, source = _new_text(pools, [kind, *FALLBACKS], taken, rng)
        taken.add(text.casefold())
        found.append((text, source))
    return found


def _chosen(count: int, share: float, among: Sequence[int], rng: random.Random) -> list[int]:
    return sorted(rng.sample(among, min(len(among), round(share * count))))


def visitor_set(sources: Sequence[Source], count: int, seed: int = SEED, typo_share: float = TYPO_SHARE) -> list[dict]:
    """``count`` distinct queries made from ``sources``: the same sources and seed give the same set.

    Texts, typos, subjects and pages each draw from a generator of their own, so a
    set made with another ``typo_share`` differs only in the queries given a typo.
    """
    texts = _texts(sources, count, random.Random(f"{seed} texts"))
    queries = [{"q": text} for text, _ in texts]
    rng = random.Random(f"{seed} typos")
    typable = [i for i, (text, _) in enumerate(texts) if _typo_positions(text)]
    taken = {text.casefold() for text, _ in texts}
    for i in _chosen(count, typo_share, typable, rng):
        queries[i]["q"] = _misspelt(queries[i]["q"], taken, rng)
        taken.add(queries[i]["q"].casefold())
    # Visitors who search within a subject are on that subject's pages: the article's own.
    for i in _chosen(count, SUBJECT_SHARE, range(count), random.Random(f"{seed} subjects")):
        queries[i]["subject"] = texts[i][1].subject
    for i in _chosen(count, PAGE_TWO_SHARE, range(count), random.Random(f"{seed} pages")):
        queries[i]["page"] = 2
    return queries


def visitor_queries(index_dir: Path, count: int, seed: int = SEED) -> list[dict]:
    """``visitor_set`` of the articles ``read_sources`` picks from the index's live version."""
    return visitor_set(read_sources(index_dir, seed=seed), count, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("-n", type=int, default=20, help="queries")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for query in visitor_queries(args.index_dir, args.n, args.seed):
        print(json.dumps(query, ensure_ascii=False))


if __name__ == "__main__":
    main()
