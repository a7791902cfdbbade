"""Add the alternatives that need the vocabulary: synonyms, compounds, typos, unfinished words."""

from __future__ import annotations

from dataclasses import replace

from index.tokens import stem
from search.english import common_words
from search.query import FILLER
from search.query import FILLER_TERMS
from search.query import MAX_CLAUSES
from search.query import Alternative
from search.query import Clause
from search.query import UserQuery
from search.spelling import Speller
from search.spelling import max_edits
from search.synonyms import Expression

SYNONYM_WEIGHT = 0.9
SPLIT_WEIGHT = 0.8
TYPO_WEIGHTS = {1: 0.6, 2: 0.4}
MAX_TYPO_ALTERNATIVES = 4
COMPLETION_WEIGHT = 0.5
MAX_COMPLETIONS = 3
MIN_COMPLETION_CHARS = 4  # a word cut short inside the query
MIN_LAST_COMPLETION_CHARS = 2  # the word still being typed


def _single(clause: Clause) -> bool:
    """A single typed word, not quoted."""
    return not clause.quoted and len(clause.words) == 1


def _plain(clause: Clause) -> bool:
    """A single typed word, not quoted, that alternatives may be added to."""
    return _single(clause) and not clause.filler


def _merge(clauses: list[Clause], alternatives: list[Alternative]) -> Clause:
    words = tuple(w for c in clauses for w in c.words)
    literal = Alternative(tuple(t for c in clauses for t in c.literal))
    return Clause(words=words, alternatives=(literal, *alternatives))


def add_synonyms(clauses: list[Clause], synonyms: dict[Expression, tuple[Expression, ...]]) -> list[Clause]:
    """Give each run of words that is a synonym entry the group's other entries as alternatives.

    The words keep their own clauses, so they match and rank as they would without the
    synonym; an article holding another entry covers the whole run. That entry's weight is
    shared by the run's clauses, so it counts about as much as one word, not once per word.
    """
    longest = max((len(e) for e in synonyms), default=0)
    out = list(clauses)
    i = 0
    while i < len(out):
        for size in range(min(longest, len(out) - i), 0, -1):
            run = out[i : i + size]
            others = synonyms.get(_spelled(run)) if not any(c.quoted for c in run) else None
            if others:
                extra = [Alternative(_content(e), SYNONYM_WEIGHT / size, synonym=True) for e in others]
                out[i : i + size] = [_with(c, extra) for c in run]
                i += size
                break
        else:
            i += 1
    return out


def _spelled(run: list[Clause]) -> Expression:
    """The stems a run of clauses spells: a compound joined from two words ("file system") spells both."""
    return tuple(term for clause in run for term in clause.literal)


def _content(expression: Expression) -> tuple[str, ...]:
    """The entry without its filler: "of" must not count towards most of "internet of things"."""
    return tuple(t for t in expression if t not in FILLER_TERMS) or expression


def join_compounds(clauses: list[Clause], speller: Speller) -> list[Clause]:
    """ "feed back" also finds "feedback", when the index has that word."""
    out: list[Clause] = []
    for clause in clauses:
        previous = out[-1] if out else None
        if previous and _plain(previous) and _plain(clause):
            joined = previous.words[0] + clause.words[0]
            if speller.frequency(joined):
                out[-1] = _merge([previous, clause], [Alternative((stem(joined),))])
                continue
        out.append(clause)
    return out


def _split(word: str, speller: Speller) -> Alternative | None:
    """ "nondeterministic" also finds "non deterministic", when both parts are common words.

    Not filler: "convertor" is not "convert or", nor "comand" "com and".
    """
    best = None
    for cut in range(2, len(word) - 1):
        head, tail = word[:cut], word[cut:]
        if head in FILLER or tail in FILLER:
            continue
        weight = min(speller.frequency(head), speller.frequency(tail))
        if weight >= 2 and (best is None or weight > best[0]):
            best = (weight, head, tail)
    return Alternative((stem(best[1]), stem(best[2])), SPLIT_WEIGHT) if best else None


