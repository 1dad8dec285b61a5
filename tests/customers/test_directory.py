"""The directory: look-up by number, and by the digits a keypad caller presses for a number with letters."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.customers.directory import KEYPAD_MATCH_LIMIT, SqlDirectory
from bot.customers.importer import import_customers
from bot.numbering import SchemeSet, load_schemes
from bot.store.db import transaction
from bot.store.models import Customer
from tests.numbering.conftest import FIXTURES

HEADER = "customer_number,full_name,date_of_birth,postcode,phone,email,segment,status\n"


def member_and_default() -> SchemeSet:
    return SchemeSet([load_schemes().default, load_schemes(FIXTURES / "alphanumeric.yaml").default])


def import_rows(tmp_path, url, rows: str):
    path = tmp_path / "customers.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with transaction(url) as session:
        report = import_customers(session, path, schemes=member_and_default(), region="GB", today=dt.date(2026, 11, 23))
    assert report.ok, report.rejected


def test_import_records_the_keypad_form(tmp_path, database_url):
    import_rows(tmp_path, database_url, "MB1234567O,Maria Bravo,1980-02-01,SW1A 1AA,,,,\n"
                                        "1023456781,Alice Walker,1985-03-03,SW1A 1AA,,,,\n")
    with transaction(database_url) as session:
        forms = {c.customer_number: c.keypad_form for c in session.scalars(select(Customer))}
    assert forms == {"MB1234567O": "6212345676", "1023456781": "1023456781"}


def test_find_by_keypad(tmp_path, database_url):
    import_rows(tmp_path, database_url, "MB1234567O,Maria Bravo,1980-02-01,SW1A 1AA,,,,\n"
                                        "1023456781,Alice Walker,1985-03-03,SW1A 1AA,,,,\n")
    with transaction(database_url) as session:
        directory = SqlDirectory(session)
        assert directory.find_by_keypad("6212345676") == ["MB1234567O"]
        assert directory.find_by_keypad("1023456781") == ["1023456781"]
        assert directory.find_by_keypad("6212345677") == []
        assert directory.find("MB1234567O").full_name == "Maria Bravo"


def test_find_by_keypad_is_bounded_and_sorted(database_url):
    with transaction(database_url) as session:
        for index in range(KEYPAD_MATCH_LIMIT + 2):
            session.add(Customer(customer_number=f"X{index:02d}", keypad_form="62", full_name="X",
                                 date_of_birth=dt.date(1980, 1, 1), postcode="SW1A 1AA"))
    with transaction(database_url) as session:
        found = SqlDirectory(session).find_by_keypad("62")
    assert found == [f"X{index:02d}" for index in range(KEYPAD_MATCH_LIMIT)]
