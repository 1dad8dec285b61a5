"""Recover a forgotten customer number ("I don't know my number", or * at the number question).

The step runs twice. Entered first, it chooses the questions: when the caller ID is the phone on
file of exactly one active customer, that customer is checked as the policy requires (date of birth
and postcode by default: `by_caller_id`); otherwise the caller gives their full name, date of birth
and postcode (`by_details`) and exactly one active customer must match all three (the name loosely,
as the `name` factor does; a name alone never finds anyone). The `ask` steps in between keep their
answers in the conversation's sealed state until this step is entered again and decides, under the
number's lock like any verification (bot.verification.lockout): verified, failed (counted towards the
number's lockout and the caller's velocity; details that match nobody count towards velocity), or
refused (locked, or too many failures from this caller).

Then, whatever happened, the caller hears the same words (`done`: "If those details match an account,
we've texted the number to the phone we have on file") and carries on to `next`; only a verified
caller is verified for the rest of the conversation, and only then is the number texted, by SMS to
the phone on file (never the number calling unless it is that phone; never said, shown, or sent on
WhatsApp or web chat). Every recovery is a row in the audit trail. Without a way to send texts
(TWILIO_SMS_FROM) the caller hears `unavailable` and goes to `on_unavailable`.
"""
from __future__ import annotations

from typing import Any

from bot.engine.context import Turn
from bot.engine.io import OutgoingText
from bot.engine.steps.base import Outcome, Spec, Step
from bot.engine.text import render, resolve
from bot.understanding import is_withheld_caller_id
from bot.verification.factors import FACTORS
from bot.verification.factors.base import ReadOptions
from bot.yaml_source import did_you_mean

DETAILS = ("name", "date_of_birth", "postcode")
ASKING = "asking"


def recovering(turn: Turn) -> bool:
    """True while a recovery's questions are being asked: `ask` steps keep their answers for it."""
    recovery = turn.state.recovery
    return bool(recovery) and recovery.get("stage") == ASKING


def hold_answer(turn: Turn, factor: str, stored: Any) -> None:
    """An `ask` step's answer, kept (in the sealed state) until the recovery decides."""
    turn.state.recovery.setdefault("held", {})[factor] = stored


