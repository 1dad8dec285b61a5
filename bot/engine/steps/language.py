"""Let the caller choose a language. Each option is spoken in its own language and voice.

An inline offer ("Para español, pulse 9") rides on the next question. On voice it listens in a
<Gather> of its own, so that one key ends it: a Gather ends when `numDigits` keys are in or its
one `finishOnKey` is pressed, else `timeout` seconds after the last key (Twilio's <Gather>
reference, https://www.twilio.com/docs/voice/twiml/gather: numDigits, finishOnKey, timeout). The
question's Gather waits for a whole customer number, so "9" alone could only end it by timing out.
The offer's Gather (numDigits=1, timeout 1 s, Twilio's least, recogniser in the offered language
so "español" is heard) is followed directly by the question's Gather in the same TwiML document:
a caller who wants the question loses that one second and no request is made in between.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.context import Turn
from bot.engine.io import Expect, Input, Option, Segment
from bot.engine.steps.asking import ASKING_SPECS, Accepted, AskingStep, Rejected
from bot.engine.steps.base import Outcome, Spec
from bot.understanding import read_characters
from bot.understanding.text import normalise

# Seconds an inline offer listens after it is said, unless the step's `gather: {timeout: N}` says otherwise.
OFFER_TIMEOUT = 1

# What callers say to pick a language, in either language; a flow may add `words:` per option.
LANGUAGE_WORDS = {
    "en": ("english", "inglés", "ingles"),
    "es": ("spanish", "español", "espanol", "castellano"),
    "fr": ("french", "français", "francais"),
    "de": ("german", "deutsch"),
    "cy": ("welsh", "cymraeg"),
}


class LanguageStep(AskingStep):
    type = "language"
    translatable = False
    specs = {
        **{k: v for k, v in ASKING_SPECS.items() if k not in ("confirm", "invalid", "prompt")},
        "prompt": Spec("text"),
        "options": Spec("list", required=True),
        # Inline: offer the choice on top of the next question ("... Para español, pulse 9"); any
        # other answer is that question's answer, so callers who don't switch lose no time.
        "inline": Spec("bool", default=False),
    }

    def enter(self, turn: Turn) -> Outcome:
        if not self.get("inline"):
            return super().enter(turn)
        # Offer the choice, then ask the next question as usual; the offer stands until the
        # caller first answers something (see take_offer), so the conversation waits at that question.
        turn.state.offer = self.name
        say = turn.text(self.get("prompt")) if self.get("prompt") else []
        return Outcome(say=say + self._option_segments(turn), goto=self.get("next"), offer=self.offer_expect(turn))

    def offer_expect(self, turn: Turn) -> Expect:
        """The inline offer's own Gather: one key ends it; speech is heard in the offered language."""
        base = self.expect(turn)
        languages = {o["language"] for o in self.get("options")}
        recogniser = (turn.flow.voice_for(languages.pop()).get("language") if len(languages) == 1 else None) or base.language
        timeout = (self.get("gather") or {}).get("timeout", OFFER_TIMEOUT)
        return Expect(**{**base.__dict__, "timeout": timeout, "language": recogniser})

    def take_offer(self, turn: Turn, inp: Input) -> Outcome | None:
        """A language choice made at the question the offer rode on, or None to answer that question."""
        chosen = self.interpret(turn, inp)
        if not isinstance(chosen, Accepted):
            return None
        turn.event("matched", step=self.name)
        return self.accept(turn, chosen.value)

    def extra_problems(self, bundle) -> list[tuple[tuple, str]]:
        return super().extra_problems(bundle) + self._option_problems(bundle)

    def _option_problems(self, bundle) -> list[tuple[tuple, str]]:
        problems = []
        for index, option in enumerate(self.data.get("options") or []):
            if not isinstance(option, Mapping) or not {"key", "language", "say"} <= set(option):
                problems.append((("options", index), "expected an option with key, language and say"))
                continue
            extra = set(option) - {"key", "language", "say", "words"}
            if extra:
                problems.append((("options", index), f"unknown option field(s) {', '.join(sorted(extra))}; expected key, language, say, words"))
            if option["language"] not in bundle.languages:
                problems.append((("options", index, "language"),
                                 f"language {option['language']!r} is not declared in `languages:` {bundle.languages}"))
        return problems

    def _option_segments(self, turn: Turn) -> list[Segment]:
        segments = []
        for option in self.get("options"):
            voice = turn.flow.voice_for(option["language"])
            text = option["say"] if isinstance(option["say"], str) else turn.text(option["say"])[0].text
            segments.append(Segment(text + " ", language=voice.get("language"), voice=voice.get("voice")))
        return segments

    def ask(self, turn: Turn, text: Any, **values: Any) -> Outcome:
        lead = turn.text(text) if text else []
        return Outcome(say=lead + self._option_segments(turn), expect=self.expect(turn))

    def keypad_timing_applies(self) -> bool:
        return False  # one key ends it

    def expect(self, turn: Turn, *, confirming: bool = False) -> Expect:
        base = super().expect(turn, confirming=confirming)
        words = tuple(w for o in self.get("options") for w in self._words(o))
        options = tuple(Option(str(o["key"]), o["say"] if isinstance(o["say"], str) else str(o["key"]))
                        for o in self.get("options"))
        return Expect(**{**base.__dict__, "num_digits": 1, "hints": words, "options": options})

    def _words(self, option: Mapping) -> tuple[str, ...]:
        return tuple(option.get("words") or LANGUAGE_WORDS.get(option["language"], (option["language"],)))

    def interpret(self, turn: Turn, inp: Input) -> Accepted | Rejected:
        value = inp.value.strip().rstrip("#")
        by_key = {str(o["key"]): o for o in self.get("options")}
        if inp.kind == "digits":
            option = by_key.get(value[:1])
        else:
            option = by_key.get(read_characters(value).value or "")
            spoken = set(normalise(value).lower().split())
            option = option or next((o for o in self.get("options") if spoken & set(self._words(o))), None)
        return Accepted(option["language"], option["language"]) if option else Rejected()

    def accept(self, turn: Turn, value: Any) -> Outcome:
        turn.state.language = value
        turn.event("language", value)
        return Outcome(goto=self.get("next"))
