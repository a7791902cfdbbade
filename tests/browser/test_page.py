"""The search page in a real browser: typing, facets, did-you-mean, history, accessibility, screenshots."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

SERIOUS = {"serious", "critical"}


def serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def test_results_update_while_typing_and_url_follows(watched, live_server):
    page = watched.page
    page.goto(live_server + "/")
    page.locator("#q").press_sequentially("hash tab", delay=40)
    expect(page.locator(".hit h2")).to_have_text(["What are hash tables?"])
    expect(page).to_have_url(f"{live_server}/?q=hash+tab")
    assert watched.console_errors == [] and watched.exceptions == []


def test_facets_filter_and_back_forward(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    expect(page.locator(".hit")).to_have_count(2)
    page.goto(live_server + "/")
    expect(page.locator(".hit")).to_have_count(8)
    page.locator(".facets a", has_text="Economics").click()
    expect(page).to_have_url(f"{live_server}/?subject=Economics")
    expect(page.locator(".hit")).to_have_count(2)
    expect(page.locator(".facets a.selected")).to_contain_text("Economics")
    page.go_back()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.locator(".hit")).to_have_count(8)
    page.go_forward()
    expect(page.locator(".hit")).to_have_count(2)
    assert watched.exceptions == []


def test_did_you_mean_link(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=eigenvalues+matirx")
    page.locator("a.did-you-mean").click()
    expect(page).to_have_url(f"{live_server}/?q=eigenvalues+matrix")
    expect(page.locator("#q")).to_have_value("eigenvalues matrix")
    expect(page.locator("a.did-you-mean")).to_have_count(0)


def test_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.locator("#q").fill("hash tables")
    page.locator("#q").press("Enter")
    expect(page.locator(".hit h2")).to_have_text(["What are hash tables?"])
    context.close()


def test_opensearch_is_linked(watched, live_server):
    page = watched.page
    page.goto(live_server + "/")
    href = page.locator("link[rel=search]").get_attribute("href")
    response = page.request.get(live_server + href)
    assert response.ok and "{searchTerms}" in response.text()


def test_search_page_accessibility(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    assert serious_violations(page) == []


def test_widget_accessibility(watched, live_server):
    page = watched.page
    page.goto(live_server + "/widget-demo")
    page.locator("[data-kbsearch] >> input").press_sequentially("sort", delay=30)
    expect(page.locator("[data-kbsearch] >> [role=option]").first).to_be_visible()
    assert serious_violations(page) == []
    assert watched.console_errors == [] and watched.exceptions == []


@pytest.mark.parametrize(("width", "theme"), [(1280, "light"), (1280, "dark"), (360, "light"), (360, "dark")])
def test_page_screenshots_and_small_screens(browser, live_server, width, theme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=theme)
    page = context.new_page()
    page.goto(live_server + "/?q=sort")
    expect(page.locator(".hit").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"page-{theme}-{width}")
    context.close()


def test_usable_at_200_percent_zoom(browser, live_server):
    # 200% zoom on a 1280 px window leaves a 640 px wide layout viewport.
    context = browser.new_context(viewport={"width": 640, "height": 450}, device_scale_factor=2)
    page = context.new_page()
    page.goto(live_server + "/?q=sort")
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    expect(page.locator("#q")).to_be_visible()
    page.locator(".hit a").first.focus()
    expect(page.locator(".hit a").first).to_be_focused()
    context.close()


def test_dark_mode_follows_the_system(browser, live_server):
    context = browser.new_context(color_scheme="dark")
    page = context.new_page()
    page.goto(live_server + "/?q=sort")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 23, 28)"
    context.close()


def test_print_shows_results_only(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    page.emulate_media(media="print")
    expect(page.locator(".facets")).to_be_hidden()
    expect(page.locator("#search-form")).to_be_hidden()
    expect(page.locator(".hit").first).to_be_visible()


def clicks_for(index_dir, url_part: str, seconds: float = 10.0) -> list[tuple]:
    """Clicks recorded for a result url, waiting for the server's analytics writer."""
    import sqlite3
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with sqlite3.connect(index_dir / "analytics.sqlite3") as connection:
            found = connection.execute(
                "SELECT s.query, c.rank FROM clicks c JOIN searches s ON s.id = c.search_id WHERE c.url LIKE ?",
                (f"%{url_part}%",),
            ).fetchall()
        if found:
            return found
        time.sleep(0.2)
    return []


