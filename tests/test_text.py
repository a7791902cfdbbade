"""Answers become clean, readable text: Markdown parsed, LaTeX rendered, breaks kept."""

import unicodedata

import pytest

from index.latex import latex_to_text
from index.text import markdown_to_text
from index.tokens import index_tokens


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r" n = 5 ", "n = 5"),
        (r"\frac{1}{2}", "1/2"),
        (r"\binom{n}{k}", "C(n, k)"),
        (r"\neg P", "¬P"),
        (r"O(n \log n)", "O(n log n)"),
        (r"\text{Var}(X) = \sigma^2", "Var(X) = σ^2"),
        # An accent sits on its letter only, never on a subscript or a brace.
        (r"\hat{\beta_j}", "β̂_j"),
        (r"\hat{\beta}_j", "β̂_j"),
        (r"\bar{x}_{n}", "x̅_n"),
        (r"\tilde{y}", "ỹ"),
        (r"\vec{e_n}", "e⃗_n"),
        (r"\dot{x}", "ẋ"),
        (r"\vec{AB}", "vec(AB)"),
        # Braces around a superscript of more than a word are kept, as parentheses.
        (r"2^{n-1}", "2^(n-1)"),
        (r"e^{-\infty}", "e^(-∞)"),
        (r"x^{2t}", "x^2t"),
        (r"\sum_{i=1}^{n} x_i", "∑_i=1^n x_i"),
        # A fraction's side of more than one term keeps its grouping; one term needs none.
        (r"\frac{1}{1 + e^{-x}}", "1/(1 + e^(-x))"),
        (r"\frac{A}{s - r}", "A/(s - r)"),
        (r"\frac{1}{n-1}", "1/(n-1)"),
        (r"\frac{-b \pm \sqrt{b^2-4ac}}{2a}", "(-b ± √(b^2-4ac))/2a"),
        (r"\frac{n(n+1)}{2}", "n(n+1)/2"),
        (r"\frac{dy}{dx}", "dy/dx"),
        (r"\frac{\ln(0.02)}{0.5 \cdot 100}", "ln(0.02)/(0.5 · 100)"),  # a call is one term
        (r"\frac{7!}{2!(7-2)!}", "7!/(2!(7-2)!)"),  # a product under the line is one divisor
        (r"\frac{1}{f(x)}", "1/f(x)"),
        (r"2^{(n-1)}", "2^(n-1)"),  # braces around parentheses add none
        # A named function reads as typed: no space inside brackets or before its argument.
        (r"O(\log n)", "O(log n)"),
        (r"O(\log(\min(a,b)))", "O(log(min(a,b)))"),
        (r"\log_2 n", "log_2 n"),
        (r"p \oplus q", "p ⊕ q"),
        # Malformed LaTeX stays as written rather than being mangled.
        (r"\frac{1", r"\frac{1"),
    ],
)
def test_latex_is_readable(latex, text):
    assert latex_to_text(latex) == text


@pytest.mark.parametrize("accent", ["hat", "bar", "tilde", "vec", "dot", "ddot", "check", "widehat"])
@pytest.mark.parametrize("argument", ["x", r"\beta_j", "x_{n+1}", "AB", r"\beta^{2}", "1"])
def test_accents_mark_only_letters(accent, argument):
    text = latex_to_text(rf"t = \{accent}{{{argument}}}/SE")
    marks = [i for i, char in enumerate(text) if unicodedata.combining(char)]
    assert all(text[i - 1].isalpha() for i in marks), text
    assert len(marks) <= 1 and "\\" not in text, text


def test_rendered_math_keeps_words_apart():
    source = r"Here $$t = \frac{\hat{\beta_j}}{SE(\hat{\beta_j})}$$ where \( \hat{\beta_j} \) is estimated."
    text = markdown_to_text(source)
    assert text == "Here t = β̂_j/SE(β̂_j) where β̂_j is estimated."
    assert index_tokens(text)[0] == [
        "here",
        "t",
        "beta",
        "j",
        "se",
        "beta",
        "j",
        "where",
        "beta",
        "j",
        "is",
        "estimated",
    ]


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


def test_a_table_reads_row_by_row_with_its_cells_apart():
    rows = r"| p | q | $p \oplus q$ |\n|---|:---:|---|\n| T | T | F |\n| T | F | T |"
    source = rf"Truth table:\n\n{rows}\n\nSo it is odd parity."
    assert markdown_to_text(source) == "Truth table:\np · q · p ⊕ q\nT · T · F\nT · F · T\nSo it is odd parity."
