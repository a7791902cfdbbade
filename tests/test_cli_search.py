"""``kbsearch search``: what the search page shows, in a terminal."""

import json
import os
import re
import subprocess
import sys

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


def urls_of_articles_holding(sample_dir, word: str) -> set[str]:
    """Read from the files themselves, not through the index under test."""
    found = set()
    for path in sample_dir.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        if re.search(rf"\b{word}\b", text.casefold()):
            found.add(re.search(r"^url: (\S+)$", text, re.MULTILINE)[1])
    return found


def hit_urls(index_dir, *query) -> list[str]:
    found = search(index_dir, *query, "--json", "--per-page", 50)
    assert found.exit_code == 0, found.output
    return [hit["url"] for hit in json.loads(found.output)["hits"]]


def test_a_query_may_start_with_an_exclusion(sample_index, sample_dir):
    java = urls_of_articles_holding(sample_dir, "java")
    assert java & set(hit_urls(sample_index, "encapsulation"))  # there is something to exclude
    kept = hit_urls(sample_index, "-java", "encapsulation")
    assert kept and not java & set(kept)
    alone = search(sample_index, "-java", "--per-page", "50")
    total = len(list(sample_dir.glob("*.md"))) - len(java)
    assert alone.exit_code == 0 and alone.output.startswith(f"{total} results"), alone.output  # as on the page
    assert not java & set(hit_urls(sample_index, "-java"))


def test_an_exclusion_after_a_word_is_part_of_the_query(sample_index, sample_dir):
    bubble = urls_of_articles_holding(sample_dir, "bubble")
    assert bubble & set(hit_urls(sample_index, "sort"))
    kept = hit_urls(sample_index, "sort", "-bubble")
    assert kept and not bubble & set(kept)
    assert kept == hit_urls(sample_index, "sort -bubble")  # several arguments are one query


def test_a_word_starting_with_two_dashes_is_still_a_mistyped_option(index_dir):
    found = search(index_dir, "--jsn", "sort")
    assert found.exit_code == 2
    assert "Error: No such option '--jsn'. Did you mean '--json'?" in found.output


def test_the_real_command_searches_an_exclusion_first_with_a_site_url(sample_index, sample_dir):
    # As a shell runs it: no quotes, the exclusion first, options after the words.
    command = [sys.executable, "-m", "cli", "search", "-java", "encapsulation", "--index-dir", str(sample_index)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KBSEARCH_")} | {"KBSEARCH_SITE_URL": SITE}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    urls = re.findall(r"^     (https://\S+)$", done.stdout, re.MULTILINE)
    assert urls and all(url.startswith(SITE + "/learn/") for url in urls)
    assert not {url.removeprefix(SITE) for url in urls} & urls_of_articles_holding(sample_dir, "java")
    assert re.match(r"\d+ results, page 1 of 1 \(", done.stdout)
    assert "<mark>" not in done.stdout and "\x1b[" not in done.stdout  # piped: plain snippets


def test_a_subject_typed_in_part_lists_the_subjects_it_starts_first(index_dir):
    found = search(index_dir, "sort", "--subject", "comp")
    assert found.exit_code == 2
    assert "nearest first: Computer Science, " in found.output  # not Economics, alike by letters


def test_a_page_past_the_last_says_where_the_results_end(index_dir):
    found = search(index_dir, "sort", "--page", "5")
    assert found.exit_code == 0
    assert found.output.splitlines()[1] == "(the results end on page 1: use --page 1 or less)"
