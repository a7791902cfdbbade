"""Render LaTeX math as readable plain text (``\\frac{1}{2}`` -> ``1/2``)."""

from __future__ import annotations

import re
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
_MACROS = [MacroTextSpec(name, simplify_repl=text) for name, text in _REPLACEMENTS.items()]

# The parser must know how many arguments these take before they can be rendered.
_PARSED_MACROS = [MacroSpec(name, "{{") for name in _BINOMIALS]


@lru_cache(maxsize=1)
def _parser_context():
    db = latexwalker.get_default_latex_context_db().filter_context()  # a private copy
    db.add_context_category("kbsearch", macros=_PARSED_MACROS, prepend=True)
    return db


@lru_cache(maxsize=1)
def _converter() -> LatexNodes2Text:
    db = get_default_latex_context_db().filter_context()  # a private copy
    db.add_context_category("kbsearch", macros=_MACROS, prepend=True)
    return LatexNodes2Text(latex_context=db, math_mode="text", strict_latex_spaces=False)


def _balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_SPACES = re.compile(r"[ \t]+")


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
    return _SPACES.sub(" ", text).strip()
