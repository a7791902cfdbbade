"""Flatten an article's Markdown answer to plain text for indexing and snippets."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from index.latex import latex_to_text

# In the source, paragraph breaks are the two characters "\" "n". Inside math
# the same two characters may start a TeX command ("$ a \neq 0 $"), unless
# they stand right after the opening "$$" (a line break before the formula).
_TEX_N_COMMANDS = (  # TeX commands that start with "n", without that "n"
    "abla|eq|eg|u|e|i|otin|ot|mid|leq|geq|less|gtr|exists|ewline|subseteq|supseteq|parallel|rightarrow|leftarrow"
)
_BREAK_OR_COMMAND = re.compile(rf"(?<![$\\])\\n(?=(?:{_TEX_N_COMMANDS})(?![A-Za-z]))")
_MATH_SPAN = re.compile(r"\$\$.*?\$\$|\$[^$]+?\$|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_BLANKS = re.compile(r"[ \t\u00a0]+")
_MANY_BREAKS = re.compile(r"\n{3,}")


def _decode_breaks(source: str) -> str:
    """Turn literal ``\\n`` into newlines, keeping TeX commands inside math."""
    keep = "\x00"

    def protect(span: re.Match) -> str:
        return _BREAK_OR_COMMAND.sub(keep, span.group(0))

    protected = _MATH_SPAN.sub(protect, source)
    return protected.replace("\\n", "\n").replace(keep, "\\n")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return (
        MarkdownIt("commonmark")
        .use(dollarmath_plugin, allow_space=True, allow_digits=True, double_inline=True)
        .use(texmath_plugin, delimiters="brackets")
    )


_BLOCK_CLOSE = {"paragraph_close", "heading_close", "list_item_close", "blockquote_close"}
_MATH = {"math_inline", "math_inline_double", "math_block", "math_block_eqno", "math_single"}


def _inline_text(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in _MATH:
            parts.append(latex_to_text(child.content))
        elif child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or []))
    return "".join(parts)


def markdown_to_text(markdown: str) -> str:
    """Return the readable text of ``markdown``, one paragraph per line.

    :param markdown: the answer as stored, with literal ``\\n`` breaks.
    """
    blocks: list[str] = []
    current: list[str] = []
    for token in _parser().parse(_decode_breaks(markdown)):
        if token.type == "inline":
            current.append(_inline_text(token.children or []))
        elif token.type in ("fence", "code_block"):
            blocks.append(token.content.strip())
        elif token.type in _MATH:
            blocks.append(latex_to_text(token.content))
        elif token.type in _BLOCK_CLOSE and current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    text = "\n".join(_BLANKS.sub(" ", block).strip() for block in blocks if block.strip())
    return _MANY_BREAKS.sub("\n\n", text)
