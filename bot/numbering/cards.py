"""Payment card numbers, recognised so they can be kept out of everything we store or send.

A card number is 13 to 19 digits with a valid Luhn check digit (ISO/IEC 7812), often written in
groups. `find_card` spots one inside free text (a chat message, a speech transcript).

>>> is_card_number('4111 1111 1111 1111')
True
>>> is_card_number('4111 1111 1111 1112')
False
>>> is_card_number('1023456781')
False
>>> contains_card_number('my card is 4111-1111-1111-1111, thanks')
True
>>> contains_card_number('call me on 07911 123456')
False
"""
from __future__ import annotations

import re

from stdnum import luhn

LENGTHS = range(13, 20)
# Digits in groups separated by single spaces or dashes, as people write card numbers.
_RUN = re.compile(r"(?<!\d)\d(?:[ \-]?\d){12,18}(?!\d)")


def is_card_number(text: str) -> bool:
    digits = re.sub(r"[ \-]", "", text or "")
    return digits.isdigit() and len(digits) in LENGTHS and luhn.is_valid(digits)


def contains_card_number(text: str) -> bool:
    return any(is_card_number(match.group(0)) for match in _RUN.finditer(text or ""))
