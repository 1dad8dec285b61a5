"""Find customers by number in the store."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.context import CustomerRecord
from bot.store.models import Customer

# At most this many keypad matches are returned; see find_by_keypad.
KEYPAD_MATCH_LIMIT = 10


def to_record(row: Customer) -> CustomerRecord:
    return CustomerRecord(number=row.customer_number, full_name=row.full_name, date_of_birth=row.date_of_birth,
                          postcode=row.postcode, phone=row.phone, email=row.email, segment=row.segment,
                          status=row.status)


class SqlDirectory:
    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[str, CustomerRecord | None] = {}

    def find(self, number: str) -> CustomerRecord | None:
        # Several steps of one turn may ask; one query per turn is enough.
        if number not in self._cache:
            row = self.session.scalar(select(Customer).where(Customer.customer_number == number))
            self._cache[number] = to_record(row) if row else None
        return self._cache[number]

    def find_by_keypad(self, digits: str) -> list[str]:
        """Numbers in the directory a keypad caller types as `digits` (letters on keys 2-9), sorted."""
        # Bounded: a handful is all a caller can be read back; more means the scheme's
        # prefixes share keys and the caller should say the number instead.
        query = (select(Customer.customer_number).where(Customer.keypad_form == digits)
                 .order_by(Customer.customer_number).limit(KEYPAD_MATCH_LIMIT))
        return list(self.session.scalars(query))
