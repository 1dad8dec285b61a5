"""The web chat widget in a real browser (Debian's headless chromium through Playwright), against the
real app served by uvicorn on 127.0.0.1 with a SQLite database of the demo customers."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest

from bot.store.db import transaction
from tests.conftest import ROOT, make_settings

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(sqlite_url, bundle):
    import uvicorn

    from bot.customers.importer import import_customers
    from tests import conftest
    from webhooks.app import create_app

    with transaction(sqlite_url) as session:
        assert import_customers(session, conftest.DEMO_CSV, schemes=bundle.schemes, region="GB").ok
    port = free_port()
    app = create_app(make_settings(sqlite_url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page():
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 480, "height": 860})
        page.set_default_timeout(30_000)  # a busy 2-core CI machine is slow to start chromium
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        yield page
        browser.close()
        assert errors == [], errors


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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-widget-menu.png"), full_page=True, animations="disabled")
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

    shot = ARTIFACTS / "chat-widget.png"
    page.screenshot(path=str(shot), full_page=True, animations="disabled")
    assert shot.stat().st_size > 10_000


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
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-embed.png"), animations="disabled")
