"""What the console's browser tests share: Debian's chromium through Playwright, the app served by
uvicorn on 127.0.0.1, signing in with the keyboard, and screenshots under test-artifacts/."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest

from tests.console.conftest import PASSWORDS
from tests.webhooks.test_chat_widget import ARGS, ARTIFACTS, CHROMIUM


@contextmanager
def served(app, port: int):
    """The app on http://127.0.0.1:port until the block ends."""
    import uvicorn

    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def browser():
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A stylesheet or image the CSP blocked, or a missing file, shows up here.
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    assert errors == [], errors


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


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    assert path.stat().st_size > 10_000


