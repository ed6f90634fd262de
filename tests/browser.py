"""Headless Chromium for the tests: Debian's `chromium` package driven by Playwright.

Nothing is downloaded: Playwright drives the system browser. Tests that need it are skipped,
with the reason, only where no browser is installed (`make test` installs it).
"""
from __future__ import annotations

import os
import shutil

import pytest

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-default-apps", "--disable-extensions"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("STUDYCARDS_CHROMIUM"), "chromium", "chromium-browser",
                      "google-chrome"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: pip install -e '.[test]'")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium installed: apt-get install chromium (make test does)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=path, args=ARGS)
        yield instance
        instance.close()


class Watched:
    """A page whose console errors, page errors and requests are all recorded; any request
    that is not a local file or inline data is refused."""

    def __init__(self, page):
        self.page = page
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.refused: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


def open_page(browser, url: str, width: int = 1000) -> Watched:
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="light", service_workers="block")
    watched = Watched(context.new_page())
    watched.page.goto(url)
    return watched