def completions(head: tuple[str, ...], word: str, speller: Speller, last: bool) -> list[Alternative]:
    """``word`` read as the start of a longer word, after the stems in ``head``."""
    if len(word) < (MIN_LAST_COMPLETION_CHARS if last else MIN_COMPLETION_CHARS):
        return []
    found = speller.completions(word, MAX_COMPLETIONS)
    return [Alternative((*head, stem(w)), COMPLETION_WEIGHT, exact=False) for w in found]


def _singular(word: str, speller: Speller) -> Alternative | None:
    """ "twos" and "cpus" are plurals of words the index holds, which porter2 leaves alone after a vowel."""
    if len(word) > 3 and word.endswith("s") and speller.frequency(word[:-1]):
        return Alternative((stem(word[:-1]),))
    return None


def unknown_word_alternatives(word: str, speller: Speller, last: bool) -> list[Alternative]:
    """Ways to read a word the index has never seen: a plural, split, cut short, or mistyped.

    A word of common English is no typo, and is cut short only where it is still being typed:
    "spring" is not "string", nor "bell" the start of "bellman" in "bell curve of averages".
    """
    singular = _singular(word, speller)
    found = [singular] if singular else []
    split = _split(word, speller)
    if split:
        found.append(split)
    english = word in common_words()
    if last or not english:
        found += completions((), word, speller, last)
    if english:
        return found
    near = speller.near(word, max_edits(word))
    near.sort(key=lambda item: (item[1], -speller.frequency(item[0])))
    found += [Alternative((stem(w),), TYPO_WEIGHTS[d], exact=False) for w, d in near[:MAX_TYPO_ALTERNATIVES]]
    return found


def _with(clause: Clause, extra: list[Alternative]) -> Clause:
    seen = {a.terms for a in clause.alternatives}
    extra = [a for a in extra if not (a.terms in seen or seen.add(a.terms))]
    return replace(clause, alternatives=clause.alternatives + tuple(extra))


def add_unknown_word_alternatives(clauses: list[Clause], speller: Speller) -> list[Clause]:
    out = []
    for index, clause in enumerate(clauses):
        last = index == len(clauses) - 1
        unknown = not speller.frequency(clause.words[-1])
        if _plain(clause) and len(clause.alternatives) == 1 and unknown:
            clause = _with(clause, unknown_word_alternatives(clause.words[0], speller, last))
        elif last and unknown and not clause.quoted and len(clause.words) > 1:
            # "bellman-fo": the last part of a compound is still being typed.
            clause = _with(clause, completions(clause.literal[:-1], clause.words[-1], speller, last))
        out.append(clause)
    return out


def merge_repeats(clauses: list[Clause]) -> list[Clause]:
    """Each clause once, where first typed, with the alternatives its repeats were given."""
    merged: dict[tuple[tuple[str, ...], bool, bool], Clause] = {}
    for clause in clauses:
        key = (clause.words, clause.quoted, clause.filler)  # as ``parse`` tells repeats: "recursive" is not "recursion"
        first = merged.get(key)
        merged[key] = clause if first is None else _with(first, list(clause.alternatives))
    return list(merged.values())


def expand(query: UserQuery, speller: Speller, synonyms: dict[Expression, tuple[Expression, ...]]) -> UserQuery:
    """``query`` with every clause given the alternatives the vocabulary allows.

    Read as typed, repeats included, so that each run of words can name a synonym;
    a repeated clause then counts once.
    """
    clauses = join_compounds(list(query.typed or query.clauses), speller)
    clauses = add_unknown_word_alternatives(clauses, speller)
    # Last: synonyms only add to what the words match by themselves.
    clauses = add_synonyms(clauses, synonyms)
    return replace(query, clauses=tuple(merge_repeats(clauses)[:MAX_CLAUSES]))
