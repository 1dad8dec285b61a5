"""Apply a verification policy to the factors answered so far; the ledger decides under the number's
lock (verified, failed and counted, or refused because the number locked meanwhile).

The wording after a failure is the same whatever was wrong and whether or not the number
exists; the audit log records which factors passed, never the answers.
"""
from __future__ import annotations

from bot.engine.context import Turn
from bot.engine.steps.base import Outcome, Spec, Step
from bot.records import Decision
from bot.verification.factors import FACTORS
from bot.yaml_source import did_you_mean


class VerifyStep(Step):
    type = "verify"
    specs = {
        "policy": Spec("str", required=True),
        "fail_prompt": Spec("text", required=True),
        "retry_prompt": Spec("text"),
        "locked_prompt": Spec("text", required=True),
        "max_attempts": Spec("int", minimum=1, maximum=5, default=2),
        "on_pass": Spec("step", required=True),
        "on_retry": Spec("step", required=True),
        "on_fail": Spec("step", required=True),
        "on_closed": Spec("step"),
        # Suspended (on hold, may return) is not closed: its own wording and team. Without
        # on_suspended, a suspended account takes the on_closed path as before.
        "on_suspended": Spec("step"),
    }

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        policy = self.data.get("policy")
        if isinstance(policy, str) and policy not in bundle.policies:
            known = ", ".join(sorted(bundle.policies)) or "none"
            return [(("policy",), f"unknown policy {policy!r}{did_you_mean(policy, bundle.policies)}; "
                                  f"policy.yaml defines: {known}")]
        return []

    def enter(self, turn: Turn) -> Outcome:
        state = turn.state
        policy = turn.bundle.policies[self.get("policy")]
        number = state.customer_number
        record = turn.services.directory.find(number) if number else None
        for name in policy.factors:
            # Caller ID is not asked: it is looked at here, and only where the policy lists it.
            if FACTORS[name].kind == "observed":
                state.factors[name] = FACTORS[name].observe(state.caller, record)
        passed = policy.passed(state.factors)
        asked = [f for f in policy.factors if f in state.factors]
        # Results are used once: a retry asks every question again.
        state.factors = {}
        state.factors_passed = passed
        answers_pass = record is not None and policy.passes({f: True for f in passed})
        # Decided under the number's lock with the lockout and velocity read now, not when the number
        # was given: other sessions may have failed on it while this one waited at the questions.
        decision = (turn.services.ledger.decide(number, passed=answers_pass, recovered=state.recovered_for == number)
                    if number else Decision("failed"))
        if decision.outcome == "verified":
            state.verified = True
            turn.services.audit.record(customer_number=number, factors_asked=asked, factors_passed=passed,
                                       result="verified", reason=None)
            turn.event("verified")
            detour = self.get("on_suspended") if record.status == "suspended" else None
            detour = detour or (self.get("on_closed") if record.status != "active" else None)
            if detour:
                state.handoff_reason = "account-" + record.status
                turn.event("account-" + record.status)
                return Outcome(goto=detour)
            return Outcome(goto=self.get("on_pass"))
        if decision.outcome == "refused":
            # Locked (or too many failures from this caller) meanwhile: whatever the answers, nobody is
            # verified and nothing is counted; the wording is the same for right and wrong answers.
            state.locked = True
            state.handoff_reason = "locked"
            turn.services.audit.record(customer_number=number, factors_asked=asked, factors_passed=passed,
                                       result="locked", reason=decision.reason)
            turn.event("locked", decision.reason)
            return Outcome(say=turn.text(self.get("locked_prompt")), goto=self.get("on_fail"))

        state.verify_failures += 1
        # "locked": this number; "velocity": too many failures from this caller ID or client address.
        reason = decision.reason if decision.locks else "details-mismatch"
        turn.services.audit.record(customer_number=number, factors_asked=asked, factors_passed=passed,
                                   result="failed", reason=reason)
        turn.event("failed", reason)
        say = turn.text(self.get("fail_prompt"))
        state.handoff_reason = "locked" if decision.locks else "verification-failed"
        if decision.locks:
            state.locked = True
            turn.event("locked")
            return Outcome(say=say + turn.text(self.get("locked_prompt")), goto=self.get("on_fail"))
        if state.verify_failures >= self.get("max_attempts"):
            turn.event("exhausted")
            return Outcome(say=say, goto=self.get("on_fail"))
        return Outcome(say=say + turn.text(self.get("retry_prompt")), goto=self.get("on_retry"))
