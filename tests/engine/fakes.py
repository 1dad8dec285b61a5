"""In-memory services so the engine can be driven without a database or HTTP."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.engine.context import Services
from bot.numbering import keypad_form
from bot.records import CustomerRecord, Decision

ALICE = CustomerRecord(number="1023456781", full_name="Alice Walker", date_of_birth=dt.date(1985, 3, 3),
                       postcode="SW1A 1AA", phone="+447911123456", email="alice.walker@example.com",
                       segment="personal")


@dataclass
class MemoryDirectory:
    customers: dict[str, CustomerRecord] = field(default_factory=lambda: {ALICE.number: ALICE})

    def find(self, number: str) -> CustomerRecord | None:
        return self.customers.get(number)

    def find_by_keypad(self, digits: str) -> list[str]:
        return sorted(n for n in self.customers if keypad_form(n) == digits)

    def find_by_phone(self, phone: str) -> list[str]:
        return sorted(n for n, c in self.customers.items() if c.phone and c.phone == phone)

    def find_by_birth_date(self, date_of_birth) -> list[str]:
        return sorted(n for n, c in self.customers.items() if c.date_of_birth == date_of_birth)


@dataclass
class MemoryLedger:
    threshold: int = 3
    failures: dict[str, int] = field(default_factory=dict)

    def is_locked(self, number: str) -> bool:
        return self.failures.get(number, 0) >= self.threshold

    def lock_reason(self, number: str) -> str | None:
        return "locked" if self.is_locked(number) else None

    def decide(self, number: str, *, passed: bool, recovered: bool = False) -> Decision:
        if self.is_locked(number) and not recovered:
            return Decision("refused", "locked")
        if passed:
            return Decision("verified")
        self.failures[number] = self.failures.get(number, 0) + 1
        return Decision("failed", "locked", locks=True) if self.is_locked(number) else Decision("failed")

    def fail_unmatched(self) -> Decision:
        self.unmatched = getattr(self, "unmatched", 0) + 1
        return Decision("failed")


@dataclass
class MemoryAudit:
    records: list[dict] = field(default_factory=list)

    def record(self, **kwargs) -> None:
        self.records.append(kwargs)


@dataclass
class MemoryCallbacks:
    requests: list[dict] = field(default_factory=list)

    def request(self, **kwargs) -> None:
        self.requests.append(kwargs)


def memory_services(now: dt.datetime | None = None) -> Services:
    now = now or dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc)
    return Services(directory=MemoryDirectory(), ledger=MemoryLedger(), audit=MemoryAudit(), clock=lambda: now,
                    callbacks=MemoryCallbacks())
