"""What the console's browser tests share: the fixtures over tests/browser.py (Debian's chromium, the
app served on 127.0.0.1, screenshots under test-artifacts/) and signing in with the keyboard."""
from __future__ import annotations

import pytest

from tests.browser import browser_page, chromium, served, shot
from tests.console.conftest import PASSWORDS

__all__ = ["browser", "page", "served", "shot", "sign_in_with_the_keyboard"]


@pytest.fixture
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser):
    with browser_page(browser, width=1280, height=900) as opened:
        yield opened


def sign_in_with_the_keyboard(page, server: str, username: str, path: str = "/console/overview") -> None:
    from playwright.sync_api import expect

    page.goto(server + path)
    expect(page).to_have_url(f"{server}/console/login?next={path.replace('/', '%2F')}")
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(PASSWORDS[username])
    page.keyboard.press("Enter")
    expect(page).to_have_url(server + path)
