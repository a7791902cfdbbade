"""Split text into the words the index holds; one definition for indexing, queries and highlights.

Beyond plain words it keeps technical tokens whole (``C++``, ``C#``, ``.NET``,
``O(n log n)``, ``/16``) and indexes a compound, hyphenated or subscripted,
both as its parts and joined, so "non-deterministic", "non deterministic" and
"nondeterministic" all meet, as do "x_i", "x i" and "xi", or "H_0" and "H0".
The index also holds a big-O, a dotted name ("label.pack") and a versioned name
("IPv4") as the words inside them, so "n log n", "pack" and "ip" find them (``as_indexed``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import replace
from functools import lru_cache

from whoosh.support.charset import accent_map

from index import stemming

# Rendered formulas keep their operators ("P(A ∪ B)", "∑ x p(x)"): each is a word, the one a visitor types.
MATH_SYMBOLS = {
    "∑": "sum", "∏": "product", "∪": "union", "⋃": "union", "∩": "intersection", "⋂": "intersection",
    "∫": "integral", "√": "sqrt", "∞": "infinity", "∂": "partial", "∇": "nabla",
}  # fmt: skip
# A part is letters and digits; "-" and "_" join parts into a compound ("x_{i+1}" is typed
# as often as the rendered "x_i+1", and both must hold x, i and 1).
_PART = r"[^\W_]+(?:[.'’][^\W_]+)*"
_JOINERS = re.compile("[-_]")
_TOKEN = re.compile(
    r"""
    (?P<special>
        (?<![\w+#])[a-z](?:\+\+|\#)(?![\w+#])   # C++, C#, F#
      | (?<![\w.])\.net\b                       # .NET
      | \bo\([^()\n]{1,15}\)                    # O(1), O(n log n)
      | (?<![^\W\d])(?<!/)/\d{1,3}\b            # /16 network prefixes, alone or after an address
      | [SYMBOLS]                               # math operators, indexed by name
    )
    | (?P<word>PART(?:[-_]PART)*)
    """.replace("PART", _PART).replace("SYMBOLS", "".join(MATH_SYMBOLS)),
    re.IGNORECASE | re.VERBOSE,
)
_PARTS = re.compile(_PART)
# Text without any of these cannot hold a special token, and most text has none. Each is
# searched for apart, from a literal: one alternation scans ~30 times slower.
_MAY_BE_SPECIAL = (re.compile(r"\((?<=[oO]\()"), re.compile(r"\.net", re.IGNORECASE), re.compile(r"/\d"))
_WORDS_ONLY = re.compile(f"{_PART}(?:[-_]{_PART})*")
_DOTTED = re.compile(r"\.(?<=[^\W\d_]\.)(?=[^\W\d_])")  # a stop between letters: a dotted name, split by ``as_indexed``
# A name and its version ("ipv4", "ospfv3", "snmpv3"): its name is the word a visitor types, "ip".
_VERSIONED = re.compile(r"([^\W\d_]{2,})(v\d{1,2})")
_MAY_BE_VERSIONED = re.compile(r"v\d(?<=[^\W\d_]{3}\d)", re.IGNORECASE)
# An acronym's plural ("SVMs", "gTLDs", "NFAs"), which porter2 leaves whole: it is also the acronym.
# Only a lower-case s after capitals: "DNS", "DBMS" and "RSS" are no plurals.
_ACRONYM_PLURAL = re.compile(r"[a-z]{0,2}[A-Z]{2,}s")
_MAY_BE_ACRONYM_PLURAL = re.compile(r"s\b(?<=[A-Z]{2}s)")
_LETTER = re.compile(r"[^\W\d_]")
_PIECE = re.compile(r"[^.]+")


@dataclass(frozen=True)
class Word:
    """One word as written: a plain word, a special token, or a compound of parts joined by "-" or "_"."""

    start: int
    end: int
    parts: tuple[tuple[int, int, str], ...]  # (start, end, folded text) of each part
    whole: str | None = None  # a token also indexed as the parts inside it (``_indexed``)
    singular: str | None = None  # an acronym's plural also indexed as the acronym ("svms" as "svm")

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(part[2] for part in self.parts)

    @property
    def joined(self) -> str | None:
        """The compound written as one word ("nondeterministic"), if it is a compound."""
        return "".join(self.texts) if len(self.parts) > 1 and not self.whole else None

    @property
    def also(self) -> str | None:
        """Another word the text indexes at the same position: "16" for the network prefix "/16"."""
        if self.whole or self.singular:
            return self.whole or self.singular
        return alias(self.parts[0][2]) if len(self.parts) == 1 else None


def alias(token: str) -> str | None:
    """The number of a network prefix ("/16" is also 16); a query for "/16" still asks for the prefix only."""
    return token[1:] if token[:1] == "/" else None


# A Greek letter standing alone is the word a visitor types for it: formulas render
# "\\gamma" as "γ", while questions and keywords say "gamma".
GREEK_LETTERS = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "theta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu",
    "ξ": "xi", "ο": "omicron", "π": "pi", "ρ": "rho", "σ": "sigma", "ς": "sigma", "τ": "tau", "υ": "upsilon",
    "φ": "phi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
}  # fmt: skip


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case and strip accents: what every field indexes; a lone Greek letter is its name."""
    if text.isascii():
        return text.lower().translate(accent_map)
    text = unicodedata.normalize("NFKC", text).lower()  # "𝔼" is E, "ﬁ" is fi
    return GREEK_LETTERS.get(text) or text.translate(accent_map)


_POSSESSIVE = re.compile(r"(\w+)['’]s")


@lru_cache(maxsize=200_000)
def stem(folded: str) -> str:
    """porter2 less its merges of unrelated words (``index.stemming``); technical tokens ("c++") stay as they are.

    A possessive stems as its word, so "kirchhoff" finds "Kirchhoff's" laws.
    """
    possessive = _POSSESSIVE.fullmatch(folded)
    if possessive:
        folded = possessive.group(1)
    return stemming.stem(folded) if folded.replace("_", "").isalnum() else folded


def _word(found: re.Match) -> Word:
    start = found.start()
    if found.lastgroup == "special":
        special = MATH_SYMBOLS.get(found.group()) or fold(re.sub(r"\s+", " ", found.group()))
        return Word(start, found.end(), ((start, found.end(), special),))
    return Word(start, found.end(), _parts(found.group(), start))


def _parts(text: str, start: int, pattern: re.Pattern = _PARTS) -> tuple[tuple[int, int, str], ...]:
    return tuple((start + p.start(), start + p.end(), fold(p.group())) for p in pattern.finditer(text))


def _indexed(found: re.Match) -> Word:
    return as_indexed(_word(found), found.group())


def as_indexed(word: Word, written: str | None = None) -> Word:
    """``word`` as the index holds it: a big-O token, a dotted name of words ("label.pack",
    "www.cisco.com", "ax.xaxis.set_major_formatter") or a versioned name ("ipv4"), also as the words
    inside it, so that "n log n" finds an article that writes only O(n log n), "pack" one that writes
    only label.pack(), and "ip" one that writes only IPv4; the
    token whole shares the first word's position, as a compound's joined form does. A query asks for
    the token whole (``split_words``), and a quoted phrase of more, for the words inside it, in their places.

    :param written: the token as written, for the offsets of the words inside it.
    """
    first = word.parts[0][2]
    if len(word.parts) == 1 and written and _ACRONYM_PLURAL.fullmatch(written):
        return replace(word, singular=first[:-1])
    if len(word.parts) == 1 and first.startswith("o(") and first.endswith(")"):
        inner = _parts((written or first)[2:-1], word.start + 2)
        return Word(word.start, word.end, inner, first) if inner else word
    versioned = _VERSIONED.fullmatch(first) if len(word.parts) == 1 else None
    if versioned:  # a compound ("ipv4-mapped") keeps its parts whole: "ipv4" finds it
        middle = word.start + versioned.end(1)
        return Word(word.start, word.end, ((word.start, middle, versioned[1]), (middle, word.end, versioned[2])), first)
    if not any(_dotted(text) for _start, _end, text in word.parts):
        return word
    pieces = tuple(piece for part in word.parts for piece in _pieces(part, word.start, written))
    return Word(word.start, word.end, pieces, word.joined or first)


def _dotted(text: str) -> bool:
    """A name of words joined by stops ("tk.label"), not a number ("3.14", "v1.2")."""
    return "." in text and all(_LETTER.search(piece) for piece in text.split("."))


def _pieces(part: tuple[int, int, str], offset: int, written: str | None) -> tuple[tuple[int, int, str], ...]:
    start, end, text = part
    if not _dotted(text):
        return (part,)
    source = written[start - offset : end - offset] if written else text
    return _parts(source, start, _PIECE)


def split_words(text: str) -> Iterator[Word]:
    for found in _TOKEN.finditer(text):
        yield _word(found)


def tokenize(text: str) -> Iterator[tuple[str, int, int, int]]:
    """``(folded text, position, start, end)`` of every indexed token.

    A compound's joined form shares the position of its first part, so phrase
    queries over the parts still see consecutive positions. Snippets run this
    over many sentences per query, so it avoids building ``Word`` objects, and
    plain ASCII text takes a simpler expression.
    """
    if plain_text(text):
        yield from _plain_tokens(text)
        return
    position = 0
    for found in _TOKEN.finditer(text):
        token = found.group()
        start = found.start()
        if found.lastgroup == "word" and _single(token):
            yield fold(token), position, start, found.end()
            position += 1
            continue
        word = _indexed(found)
        first = position
        for part_start, part_end, part in word.parts:
            yield part, position, part_start, part_end
            position += 1
        extra = word.joined or word.also
        if extra:
            yield extra, first, word.start, word.end


# Positions skipped between two entries of a list ("version control, parallel queue"): more than
# proximity's window, so neither a quoted phrase nor a pair of neighbouring words spans two entries.
ENTRY_GAP = 8


def tokenize_entries(text: str, separator: str | None) -> Iterator[tuple[str, int, int, int]]:
    """``tokenize`` of each entry of a ``separator``-separated list, each entry's positions a gap after the last's.

    Offsets are into ``text``. Without a separator, ``tokenize`` itself.
    """
    if separator is None:
        yield from tokenize(text)
        return
    offset = first = 0
    for entry in text.split(separator):
        after = first
        for word, position, start, end in tokenize(entry):
            yield word, first + position, offset + start, offset + end
            after = max(after, first + position + 1)
        if after > first:
            first = after + ENTRY_GAP
        offset += len(entry) + len(separator)


def plain_text(text: str) -> bool:
    """Whether ``text`` is ASCII without a special token: its words are runs of word characters, hyphens and stops."""
    if not text.isascii() or "+" in text or "#" in text:
        return False
    patterns = (*_MAY_BE_SPECIAL, _DOTTED, _MAY_BE_VERSIONED, _MAY_BE_ACRONYM_PLURAL)
    return not any(pattern.search(text) for pattern in patterns)


def _plain_tokens(text: str) -> Iterator[tuple[str, int, int, int]]:
    """``tokenize`` for ASCII text without a special token."""
    position = 0
    for found in _WORDS_ONLY.finditer(text):
        token = found.group().lower()
        start = found.start()
        if not _compound(token):
            yield token, position, start, found.end()
            position += 1
            continue
        first = position
        for part in _JOINERS.split(token):
            yield part, position, start, start + len(part)
            start += len(part) + 1
            position += 1
        yield _JOINERS.sub("", token), first, found.start(), found.end()


def _compound(token: str) -> bool:
    return "-" in token or "_" in token


def _single(word: str) -> bool:
    """Whether a word the general expression found is indexed as itself alone, as nearly all are."""
    return (
        not _compound(word)
        and "." not in word
        and not _MAY_BE_VERSIONED.search(word)
        and not _ACRONYM_PLURAL.fullmatch(word)
    )


def index_tokens(text: str) -> tuple[list[str], list[int]]:
    """The folded texts and positions that ``tokenize`` gives, without character offsets.

    Indexing runs this over every answer. Plain ASCII text without a special
    token, nearly all of it, is folded once as a whole and split by one
    simple expression.
    """
    if plain_text(text):
        found = _WORDS_ONLY.findall(text.lower())
        if not _compound(text):
            return found, list(range(len(found)))
        return _expand_compounds(found)
    words: list[str] = []
    positions: list[int] = []
    position = 0
    for special, plain in _TOKEN.findall(text):
        if plain and _single(plain):
            words.append(fold(plain))
            positions.append(position)
            position += 1
            continue
        word = _indexed(_TOKEN.fullmatch(special or plain))
        first = position
        for _start, _end, part in word.parts:
            words.append(part)
            positions.append(position)
            position += 1
        extra = word.joined or word.also
        if extra:
            words.append(extra)
            positions.append(first)
    return words, positions


def field_tokens(text: str, separator: str | None) -> tuple[list[str], list[int]]:
    """The folded texts and positions that ``tokenize_entries`` gives; ``index_tokens`` for a field without entries."""
    if separator is None:
        return index_tokens(text)
    words: list[str] = []
    positions: list[int] = []
    first = 0
    for entry in text.split(separator):
        found, places = index_tokens(entry)
        if found:
            words += found
            positions += [first + place for place in places]
            first += max(places) + 1 + ENTRY_GAP
    return words, positions


def _expand_compounds(found: list[str]) -> tuple[list[str], list[int]]:
    """Folded words with each compound as its parts plus, at the first part's position, joined."""
    words: list[str] = []
    positions: list[int] = []
    position = 0
    for token in found:
        if not _compound(token):
            words.append(token)
            positions.append(position)
            position += 1
            continue
        parts = _JOINERS.split(token)
        words += parts
        positions += range(position, position + len(parts))
        words.append("".join(parts))
        positions.append(position)
        position += len(parts)
    return words, positions
