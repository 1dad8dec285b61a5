"""The web chat widget in a real browser (Debian's headless chromium through Playwright), against the
real app served by uvicorn on 127.0.0.1 with a SQLite database of the demo customers."""
from __future__ import annotations

import pytest

from bot.store.db import transaction
from tests.browser import browser_page, chromium, served, shot
from tests.conftest import make_settings

pytestmark = pytest.mark.browser

@pytest.fixture
def server(sqlite_url, bundle):
    from bot.customers.importer import import_customers
    from tests import conftest
    from webhooks.app import create_app

    with transaction(sqlite_url) as session:
        assert import_customers(session, conftest.DEMO_CSV, schemes=bundle.schemes, region="GB").ok
    with served(create_app(make_settings(sqlite_url))) as base:
        yield base


@pytest.fixture
def page():
    with chromium() as browser, browser_page(browser, width=480, height=860) as opened:
        yield opened


def bot_says(page, text: str) -> None:
    page.locator("#chat-log .msg--bot").filter(has_text=text).last.wait_for()


def test_a_customer_verifies_in_the_widget_using_only_the_keyboard(server, page):
    from playwright.sync_api import expect

    page.goto(server + "/chat")
    log = page.locator("#chat-log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(log).to_have_attribute("role", "log")
    box = page.get_by_label("Your message")  # the input is labelled
    bot_says(page, "type your customer number")
    expect(box).to_be_focused()

    box.type("1023 4567 81")
    page.keyboard.press("Enter")
    bot_says(page, "date of birth")
    expect(box).to_be_focused()
    page.keyboard.type("3 March 1985")
    page.keyboard.press("Enter")
    bot_says(page, "postcode")
    page.keyboard.type("SW1A 1AA")
    page.keyboard.press("Enter")
    bot_says(page, "you're verified")

    quick = page.get_by_role("group", name="Quick replies").get_by_role("button")
    expect(quick).to_have_count(5)
    expect(quick.first).to_have_text("1: billing and payments")
    shot(page, "chat-widget-menu.png")
    # Keyboard only: from the message box, Shift+Tab reaches the quick replies; Enter picks one.
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused in {"0: anything else", "4: report fraud"}, focused
    page.locator("#chat-options button").first.focus()
    page.keyboard.press("Enter")

    expect(page.locator("#chat-log .msg--customer").last).to_have_text("You said: 1: billing and payments")
    bot_says(page, "connecting you with a colleague")
    expect(page.locator("#chat-log .msg--notice")).to_have_text("You're being connected to a colleague.")
    expect(box).to_be_disabled()
    expect(page.get_by_role("button", name="Start a new chat")).to_be_focused()
    assert "press" not in log.inner_text().lower()

    shot(page, "chat-widget.png")


def test_the_embed_snippet_opens_the_widget_on_another_page(server, page):
    from playwright.sync_api import expect

    page.set_content(f'<main><h1>Another site</h1></main><script src="{server}/chat/static/embed.js"></script>')
    launcher = page.get_by_role("button", name="Chat with us")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    frame = page.frame_locator("iframe[title='Chat with us']")
    expect(frame.locator("#chat-log .msg--bot").first).to_contain_text("Welcome to Northwind")
    frame.get_by_label("Your message").fill("1023456781")
    frame.get_by_label("Your message").press("Enter")
    expect(frame.locator("#chat-log .msg--bot").last).to_contain_text("date of birth")
    shot(page, "chat-embed.png")
