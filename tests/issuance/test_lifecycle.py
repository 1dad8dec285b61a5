"""Status changes: audited, applied to the customer too, closed for good, refused when they make no sense."""
from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from bot.issuance import StatusError, change_status, issue_numbers
from bot.store.db import transaction
from bot.store.models import Customer, IssuedNumber, NumberStatusChange

CUSTOMER = "1023456781"


@pytest.fixture
def store(database_url, bundle):
    with transaction(database_url) as session:
        issued = issue_numbers(session, scheme=bundle.schemes.default, prefix="30", count=1, rng=random.Random(0))[0]
        session.add(Customer(customer_number=CUSTOMER, full_name="Alice Walker", date_of_birth=dt.date(1985, 3, 3),
                             postcode="SW1A 1AA", status="active"))
    return database_url, issued


def change(url, number, new, reason="fraud check", by="ops"):
    with transaction(url) as session:
        return change_status(session, number=number, new=new, reason=reason, changed_by=by)


def audit(url):
    with transaction(url) as session:
        return [(a.number, a.old, a.new, a.reason, a.changed_by)
                for a in session.scalars(select(NumberStatusChange).order_by(NumberStatusChange.id))]


def statuses(url, number):
    with transaction(url) as session:
        issued = session.scalar(select(IssuedNumber.status).where(IssuedNumber.number == number))
        customer = session.scalar(select(Customer.status).where(Customer.customer_number == number))
    return issued, customer


def test_changes_are_applied_and_audited(store):
    url, issued = store
    first = change(url, issued, "suspended", reason="  card   reported stolen ")
    assert (first.old, first.new, first.changed) == ("active", "suspended", True)
    change(url, issued, "active", reason="card found")
    change(url, issued, "closed", reason="customer left", by="team lead")
    assert statuses(url, issued) == ("closed", None)
    assert audit(url) == [
        (issued, "active", "suspended", "card reported stolen", "ops"),
        (issued, "suspended", "active", "card found", "ops"),
        (issued, "active", "closed", "customer left", "team lead"),
    ]


def test_a_customers_number_changes_the_customer_row_the_flow_reads(store):
    url, _ = store
    change(url, CUSTOMER, "suspended")
    assert statuses(url, CUSTOMER) == (None, "suspended")
    assert audit(url) == [(CUSTOMER, "active", "suspended", "fraud check", "ops")]


def test_an_issued_number_that_became_a_customers_changes_both(store):
    url, issued = store
    with transaction(url) as session:
        session.add(Customer(customer_number=issued, full_name="Carol Smith", date_of_birth=dt.date(1990, 7, 14),
                             postcode="M1 1AE", status="active"))
    change(url, issued, "suspended")
    assert statuses(url, issued) == ("suspended", "suspended")


def test_the_same_status_again_changes_nothing_and_writes_no_audit(store):
    url, issued = store
    change(url, issued, "suspended")
    again = change(url, issued, "suspended")
    assert not again.changed
    assert len(audit(url)) == 1


def test_closed_stays_closed(store):
    url, issued = store
    change(url, issued, "closed")
    for new in ("active", "suspended"):
        with pytest.raises(StatusError, match="stays closed"):
            change(url, issued, new)
    assert statuses(url, issued) == ("closed", None)
    assert len(audit(url)) == 1


@pytest.mark.parametrize(("number", "new", "reason", "message"), [
    ("1055500026", "suspended", "why", "no such number"),
    (CUSTOMER, "frozen", "why", "unknown status"),
    (CUSTOMER, "suspended", "   ", "give a reason"),
    (CUSTOMER, "suspended", "x" * 201, "at most 200"),
])
def test_refused_changes_write_nothing(store, number, new, reason, message):
    url, _ = store
    with pytest.raises(StatusError, match=message):
        change(url, number, new, reason=reason)
    assert audit(url) == []
    assert statuses(url, CUSTOMER) == (None, "active")
