"""`bot customers import` with an optional pin column: only the slow hash is stored, an empty pin
leaves the one on file, and a malformed pin rejects its row without repeating it."""
from __future__ import annotations

from sqlalchemy import select

from bot.customers.importer import import_customers
from bot.store.db import transaction
from bot.store.models import Customer
from bot.verification.pins import pin_matches
from tests.conftest import DEMO_CSV

HEADER = DEMO_CSV.read_text().splitlines()[0] + ",pin"


def write(tmp_path, *rows):
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def pin_hash(url, number):
    with transaction(url) as session:
        return session.scalar(select(Customer.pin_hash).where(Customer.customer_number == number))


def test_pins_are_stored_only_as_hashes(sqlite_url, bundle, tmp_path):
    alice = "1023456781,Alice Walker,1985-03-03,SW1A 1AA,07911 123456,alice.walker@example.com,personal,active"
    with transaction(sqlite_url) as session:
        report = import_customers(session, write(tmp_path, alice + ",4821"), schemes=bundle.schemes, region="GB")
    assert report.ok and report.created == 1
    stored = pin_hash(sqlite_url, "1023456781")
    assert stored.startswith("scrypt$") and "4821" not in stored
    assert pin_matches("4821", stored)
    # Imported again without a PIN: the one on file stays.
    with transaction(sqlite_url) as session:
        import_customers(session, write(tmp_path, alice + ","), schemes=bundle.schemes, region="GB")
    assert pin_hash(sqlite_url, "1023456781") == stored
    # A malformed PIN: the row is rejected, and the reason does not repeat it.
    with transaction(sqlite_url) as session:
        report = import_customers(session, write(tmp_path, alice + ",48a1"), schemes=bundle.schemes, region="GB")
    assert report.rejected == [(2, "pin must be 4 to 8 digits")]
    assert pin_hash(sqlite_url, "1023456781") == stored


def test_a_pin_hash_is_sealed_with_the_data_key_at_rest(sqlite_url, bundle, tmp_path):
    """A bare scrypt hash of a 4-digit PIN falls to 10,000 guesses: at rest it is sealed (a pepper), so a
    stolen table alone gives nothing to guess against."""
    from sqlalchemy import text

    alice = "1023456781,Alice Walker,1985-03-03,SW1A 1AA,07911 123456,alice.walker@example.com,personal,active"
    with transaction(sqlite_url) as session:
        import_customers(session, write(tmp_path, alice + ",4821"), schemes=bundle.schemes, region="GB")
        raw = session.execute(text("SELECT pin_hash FROM customers")).scalar()
    assert raw.startswith("fd1.") and "scrypt" not in raw
    assert pin_matches("4821", pin_hash(sqlite_url, "1023456781"))
