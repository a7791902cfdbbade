"""A real Chromium (Debian's) driven by Playwright, and a second origin that hosts the widget."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from http.server import SimpleHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("KBSEARCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: .ci/run installs it with apt")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page plus everything it reported: console errors and uncaught exceptions."""

    def __init__(self, page):
        self.page = page
        self.console_errors: list[str] = []
        self.exceptions: list[str] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.exceptions.append(str(e)))


@pytest.fixture
def context(browser):
    made = browser.new_context(viewport={"width": 1280, "height": 900})
    # Article links point at the (unreachable) real site; answer them locally.
    made.route("https://kb.example.org/**", lambda route: route.fulfill(status=200, body="<h1>article</h1>"))
    yield made
    made.close()


@pytest.fixture
def watched(context):
    return Watched(context.new_page())


HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
<style>{css}</style><link rel="icon" href="data:,"></head>
<body><main><h1>Partner</h1><div class="other">host content</div><div id="search"></div>{second}</main>
<script src="{server}/widget.js" data-kbsearch-target="#search" {extra} async></script>{second_script}</body></html>"""


def host_page(server: str, css: str = "", extra: str = "", second: str | None = None) -> str:
    """A partner page embedding the widget; ``second``: another script tag's attributes, for a second widget."""
    if second is None:
        return HOST_PAGE.format(css=css, server=server, extra=extra, second="", second_script="")
    tag = f'<script src="{server}/widget.js" data-kbsearch-target="#search-2" {second} async></script>'
    return HOST_PAGE.format(css=css, server=server, extra=extra, second='<div id="search-2"></div>', second_script=tag)


HOSTILE_CSS = "* { all: unset !important; } div:not(#search) { display: none !important; } input { display: none; }"


@pytest.fixture(scope="session")
def second_origin(tmp_path_factory, live_server):
    """Host pages on another origin (another port) that embed the widget from the live server."""
    folder = tmp_path_factory.mktemp("partner")
    (folder / "plain.html").write_text(host_page(live_server))
    (folder / "hostile.html").write_text(host_page(live_server, css=HOSTILE_CSS))
    (folder / "dialog.html").write_text(
        host_page(live_server, extra='data-kbsearch-mode="button" data-kbsearch-theme="dark"')
    )
    (folder / "two.html").write_text(
        host_page(
            live_server,
            extra='data-kbsearch-placeholder="First"',
            second='data-kbsearch-placeholder="Second" data-kbsearch-subject="Economics"',
        )
    )
    # The inline widget's script runs first (not async): still the hotkeys open the dialog.
    inline_first = host_page(live_server, second='data-kbsearch-mode="button"').replace(
        " async></script>", "></script>", 1
    )
    (folder / "inline-and-dialog.html").write_text(inline_first)
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