class RecoverNumberStep(Step):
    type = "recover_number"
    specs = {
        "say": Spec("text"),
        "by_caller_id": Spec("step", required=True),
        "by_details": Spec("step", required=True),
        "policy": Spec("str", default="default"),
        "done": Spec("text", required=True),
        "unavailable": Spec("text", required=True),
        "next": Spec("step", required=True),
        "on_unavailable": Spec("step", required=True),
    }

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        policy = self.data.get("policy", "default")
        if isinstance(policy, str) and policy not in bundle.policies:
            return [(("policy",), f"unknown policy {policy!r}{did_you_mean(policy, bundle.policies)}; policy.yaml "
                                  f"defines: {', '.join(sorted(bundle.policies)) or 'none'}")]
        return []

    def enter(self, turn: Turn) -> Outcome:
        return self._decide(turn) if recovering(turn) else self._start(turn)

    # -- first: which questions --------------------------------------------------------------------
    def _start(self, turn: Turn) -> Outcome:
        state = turn.state
        if not turn.services.can_text:
            turn.event("recovery", "unavailable")
            return Outcome(say=turn.text(self.get("unavailable")), goto=self.get("on_unavailable"))
        state.customer_number = None
        state.factors = {}
        state.verified = False
        candidate = self._by_caller_id(turn)
        state.recovery = {"stage": ASKING, "mode": "caller_id" if candidate else "details", "candidate": candidate,
                          "held": {}}
        turn.event("recovery", state.recovery["mode"])
        return Outcome(say=turn.text(self.get("say")),
                       goto=self.get("by_caller_id") if candidate else self.get("by_details"))

    def _by_caller_id(self, turn: Turn) -> str | None:
        """The one active customer whose phone on file the caller ID is, if there is exactly one."""
        state = turn.state
        if state.channel == "web" or is_withheld_caller_id(state.caller):
            return None
        directory = turn.services.directory
        active = [n for n in directory.find_by_phone(state.caller)
                  if (record := directory.find(n)) is not None and record.status == "active"]
        return active[0] if len(active) == 1 else None

    # -- then: decide, send, and say the same words whatever happened ------------------------------------
    def _decide(self, turn: Turn) -> Outcome:
        state = turn.state
        recovery, state.recovery = state.recovery, None
        held = {name: FACTORS[name].from_stored(value) for name, value in (recovery.get("held") or {}).items()
                if name in FACTORS}
        options = self._options(turn)
        if recovery["mode"] == "caller_id":
            number, asked, passed, decision = self._check_caller_id(turn, recovery["candidate"], held, options)
        else:
            number, asked, passed, decision = self._match_details(turn, held, options)
        texts: list[OutgoingText] = []
        if decision.outcome == "verified":
            record = turn.services.directory.find(number)
            state.customer_number, state.verified, state.factors_passed = number, True, passed
            turn.services.audit.record(customer_number=number, factors_asked=asked, factors_passed=passed,
                                       result="verified", reason="number-recovery")
            turn.event("recovered", "texted" if record.phone else "no phone on file")
            if record.phone:
                texts.append(OutgoingText(to=record.phone, body=self._message(turn, number)))
        else:
            refused = decision.outcome == "refused"
            why = decision.reason if (refused or decision.locks) else ("no-match" if number is None else "details-mismatch")
            turn.services.audit.record(customer_number=number, factors_asked=asked, factors_passed=passed,
                                       result="locked" if refused else "failed", reason=f"number-recovery: {why}")
            if number is not None and (refused or decision.locks):
                state.locked = True  # the agent sees it; the caller hears what everyone hears
            turn.event("recovery-failed", why)
        return Outcome(say=turn.text(self.get("done")), goto=self.get("next"), texts=texts)

    def _check_caller_id(self, turn: Turn, number: str, held: dict, options: ReadOptions):
        state = turn.state
        policy = turn.bundle.policies[self.get("policy")]
        record = turn.services.directory.find(number)
        factors = {name: FACTORS[name].matches(value, record, options) for name, value in held.items()}
        for name in policy.factors:
            if FACTORS[name].kind == "observed":
                factors[name] = FACTORS[name].observe(state.caller, record)
        passed = policy.passed(factors)
        asked = [f for f in policy.factors if f in factors]
        answers_pass = record is not None and record.status == "active" and policy.passes({f: True for f in passed})
        return number, asked, passed, turn.services.ledger.decide(number, passed=answers_pass)

    def _match_details(self, turn: Turn, held: dict, options: ReadOptions):
        directory = turn.services.directory
        asked = [f for f in DETAILS if f in held]
        if len(asked) < len(DETAILS):
            # A flow that asks less than name, date of birth and postcode never finds anyone.
            return None, asked, [], turn.services.ledger.fail_unmatched()
        born = [r for n in directory.find_by_birth_date(held["date_of_birth"])
                if (r := directory.find(n)) is not None and r.status == "active"]
        named = [r for r in born if FACTORS["name"].matches(held["name"], r, options)]
        matched = [r for r in named if FACTORS["postcode"].matches(held["postcode"], r, options)]
        if len(matched) == 1:
            return matched[0].number, asked, list(DETAILS), turn.services.ledger.decide(matched[0].number, passed=True)
        if not matched and len(named) == 1:
            # Name and date of birth point at one customer, the postcode does not: a failure on that number.
            decision = turn.services.ledger.decide(named[0].number, passed=False)
            return named[0].number, asked, ["name", "date_of_birth"], decision
        return None, asked, [], turn.services.ledger.fail_unmatched()

    def _options(self, turn: Turn) -> ReadOptions:
        names = turn.bundle.policy.name
        return ReadOptions(date_layout=turn.flow.settings.get("date_layout", "DDMMYYYY"), today=turn.today(),
                           region=turn.bundle.region, first_name_threshold=names.first_threshold,
                           last_name_threshold=names.last_threshold)

    def _message(self, turn: Turn, number: str) -> str:
        """The text to the phone on file, in the caller's language: the number, grouped as it is printed."""
        wording = resolve(turn.flow.texts.get("recovery_sms"), language=turn.state.language,
                          default_language=turn.flow.default_language, channel="sms")
        return "".join(s.text for s in render(wording, {"number": turn.bundle.schemes.format(number)}))


__all__ = ["RecoverNumberStep", "hold_answer", "recovering"]
