"""The HTML search page, without JavaScript."""

import re
from html.parser import HTMLParser

import pytest

from web.pages import page_numbers


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append((dict(attrs).get("href"), dict(attrs)))


def links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return [href for href, _ in parser.links]


def test_results_page(client):
    response = client.get("/?q=hash+tables")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="hash tables"' in html
    link = "https://kb.example.org/learn/computer-science/questions/what-are-hash-tables"
    assert f'<a href="{link}" data-rank="1">' in html
    assert "What are <mark>hash</mark> <mark>tables</mark>?" in html
    assert "1 result for “hash tables”" in html
    assert '<label for="q">' in html and "<main" in html and 'role="search"' in html


def test_first_hits_show_their_related_questions(client):
    html = client.get("/?q=binomial+theorem").get_data(as_text=True)
    related = html[html.index('class="related"') :]
    assert '<a href="https://kb.example.org/learn/mathematics/questions/eigen">' in related
    assert "How do you compute eigenvalues of a matrix?" in related


def test_article_text_cannot_inject_markup(client):
    html = client.get("/?q=alert+text").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;<mark>alert</mark>(1)&lt;/script&gt;" in html


def test_query_is_escaped(client):
    html = client.get('/?q="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)" not in html


def test_facet_links_filter_and_unfilter(client):
    html = client.get("/?q=sort").get_data(as_text=True)
    assert "/?q=sort&amp;subject=Computer+Science" in html
    filtered = client.get("/?q=sort&subject=Computer+Science").get_data(as_text=True)
    assert 'aria-current="true"' in filtered
    assert 'href="/?q=sort"' in filtered  # clicking the selected subject removes the filter


def test_paging_links(client):
    html = client.get("/?per_page=3").get_data(as_text=True)
    assert "/?page=2&amp;per_page=3" in html and 'rel="next"' in html
    last = client.get("/?per_page=3&page=3").get_data(as_text=True)
    assert 'rel="prev"' in last and 'rel="next"' not in last


@pytest.mark.parametrize(
    ("page", "pages", "shown"), [(1, 1, [1]), (1, 3, [1, 2, 3]), (6, 20, [1, None, 4, 5, 6, 7, 8, None, 20])]
)
def test_page_numbers(page, pages, shown):
    assert page_numbers(page, pages) == shown


def test_did_you_mean_link(client):
    html = client.get("/?q=eigenvalues+matirx").get_data(as_text=True)
    assert "Did you mean" in html
    assert 'href="/?q=eigenvalues+matrix"' in html


def test_corrected_search_says_so(client):
    html = client.get("/?q=hsah").get_data(as_text=True)
    assert "No results for <strong>hsah</strong>. Showing results for" in html
    assert '<a data-nav href="/?q=hash"><mark>hash</mark></a>' in html


def test_no_results_state(client):
    html = client.get("/?q=qqqqqq").get_data(as_text=True)
    assert "No results for “qqqqqq”" in html and "Try fewer or different words" in html


def test_empty_state_lists_latest(client):
    html = client.get("/").get_data(as_text=True)
    assert "Latest articles" in html and len(re.findall(r'<li class="hit">', html)) == 8


def test_bad_page_parameter_is_a_400_page(client):
    response = client.get("/?page=abc")
    assert response.status_code == 400
    assert "text/html" in response.content_type and "must be a whole number" in response.get_data(as_text=True)


def test_query_string_that_is_not_utf8_is_a_400_page(client):
    response = client.get("/?q=%ff%fesort")
    assert response.status_code == 400 and "not UTF-8" in response.get_data(as_text=True)


def test_unknown_page_is_404(client):
    assert client.get("/nothing-here").status_code == 404
