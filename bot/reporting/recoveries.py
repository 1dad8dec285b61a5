"""Number recoveries ("I don't know my number"): how many were tried, how many sent the number by
SMS to the phone on file, and how many did not, per channel. Counted from the conversations' events
(each recovery is also a row in the verification audit); never a number, a name or an answer."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.reporting.facts import RECOVERY_RESULTS, ConversationFacts, load_facts
from bot.reporting.measures import Measure, share
from bot.reporting.period import CHANNELS, Period

ATTEMPTED = Measure("attempted", "attempted", "recoveries started: the caller said they don't know their number "
                                              "and was asked the details")
RESULTS = (
    Measure("texted", "texted", "the details matched one customer: the number was texted to the phone on file"),
    Measure("no_phone", "no phone", "the details matched one customer with no phone on file: nothing was sent"),
    Measure("not_matched", "not matched", "the details matched no one, or not the customer (or the number is "
                                          "locked, or too many tries): nothing was sent"),
    Measure("unfinished", "unfinished", "the caller left (or is still answering) before the details were checked"),
)
UNAVAILABLE = Measure("unavailable", "unavailable", "asked for, but not offered: no way to send texts "
                                                    "(TWILIO_SMS_FROM), so sent to a colleague")
assert tuple(m.key for m in RESULTS) == RECOVERY_RESULTS


@dataclass(frozen=True)
class RecoveryRow:
    channel: str  # or "all"
    counts: dict[str, int]  # attempted, each of RECOVERY_RESULTS, unavailable

    @property
    def attempted(self) -> int:
        return self.counts["attempted"]

    def share(self, key: str) -> float | None:
        return share(self.counts[key], self.attempted)


def recoveries(session: Session, period: Period, facts: list[ConversationFacts] | None = None) -> list[RecoveryRow]:
    """"all" first, then each channel (unless the period is one channel's); no rows when none was asked for."""
    facts = load_facts(session, period) if facts is None else facts
    if not any(c.recoveries or c.recovery_unavailable for c in facts):
        return []
    rows = [_row("all", facts)]
    if period.channel is None:
        rows += [_row(channel, [c for c in facts if c.channel == channel]) for channel in CHANNELS]
    return rows


def _row(channel: str, facts: list[ConversationFacts]) -> RecoveryRow:
    results = [result for c in facts for result in c.recoveries]
    counts = {"attempted": len(results), **{key: results.count(key) for key in RECOVERY_RESULTS},
              "unavailable": sum(c.recovery_unavailable for c in facts)}
    return RecoveryRow(channel, counts)
