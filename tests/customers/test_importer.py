"""CSV import: good rows in, bad rows reported by line and reason, upsert on the number."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.customers import importer
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


def test_good_rows_are_normalised(tmp_path, database_url, bundle):
    report = run(tmp_path, database_url, bundle, HEADER + GOOD + GOOD_2)
    assert (report.created, report.updated, report.rejected) == (2, 0, [])
    rows = all_customers(database_url)
    alice, bob = rows["1023456781"], rows["2076543213"]
    assert alice.postcode == "SW1A 1AA" and alice.phone == "+447911123456"
    assert alice.date_of_birth == dt.date(1985, 3, 3) and alice.status == "active"
    assert bob.phone == "+14155550100" and bob.postcode.startswith("90210") and bob.status == "active"
    assert bob.segment is None


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_still_imported(tmp_path, database_url, bundle):
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
    report = run(tmp_path, database_url, bundle, HEADER + GOOD + "".join(bad) + GOOD_2)
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
    assert set(all_customers(database_url)) == {"1023456781", "2076543213"}


def test_import_is_an_upsert(tmp_path, database_url, bundle):
    run(tmp_path, database_url, bundle, HEADER + GOOD)
    changed = GOOD.replace("sw1a1aa", "EC1A 1BB").replace(",active", ",closed")
    report = run(tmp_path, database_url, bundle, HEADER + changed, name="second.csv")
    assert (report.created, report.updated) == (0, 1)
    alice = all_customers(database_url)["1023456781"]
    assert alice.postcode == "EC1A 1BB" and alice.status == "closed"


def test_missing_columns_reject_the_file(tmp_path, database_url, bundle):
    report = run(tmp_path, database_url, bundle, "customer_number,full_name\n1023456781,Alice\n")
    assert report.rejected == [(1, "header is missing column(s): date_of_birth, postcode, phone, email")]
    assert all_customers(database_url) == {}


def test_extra_cells_are_rejected(tmp_path, database_url, bundle):
    report = run(tmp_path, database_url, bundle, HEADER + GOOD.strip() + ",surplus\n")
    assert report.rejected[0][0] == 2 and "more columns" in report.rejected[0][1]


def lines_of(report):
    return [line for line, _ in report.rejected]


def test_rejected_rows_are_numbered_by_the_line_they_start_on_across_quoted_newlines(tmp_path, database_url, bundle):
    text = (HEADER
            + '1023456781,"Alice\nWalker",1985-03-03,SW1A 1AA,,,"personal\nbanking",active\n'  # lines 2-4
            + "2076543219,Bad Check,1972-11-25,90210,,,,\n"                                    # line 5
            + '3011122238,"Carol\n\nSmith",1990-07-14,"M1\n1AE",,not-an-email,,\n'              # lines 6-9
            + "\n"                                                                                 # line 10 (blank)
            + "3011122238,Carol Smith,1990-07-14,M1 1AE,,,,frozen\n"                             # line 11
            + GOOD_2)                                                                              # line 12
    report = run(tmp_path, database_url, bundle, text)
    assert lines_of(report) == [5, 6, 11]
    assert "customer_number" in report.rejected[0][1] and "email" in report.rejected[1][1]
    assert "status" in report.rejected[2][1]
    assert (report.created, report.updated) == (2, 0)
    assert all_customers(database_url)["1023456781"].full_name == "Alice Walker"


def test_a_field_of_a_million_characters_is_reported_on_its_line_and_the_rest_is_read(tmp_path, database_url, bundle):
    huge = "x" * 1_000_000
    text = (HEADER + GOOD                                                            # line 2
            + f"3011122238,{huge},1990-07-14,M1 1AE,,,,\n"                            # line 3
            + f'3011122238,"{huge}",1990-07-14,M1 1AE,,,,\n'                          # line 4, quoted
            + "1023456782,Check Digit,1985-03-03,SW1A 1AA,,,,\n"                      # line 5
            + GOOD_2)                                                                 # line 6
    report = run(tmp_path, database_url, bundle, text)
    assert lines_of(report) == [3, 4, 5]
    assert "longer than" in report.rejected[0][1] and "longer than" in report.rejected[1][1]
    assert "customer_number" in report.rejected[2][1]
    assert (report.created, report.updated) == (2, 0)


def test_a_quote_left_open_is_reported_and_the_lines_after_it_are_read(tmp_path, database_url, bundle):
    text = (HEADER
            + '3011122238,"Carol Smith,1990-07-14,M1 1AE,,,,\n'       # line 2: the quote never closes
            + GOOD                                                    # line 3
            + '2076543213,"Robert" Jones,1972-11-25,90210,,,,\n'      # line 4: text after a closing quote
            + GOOD_2)                                                 # line 5
    report = run(tmp_path, database_url, bundle, text)
    assert lines_of(report) == [2, 4]
    assert all("unreadable row" in reason for _, reason in report.rejected)
    assert set(all_customers(database_url)) == {"1023456781", "2076543213"}


def test_bytes_that_are_not_utf8_and_nul_characters_reject_only_their_row(tmp_path, database_url, bundle):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + GOOD).encode() + "3011122238,Zoë Smith,1990-07-14,M1 1AE,,,,\n".encode("latin-1")
                     + b"3011122238,Carol\x00Smith,1990-07-14,M1 1AE,,,,\n" + GOOD_2.encode())
    with transaction(database_url) as session:
        report = import_customers(session, path, schemes=bundle.schemes, region="GB", today=dt.date(2026, 11, 23))
    assert lines_of(report) == [3, 4] and all("not UTF-8" in reason for _, reason in report.rejected)
    assert report.created == 2


def test_a_segment_too_long_for_the_column_is_rejected(tmp_path, database_url, bundle):
    report = run(tmp_path, database_url, bundle, HEADER + GOOD.replace(",personal,", "," + "s" * 41 + ","))
    assert lines_of(report) == [2] and "segment" in report.rejected[0][1]


def test_numbers_given_twice_are_caught_across_batches(tmp_path, database_url, bundle, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    monkeypatch.setattr(importer, "CHUNK_ROWS", 3)
    rows = [GOOD, GOOD_2, "3011122238,Carol Smith,1990-07-14,M1 1AE,,,,\n", GOOD.replace("Alice", "Alicia"),
            "1055500018,David Closed,1961-01-31,EH1 1YZ,,,,closed\n", GOOD_2]
    report = run(tmp_path, database_url, bundle, HEADER + "".join(rows))
    assert report.rejected == [(5, "customer number ******6781 already given on line 2"),
                               (7, "customer number ******3213 already given on line 3")]
    assert (report.created, report.updated) == (4, 0)
    assert all_customers(database_url)["1023456781"].full_name == "Alice Walker"  # the first line wins


def test_worker_processes_give_the_same_result_in_the_same_order(tmp_path, database_url, bundle, monkeypatch):
    monkeypatch.setattr(importer, "CHUNK_ROWS", 2)
    bad = ["1023456782,Check Digit,1985-03-03,SW1A 1AA,,,,\n", "3011122238,,1990-07-14,M1 1AE,,,,\n"]
    text = HEADER + GOOD + bad[0] + GOOD_2 + bad[1] + "3011122238,Carol Smith,1990-07-14,M1 1AE,,,,\n" + GOOD
    heard: list[tuple[int, str]] = []
    path = tmp_path / "customers.csv"
    path.write_text(text, encoding="utf-8")
    with transaction(database_url) as session:
        report = import_customers(session, path, schemes=bundle.schemes, region="GB", today=dt.date(2026, 11, 23),
                                  workers=2, on_reject=lambda line, reason: heard.append((line, reason)))
    assert [line for line, _ in heard] == [3, 5, 7] and report.rejected == [] and report.rejected_count == 3
    assert not report.ok and (report.created, report.updated) == (3, 0)
    assert set(all_customers(database_url)) == {"1023456781", "2076543213", "3011122238"}


def test_an_update_keeps_the_pin_on_file_and_created_at(tmp_path, database_url, bundle):
    header = HEADER.strip() + ",pin\n"
    run(tmp_path, database_url, bundle, header + GOOD.strip() + ",4821\n")
    first = all_customers(database_url)["1023456781"]
    report = run(tmp_path, database_url, bundle, header + GOOD.strip().replace("Alice", "Alicia") + ",\n"
                 + GOOD_2.strip() + ",\n", name="second.csv")
    assert (report.created, report.updated) == (1, 1)
    alice = all_customers(database_url)["1023456781"]
    assert alice.full_name == "Alicia Walker" and alice.pin_hash == first.pin_hash and alice.pin_hash.startswith("scrypt$")
    assert alice.created_at == first.created_at and alice.updated_at >= first.updated_at
    assert alice.keypad_form == "1023456781" and alice.date_of_birth == dt.date(1985, 3, 3)


def test_a_row_that_has_not_changed_is_left_as_it_is(tmp_path, database_url, bundle):
    # A nightly re-import of the whole directory should not rewrite millions of identical rows (nor move
    # their updated_at): only rows whose values differ are written, and the report says how many did not.
    run(tmp_path, database_url, bundle, HEADER + GOOD + GOOD_2)
    before = all_customers(database_url)
    report = run(tmp_path, database_url, bundle, HEADER + GOOD + GOOD_2.replace("Robert", "Bob"), name="second.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    after = all_customers(database_url)
    assert after["1023456781"].updated_at == before["1023456781"].updated_at
    assert after["2076543213"].full_name == "Bob Jones"
    assert after["2076543213"].updated_at > before["2076543213"].updated_at


def test_a_pin_given_again_is_always_written(tmp_path, database_url, bundle):
    # A PIN's hash is salted afresh on every import, so the row cannot be compared: it is an update.
    header = HEADER.strip() + ",pin\n"
    run(tmp_path, database_url, bundle, header + GOOD.strip() + ",4821\n")
    report = run(tmp_path, database_url, bundle, header + GOOD.strip() + ",4821\n", name="second.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
