"""Send a one-time code by SMS to the phone on file and ask for it (keypad, speech or text).

After a passed `verify` step this is a step-up: the step decides (under the number's lock, as the
verify step does), audits, and counts a failure against the lockout itself; a caller who fails it is
handed over unverified. Before one, the code is one more factor for the `verify` step's policy, and
an unknown number (or one without a phone) hears exactly what a known one hears: no code is sent and
every code is wrong. Reached from a refused number (`on_locked`), it is the way past a lock for
whoever holds the phone on file: the questions follow, and the lock no longer refuses them.

The code is never kept: the service (Twilio Verify) holds it and only says approved or not.
Verify allows five checks per code, so `max_attempts` is at most 5.
"""
from __future__ import annotations

import re
from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Segment
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.understanding import read_characters

FACTOR = "one_time_code"
# "send it again", "I didn't get it", "new code"; on the keypad, 0 then hash.
_RESEND = re.compile(r"\b(resend|send (?:it |me )?(?:again|another|a new)|new code|another code|"
                     r"(?:didn'?t|did not|haven'?t|have not|never) (?:get|got|receive|received|come|arrive))\b", re.I)


class OneTimeCodeStep(AskingStep):
    type = "one_time_code"
    withholds_answers = True
    specs = {
        **{k: v for k, v in ASKING_SPECS.items() if k not in ("confirm", "invalid")},  # a code is never read back
        "max_attempts": Spec("int", minimum=1, maximum=5, default=3),
        "digits": Spec("int", minimum=4, maximum=10, default=6),  # the Verify service's code length
        "max_sends": Spec("int", minimum=1, maximum=5, default=3),
        "wrong": Spec("text", required=True),
        "expired": Spec("text", required=True),
        "resent": Spec("text", required=True),
        "unavailable": Spec("text", required=True),
    }

    # -- the phone the code goes to ----------------------------------------------------------------
    def _phone(self, turn: Turn) -> str | None:
        number = turn.state.customer_number
        record = turn.services.directory.find(number) if number else None
        return record.phone if record is not None and record.status != "closed" else None

    def values(self, turn: Turn) -> dict[str, Any]:
        phone = self._phone(turn) if turn.state.verified else None
        # Only a verified caller hears which phone; anyone else hears the same words whatever the number.
        if phone:
            return {"phone": [Segment("ending "), Segment(re.sub(r"\D", "", phone)[-4:], kind="digits", private=True)]}
        return {"phone": "on file"}

    def known_length(self, flow, schemes) -> int | None:
        return self.get("digits")

    def keypad_timing_applies(self) -> bool:
        return False  # the code ends at its last digit (numDigits); "0#" for a new one ends at the hash key

    def expect(self, turn: Turn, *, confirming: bool = False) -> Expect:
        expect = super().expect(turn, confirming=confirming)
        # The keypad must also take "0#" (a new code), so a short entry is allowed with the hash key.
        return Expect(**{**expect.__dict__, "hints": expect.hints or ("$OOV_CLASS_DIGIT_SEQUENCE",)})

    # -- entering: send the first code -------------------------------------------------------------
    def enter(self, turn: Turn) -> Outcome:
        state = turn.state
        state.reset(self.name)
        state.pending = None
        state.partial = None
        state.controls = 0
        state.code_sends = 0
        sent = self._send(turn)
        if sent != "sent":
            return self._unavailable(turn)
        return self.ask(turn, self.prompt(turn))

    def _send(self, turn: Turn) -> str:
        otp = turn.services.otp
        if otp is None:
            return "unavailable"
        phone = self._phone(turn)
        if phone is None:
            if turn.state.verified:
                return "unavailable"  # a verified customer without a phone on file cannot step up
            result = "sent"  # nothing is sent, but the caller cannot tell
        else:
            result = otp.send(phone)
        if result == "sent":
            turn.state.code_sends += 1
            turn.event("code-sent")
        return result

    # -- reading an answer --------------------------------------------------------------------------
    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected | Outcome:
        value = inp.value.strip()
        if (inp.kind == "digits" and value.rstrip("#") == "0") or (inp.kind != "digits" and _RESEND.search(value)):
            return self._resend(turn)
        digits = self.get("digits")
        code = value.rstrip("#") if inp.kind == "digits" else read_characters(value, layout="D" * digits).value
        if not code or not code.isdigit() or len(code) != digits:
            return Rejected()
        # `stored` stays None: a code is never written to the conversation state.
        return Accepted(value=code, stored=None)

    def accept(self, turn: Turn, value: Any) -> Outcome:
        otp, phone = turn.services.otp, self._phone(turn)
        result = otp.check(phone, value) if otp is not None and phone is not None else "wrong"
        if result == "approved":
            return self._passed(turn)
        if result == "wrong":
            return self.retry(turn, "no_match", reason="wrong-code", text=self.get("wrong"))
        if result == "expired":
            turn.event("code-expired")
            if turn.state.code_sends >= self.get("max_sends"):
                return self._failed(turn, "code-expired")
            sent = self._send(turn)
            return self.ask(turn, self.get("expired")) if sent == "sent" else self._unavailable(turn)
        if result == "too-many":
            return self._failed(turn, "too-many-checks")
        return self._unavailable(turn)

    def _resend(self, turn: Turn) -> Outcome:
        if turn.state.code_sends >= self.get("max_sends"):
            # No more codes: the request counts as a failed try, so it cannot go on for ever.
            return self.retry(turn, "no_match", reason="no-more-codes", text=self.prompt(turn))
        sent = self._send(turn)
        if sent == "too-many":
            return self.retry(turn, "no_match", reason="no-more-codes", text=self.prompt(turn))
        return self.ask(turn, self.get("resent")) if sent == "sent" else self._unavailable(turn)

    # -- how it ends -------------------------------------------------------------------------------
    def exhausted(self, turn: Turn) -> Outcome:
        return self._failed(turn, "code-attempts-exhausted")

    def _passed(self, turn: Turn) -> Outcome:
        state = turn.state
        number = state.customer_number
        if not state.verified:
            state.factors[FACTOR] = True
            if state.locked and number:
                # Recovery: whoever holds the phone on file gets past the lock; the questions still decide.
                state.locked = False
                state.handoff_reason = None
                state.recovered_for = number
                turn.services.audit.record(customer_number=number, factors_asked=[FACTOR], factors_passed=[FACTOR],
                                           result="recovered", reason="one-time-code")
                turn.event("recovered")
            return Outcome(goto=self.get("next"))
        decision = turn.services.ledger.decide(number, passed=True, recovered=state.recovered_for == number)
        if decision.outcome == "refused":
            # The number locked while this caller waited for the code: no longer verified.
            return self._refused(turn, decision.reason)
        if FACTOR not in state.factors_passed:
            state.factors_passed.append(FACTOR)
        turn.services.audit.record(customer_number=number, factors_asked=[FACTOR],
                                   factors_passed=[FACTOR], result="verified", reason="step-up")
        turn.event("verified", FACTOR)
        return Outcome(goto=self.get("next"))

    def _failed(self, turn: Turn, reason: str) -> Outcome:
        state = turn.state
        state.pending = None
        if not state.verified and state.locked:
            # A recovery that failed: the number stays locked; a colleague takes the call.
            turn.event("failed", reason)
            state.handoff_reason = "locked"
            return Outcome(goto=self.get("on_fail"))
        if not state.verified:
            # One more factor, failed: the verify step decides and counts it.
            state.factors[FACTOR] = False
            turn.event("failed", reason)
            return Outcome(goto=self.get("next"))
        number = state.customer_number
        decision = turn.services.ledger.decide(number, passed=False, recovered=state.recovered_for == number)
        if decision.outcome == "refused":
            return self._refused(turn, decision.reason)
        turn.services.audit.record(customer_number=number, factors_asked=[FACTOR], factors_passed=[],
                                   result="failed", reason=reason)
        turn.event("failed", reason)
        # Whoever knew the answers but does not hold the phone is exactly who a step-up is for.
        self._unverify(state)
        state.locked = state.locked or decision.locks
        state.handoff_reason = "locked" if decision.locks else "step-up-failed"
        return Outcome(goto=self.get("on_fail"))

    def _refused(self, turn: Turn, reason: str | None) -> Outcome:
        state = turn.state
        turn.services.audit.record(customer_number=state.customer_number, factors_asked=[FACTOR], factors_passed=[],
                                   result="locked", reason=reason)
        turn.event("locked", reason)
        self._unverify(state)
        state.locked = True
        state.handoff_reason = "locked"
        return Outcome(goto=self.get("on_fail"))

    @staticmethod
    def _unverify(state) -> None:
        state.verified = False
        state.factors_passed = [f for f in state.factors_passed if f != FACTOR]

    def _unavailable(self, turn: Turn) -> Outcome:
        turn.event("code-unavailable")
        turn.state.handoff_reason = "step-up-unavailable"
        return Outcome(say=turn.text(self.get("unavailable")), goto=self.get("on_fail"))
