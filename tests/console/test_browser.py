"""The console in a real browser (Debian's chromium through Playwright) against the app served by
uvicorn on 127.0.0.1, on the seeded database; screenshots go to test-artifacts/."""
from __future__ import annotations

import pytest

from bot.customers.importer import import_customers
from bot.engine.bundle import load_bundle
from bot.store.db import transaction
from bot.verification.lockout import SqlLedger
from bot.verification.policy import Lockout
from tests import conftest
from tests.console.browser import browser, page, served, shot, sign_in_with_the_keyboard  # noqa: F401 - fixtures
from tests.console.conftest import NOW, add_accounts, console_app
from tests.reporting import seed as seeding
from tests.browser import free_port

pytestmark = pytest.mark.browser


@pytest.fixture
def server(sqlite_url, bundle, tmp_path):
    with transaction(sqlite_url) as session:
        assert import_customers(session, conftest.DEMO_CSV, schemes=bundle.schemes, region="GB").ok
    seeding.seed(sqlite_url, tmp_path)
    # A week later (outside the default last 7 days): number recoveries of every kind.
    seeding.drive_all(sqlite_url, load_bundle(tmp_path / "seed-flows"), seeding.RECOVERY_SCRIPTS)
    add_accounts(sqlite_url)
    with transaction(sqlite_url) as session:
        ledger = SqlLedger(session, Lockout(), channel="voice", conversation_id=None, clock=lambda: NOW)
        for _ in range(3):
            ledger.decide("2076543213", passed=False)
    port = free_port()
    with served(console_app(sqlite_url, public_base_url=f"http://127.0.0.1:{port}"), port) as base:
        yield base


def test_sign_in_see_the_seeded_figures_and_filter_by_channel(server, page):
    from playwright.sync_api import expect

    sign_in_with_the_keyboard(page, server, "sam")
    # Last 7 days by default (the console's clock is the seed's last day): every seeded conversation.
    expect(page.locator("#fig-conversations")).to_have_text("11")
    expect(page.locator("#fig-verification")).to_have_text("70%")
    expect(page.locator("#fig-containment")).to_have_text("18%")
    expect(page.locator("#fig-handed-off")).to_have_text("6")
    expect(page.locator("#fig-locks-today")).to_have_text("1")
    expect(page.locator("#table-conversations-per-day tbody tr")).to_have_count(7)
    # How the seed's voice handoffs ended, and the wait (seed.HANDOFFS).
    expect(page.locator("#fig-handoffs-answered")).to_have_text("25%")
    expect(page.locator("#fig-average-wait")).to_have_text("1 min 5 s")
    expect(page.locator("#table-handoff-outcomes tbody tr")).to_have_count(4)
    expect(page.locator("#table-handoff-outcomes tbody tr").last).to_have_text(
        "allall4125.0125.0125.0125.0065.0125")
    expect(page.get_by_role("img", name="How handoffs ended, by department")).to_be_visible()
    expect(page.locator("#table-recoveries tbody")).to_have_text(
        "No caller asked to recover their customer number in this period.")
    expect(page.locator("svg.chart")).to_have_count(5)
    shot(page, "console-overview.png")

    page.get_by_label("Channel", exact=True).select_option("web")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#fig-conversations")).to_have_text("2")
    expect(page.locator("#fig-verification")).to_have_text("100%")
    expect(page.locator(".period-now")).to_contain_text("web")
    expect(page.locator("#table-handoff-outcomes tbody")).to_have_text("No handoff outcome was recorded in this period.")

    # The recoveries' days, typed into the form: numbers recovered by SMS, on the web and then every channel.
    page.get_by_label("From", exact=True).fill("2026-03-10")
    page.get_by_label("To", exact=True).fill("2026-03-11")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#fig-recoveries")).to_have_text("0")
    expect(page.locator("#table-recoveries tbody tr")).to_have_count(1)
    page.get_by_label("Channel", exact=True).select_option("")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#fig-recoveries")).to_have_text("2")
    expect(page.locator("#table-recoveries tbody tr").first).to_have_text("all5240.000.0240.0120.01")
    expect(page.get_by_role("img", name="Number recoveries by channel")).to_be_visible()
    page.locator("#h-recoveries").scroll_into_view_if_needed()
    shot(page, "console-overview-recoveries.png")
    page.get_by_label("Channel", exact=True).select_option("web")
    page.get_by_role("button", name="Show").click()

    page.get_by_role("link", name="Today").click()
    expect(page.locator("#fig-conversations")).to_have_text("1")  # W2, on the web, on the seed's last day

    page.get_by_role("navigation", name="Console sections").get_by_role("link", name="Funnel").click()
    page.get_by_role("link", name="Last 7 days").click()
    worst = page.locator("#table-funnel tr.worst")
    expect(worst).to_contain_text("customer_number")
    expect(worst).to_contain_text("worst step")

    # 390 px wide (a phone): nothing runs off the side of the page; wide tables scroll in their own box.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/console/overview")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "console-overview-390.png")


def test_claim_and_complete_a_callback(server, page):
    from playwright.sync_api import expect

    sign_in_with_the_keyboard(page, server, "sam", "/console/queues")
    row = page.locator("#table-callbacks tbody tr").first
    expect(row).to_contain_text("********0123")
    expect(row).to_contain_text("number ******6781, verified")
    row.get_by_role("button", name="Claim").click()
    expect(page.get_by_role("status")).to_have_text("Claimed: it is yours to call back.")
    row = page.locator("#table-callbacks tbody tr").first
    expect(row).to_contain_text("+447700900123")
    expect(row).to_contain_text("claimed by sam")
    row.get_by_label("Outcome").select_option(label="spoke to the customer")
    shot(page, "console-callbacks.png")
    row.get_by_role("button", name="Done").click()
    expect(page.get_by_role("status")).to_have_text("Done, with its outcome recorded.")
    expect(page.locator("#table-callbacks tbody")).to_have_text("Nothing here.")
    page.get_by_role("link", name="Done", exact=True).click()
    expect(page.locator("#table-callbacks tbody tr").first).to_contain_text("done by sam")
    expect(page.locator("#table-callbacks tbody tr").first).to_contain_text("spoke to the customer")


def test_unlock_a_number_as_an_admin_and_be_refused_as_a_supervisor(server, page):
    from playwright.sync_api import expect

    sign_in_with_the_keyboard(page, server, "sam", "/console/locks")
    expect(page.locator("#table-locks tbody tr").first).to_contain_text("******3213")
    expect(page.get_by_role("button", name="Unlock")).to_have_count(0)
    expect(page.get_by_text("Only an admin can unlock a number.")).to_be_visible()
    response = page.goto(server + "/console/users")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Admins only")).to_be_visible()
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 403 (Forbidden)"]
    page.console_errors.clear()  # that refusal was the point
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_the_keyboard(page, server, "ada", "/console/locks")
    page.get_by_label("Reason for unlocking ******3213").fill("Identity checked on a call back")
    shot(page, "console-locks.png")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_role("status")).to_contain_text("Unlocked.")
    expect(page.locator("#table-locks tbody")).to_have_text("No number is locked.")
    page.get_by_role("link", name="Audit").click()
    expect(page.locator("#table-audit tbody tr").first).to_contain_text("number-unlock")
