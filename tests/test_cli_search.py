"""``kbsearch search``: what the search page shows, in a terminal."""

import json

from click.testing import CliRunner

from cli.main import cli

SITE = "https://kb.example.org"


def search(index_dir, *args, env=None, color=False):
    runner = CliRunner()
    return runner.invoke(cli, ["search", *map(str, args), "--index-dir", str(index_dir)], env=env, color=color)


def test_urls_are_absolute_with_a_site_url(index_dir):
    found = search(index_dir, "binomial theorem", env={"KBSEARCH_SITE_URL": SITE + "/"})
    assert found.exit_code == 0, found.output
    assert f"     {SITE}/learn/mathematics/questions/what-is-the-binomial-theorem\n" in found.output
    data = json.loads(search(index_dir, "binomial theorem", "--json", env={"KBSEARCH_SITE_URL": SITE}).output)
    hit = data["hits"][0]
    assert hit["url"] == SITE + "/learn/mathematics/questions/what-is-the-binomial-theorem"
    assert [r["url"] for r in hit["related"]] == [SITE + "/learn/mathematics/questions/eigen"]


def test_urls_stay_site_relative_without_a_site_url(index_dir):
    found = search(index_dir, "binomial theorem", env={"KBSEARCH_SITE_URL": ""})
    assert "     /learn/mathematics/questions/what-is-the-binomial-theorem\n" in found.output


def test_snippets_are_plain_text_when_piped(index_dir):
    found = search(index_dir, "script alert")
    assert found.exit_code == 0, found.output
    assert "  1. What are hash tables?  [Computer Science]\n" in found.output
    # The engine's escaped HTML, unescaped and without its <mark> tags.
    assert "     <script>alert(1)</script> is just text here.\n" in found.output
    assert "<mark>" not in found.output and "&lt;" not in found.output and "\x1b[" not in found.output


def test_snippets_mark_the_matched_words_bold_on_a_terminal(index_dir):
    found = search(index_dir, "hash tables", color=True)
    bold = "\x1b[1m{}\x1b[0m".format
    assert f"What are {bold('hash')} {bold('tables')}?" in found.output
    snippet = f"A {bold('hash')} {bold('table')} maps keys to values with a {bold('hash')} function."
    assert f"     {snippet}\n" in found.output


def test_page_x_of_y(index_dir):
    found = search(index_dir, "sort", "--per-page", 1, "--page", 2)
    assert found.exit_code == 0, found.output
    assert found.output.startswith("2 results, page 2 of 2 (")
    assert "  2. " in found.output and "  1. " not in found.output


def test_an_unknown_subject_is_a_usage_error_that_lists_the_subjects_nearest_first(index_dir):
    found = search(index_dir, "sort", "--subject", "Computer science", "--subject", "economcs")
    assert found.exit_code == 2
    assert found.output == (
        "error: no subject 'economcs' in the index; its subjects, nearest first: "
        "Economics, Computer Science, Mathematics, Psychology\n"
    )


def test_a_known_subject_in_any_case_filters(index_dir):
    found = search(index_dir, "sort", "--subject", " COMPUTER SCIENCE ")
    assert found.exit_code == 0, found.output
    assert found.output.startswith("2 results, page 1 of 1")
