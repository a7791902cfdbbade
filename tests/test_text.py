"""Answers become clean, readable text: Markdown parsed, LaTeX rendered, breaks kept."""

import pytest

from index.latex import latex_to_text
from index.text import markdown_to_text


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r" n = 5 ", "n = 5"),
        (r"\frac{1}{2}", "1/2"),
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\neg P", "¬P"),
        (r"O(n \log n)", "O(n log n)"),
        (r"\text{Var}(X) = \sigma^2", "Var(X) = σ^2"),
        # Malformed LaTeX stays as written rather than being mangled.
        (r"\frac{1", r"\frac{1"),
    ],
)
def test_latex_is_readable(latex, text):
    assert latex_to_text(latex) == text


def test_literal_backslash_n_becomes_paragraph_breaks():
    assert markdown_to_text(r"First paragraph.\n\nSecond paragraph.") == "First paragraph.\nSecond paragraph."


def test_markdown_is_parsed_not_kept():
    text = markdown_to_text(r"### Heading\n1. **Bold** item\n2. `code` item\n\n- bullet with [a link](http://x.org)")
    assert text == "Heading\nBold item\ncode item\nbullet with a link"


def test_inline_and_display_math():
    text = markdown_to_text(r"Let \( n = 5 \) and $ a \neq 0 $.\n\n$$\nu(t) = K_p e(t)$$\n\n$$ \frac{1}{2} $$")
    assert text.splitlines() == ["Let n = 5 and a ≠ 0.", "u(t) = K_p e(t)", "1/2"]


def test_fenced_code_is_kept_as_text():
    text = markdown_to_text(r"Example:\n\n```python\ndef f(x):\n    return x\n```\n\nDone.")
    assert "def f(x):" in text and text.endswith("Done.")


def test_html_in_markdown_is_text_not_markup():
    assert markdown_to_text("a <b>bold</b> claim") == "a <b>bold</b> claim"
