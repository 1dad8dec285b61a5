"""Words that steer the conversation rather than answer it: repeat, agent, restart, help.

They fire only when the whole utterance is the request, give or take politeness ("can I
speak to someone please"). "My postcode is ..." or "I need help with my bill" are answers
and intents, not control; a caller who mentions an agent inside an answer keeps answering.
"""

from __future__ import annotations

import re

from .text import normalise, too_long

# Phrase -> control, matched as whole words after normalisation.
_PHRASES = {
    "repeat": "repeat", "say that again": "repeat", "say it again": "repeat",
    "again": "repeat", "pardon": "repeat", "come again": "repeat", "what": "repeat",
    "what was that": "repeat", "what did you say": "repeat", "i didn't catch that": "repeat",
    "i didn't hear": "repeat", "one more time": "repeat", "sorry what": "repeat",
    "agent": "agent", "operator": "agent", "representative": "agent", "human": "agent",
    "a real person": "agent", "real person": "agent", "a person": "agent",
    "someone": "agent", "somebody": "agent", "a human": "agent", "an agent": "agent",
    "customer service": "agent", "advisor": "agent", "adviser": "agent", "an advisor": "agent",
    "start again": "restart", "start over": "restart", "restart": "restart",
    "from the beginning": "restart", "go back to the start": "restart",
    "begin again": "restart", "start from the beginning": "restart",
    "help": "help", "i don't know": "help", "don't know": "help", "i dont know": "help",
    "not sure": "help", "i'm not sure": "help", "no idea": "help", "i have no idea": "help",
    "i can't remember": "help", "i don't remember": "help", "what do i do": "help",
    "i don't know my number": "help", "i don't have my number": "help",
    "i don't know it": "help", "i don't have it": "help", "i've forgotten it": "help",
    "i forgot": "help", "i've forgotten": "help",
}
# Words that may surround a control phrase without making it an answer.
_FRAME = frozenset(
    """please can could would you i i'd id want to like speak talk with me a an the just
    let get put through connect transfer need now um uh er erm oh ok okay so sorry
    yeah yes no hi hello actually pass let's lets that can't cant it again""".split()
)
_SORTED = sorted(_PHRASES, key=lambda p: -len(p.split()))
_WORDS = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")  # digits count: "help 1 2 3" is an answer


def _words(text: str) -> list[str]:
    return _WORDS.findall(normalise(text).lower())


def read_control(text: str) -> str | None:
    """ "repeat" | "agent" | "restart" | "help" | None.

    >>> read_control("can I speak to a real person please")
    'agent'
    >>> read_control("my postcode is SW1A 1AA") is None
    True
    """
    if too_long(text):
        return None
    words = _words(text)
    if not words or len(words) > 12:
        return None
    found: set[str] = set()
    rest = " " + " ".join(words) + " "
    for phrase in _SORTED:
        key = f" {phrase} "
        while key in rest:
            found.add(_PHRASES[phrase])
            rest = rest.replace(key, " ")
    if len(found) != 1:
        return None
    if any(w not in _FRAME for w in rest.split()):
        return None  # other content words: this is an answer, not a request
    return found.pop()
