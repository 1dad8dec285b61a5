"""The Flows page: the live version and the history, diffs, publishing FLOWS_DIR through the same
gate as `bot flows publish` (refused with file:line problems, or with the failed tests' reports),
and rollback to any version; every action in the console audit."""
from __future__ import annotations

import html
import inspect
import re

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.engine.bundle import load_bundle
from bot.settings import get_settings
from bot.store import flow_versions
from bot.store.db import transaction
from tests.console.conftest import FAIL_WORDING, POSTCODE_AFTER, POSTCODE_BEFORE, SHIPPED_TESTS, csrf, edit, live_call
from tests.console.html import Page
from webhooks.console import flows as flows_routes
from webhooks.console import try_it as try_it_routes


def audit_rows(url: str, action: str) -> list[tuple]:
    with transaction(url) as session:
        return [tuple(r) for r in session.execute(text(
            "SELECT actor, action, target, detail FROM console_audit WHERE action = :a ORDER BY id"), {"a": action})]


def live_version(client) -> str:
    return client.get("/readyz").json()["flow_version"]


def up_to_postcode(client) -> str:
    call = live_call(client)
    call.press("1023456781#")
    call.press("03031985")
    return call.last


def test_the_live_version_and_the_history(sam, draft):
    url = sam.database_url
    first = live_version(sam)
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    second = load_bundle(draft)
    with transaction(url) as session:
        flow_versions.publish(session, version=second.version, files=second.files, by="ana",
                              message="shorter postcode question", tests=flow_versions.TestSummary(12, 0))
    page = Page(sam.get("/console/flows").text)
    assert f"Version {second.version}, published by ana" in page.text("live")
    assert "shorter postcode question" in page.text("live")
    rows = page.table("table-history")
    assert rows[0][:6] == [rows[0][0], "published live", second.version, "ana", "12 passed", "shorter postcode question"]
    assert rows[0][6].startswith("what changed")
    assert rows[1][1:6] == ["published", first, "first start", "not run", ""]
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][0])
    # The draft is the live version now: nothing to publish.
    assert "the live version, so there is nothing to publish" in page.text("draft-status")


@pytest.mark.parametrize("route", [flows_routes.publish, flows_routes.rollback, try_it_routes.try_begin,
                                   try_it_routes.try_turn])
def test_slow_work_runs_in_the_thread_pool_not_on_the_event_loop(route):
    # FastAPI runs a plain function in its thread pool; an `async def` would run checks and tests on the loop.
    assert not inspect.iscoroutinefunction(route)


def test_publish_a_good_change(sam, draft):
    url, before = sam.database_url, live_version(sam)
    in_flight = live_call(sam)
    in_flight.press("1023456781#")
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    page = Page(sam.get("/console/flows").text)
    assert "not published yet" in page.text("draft-status")

    done = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "  shorter   postcode question "},
                    follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/console/flows?notice=published"
    after = live_version(sam)
    assert after != before and after == load_bundle(draft).version
    page = Page(sam.get(done.headers["location"]).text)
    assert page.table("table-history")[0][1:6] == ["published live", after, "sam", f"{SHIPPED_TESTS} passed", "shorter postcode question"]
    assert audit_rows(url, "flow-publish") == [("sam", "flow-publish", after, "shorter postcode question")]
    # New calls hear it without a restart; the call already in progress finishes on its version.
    assert POSTCODE_AFTER in up_to_postcode(sam)
    in_flight.press("03031985")
    assert POSTCODE_BEFORE in in_flight.last

    again = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "again"})
    assert "nothing changed" in again.text
    assert audit_rows(url, "flow-publish-unchanged") == [("sam", "flow-publish-unchanged", after, "again")]


def test_publish_needs_a_reason(sam, draft):
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    refused = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "   "})
    assert refused.status_code == 422 and "Say why you are publishing" in refused.text
    assert POSTCODE_BEFORE in up_to_postcode(sam)


def test_a_change_that_fails_its_check_is_refused_with_file_and_line(sam, draft, monkeypatch):
    url, before = sam.database_url, live_version(sam)
    edit(draft, "type: verify", "type: verifyy")
    edit(draft, "  billing:\n", "  billing:\n    colour: blue\n", name="departments.yaml")
    refused = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "typo"})
    assert refused.status_code == 422
    page = Page(refused.text)
    section = refused.text.split('id="refused-problems"')[1].split("</ul>")[0]
    problems = [f"{html.unescape(a)}: {html.unescape(b)}" for a, b in
                re.findall(r"<li[^>]*><code>(.*?)</code>: (.*?)</li>", section)]
    # Exactly what `bot flows check` prints for the same folder, file:line first.
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("FLOWS_DIR", str(draft))
    get_settings.cache_clear()
    checked = CliRunner().invoke(cli, ["flows", "check", str(draft)])
    get_settings.cache_clear()
    assert checked.exit_code == 1
    assert problems == [line for line in checked.output.splitlines() if ": warning:" not in line] and len(problems) == 2
    assert any("default.yaml:" in p and "verifyy" in p for p in problems)
    assert any("departments.yaml:" in p and "colour" in p for p in problems)
    assert "Not published: 2 problems in the files" in page.text("main")
    assert live_version(sam) == before
    assert audit_rows(url, "flow-publish-refused")[0][:3] == ("sam", "flow-publish-refused", None)
    # The Flows page says so before anyone presses publish.
    assert "does not pass its check: 2 problems" in Page(sam.get("/console/flows").text).text("draft-status")