def test_opening_a_result_is_recorded_for_analytics(watched, live_server, index_dir):
    page = watched.page
    page.goto(live_server + "/?q=insertion+sort")
    page.locator(".hit h2 a").first.click()
    page.wait_for_url("https://kb.example.org/**")
    assert ("insertion sort", 1) in clicks_for(index_dir, "how-does-insertion-sort-work")


def test_back_restores_the_forms_subject_filter(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    subjects = page.locator("#search-form input[name=subject]")
    page.locator(".facets a").first.click()
    expect(page).to_have_url(re.compile(r"&subject="))
    expect(subjects).to_have_count(1)
    page.go_back()
    expect(page).to_have_url(f"{live_server}/?q=sort")
    expect(subjects).to_have_count(0)
    page.go_forward()
    expect(subjects).to_have_count(1)


def test_back_returns_to_the_query_before_typing(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    entries = page.evaluate("history.length")
    box = page.locator("#q")
    box.press("End")
    box.press_sequentially(" in", delay=30)
    expect(page).to_have_url(f"{live_server}/?q=sort+in")  # settled once: one entry
    box.press_sequentially("sertion", delay=30)
    expect(page).to_have_url(f"{live_server}/?q=sort+insertion")
    box.press("Enter")  # the query is already shown: no second entry for it
    expect(page.locator("#layout")).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("history.length") == entries + 1
    page.go_back()
    expect(page).to_have_url(f"{live_server}/?q=sort")
    expect(box).to_have_value("sort")
    expect(page.locator(".hit")).to_have_count(2)


def test_a_long_unbroken_word_fits_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/?q=sort+std::vector<std::unordered_map<std::string,int>>::iterator")
    expect(page.locator(".notice.relaxed")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_a_server_error_loads_the_page_instead_of_keeping_old_results(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")

    def failing_fetch(route):
        if route.request.resource_type == "fetch":
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.continue_()

    page.route(f"{live_server}/?*", failing_fetch)
    page.locator("#q").fill("hash tables")
    page.locator("#q").press("Enter")
    expect(page.locator(".hit h2")).to_have_text(["What are hash tables?"])
    expect(page).to_have_url(f"{live_server}/?q=hash+tables")


def test_a_page_past_the_last_links_to_the_first(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort&page=1000")
    expect(page.locator("text=Try fewer")).to_have_count(0)
    page.get_by_role("link", name="Go to page 1").click()
    expect(page).to_have_url(f"{live_server}/?q=sort")
    expect(page.locator(".hit")).to_have_count(2)


def test_marks_are_highlighted_and_the_css_has_no_repeated_rules(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=hash+tables")
    transparent = "rgba(0, 0, 0, 0)"
    for marks in (".hit .snippet mark", ".hit h2 mark"):
        assert page.locator(marks).first.evaluate("m => getComputedStyle(m).backgroundColor") != transparent
    repeated = page.evaluate(
        """() => {
        const seen = new Set(), repeated = [];
        const walk = (rules, where) => { for (const rule of rules) {
            if (rule.cssRules) walk(rule.cssRules, where + (rule.conditionText || ""));
            const key = where + " " + (rule.selectorText || "");
            if (rule.selectorText && seen.has(key)) repeated.push(key);
            seen.add(key);
        } };
        walk(document.styleSheets[0].cssRules, "");
        return repeated;
    }"""
    )
    assert repeated == []


def test_one_live_region_announces_each_update(watched, live_server):
    page = watched.page
    page.goto(live_server + "/?q=sort")
    live = "[aria-live], [role=status]"
    page.evaluate(f"window.liveRegion = document.querySelector('{live}')")
    page.locator("#q").fill("hash tables")
    expect(page.locator(live)).to_have_text("1 result for “hash tables”")
    assert page.evaluate(f"document.querySelectorAll('{live}').length === 1 && window.liveRegion.isConnected")


LINES_OF = """(selector) => {
    const range = document.createRange();
    range.selectNodeContents(document.querySelector(selector));
    return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_the_related_label_stays_on_one_line(browser, live_server, width):
    """Beside a long related question the label shrank and broke mid-word: "Rel / ate / d:"."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_server + "/?q=binomial")
    expect(page.locator(".related").first).to_be_visible()
    assert page.evaluate(LINES_OF, ".related > span") == 1
    context.close()
