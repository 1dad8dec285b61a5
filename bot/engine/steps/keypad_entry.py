"""Letters typed on a phone keypad (2 = ABC ... 9 = WXYZ): which numbers the digits stand for.

A keypad caller with an alphanumeric number can only send digits: MB1234567O arrives as
6212345676. The directory's keypad index says which numbers on record are typed that way;
when none is, the scheme set spells the digits back into the valid numbers they can be
(the prefix table and the check character discard nearly every spelling). Whatever is
left is read back one number at a time for a yes or no, never picked silently.

Non-disclosure: when a scheme's prefixes have distinct keypad forms (MB = 62, AS = 27)
and its serial is digits, at most one spelling passes the check, so a known and an unknown
number sound exactly the same. Only prefixes that share keys (MB/NA/OC) or letters in the
serial let the directory shorten the list; docs/numbering.md advises against such schemes.
"""
from __future__ import annotations

from dataclasses import dataclass

from bot.engine.context import Turn
from bot.numbering import SchemeSet, keypad_form

# More readings than this cannot reasonably be read back one by one; the caller is asked
# to say the number instead (re-prompt kind "ambiguous").
MAX_READBACKS = 3


@dataclass(frozen=True)
class KeypadReading:
    numbers: tuple[str, ...] = ()  # to read back, in this order
    problem: str | None = None     # the re-prompt kind when there is nothing to read back


def read_keypad_letters(turn: Turn, digits: str) -> KeypadReading:
    """The numbers `digits` may stand for, or the re-prompt kind when there are none (or too many)."""
    schemes = turn.bundle.schemes
    # The directory first: an index look-up, and for letter serials far fewer than the spellings.
    known = [n for n in turn.services.directory.find_by_keypad(digits) if schemes.is_valid(n)]
    numbers = known or schemes.keypad_candidates(digits)
    if not numbers:
        return KeypadReading(problem=keypad_problem(schemes, digits))
    if len(numbers) > MAX_READBACKS:
        return KeypadReading(problem="ambiguous")
    return KeypadReading(tuple(numbers))


def keypad_problem(schemes: SchemeSet, digits: str) -> str:
    """What is wrong with keyed digits no valid number spells: length, prefix (component) or check.

    Validating the digits as typed would blame the first letter position ("format") for every
    keypad caller; judged by their keypad forms, the error kinds mean what they say.
    """
    fitting = [scheme for scheme in schemes if scheme.length == len(digits)]
    if not fitting:
        return "length"
    for scheme in fitting:
        if not scheme.prefixes or any(digits.startswith(keypad_form(code)) for code in scheme.prefixes):
            return "checksum"
    return "component"
