"""Wording the bot says that no step of the flow spells out: after hours, the goodbye after a
voicemail, what a caller hears when no one takes their call, and the queue's position and wait. It is data of the flow bundle, so it is translated like every prompt:

    # default.yaml                        # lang/es.yaml
    texts:                                texts:
      voicemail_goodbye: "Thank you..."     voicemail_goodbye: "Gracias..."

English defaults are below; every other declared language must give each text in its
lang/<code>.yaml (`bot flows check` requires it), so a Spanish caller never hears English.
A handoff step's own `closed_*` fields, where written, win over these.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.yaml_source import Problem, Source

DEFAULTS: dict[str, Any] = {
    "closed_voicemail": "We're closed at the moment. Please leave a message after the tone, and we'll get back to you.",
    "closed_callback": {
        "voice": "We're closed at the moment. We'll call you back on the number you're calling from as soon as we open.",
        "chat": "We're closed at the moment. We'll call you back on the number you're messaging from as soon as we open.",
    },
    # The caller ID was withheld (or this is web chat): the callback goes to the phone on file.
    "closed_callback_on_file": "We're closed at the moment. We'll call you back on the phone number we have on file for you as soon as we open.",
    "closed_sms": "We're closed at the moment. I've sent you a text message with a link where you can get help now.",
    "closed_sms_message": "Northwind: we're closed right now. You can get help here: {link}",
    "closed": "We're closed at the moment. Please contact us again during our opening hours.",
    "voicemail_goodbye": "Thank you. Goodbye.",
    # No one took the call (busy, no answer, failed, or the wait passed the department's maximum):
    # the department's `unanswered:` alternatives, each offered with its key when there are several.
    "unanswered": "Sorry, no one is free to take your call just now.",
    "unanswered_callback": "To be called back as soon as someone is free, press {key}.",
    "unanswered_voicemail": "To leave a message, press {key}.",
    "unanswered_department": "To speak to {department} instead, press {key}.",
    "callback_booked": "Thank you. We'll call you back on the number you're calling from as soon as someone is free. Goodbye.",
    "callback_booked_on_file": "Thank you. We'll call you back on the phone number we have on file for you as soon as someone is free. Goodbye.",
    "leave_message": "Please leave a message after the tone, and we'll get back to you.",
    "transfer_department": "I'll put you through to {department}.",
    # Said while a caller waits in a queue (Twilio's QueuePosition and AvgQueueTime), before the hold audio.
    "queue_position": "You're number {position} in the queue.",
    "queue_next": "You're next in the queue.",
    "queue_wait": "The expected wait is about {minutes} minutes.",
    "queue_wait_short": "The expected wait is about a minute.",
    # The text message a recovered customer number goes out in, to the phone on file ({number}).
    "recovery_sms": "Northwind: your customer number is {number}. You asked for it on a call or chat with us; if that "
                    "wasn't you, please call us.",
}
NAMES = tuple(DEFAULTS)


def builtin_texts(flow: Source, translations: Mapping[str, Source], languages: list[str]) -> tuple[dict[str, Any], list[Problem]]:
    """Each built-in text as {language: wording}; a problem for every language that lacks one."""
    data = flow.data if isinstance(flow.data, Mapping) else {}
    own = data.get("texts") or {}
    problems: list[Problem] = []
    if not isinstance(own, Mapping):
        return {}, [flow.problem(("texts",), f"expected the built-in texts by name: {', '.join(NAMES)}")]
    for name in own:
        if name not in DEFAULTS:
            from bot.yaml_source import did_you_mean

            problems.append(flow.problem(("texts", name), f"unknown built-in text {name!r}{did_you_mean(name, NAMES)}; "
                                                          f"expected one of {', '.join(NAMES)}"))
    default = languages[0]
    texts: dict[str, Any] = {}
    for name, english in DEFAULTS.items():
        base = own.get(name, english if default == "en" else None)
        where = ("texts", name) if name in own else ("texts",) if "texts" in data else ("languages",)
        if base is None:
            problems.append(flow.problem(where, f"built-in text {name!r} has no {default!r} wording: add "
                                                f"texts.{name} to {flow.file}"))
            continue
        wording = {default: base}
        for language in languages[1:]:
            source = translations.get(language)
            translated = _lookup(source.data, ("texts", name)) if source is not None else None
            if translated is None:
                if source is not None:
                    problems.append(flow.problem(where, f"built-in text {name!r} has no {language!r} wording: add "
                                                        f"texts.{name} to {source.file}"))
                continue
            wording[language] = translated
        texts[name] = wording
    return texts, problems


def _lookup(data: Any, path: tuple) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data
