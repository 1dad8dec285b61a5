"""A customer number's status: active, suspended (on hold, may return) or closed (for good).

Every change writes an append-only audit row (number, old, new, reason, who, when) and is
applied to the issued-number row and to the customer's row alike, since flows read the
customer's status. A closed number is never reopened, and never issued again: the
customer gets a new number.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.store.models import Customer, IssuedNumber, NumberStatusChange, utcnow

STATUSES = ("active", "suspended", "closed")
MAX_REASON = 200


class StatusError(ValueError):
    """A change that cannot be made; the message says why and what to do instead."""


@dataclass(frozen=True)
class StatusChange:
    number: str
    old: str
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new


def change_status(session: Session, *, number: str, new: str, reason: str, changed_by: str,
                  now: dt.datetime | None = None) -> StatusChange:
    """Set `number`'s status to `new` with an audit record; nothing is written when it already has it."""
    if new not in STATUSES:
        raise StatusError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
    reason = " ".join(reason.split())
    if not reason:
        raise StatusError("give a reason: it is kept in the audit record")
    if len(reason) > MAX_REASON:
        raise StatusError(f"the reason has {len(reason)} characters; at most {MAX_REASON}")
    changed_by = " ".join(changed_by.split())[:80] or "unknown"
    # FOR UPDATE: two operators changing one number at once are applied one after the other.
    issued = session.scalar(select(IssuedNumber).where(IssuedNumber.number == number).with_for_update())
    customer = session.scalar(select(Customer).where(Customer.customer_number == number).with_for_update())
    if issued is None and customer is None:
        raise StatusError("no such number: it was never issued and belongs to no customer")
    # The customer's row is what callers meet, so its status counts first; the issued row
    # is brought in line too (a CSV import may have changed only the customer's).
    rows = [row for row in (customer, issued) if row is not None]
    old = next((row.status for row in rows if row.status != new), new)
    if old == new:
        return StatusChange(number, old, new)
    if any(row.status == "closed" for row in rows):
        raise StatusError("a closed number stays closed; issue the customer a new number instead")
    now = now or utcnow()
    for row in rows:
        row.status = new
    if customer is not None:
        customer.updated_at = now
    session.add(NumberStatusChange(number=number, old=old, new=new, reason=reason, changed_by=changed_by, at=now))
    return StatusChange(number, old, new)
