"""The embeddable widget in a real browser, on a host page of another origin."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

INPUT = "[data-kbsearch] >> input[role=combobox]"
OPTIONS = "[data-kbsearch] >> [role=option]"
LISTBOX = "[data-kbsearch] >> [role=listbox]"
POPUP = "[data-kbsearch] >> .pop"


def open_host(watched, second_origin, name="plain.html"):
    watched.page.goto(f"{second_origin}/{name}")
    expect(watched.page.locator(INPUT)).to_be_visible()
    return watched.page


def test_typing_shows_suggestions_without_errors(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("hash t", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(1)
    expect(page.locator(OPTIONS).first).to_contain_text("What are hash tables?")
    expect(page.locator(INPUT)).to_have_attribute("aria-expanded", "true")
    expect(page.locator("[data-kbsearch] >> [role=status]")).to_have_text("1 suggestion")
    assert watched.console_errors == [] and watched.exceptions == []


def test_arrow_keys_and_enter_open_the_article(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    first = page.locator(OPTIONS).first
    expect(first).to_have_attribute("aria-selected", "true")
    option_id = first.get_attribute("id")
    expect(page.locator(INPUT)).to_have_attribute("aria-activedescendant", option_id)
    page.keyboard.press("End")
    expect(page.locator(OPTIONS).last).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Home")
    expect(first).to_have_attribute("aria-selected", "true")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.match(r"https://kb\.example\.org/learn/computer-science/questions/", page.url)


def test_escape_closes_and_keeps_focus(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator(INPUT)).to_have_attribute("aria-expanded", "false")
    expect(page.locator(LISTBOX)).to_be_hidden()
    expect(page.locator(INPUT)).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(INPUT)).to_have_value("")


def test_enter_shows_full_results_with_snippets_and_see_all(watched, second_origin, live_server):
    page = open_host(watched, second_origin)
    page.locator(INPUT).fill("hash collisions")
    page.keyboard.press("Enter")
    expect(page.locator(OPTIONS).first).to_contain_text("chaining")
    expect(page.locator("[data-kbsearch] >> mark").first).to_be_visible()
    see_all = page.locator("[data-kbsearch] >> text=/See all \\d+ results?/")
    expect(see_all).to_have_attribute("href", f"{live_server}/?q=hash+collisions")
    assert watched.console_errors == [] and watched.exceptions == []


def test_slash_and_ctrl_k_focus_the_box(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator("h1").click()
    page.keyboard.press("/")
    expect(page.locator(INPUT)).to_be_focused()
    expect(page.locator(INPUT)).to_have_value("")
    page.locator("h1").click()
    page.keyboard.press("Control+k")
    expect(page.locator(INPUT)).to_be_focused()


def test_hostile_host_css_cannot_break_it(watched, second_origin):
    page = open_host(watched, second_origin, "hostile.html")
    box = page.locator(INPUT).bounding_box()
    assert box["width"] > 200 and box["height"] >= 40
    page.locator(INPUT).press_sequentially("hash", delay=30)
    expect(page.locator(OPTIONS).first).to_be_visible()
    assert watched.exceptions == []


def test_dialog_mode_opens_and_returns_focus(watched, second_origin):
    page = open_host_button(watched, second_origin)
    page.locator("[data-kbsearch] >> button.open").click()
    expect(page.locator(INPUT)).to_be_focused()
    page.keyboard.press("Escape")  # closes the dialog (nothing typed)
    expect(page.locator("[data-kbsearch] >> button.open")).to_be_focused()


@pytest.mark.parametrize("width", [1280, 768, 375])
def test_dialog_mode_shows_its_results_whole(watched, second_origin, width):
    """The popup hung below the box inside the dialog, which clipped it: above 480 px only a sliver showed."""
    page = open_host_button(watched, second_origin)
    page.set_viewport_size({"width": width, "height": 800})
    page.locator("[data-kbsearch] >> button.open").click()
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("Enter")
    expect(page.locator(OPTIONS).first).to_contain_text("sort")
    for option in page.locator(OPTIONS).all()[:2]:
        expect(option).to_be_in_viewport(ratio=1)
    screenshot(page, f"widget-dialog-{width}")


def test_one_escape_closes_the_dialog_after_a_search(watched, second_origin):
    page = open_host_button(watched, second_origin)
    page.locator("[data-kbsearch] >> button.open").click()
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(page.locator("[data-kbsearch] >> dialog")).to_be_hidden()
    expect(page.locator("[data-kbsearch] >> button.open")).to_be_focused()


def test_the_hotkeys_open_the_dialog_of_a_page_with_two_widgets(watched, second_origin):
    """Each widget listened for the keys, and the script that loaded first won: with two async scripts the
    dialog opened half the time."""
    watched.page.goto(f"{second_origin}/inline-and-dialog.html")
    expect(watched.page.locator("[data-kbsearch] >> button.open")).to_be_visible()
    expect(watched.page.locator(INPUT).first).to_be_attached()
    watched.page.locator("h1").click()
    watched.page.keyboard.press("Control+k")
    expect(watched.page.locator("[data-kbsearch] >> dialog")).to_be_visible()


def open_host_button(watched, second_origin):
    watched.page.goto(f"{second_origin}/dialog.html")
    expect(watched.page.locator("[data-kbsearch] >> button.open")).to_be_visible()
    return watched.page


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        (lambda route: route.fulfill(status=500, body="{}", content_type="application/json"), "unavailable"),
        (lambda route: route.abort("internetdisconnected"), "unavailable"),
    ],
    ids=["server-error", "offline"],
)
def test_failures_show_a_quiet_message(watched, second_origin, handler, message):
    page = open_host(watched, second_origin)
    page.route("**/api/**", handler)
    page.locator(INPUT).press_sequentially("hash", delay=30)
    expect(page.locator("[data-kbsearch] >> .msg")).to_contain_text(message)
    assert watched.exceptions == []


def test_slow_api_gives_up_after_three_seconds(watched, second_origin):
    page = open_host(watched, second_origin)

    def slow(route):
        page.wait_for_timeout(3500)
        route.fulfill(status=200, body='{"query": "x", "suggestions": []}', content_type="application/json")

    page.route("**/api/**", slow)
    page.locator(INPUT).press_sequentially("hash", delay=30)
    expect(page.locator("[data-kbsearch] >> .msg")).to_contain_text("taking too long", timeout=6000)
    assert watched.exceptions == []
    page.unroute_all(behavior="ignoreErrors")


@pytest.mark.parametrize(("width", "theme"), [(1280, "light"), (1280, "dark"), (360, "light"), (360, "dark")])
def test_screenshots_and_small_screens(browser, second_origin, width, theme):
    context = browser.new_context(viewport={"width": width, "height": 720}, color_scheme=theme)
    page = context.new_page()
    page.goto(f"{second_origin}/plain.html")
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS).first).to_be_visible()
    listbox = page.locator(LISTBOX).bounding_box()
    assert listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"widget-{theme}-{width}")
    context.close()


def test_opening_a_full_result_is_recorded_for_analytics(watched, second_origin, index_dir):
    from tests.browser.test_page import clicks_for

    page = open_host(watched, second_origin)
    page.locator(INPUT).fill("classical conditioning")
    page.keyboard.press("Enter")
    page.locator(OPTIONS).first.click()
    page.wait_for_url("https://kb.example.org/**")
    assert ("classical conditioning", 1) in clicks_for(index_dir, "what-is-classical-conditioning")


def test_two_script_tags_make_two_widgets_with_their_own_settings(watched, second_origin, live_server):
    page = watched.page
    page.goto(f"{second_origin}/two.html")
    expect(page.locator("#search input[role=combobox]")).to_have_attribute("placeholder", "First")
    second = page.locator("#search-2 input[role=combobox]")
    expect(second).to_have_attribute("placeholder", "Second")
    second.fill("cafe")
    second.press("Enter")
    see_all = page.locator("#search-2 .foot a")
    expect(see_all).to_have_attribute("href", f"{live_server}/?q=cafe&subject=Economics")
    assert watched.exceptions == []


def test_a_widget_of_one_subject_suggests_its_questions_only(watched, second_origin):
    page = watched.page
    page.goto(f"{second_origin}/two.html")
    first, second = page.locator("#search input[role=combobox]"), page.locator("#search-2 input[role=combobox]")
    first.press_sequentially("wh", delay=30)  # "What is…", "Why do cafés…": several subjects
    expect(page.locator("#search [role=option]")).to_have_count(5)
    second.press_sequentially("wh", delay=30)  # the second widget is limited to Economics
    expect(page.locator("#search-2 [role=option]")).to_have_count(1)
    expect(page.locator("#search-2 [role=option] .s")).to_have_text(["Economics"])
    assert watched.exceptions == []


def test_arrow_up_first_selects_the_last(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("sort", delay=30)
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.keyboard.press("ArrowUp")
    expect(page.locator(OPTIONS).last).to_have_attribute("aria-selected", "true")


def test_escape_drops_a_pending_keystroke(watched, second_origin):
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("sor", delay=30)
    expect(page.locator(OPTIONS).first).to_be_visible()
    page.keyboard.type("t")
    page.keyboard.press("Escape")  # before the debounce fetches suggestions for "sort"
    page.wait_for_timeout(300)
    expect(page.locator(POPUP)).to_be_hidden()


def test_an_answer_after_focus_left_does_not_reopen(watched, second_origin):
    page = open_host(watched, second_origin)

    def slow(route):
        page.wait_for_timeout(250)
        route.continue_()

    page.route("**/api/suggest*", slow)
    page.locator(INPUT).fill("hash")
    page.locator("h1").click()  # focus leaves while the suggestions are on their way
    page.wait_for_timeout(500)
    expect(page.locator(POPUP)).to_be_hidden()
    page.unroute_all(behavior="ignoreErrors")


def test_see_all_survives_a_long_press(watched, second_origin, live_server):
    page = open_host(watched, second_origin)
    page.locator(INPUT).fill("hash collisions")
    page.keyboard.press("Enter")
    see_all = page.locator("[data-kbsearch] >> .foot a")
    see_all.hover()
    page.mouse.down()
    page.wait_for_timeout(250)  # longer than the box waits after losing focus
    with page.expect_navigation(timeout=3000):
        page.mouse.up()
    assert page.url == f"{live_server}/?q=hash+collisions"


def test_corrections_are_shown(watched, second_origin):
    page = open_host(watched, second_origin)
    note = page.locator("[data-kbsearch] >> .note")
    page.locator(INPUT).fill("sprt")
    page.keyboard.press("Enter")
    expect(note).to_have_text("No results for sprt. Showing results for sort.")
    expect(page.locator(OPTIONS)).to_have_count(2)
    page.locator(INPUT).fill("sortt")
    page.keyboard.press("Enter")
    expect(note).to_have_text("Did you mean sort?")
    note.locator("button").click()
    expect(page.locator(INPUT)).to_have_value("sort")
    expect(note).to_be_hidden()
    expect(page.locator("[data-kbsearch] >> [role=status]")).to_have_text("2 results")


def test_relative_article_urls_resolve_against_the_search_host(watched, second_origin, live_server):
    page = open_host(watched, second_origin)

    def without_site_url(route):
        # What the API answers when KBSEARCH_SITE_URL is unset: the articles' own site-relative urls.
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace("https://kb.example.org", ""))

    page.route("**/api/**", without_site_url)
    page.locator(INPUT).fill("sort")
    expect(page.locator(OPTIONS).first).to_have_attribute(
        "href", re.compile(re.escape(f"{live_server}/learn/computer-science/questions/"))
    )


def test_the_typed_words_are_highlighted_in_suggestions(watched, second_origin):
    # A heavier weight on a bold question looked the same in Debian's fonts: the words need the highlight.
    page = open_host(watched, second_origin)
    page.locator(INPUT).press_sequentially("hash t", delay=30)
    mark = page.locator(f"{OPTIONS} .q mark").first
    expect(mark).to_have_text("hash")
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
