"""CSV import: good rows in, bad rows reported by line and reason, upsert on the number."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.customers.importer import import_customers
from bot.store.db import transaction
from bot.store.models import Customer

HEADER = "customer_number,full_name,date_of_birth,postcode,phone,email,segment,status\n"
GOOD = "1023456781,Alice Walker,1985-03-03,sw1a1aa,07911 123456,Alice.Walker@Example.com,personal,active\n"
GOOD_2 = "2076543213,Robert Jones,1972-11-25,90210-1234,+1 415 555 0100,bob@example.com,,\n"


def run(tmp_path, url, bundle, text, name="customers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with transaction(url) as session:
        return import_customers(session, path, schemes=bundle.schemes, region="GB", today=dt.date(2026, 11, 23))


def all_customers(url):
    with transaction(url) as session:
        return {c.customer_number: c for c in session.scalars(select(Customer))}


def test_good_rows_are_normalised(tmp_path, sqlite_url, bundle):
    report = run(tmp_path, sqlite_url, bundle, HEADER + GOOD + GOOD_2)
    assert (report.created, report.updated, report.rejected) == (2, 0, [])
    rows = all_customers(sqlite_url)
    alice, bob = rows["1023456781"], rows["2076543213"]
    assert alice.postcode == "SW1A 1AA" and alice.phone == "+447911123456"
    assert alice.date_of_birth == dt.date(1985, 3, 3) and alice.status == "active"
    assert bob.phone == "+14155550100" and bob.postcode.startswith("90210") and bob.status == "active"
    assert bob.segment is None


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_still_imported(tmp_path, sqlite_url, bundle):
    bad = [
        "1023456782,Check Digit,1985-03-03,SW1A 1AA,,,,\n",        # line 3: Damm check fails
        "3011122238,,1990-07-14,M1 1AE,,,,\n",                      # line 4: no name
        "3011122238,Carol Smith,14/07/1990,M1 1AE,,,,\n",           # line 5: date not ISO
        "3011122238,Carol Smith,2030-01-01,M1 1AE,,,,\n",           # line 6: future
        "3011122238,Carol Smith,1990-07-14,NOT A CODE,,,,\n",       # line 7: postcode
        "3011122238,Carol Smith,1990-07-14,M1 1AE,12,,,\n",         # line 8: phone
        "3011122238,Carol Smith,1990-07-14,M1 1AE,,not-an-email,,\n",  # line 9: email
        "3011122238,Carol Smith,1990-07-14,M1 1AE,,,,frozen\n",     # line 10: status
        "1023456781,Alice Again,1985-03-03,SW1A 1AA,,,,\n",         # line 11: repeats line 2
    ]
    report = run(tmp_path, sqlite_url, bundle, HEADER + GOOD + "".join(bad) + GOOD_2)
    lines = [line for line, _ in report.rejected]
    assert lines == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    reasons = dict(report.rejected)
    assert "customer_number" in reasons[3]
    assert "full_name" in reasons[4]
    assert "YYYY-MM-DD" in reasons[5]
    assert "future" in reasons[6]
    assert "postcode" in reasons[7]
    assert "phone" in reasons[8]
    assert "email" in reasons[9]
    assert "status" in reasons[10]
    assert "line 2" in reasons[11]
    # Reasons never repeat personal data.
    joined = " ".join(reasons.values())
    for secret in ("1990-07-14", "14/07/1990", "NOT A CODE", "not-an-email", "1023456782"):
        assert secret not in joined
    assert report.created == 2
    assert set(all_customers(sqlite_url)) == {"1023456781", "2076543213"}


def test_import_is_an_upsert(tmp_path, sqlite_url, bundle):
    run(tmp_path, sqlite_url, bundle, HEADER + GOOD)
    changed = GOOD.replace("sw1a1aa", "EC1A 1BB").replace(",active", ",closed")
    report = run(tmp_path, sqlite_url, bundle, HEADER + changed, name="second.csv")
    assert (report.created, report.updated) == (0, 1)
    alice = all_customers(sqlite_url)["1023456781"]
    assert alice.postcode == "EC1A 1BB" and alice.status == "closed"


def test_missing_columns_reject_the_file(tmp_path, sqlite_url, bundle):
    report = run(tmp_path, sqlite_url, bundle, "customer_number,full_name\n1023456781,Alice\n")
    assert report.rejected == [(1, "header is missing column(s): date_of_birth, postcode, phone, email")]
    assert all_customers(sqlite_url) == {}


def test_extra_cells_are_rejected(tmp_path, sqlite_url, bundle):
    report = run(tmp_path, sqlite_url, bundle, HEADER + GOOD.strip() + ",surplus\n")
    assert report.rejected[0][0] == 2 and "more columns" in report.rejected[0][1]
