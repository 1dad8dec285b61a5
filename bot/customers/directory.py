"""Find customers by number in the store."""
from __future__ import annotations

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.records import CustomerRecord
from bot.store.driver_sql import driver_sql
from bot.store.models import Customer
from bot.understanding import is_withheld_caller_id

# At most this many keypad matches are returned; see find_by_keypad.
KEYPAD_MATCH_LIMIT = 10
BIRTH_DATE_LIMIT = 1000


_RECORD_COLUMNS = ("customer_number", "full_name", "date_of_birth", "postcode", "phone", "email", "segment", "status",
                   "pin_hash")
# Asked on most turns: a fixed statement on the driver (bot.store.driver_sql).
_FIND = f"SELECT {', '.join(_RECORD_COLUMNS)} FROM customers WHERE customer_number = :number"


class SqlDirectory:
    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[str, CustomerRecord | None] = {}

    def find(self, number: str) -> CustomerRecord | None:
        # Several steps of one turn may ask; one query per turn is enough.
        if number not in self._cache:
            sql = driver_sql(self.session)
            row = sql.one(_FIND, {"number": number})
            if row is None:
                self._cache[number] = None
            else:
                values = sql.codec(Customer.__table__).read(_RECORD_COLUMNS, row)
                self._cache[number] = CustomerRecord(number=values.pop("customer_number"), **values)
        return self._cache[number]

    def find_by_keypad(self, digits: str) -> list[str]:
        """Numbers in the directory a keypad caller types as `digits` (letters on keys 2-9), sorted."""
        # Bounded: a handful is all a caller can be read back; more means the scheme's
        # prefixes share keys and the caller should say the number instead.
        query = (select(Customer.customer_number).where(Customer.keypad_form == digits)
                 .order_by(Customer.customer_number).limit(KEYPAD_MATCH_LIMIT))
        return list(self.session.scalars(query))

    def find_by_phone(self, phone: str) -> list[str]:
        """Customers whose phone on file is exactly this caller ID (E.164); at most two: enough to know it is one."""
        e164 = to_e164(phone)
        if e164 is None:
            return []
        query = (select(Customer.customer_number).where(Customer.phone == e164)
                 .order_by(Customer.customer_number).limit(2))
        return list(self.session.scalars(query))


    def find_by_birth_date(self, date_of_birth) -> list[str]:
        """Customers born on that day, sorted; bounded (a day's births in a large directory are a few hundred)."""
        query = (select(Customer.customer_number).where(Customer.date_of_birth == date_of_birth)
                 .order_by(Customer.customer_number).limit(BIRTH_DATE_LIMIT))
        return list(self.session.scalars(query))


def to_e164(phone: str | None) -> str | None:
    if is_withheld_caller_id(phone):
        return None
    try:
        parsed = phonenumbers.parse(phone.strip().removeprefix("whatsapp:"), None)
    except phonenumbers.NumberParseException:
        return None  # caller ID always carries a country code; a national number is not a caller ID
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
