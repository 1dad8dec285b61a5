"""What every browser test shares: Debian's chromium through Playwright (it cannot download its own
browsers here), launched as the developers' guide says; the app served by uvicorn on 127.0.0.1;
pages that fail the test on a script error or a blocked resource; screenshots under test-artifacts/."""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import ROOT
from tests.live_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]

__all__ = ["ARTIFACTS", "CHROMIUM", "browser_page", "chromium", "free_port", "served", "shot"]


@contextmanager
def served(app, port: int | None = None) -> Iterator[str]:
    """The app on http://127.0.0.1:port (a free one unless given) until the block ends."""
    import uvicorn

    port = port or free_port()
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


@contextmanager
def chromium():
    """Debian's headless chromium, closed when the block ends."""
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def browser_page(browser, *, width: int, height: int):
    """A page that records script errors and console errors (a resource the CSP blocked, a missing file)
    in `page.console_errors`; the block must end with none left (a test clears the ones it meant)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(30_000)  # a busy 2-core CI machine is slow to start chromium
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors
    yield page
    assert errors == [], errors


def shot(page, name: str) -> Path:
    """A full-page screenshot under test-artifacts/ (and a check that it is a picture, not a blank)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    assert path.stat().st_size > 10_000
    return path
