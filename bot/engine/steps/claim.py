"""A caller claims a customer number, by keying it in or by accepting the one their caller ID found."""
from __future__ import annotations

from bot.engine.context import Turn


def claim_number(turn: Turn, number: str) -> bool:
    """Remember the number the caller claims; True when it is refused (locked, or too many failures
    from this caller) so the step sends them to a colleague instead of asking the questions."""
    state = turn.state
    state.customer_number = number
    state.factors = {}
    # An early answer that spares a refused caller the questions; the verify step decides again under the lock.
    reason = None if state.recovered_for == number else turn.services.ledger.lock_reason(number)
    if reason is None:
        return False
    state.locked = True
    state.handoff_reason = "locked"
    # A refusal is a verification decision too: audited like a pass or a failure.
    turn.services.audit.record(customer_number=number, factors_asked=[], factors_passed=[],
                               result="locked", reason=reason)
    turn.event("locked", reason)
    return True