def test_a_change_that_fails_its_tests_is_refused_as_on_the_command_line(sam, draft, monkeypatch):
    url, before = sam.database_url, live_version(sam)
    edit(draft, *FAIL_WORDING)
    refused = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "friendlier failure"})
    assert refused.status_code == 422
    assert live_version(sam) == before
    report = html.unescape(re.sub(r"<[^>]+>", "", refused.text.split('id="test-report">')[1].split("</pre>")[0]))
    # The command line's refusal of the same folder, line for line.
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    published = CliRunner().invoke(cli, ["flows", "publish", str(draft)])
    get_settings.cache_clear()
    assert published.exit_code == 1
    failures = [line for line in published.output.splitlines()
                if not line.startswith("not published") and ": warning: " not in line]
    assert failures and report.splitlines() == failures
    assert re.search(r"tests/0\d_\w+\.yaml:\d+: ", report)
    assert "don't match our records" in report
    page = Page(refused.text)
    assert re.search(rf"Not published: \d of {SHIPPED_TESTS} conversation tests failed", page.text("main"))
    detail = audit_rows(url, "flow-publish-refused")[0][3]
    assert re.match(rf"\d of {SHIPPED_TESTS} conversation tests failed; friendlier failure", detail)


def test_one_publish_at_a_time(sam, draft):
    edit(draft, POSTCODE_BEFORE, POSTCODE_AFTER)
    with flows_routes._PUBLISHING:
        busy = sam.post("/console/flows/publish", data={"csrf_token": csrf(sam), "message": "now"})
    assert busy.status_code == 409 and "Another publish is running" in busy.text
    assert POSTCODE_BEFORE in up_to_postcode(sam)


def publish_versions(url: str, draft, *wordings: str) -> list[str]:
    """Publish the draft with each postcode wording in turn (as `bot flows publish --skip-tests` would)."""
    versions, current = [], POSTCODE_BEFORE
    for wording in wordings:
        edit(draft, current, wording)
        current = wording
        bundle = load_bundle(draft)
        with transaction(url) as session:
            flow_versions.publish(session, version=bundle.version, files=bundle.files, by="ana", message=wording)
        versions.append(bundle.version)
    return versions


def test_roll_back_to_any_version_with_a_reason(sam, draft):
    url, first = sam.database_url, live_version(sam)
    second, third = publish_versions(url, draft, "Postcode, please.", POSTCODE_AFTER)
    page = sam.get("/console/flows").text
    options = re.findall(r'<option value="(\w+)"( selected)?>', page.split('id="rollback-version"')[1].split("</select>")[0])
    assert options == [(second, " selected"), (first, "")]  # every version but the live one; the one before first

    missing = sam.post("/console/flows/rollback", data={"csrf_token": csrf(sam), "version": first, "message": ""})
    assert missing.status_code == 422 and live_version(sam) == third
    done = sam.post("/console/flows/rollback", data={"csrf_token": csrf(sam), "version": first,
                                                     "message": "callers preferred the original"}, follow_redirects=False)
    assert done.status_code == 303 and live_version(sam) == first
    assert POSTCODE_BEFORE in up_to_postcode(sam)
    rows = Page(sam.get("/console/flows").text).table("table-history")
    assert rows[0][1:6] == ["rolled back live", first, "sam", "not run", "callers preferred the original"]
    assert audit_rows(url, "flow-rollback") == [("sam", "flow-rollback", first, "callers preferred the original")]
    # A rollback changes what is live, not the files: the draft still holds the third wording.
    assert POSTCODE_AFTER in (draft / "default.yaml").read_text()

    already = sam.post("/console/flows/rollback", data={"csrf_token": csrf(sam), "version": first, "message": "again"})
    assert already.status_code == 409 and "already live" in already.text
    unknown = sam.post("/console/flows/rollback", data={"csrf_token": csrf(sam), "version": "ffffffff", "message": "x"})
    assert unknown.status_code == 409 and "no stored flow version" in unknown.text
    assert len(audit_rows(url, "flow-rollback")) == 1


def test_a_diff_between_any_two_versions_readable_and_escaped(sam, draft):
    url, first = sam.database_url, live_version(sam)
    (second,) = publish_versions(url, draft, "Postcode, please.")
    edit(draft, "name: default\n", "name: default\n# <script>alert('x')</script> & co\n")
    page = sam.get(f"/console/flows/diff?old={first[:6]}&new={second}")
    assert page.status_code == 200
    rows = Page(page.text).table("diff-default-yaml")
    changed = [row for row in rows if len(row) == 4 and row[2] in ("−removed", "+added")]
    assert len(changed) == 2
    (old_line, _, _, removed), (_, new_line, _, added) = changed
    assert POSTCODE_BEFORE in removed and "Postcode, please." in added and old_line == new_line
    assert int(old_line) == next(i for i, line in enumerate((draft / "default.yaml").read_text().splitlines(), 0)
                                 if "Postcode, please." in line)  # one line added at the top since
    assert "1 file changed" in Page(page.text).text("diff-summary")

    draft_diff = sam.get(f"/console/flows/diff?old={second}&new=draft").text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co" in draft_diff
    assert "<script>" not in draft_diff
    assert sam.get("/console/flows/diff?old=nonesuch&new=draft").status_code == 404
    assert "No differences" in Page(sam.get(f"/console/flows/diff?old={second}&new={second}").text).text("diff-summary")
