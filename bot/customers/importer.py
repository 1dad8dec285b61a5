"""`bot customers import FILE.csv`: an upsert by customer number. Bad rows are reported by line and
reason and skipped; the good rows are imported together in one transaction.

Reasons never repeat the rejected values (a CSV of customers is personal data); the customer
number is shown masked.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.logging_setup import mask
from bot.numbering import SchemeSet, NumberError as ValidationError, keypad_form
from bot.store.models import Customer, utcnow
from bot.understanding import read_postcode
from bot.verification.pins import hash_pin, valid_pin

REQUIRED = ("customer_number", "full_name", "date_of_birth", "postcode", "phone", "email")
STATUSES = ("active", "suspended", "closed")


class RowError(ValueError):
    pass


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected


def clean_row(row: dict[str, Any], *, schemes: SchemeSet, region: str, today: dt.date) -> dict[str, Any]:
    """A validated, normalised row, or RowError saying which column is wrong and what was expected."""
    def value(name: str) -> str:
        return (row.get(name) or "").strip()

    try:
        number = schemes.validate(value("customer_number")).number
    except ValidationError as exc:
        raise RowError(f"customer_number is not a valid customer number ({exc.kind if hasattr(exc, 'kind') else 'invalid'})") from None
    name = " ".join(value("full_name").split())
    if not name or len(name) > 200:
        raise RowError("full_name is empty or longer than 200 characters")
    try:
        born = dt.date.fromisoformat(value("date_of_birth"))
    except ValueError:
        raise RowError("date_of_birth is not a date in YYYY-MM-DD form") from None
    if born > today or born.year < 1900:
        raise RowError("date_of_birth is in the future or before 1900")
    postcode = read_postcode(value("postcode"))
    if postcode is None:
        raise RowError("postcode is not a UK postcode, US ZIP code or Canadian postal code")
    phone = None
    if value("phone"):
        try:
            parsed = phonenumbers.parse(value("phone"), region)
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            raise RowError(f"phone is not a valid phone number (default region {region})")
        phone = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    email = None
    if value("email"):
        try:
            email = validate_email(value("email"), check_deliverability=False).normalized
        except EmailNotValidError:
            raise RowError("email is not a valid email address") from None
    status = value("status").lower() or "active"
    if status not in STATUSES:
        raise RowError(f"status must be one of {', '.join(STATUSES)}")
    cleaned = {"customer_number": number, "full_name": name, "date_of_birth": born, "postcode": postcode.value,
               "phone": phone, "email": email, "segment": value("segment") or None, "status": status,
               "keypad_form": keypad_form(number)}
    if value("pin"):
        # Only the slow salted hash is kept; an empty pin column leaves a PIN already on file as it is.
        if not valid_pin(value("pin")):
            raise RowError("pin must be 4 to 8 digits")
        cleaned["pin_hash"] = hash_pin(value("pin"))
    return cleaned


def import_customers(session: Session, path: Path, *, schemes: SchemeSet, region: str,
                     today: dt.date | None = None) -> ImportReport:
    today = today or dt.date.today()
    report = ImportReport()
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            report.rejected.append((1, f"header is missing column(s): {', '.join(missing)}"))
            return report
        reader.fieldnames = header
        seen: dict[str, int] = {}
        rows: list[dict[str, Any]] = []
        line = 1
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                report.rejected.append((reader.line_num, f"unreadable row ({exc.__class__.__name__})"))
                break
            line = reader.line_num
            if None in raw:
                report.rejected.append((line, "more columns than the header"))
                continue
            try:
                cleaned = clean_row(raw, schemes=schemes, region=region, today=today)
            except RowError as exc:
                report.rejected.append((line, str(exc)))
                continue
            number = cleaned["customer_number"]
            if number in seen:
                report.rejected.append((line, f"customer number {mask(number)} already given on line {seen[number]}"))
                continue
            seen[number] = line
            rows.append(cleaned)
    _upsert(session, rows, report)
    return report


def _upsert(session: Session, rows: list[dict[str, Any]], report: ImportReport) -> None:
    existing = {}
    numbers = [r["customer_number"] for r in rows]
    for start in range(0, len(numbers), 500):
        chunk = numbers[start:start + 500]
        for customer in session.scalars(select(Customer).where(Customer.customer_number.in_(chunk))):
            existing[customer.customer_number] = customer
    now = utcnow()
    for row in rows:
        customer = existing.get(row["customer_number"])
        if customer is None:
            session.add(Customer(**row, created_at=now, updated_at=now))
            report.created += 1
        else:
            for key, value in row.items():
                setattr(customer, key, value)
            customer.updated_at = now
            report.updated += 1
