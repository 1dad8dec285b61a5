"""0002_numbers: the tables as the models declare them, customers' keypad forms back-filled, and a clean way back."""
from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bot.store.db import get_engine
from bot.store.migrate import alembic_config, upgrade
from bot.store.models import Base

OURS = ("issued_numbers", "number_status_changes")


@pytest.fixture
def fresh_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrate.db'}"
    yield url
    get_engine(url).dispose()


def downgrade_ours(url: str) -> None:
    cfg = alembic_config(url)
    with get_engine(url).begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0002_numbers@-1")  # this branch only; other features keep theirs


def test_existing_customers_get_their_keypad_form(fresh_sqlite):
    upgrade(fresh_sqlite, "0001")
    with get_engine(fresh_sqlite).begin() as conn:
        for id_, number in ((1, "1023456781"), (2, "MB1234567O")):
            conn.execute(text("INSERT INTO customers (id, customer_number, full_name, date_of_birth, postcode, status,"
                              " created_at, updated_at) VALUES (:id, :n, 'X', '1980-01-01', 'SW1A 1AA', 'active',"
                              " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"), {"id": id_, "n": number})
    upgrade(fresh_sqlite)
    with get_engine(fresh_sqlite).connect() as conn:
        forms = dict(conn.execute(text("SELECT customer_number, keypad_form FROM customers")).all())
    assert forms == {"1023456781": "1023456781", "MB1234567O": "6212345676"}


@pytest.mark.parametrize("table", OURS)
def test_migrated_tables_match_the_models(sqlite_url, table):
    inspector = inspect(get_engine(sqlite_url))
    migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table)}
    declared = {c.name: c.nullable for c in Base.metadata.tables[table].columns}
    assert migrated == declared
    indexes = {tuple(i["column_names"]) for i in inspector.get_indexes(table)}
    declared_indexes = {tuple(c.name for c in i.columns) for i in Base.metadata.tables[table].indexes}
    assert declared_indexes <= indexes


def test_issued_numbers_are_unique_in_the_schema(sqlite_url):
    unique = inspect(get_engine(sqlite_url)).get_unique_constraints("issued_numbers")
    assert [c["column_names"] for c in unique] == [["number"]]


def test_customers_keypad_form_is_indexed(sqlite_url):
    inspector = inspect(get_engine(sqlite_url))
    assert "keypad_form" in {c["name"] for c in inspector.get_columns("customers")}
    assert ["keypad_form"] in [i["column_names"] for i in inspector.get_indexes("customers")]


def test_downgrade_removes_only_this_branch_and_upgrade_restores_it(fresh_sqlite):
    upgrade(fresh_sqlite)
    downgrade_ours(fresh_sqlite)
    inspector = inspect(get_engine(fresh_sqlite))
    assert not set(OURS) & set(inspector.get_table_names())
    assert "keypad_form" not in {c["name"] for c in inspector.get_columns("customers")}
    assert "conversations" in inspector.get_table_names()
    upgrade(fresh_sqlite)
    assert set(OURS) <= set(inspect(get_engine(fresh_sqlite)).get_table_names())
