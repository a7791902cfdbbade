"""``kbsearch search``: what the search page shows, in a terminal."""

import json
import re

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
