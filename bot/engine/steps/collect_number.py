"""Collect the customer number by keypad, speech or text, and check it against the number schemes.

The re-prompt is chosen from what was wrong (length, a character that cannot occur, an unknown
prefix, a failed check digit). Whether the number exists is never said: an unknown number goes
on to the same questions as a known one.
"""
from __future__ import annotations

from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Input, Segment
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.engine.steps.claim import claim_number
from bot.engine.steps.keypad_entry import read_keypad_letters
from bot.engine.steps.number_values import one_of, prefix_list
from bot.numbering import NATO
from bot.numbering import NumberError as ValidationError
from bot.understanding import read_characters, says_number_unknown


def _number_unknown(inp: Input) -> bool:
    if inp.kind == "digits":
        # The star key, alone or with the hash key that ends the entry.
        return inp.value.strip().rstrip("#") == "*"
    return inp.kind in ("speech", "text") and says_number_unknown(inp.value)


def readback_segments(groups: list[list[str]]) -> list[Segment]:
    """Digits are read one by one (say-as digits), letters as NATO words, with a pause between groups."""
    segments: list[Segment] = []
    for index, group in enumerate(groups):
        if index:
            segments.append(Segment("300ms", kind="pause"))
        digits = "".join(t for t in group if t.isdigit()) if all(t.isdigit() for t in group) else None
        if digits:
            segments.append(Segment(digits, kind="digits"))
        else:
            segments.append(Segment(" ".join(group)))
    return segments


class CollectNumberStep(AskingStep):
    type = "collect_number"
    specs = {
        **ASKING_SPECS,
        "on_locked": Spec("step"),
        "chunk": Spec("text"),
        # The step `on_locked` leads to (a handoff) says who takes the call; this says only why.
        "locked_prompt": Spec("text", default="For your security, I can't go through the security questions with you just now."),
        # "I don't know my number" (said or typed, English or Spanish), or * on the keypad: a recover_number step.
        "on_unknown": Spec("step"),
    }

    def handle(self, turn: Turn, inp: Input) -> Outcome:
        if self.get("on_unknown") and not turn.state.pending and _number_unknown(inp):
            turn.state.partial = None
            turn.event("number-unknown")
            return Outcome(goto=self.get("on_unknown"))
        return super().handle(turn, inp)

    def values(self, turn: Turn) -> dict[str, Any]:
        lengths = sorted(turn.bundle.schemes.lengths)
        language = turn.state.language
        return {"length": one_of([str(n) for n in lengths], language), "prefixes": prefix_list(turn.bundle.schemes, language)}

    # A wrong kind of number (a card, a phone number) is longer than a customer number: heard whole
    # when the prompt says to end with the hash key.
    finish_when_prompted = True

    def known_length(self, flow, schemes) -> int | None:
        # A full number can end the Gather by itself unless letters are possible (then the caller ends with hash).
        return max(schemes.lengths) if not schemes.alphanumeric else None

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected | Outcome:
        schemes = turn.bundle.schemes
        state = turn.state
        # "#" means the caller said they were done; a keypad entry without it came on a pause.
        finished = inp.kind == "digits" and inp.value.endswith("#")
        repaired = False
        if inp.kind == "digits":
            text = inp.value.replace("*", "").rstrip("#")
            if not text:
                return Rejected()
        else:
            reading = read_characters(inp.value, layout=None if state.partial else self._layout(turn),
                                      accept=None if state.partial else schemes.is_valid)
            if not reading.candidates:
                reading = read_characters(inp.value)
            if not reading.candidates:
                return Rejected()
            text = reading.value or reading.candidates[0]
            repaired = reading.repaired or reading.ambiguous
        if state.partial:
            # A number given in parts: what came before plus this part; always read back at the end.
            text, repaired = state.partial + text, True
        chunk = self._chunk(turn, text, finished=finished, repaired=repaired)
        if chunk is not None:
            return chunk
        state.partial = None
        try:
            match = schemes.validate(text)
        except ValidationError as exc:
            kind = getattr(exc, "kind", "checksum")
            mistaken = self._lookalike(turn, inp, text)
            if mistaken is not None:
                return mistaken
            if inp.kind == "digits" and schemes.alphanumeric and text.isdigit():
                return self._keypad_letters(turn, text)
            return Rejected(reason=kind)
        return self._accepted(turn, match.number, confirm=repaired)

    def _lookalike(self, turn: Turn, inp: Input, text: str) -> Rejected | None:
        """Another kind of number (a card, a phone or order number): say so, and where the customer number is."""
        readings = [text]
        if inp.kind != "digits":
            heard = read_characters(inp.value).candidates[:3]
            # "Oh" for zero, as in a phone number said aloud.
            readings += [inp.value, *heard, *(c.replace("O", "0") for c in heard)]
        kind = turn.bundle.lookalikes.match(readings, turn.bundle.region)
        if kind is None:
            return None
        if kind.withhold:
            turn.withhold_input = kind.name
        values = self.values(turn)
        said = turn.text(kind.say, **values) + turn.text(turn.bundle.lookalikes.where, **values)
        return Rejected(reason=kind.name, said=said)

    def _chunk(self, turn: Turn, text: str, *, finished: bool, repaired: bool) -> Outcome | None:
        """Keep a plausible start of a number and ask for the rest (only where the flow words it)."""
        wording = self.get("chunk")
        schemes = turn.bundle.schemes
        if not wording or finished or len(text) >= min(schemes.lengths):
            return None
        if not any(len(text) < s.length and all(c in allowed for c, allowed in zip(text, s.positions))
                   for s in schemes.schemes):
            return None
        turn.state.partial = text
        turn.event("partial", f"{len(text)} of {min(schemes.lengths)}")
        so_far = readback_segments([[c if c.isdigit() else NATO.get(c, c) for c in text]])
        return Outcome(say=turn.text(wording, **{**self.values(turn), "so_far": so_far}), expect=self.expect(turn))

    def _keypad_letters(self, turn: Turn, digits: str) -> Accepted | Rejected:
        # Letters keyed on 2-9 are always read back, one candidate at a time (keypad_entry.py).
        found = read_keypad_letters(turn, digits)
        if not found.numbers:
            return Rejected(reason=found.problem)
        first, *others = found.numbers
        return Accepted(value=first, stored=first, readback=self.readback(turn, first), confirm=True,
                        alternatives=others)

    def _accepted(self, turn: Turn, number: str, *, confirm: bool) -> Accepted:
        return Accepted(value=number, stored=number, readback=self.readback(turn, number), confirm=confirm)

    def readback(self, turn: Turn, value: Any) -> dict[str, Any]:
        return {"number": readback_segments(turn.bundle.schemes.spoken_groups(value))}

    def _layout(self, turn: Turn) -> str | None:
        """D (digit), A (letter) or X (either) per position, when every scheme agrees; it steers
        "oh" to 0 or O and "for" to 4 or not at all."""
        layouts = {"".join("D" if chars.isdigit() else "A" if chars.isalpha() else "X" for chars in s.positions)
                   for s in turn.bundle.schemes.schemes}
        return layouts.pop() if len(layouts) == 1 else None

    def accept(self, turn: Turn, value: Any) -> Outcome:
        if claim_number(turn, value):
            return Outcome(say=turn.text(self.get("locked_prompt")), goto=self.get("on_locked") or self.get("on_fail"))
        return Outcome(goto=self.get("next"))
