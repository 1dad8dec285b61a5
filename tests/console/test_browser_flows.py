"""The Flows section in a real browser (Debian's chromium through Playwright, the launcher of
test_browser.py): hear a draft wording in Try it while a live call hears the published one, publish
a change its tests refuse and then a good one, roll back. Screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest
import requests

from bot.customers.importer import import_customers
from bot.engine.bundle import load_bundle
from bot.store import flow_versions
from bot.store.db import transaction
from tests import conftest
from tests.console.browser import browser, page, served, shot, sign_in_with_the_keyboard  # noqa: F401 - fixtures
from tests.console.conftest import (FAIL_WORDING, POSTCODE_AFTER, POSTCODE_BEFORE, SHIPPED_TESTS, add_accounts, console_app,
                                    edit)
from tests.twilio_phone import TwilioPhone
from tests.browser import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def flows_server(sqlite_url, bundle, draft):
    """The console on 127.0.0.1 with FLOWS_DIR a copy of flows/ (published at this first start)."""
    with transaction(sqlite_url) as session:
        assert import_customers(session, conftest.DEMO_CSV, schemes=bundle.schemes, region="GB").ok
    add_accounts(sqlite_url)
    port = free_port()
    app = console_app(sqlite_url, flows_dir=draft, public_base_url=f"http://127.0.0.1:{port}")
    with served(app, port) as base:
        yield base


def up_to_postcode(server: str) -> str:
    """A live call, as Twilio makes it, up to the postcode question: what the caller hears there."""
    with requests.Session() as http:
        call = TwilioPhone(http, token=conftest.TOKEN, base_url=server).dial()
        call.press("1023456781#")
        call.press("03031985")
        return call.last


def fits_390(page) -> None:
    """At 390 px (a phone) nothing runs off the side; wide tables scroll in their own box."""
    page.set_viewport_size({"width": 390, "height": 844})
    too_wide = page.evaluate("""[...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > 391 && !e.parentElement.closest('.table-wrap'))
        .map(e => e.tagName + '.' + e.className)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, too_wide
    page.set_viewport_size({"width": 1280, "height": 900})


def test_try_a_draft_wording_in_the_try_it_pane(flows_server, draft, page):
    from playwright.sync_api import expect

    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    sign_in_with_the_keyboard(page, flows_server, "sam", "/console/flows/try")
    expect(page.get_by_label("Version")).to_contain_text("the draft in FLOWS_DIR")
    page.get_by_label("Channel").select_option(label="a phone call")
    page.get_by_role("button", name="Start the conversation").click()
    expect(page.locator("#about")).to_contain_text("the draft, not published")
    reply = page.get_by_label("What the caller presses or says")
    expect(reply).to_be_focused()
    for keys in ("1023456781#", "03031985"):
        page.keyboard.type(keys)
        page.keyboard.press("Enter")
        expect(reply).to_be_focused()  # ready for the next answer, as a chat box would be
    expect(page.locator("#latest")).to_contain_text(POSTCODE_AFTER)
    expect(page.locator("#transcript")).to_contain_text("******6781#")
    expect(page.locator("#transcript")).to_contain_text("[verification answer withheld]")
    # A caller on the phone now still hears the published wording.
    heard = up_to_postcode(flows_server)
    assert POSTCODE_BEFORE in heard and POSTCODE_AFTER not in heard
    page.locator("summary", has_text="What Twilio gets").click()
    expect(page.locator("#rendered")).to_contain_text(POSTCODE_AFTER)
    shot(page, "console-try-it.png")
    fits_390(page)

    page.get_by_role("button", name="Hang up").click()
    expect(page.get_by_role("status")).to_contain_text("Hung up.")
    expect(page.locator("#transcript")).to_contain_text("You hung up.")


def test_publish_a_change_that_fails_its_tests_then_a_good_one(flows_server, draft, page):
    from playwright.sync_api import expect

    before = flow_versions_live(flows_server)
    edit(draft, *FAIL_WORDING)
    sign_in_with_the_keyboard(page, flows_server, "sam", "/console/flows")
    expect(page.locator("#draft-status")).to_contain_text("not published yet")
    page.get_by_label("Why you are publishing").fill("friendlier wording when details do not match")
    page.get_by_role("button", name="Check, test and publish").click()
    expect(page.get_by_role("heading", name="Not published")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("conversation tests failed. The live version keeps serving.")
    report = page.locator("#test-report")
    expect(report).to_contain_text("tests/05_wrong_answers_to_general.yaml:")
    expect(report).to_contain_text("- reply containing: \"don't match our records\"")
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 422 "
                                   "(Unprocessable Entity)"]
    page.console_errors.clear()  # the refusal was the point
    shot(page, "console-publish-refused.png")
    assert flow_versions_live(flows_server) == before

    edit(draft, FAIL_WORDING[1], FAIL_WORDING[0])
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    page.get_by_label("Why you are publishing").fill("shorter postcode question")
    page.get_by_role("button", name="Check, test and publish").click()
    expect(page.get_by_role("status")).to_contain_text("Published")
    after = load_bundle(draft).version
    expect(page.locator("#live-version")).to_have_text(after)
    first = page.locator("#table-history tbody tr").first
    for text in ("published", "live", after, "sam", f"{SHIPPED_TESTS} passed", "shorter postcode question"):
        expect(first).to_contain_text(text)
    shot(page, "console-flows.png")
    fits_390(page)
    assert POSTCODE_AFTER in up_to_postcode(flows_server)


def flow_versions_live(server: str) -> str:
    return requests.get(server + "/readyz", timeout=10).json()["flow_version"]


def test_roll_back(flows_server, draft, sqlite_url, page):
    from playwright.sync_api import expect

    first = flow_versions_live(flows_server)
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    second = load_bundle(draft)
    with transaction(sqlite_url) as session:
        flow_versions.publish(session, version=second.version, files=second.files, by="ana", message="shorter postcode")
    assert POSTCODE_AFTER in up_to_postcode(flows_server)

    sign_in_with_the_keyboard(page, flows_server, "sam", "/console/flows")
    expect(page.get_by_label("Version to make live again")).to_have_value(first)
    page.get_by_label("Why you are rolling back").fill("callers kept asking what a ZIP code is")
    page.get_by_role("button", name="Roll back").click()
    expect(page.get_by_role("status")).to_contain_text("Rolled back")
    expect(page.locator("#live-version")).to_have_text(first)
    top = page.locator("#table-history tbody tr").first
    for text in ("rolled back", "live", first, "sam", "callers kept asking what a ZIP code is"):
        expect(top).to_contain_text(text)
    shot(page, "console-rollback.png")
    assert POSTCODE_BEFORE in up_to_postcode(flows_server)

    # What changed in the version that was rolled back, as a readable diff.
    page.locator("#table-history tbody tr").nth(1).get_by_role("link", name="what changed").click()
    removed, added = page.locator("table.diff tr.removed"), page.locator("table.diff tr.added")
    expect(removed).to_have_count(1)
    expect(removed).to_contain_text(POSTCODE_BEFORE)
    expect(added).to_contain_text(POSTCODE_AFTER)
    shot(page, "console-diff.png")
    fits_390(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_the_keyboard(page, flows_server, "ada", "/console/audit")
    row = page.locator("#table-audit tbody tr", has_text="flow-rollback")
    for text in ("sam", first, "callers kept asking what a ZIP code is"):
        expect(row).to_contain_text(text)
