"""One row of a customer file, validated and normalised, or the reason it is refused.

Reasons never repeat the rejected values (a customer file is personal data). Rows are cleaned in
worker processes during a large import, so everything here is a plain function of the row.
"""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from collections.abc import Iterator
from typing import Any, Mapping

from email_validator import EmailNotValidError, validate_email

from bot.numbering import NumberError, SchemeSet, keypad_form
from bot.understanding import read_postcode
from bot.understanding.postcodes import typed_postcode
from bot.customers.csv_records import Record
from bot.customers.phones import e164
from bot.verification.pins import hash_pin, valid_pin

REQUIRED = ("customer_number", "full_name", "date_of_birth", "postcode", "phone", "email")
STATUSES = ("active", "suspended", "closed")
# The order of a cleaned row's values, as they go into the store.
COLUMNS = ("customer_number", "full_name", "date_of_birth", "postcode", "phone", "email", "segment", "status",
           "keypad_form", "pin_hash")
MAX_NAME, MAX_SEGMENT = 200, 40

# An email's local part in its plain form (RFC 5322 dot-atom, ASCII): such an address needs only its
# domain checked, and domains repeat across a file. Anything else is left to email-validator whole.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")


class RowError(ValueError):
    pass


def clean_email(value: str) -> str:
    """The normalised address, as email-validator gives it (no DNS lookups); EmailNotValidError otherwise."""
    local, at, domain = value.rpartition("@")
    if at and len(local) <= 64 and _PLAIN_LOCAL.fullmatch(local):
        normalised = _email_domain(domain)
        if normalised is not None and len(local) + 1 + len(normalised) <= 254:
            return f"{local}@{normalised}"
    return validate_email(value, check_deliverability=False).normalized


@lru_cache(maxsize=4096)
def _email_domain(domain: str) -> str | None:
    try:
        return validate_email("a@" + domain, check_deliverability=False).domain
    except EmailNotValidError:
        return None


def clean_postcode(value: str) -> str | None:
    """A postcode in its standard form: typed forms at once, anything else read as the bot reads callers."""
    found = typed_postcode(value) or read_postcode(value)
    return found.value if found is not None else None


def clean_row(row: Mapping[str, Any], *, schemes: SchemeSet, region: str, today: dt.date) -> tuple:
    """A validated, normalised row (its values in COLUMNS order, the date of birth as YYYY-MM-DD, as the
    store writes it), or RowError saying which column is wrong and what was expected."""
    get = row.get
    number = _customer_number((get("customer_number") or "").strip(), schemes)
    name = " ".join((get("full_name") or "").split())
    if not name or len(name) > MAX_NAME:
        raise RowError(f"full_name is empty or longer than {MAX_NAME} characters")
    try:
        born = dt.date.fromisoformat((get("date_of_birth") or "").strip())
    except ValueError:
        raise RowError("date_of_birth is not a date in YYYY-MM-DD form") from None
    if born > today or born.year < 1900:
        raise RowError("date_of_birth is in the future or before 1900")
    postcode = clean_postcode((get("postcode") or "").strip())
    if postcode is None:
        raise RowError("postcode is not a UK postcode, US ZIP code or Canadian postal code")
    phone = (get("phone") or "").strip() or None
    if phone is not None:
        phone = e164(phone, region)
        if phone is None:
            raise RowError(f"phone is not a valid phone number (default region {region})")
    email = (get("email") or "").strip() or None
    if email is not None:
        try:
            email = clean_email(email)
        except EmailNotValidError:
            raise RowError("email is not a valid email address") from None
    segment = (get("segment") or "").strip() or None
    if segment is not None and len(segment) > MAX_SEGMENT:
        raise RowError(f"segment is longer than {MAX_SEGMENT} characters")
    status = (get("status") or "").strip().lower() or "active"
    if status not in STATUSES:
        raise RowError(f"status must be one of {', '.join(STATUSES)}")
    pin_hash = None
    pin = (get("pin") or "").strip()
    if pin:
        # Only the slow salted hash is kept; an empty pin column leaves a PIN already on file as it is.
        if not valid_pin(pin):
            raise RowError("pin must be 4 to 8 digits")
        pin_hash = hash_pin(pin)
    # All digits already is what a keypad sends; only letters need translating.
    keypad = number if number.isdigit() else keypad_form(number)
    return number, name, born.isoformat(), postcode, phone, email, segment, status, keypad, pin_hash


def _customer_number(value: str, schemes: SchemeSet) -> str:
    """The compact number. A scheme's accepts() is its validate() for a compact string, without the
    exceptions and the Match; only a refused number goes through validate(), for the reason."""
    try:
        number = schemes.compact(value)
        if any(scheme.accepts(number) for scheme in schemes.schemes):
            return number
        return schemes.validate(value).number
    except NumberError as exc:
        raise RowError(f"customer_number is not a valid customer number ({getattr(exc, 'kind', 'invalid')})") from None


# What cleaning a record gives: (line, values in COLUMNS order, None) or (line, None, reason); the date
# of birth as YYYY-MM-DD.
Cleaned = tuple[int, tuple | None, str | None]


def clean_records(records: list[Record], header: list[str], *, schemes: SchemeSet, region: str,
                  today: dt.date) -> Iterator[Cleaned]:
    width = len(header)
    for line, fields, problem in records:
        if fields is None:
            yield line, None, problem
            continue
        if len(fields) > width:
            yield line, None, "more columns than the header"
            continue
        try:
            yield line, clean_row(dict(zip(header, fields)), schemes=schemes, region=region, today=today), None
        except RowError as exc:
            yield line, None, str(exc)


# In a worker process of a large import: the header and context arrive once, then chunks of records.
_worker: dict[str, Any] = {}


def start_worker(header: list[str], context: dict[str, Any]) -> None:
    _worker.update(header=header, context=context)


def clean_in_worker(records: list[Record]) -> list[Cleaned]:
    return list(clean_records(records, _worker["header"], **_worker["context"]))
