"""Spanish number words beyond single digits, as digits: "mil novecientos ochenta y cinco" is
1985, "diez cincuenta y dos" is "10 52" (a number read in pairs). text2num does the arithmetic;
this module decides which words form one number, so that digits said one by one ("uno cero
dos") stay digits and only real compounds are joined. "once" (11) is left out: it is an English
word too, and these readers serve both languages.

>>> spanish_numbers("tres de marzo de mil novecientos ochenta y cinco")
'tres de marzo de 1985'
>>> spanish_numbers("diez cincuenta y dos")
'10 52'
>>> spanish_numbers("uno cero dos")
'uno cero dos'
"""
from __future__ import annotations

import re

UNITS = frozenset("cero uno una dos tres cuatro cinco seis siete ocho nueve".split())
COMPOUND = frozenset("""
diez doce trece catorce quince dieciséis dieciseis diecisiete dieciocho diecinueve veinte
veintiuno veintiuna veintidós veintidos veintitrés veintitres veinticuatro veinticinco veintiséis
veintiseis veintisiete veintiocho veintinueve treinta cuarenta cincuenta sesenta setenta ochenta
noventa cien ciento doscientos doscientas trescientos trescientas cuatrocientos cuatrocientas
quinientos quinientas seiscientos seiscientas setecientos setecientas ochocientos ochocientas
novecientos novecientas mil
""".split())
# Words after which a unit belongs to the number being said ("ochenta y cinco", "mil cinco").
_JOINS_UNIT = frozenset({"y", "mil", "cien", "ciento"}) | {w for w in COMPOUND if w.endswith(("cientos", "cientas"))}
_WORD = re.compile(r"\w+|\W+")


def spanish_numbers(text: str) -> str:
    """The text with each Spanish compound number written in digits; anything else unchanged."""
    lowered = text.lower()
    if not any(word in COMPOUND for word in re.findall(r"\w+", lowered)):
        return text
    from text_to_num import alpha2digit

    pieces = _WORD.findall(text)
    words = [(i, p.lower()) for i, p in enumerate(pieces) if p.strip() and p[0].isalnum()]
    groups: list[list[int]] = []
    current: list[int] = []
    for position, (index, word) in enumerate(words):
        before = words[position - 1][1] if position else ""
        after = words[position + 1][1] if position + 1 < len(words) else ""
        in_number = word in COMPOUND or (word == "y" and current and before in COMPOUND and after in UNITS) \
            or (word in UNITS and word != "cero" and (before in _JOINS_UNIT and current or after == "mil"))
        if in_number:
            current.append(index)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    for group in reversed(groups):
        start, end = group[0], group[-1]
        spoken = "".join(pieces[start:end + 1])
        pieces[start:end + 1] = [alpha2digit(spoken, "es")]
    return "".join(pieces)
