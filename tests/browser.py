"""Headless Chromium for tests, driven by Playwright: the system's chromium (Debian's package, which `.ci/run`
installs), never a downloaded browser. `page()` skips the test, saying why, where either is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PHONE = {"width": 390, "height": 844}  # a common phone viewport, in CSS pixels


@contextmanager
def page(viewport: dict[str, int] = PHONE) -> Iterator[object]:
    """A Playwright page at `viewport` in headless Chromium."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs Debian's chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (test extra)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport=viewport)
        finally:
            browser.close()
