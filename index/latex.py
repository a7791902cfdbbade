"""Render LaTeX math as readable plain text (``\\frac{1}{2}`` -> ``1/2``)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latex2text import MacroTextSpec
from pylatexenc.latex2text import get_default_latex_context_db
from pylatexenc.macrospec import MacroSpec

_BINOMIALS = ("binom", "dbinom", "tbinom")
_SYMBOLS = {  # spaced, so "a \\neq 0" reads "a ≠ 0"
    "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "approx": "≈", "equiv": "≡",
    "to": "→", "rightarrow": "→", "Rightarrow": "⇒", "implies": "⇒", "iff": "⇔", "in": "∈", "notin": "∉",
    "subseteq": "⊆", "times": "×", "cdot": "·", "pm": "±", "land": "∧", "lor": "∨",
    "cup": "∪", "cap": "∩", "setminus": "∖", "subset": "⊂", "oplus": "⊕",
}  # fmt: skip
_WORDS = ("log", "ln", "exp", "sin", "cos", "tan", "lim", "max", "min", "det", "mod")

# pylatexenc drops these or glues them to the next word; readers expect the
# symbol or the word with spaces around it.
_REPLACEMENTS = {
    **{name: "C(%(1)s, %(2)s)" for name in _BINOMIALS},
    **{name: f" {symbol} " for name, symbol in _SYMBOLS.items()},
    **{name: f" {name} " for name in _WORDS},
    **{name: "%(1)s" for name in ("mathbf", "boldsymbol", "operatorname")},
    "neg": "¬",
    "lnot": "¬",
}
# Math accents: pylatexenc puts the mark on every character of the argument, so
# "\\hat{\\beta_j}" became "β̂_̂ĵ". One letter takes it (and keeps its subscript); more is "vec(AB)".
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "check": "\u030c", "tilde": "\u0303", "widetilde": "\u0303",
    "acute": "\u0301", "grave": "\u0300", "breve": "\u0306", "bar": "\u0305", "overline": "\u0305",
    "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7", "overrightarrow": "\u20d7",
}  # fmt: skip


def _accented(node, l2tobj: LatexNodes2Text, macroname: str) -> str:
    """One accented letter, or ``name(text)``; pylatexenc passes the converter and macro by these names."""
    text = l2tobj.nodelist_to_text(node.nodeargs[:1]).strip() if node.nodeargs else ""
    if text[:1].isalpha() and (len(text) == 1 or text[1] in "_^"):
        return unicodedata.normalize("NFC", text[0] + _ACCENTS[macroname]) + text[1:]
    return f"{macroname}({text})" if text else ""


# A numerator or denominator with an operator outside brackets: "\\frac{1}{1 + e^{-x}}" is 1/(1 + e^(-x)).
_COMPOUND = re.compile(r"[\s+\-−·×/±]")
_BRACKETED = re.compile(r"\([^()]*\)")
_CALL = re.compile(r"\w*\([^()]*(?:\([^()]*\)[^()]*)*\)")  # "ln(0.02)", "(n-1)", "f(g(x))": one term


def _grouped(text: str, factors: bool = False) -> str:
    """``text`` in parentheses if an operator outside brackets would otherwise bind to a neighbour,
    or, with ``factors`` (a denominator), if it is a product: "2!(7-2)!" under 7! is one divisor."""
    bare = text
    while _BRACKETED.search(bare):  # "n(n+1)" is one term: only what stands outside brackets counts
        bare = _BRACKETED.sub("", bare)
    product = factors and bare != text and not _CALL.fullmatch(text)
    return f"({text})" if _COMPOUND.search(bare) or product else text


def _fraction(node, l2tobj: LatexNodes2Text, macroname: str) -> str:
    """``a/b``, each side grouped when it is more than one term; pylatexenc passes these by name."""
    sides = [_tidy(l2tobj.nodelist_to_text([arg])) if arg is not None else "" for arg in node.nodeargs[:2]]
    if len(sides) < 2:
        return "/".join(sides)
    return f"{_grouped(sides[0])}/{_grouped(sides[1], factors=True)}"


_MACROS = [MacroTextSpec(name, simplify_repl=text) for name, text in _REPLACEMENTS.items()]
_MACROS += [MacroTextSpec(name, simplify_repl=_accented) for name in _ACCENTS]
_MACROS += [MacroTextSpec(name, simplify_repl=_fraction) for name in ("frac", "dfrac", "tfrac")]

# The parser must know how many arguments these take before they can be rendered.
_PARSED_MACROS = [MacroSpec(name, "{{") for name in _BINOMIALS]


@lru_cache(maxsize=1)
def _parser_context():
    db = latexwalker.get_default_latex_context_db().filter_context()  # a private copy
    db.add_context_category("kbsearch", macros=_PARSED_MACROS, prepend=True)
    return db


class _MathText(LatexNodes2Text):
    """Keeps the braces of a superscript as parentheses when they group more than a word.

    "2^{n-1}" read "2^n-1", another number; "x^{2t}" stays "x^2t". Subscripts lose
    their braces ("x_i+1"): the tokenizer reads "_" as joining a compound, so x, i and 1
    are indexed as "x_{i+1}" typed in a query reads.
    """

    def group_node_to_text(self, node) -> str:
        text = super().group_node_to_text(node)
        raised = node.pos and node.parsing_state.s[node.pos - 1] == "^"
        grouped = _CALL.fullmatch(text) is not None and text.startswith("(")  # "2^{(n-1)}" has its own
        return f"({text})" if raised and len(text) > 1 and not text.isalnum() and not grouped else text


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    db = get_default_latex_context_db().filter_context()  # a private copy
    db.add_context_category("kbsearch", macros=_MACROS, prepend=True)
    return _MathText(latex_context=db, math_mode="text", strict_latex_spaces=False)


def _balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_SPACES = re.compile(r"[ \t]+")
# A named function's spaces ("\\log" reads " log ") inside brackets: "O(\\log n)" is O(log n), as typed.
_INSIDE_BRACKETS = re.compile(r"(?<=[(\[]) +| +(?=[)\]])")
_BEFORE_ARGUMENT = re.compile(r"\b(" + "|".join(_WORDS) + r") +(?=[(_^])")


@lru_cache(maxsize=8192)  # formulas repeat across articles ("\( n \)"), and rendering one takes about a millisecond
def latex_to_text(latex: str) -> str:
    """Return ``latex`` as plain text; malformed LaTeX comes back as written."""
    if not _balanced(latex):
        return _SPACES.sub(" ", latex).strip()
    try:
        nodes = latexwalker.LatexWalker(latex, latex_context=_parser_context(), tolerant_parsing=True)
        text = _converter().nodelist_to_text(nodes.get_latex_nodes()[0])
    except Exception:  # pylatexenc raises many types on odd input; the source is still readable
        text = latex
    return _tidy(text)


def _tidy(text: str) -> str:
    """One space between words, none inside brackets or before a named function's argument."""
    text = _INSIDE_BRACKETS.sub("", _SPACES.sub(" ", text))
    return _BEFORE_ARGUMENT.sub(r"\1", text).strip()
