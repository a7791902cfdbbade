"""Flatten an article's Markdown answer to plain text for indexing and snippets."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it_pyrs import MarkdownIt
from markdown_it_pyrs import Node

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


def _collapse_blanks(text: str) -> str:
    # A substitution costs per single space; most text has no other blank to collapse.
    return _BLANKS.sub(" ", text) if "  " in text or "\t" in text or "\u00a0" in text else text


def _decode_breaks(source: str) -> str:
    """Turn literal ``\\n`` into newlines, keeping TeX commands inside math."""
    keep = "\x00"

    def protect(span: re.Match) -> str:
        return _BREAK_OR_COMMAND.sub(keep, span.group(0))

    protected = _MATH_SPAN.sub(protect, source) if _may_hold_math(source) else source
    return protected.replace("\\n", "\n").replace(keep, "\\n")


# Math is cut out before Markdown parsing (CommonMark would read "\\(" as an
# escaped parenthesis and "_" inside "$x_1$" as emphasis) and put back as text.
_SLOT = re.compile("\ue000(\\d+)\ue001")
# As ``_MATH_SPAN``, but "$" math stays within a line and is not followed by a digit ("$5 and $10").
_MATH_TO_CUT = re.compile(r"\$\$.*?\$\$|\$[^$\n]+?\$(?!\d)|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_BLOCKS = {"paragraph", "heading", "lheading", "list_item", "blockquote", "bullet_list", "ordered_list", "hr"}
# A table is read row by row, a line each, its cells apart: its pipes and rules are no text.
_BLOCKS |= {"table", "thead", "tbody", "trow"}
CELL_SEPARATOR = " · "
_CODE = {"fence", "code_block"}


class MarkdownCrash(ValueError):
    """The Markdown parser failed on this text in a way it does not document."""


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _parse(source: str) -> Node:
    # markdown-it-pyrs panics on some input ("[" then a backtick): pyo3 raises that as a
    # BaseException, which would end the reading process. The parser stays usable after it.
    try:
        return _parser().tree(source)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        raise MarkdownCrash(f"the Markdown parser crashed on this file ({type(exc).__name__}: {exc})") from None


def _cut_math(source: str) -> tuple[str, list[str]]:
    """``source`` with each math span replaced by a numbered slot, and the spans."""
    spans: list[str] = []

    def slot(span: re.Match) -> str:
        spans.append(span.group(0))
        return f"\ue000{len(spans) - 1}\ue001"

    return (_MATH_TO_CUT.sub(slot, source) if _may_hold_math(source) else source), spans


def _may_hold_math(source: str) -> bool:
    # Scanning for "\" stops at every literal "\n" break; most answers have no math at all.
    return "$" in source or "\\(" in source or "\\[" in source


def _math_text(span: str) -> str:
    body = span[2:-2] if span[:2] in ("$$", "\\(", "\\[") else span[1:-1]
    return latex_to_text(body)


def _inline_text(node: Node) -> str:
    # A loop, not recursion: an answer may nest emphasis or links thousands deep.
    found: list[str] = []
    todo = [node]
    while todo:
        node = todo.pop()
        if node.name in ("softbreak", "hardbreak"):
            found.append(" ")
        elif node.name in ("text", "text_special", "html_inline"):
            found.append(node.meta.get("content", ""))
        else:
            todo.extend(reversed(node.children))
    return "".join(found)


def _prose(text: str, spans: list[str]) -> str:
    if not text:
        return text
    if "\ue000" in text:
        text = _SLOT.sub(lambda slot: _math_text(spans[int(slot.group(1))]), text)
    lines = (line.strip() for line in _collapse_blanks(text).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(root: Node, spans: list[str]) -> list[str]:
    """The text of each paragraph-like block below ``root``, in order; code keeps its math as written."""
    blocks: list[str] = []
    # A stack of (children still to visit, inline text so far) per open block, not recursion:
    # "> > > …" nests blocks as deep as an answer is long.
    todo = [(iter(root.children), [])]
    while todo:
        children, inline = todo[-1]
        child = next(children, None)
        if child is None or child.name in _BLOCKS or child.name in _CODE:
            blocks.append(_prose("".join(inline), spans))
            inline.clear()
        if child is None:
            todo.pop()
        elif child.name in _BLOCKS:
            todo.append((iter(child.children), []))
        elif child.name in _CODE:
            code = child.meta.get("content", "").strip()
            blocks.append(_SLOT.sub(lambda slot: spans[int(slot.group(1))], code))
        elif child.name == "tcell":
            inline.append((CELL_SEPARATOR if inline else "") + _inline_text(child))
        elif child.name != "html_block":
            inline.append(_inline_text(child))
    return blocks


def markdown_to_text(markdown: str) -> str:
    """Return the readable text of ``markdown``, one paragraph per line.

    :param markdown: the answer as stored, with literal ``\\n`` breaks.
    :raises MarkdownCrash: when the parser fails on it.
    """
    source, spans = _cut_math(_decode_breaks(markdown))
    text = "\n".join(block for block in _collect(_parse(source), spans) if block)
    return _MANY_BREAKS.sub("\n\n", text) if "\n\n\n" in text else text
