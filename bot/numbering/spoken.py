"""Readback tokens: how the bot says a number back to the caller."""

from __future__ import annotations

__all__ = ["NATO", "tokens"]

# The English spellings Alpha and Juliet, not ICAO's Alfa and Juliett: ICAO respells them
# for non-English readers, while our reader is an English text-to-speech voice, which
# says both spellings the same way and stumbles on neither.
NATO = {
    "A": "Alpha", "B": "Bravo", "C": "Charlie", "D": "Delta", "E": "Echo",
    "F": "Foxtrot", "G": "Golf", "H": "Hotel", "I": "India", "J": "Juliet",
    "K": "Kilo", "L": "Lima", "M": "Mike", "N": "November", "O": "Oscar",
    "P": "Papa", "Q": "Quebec", "R": "Romeo", "S": "Sierra", "T": "Tango",
    "U": "Uniform", "V": "Victor", "W": "Whiskey", "X": "X-ray", "Y": "Yankee",
    "Z": "Zulu",
}  # fmt: skip

# mod 37,2 can produce '*' as a check character; a keypad caller presses the star key.
_SYMBOLS = {"*": "star"}


def tokens(text: str) -> list[str]:
    """One token per character: digits stay '1', letters become 'Mike', '*' is 'star'."""
    return [NATO.get(char) or _SYMBOLS.get(char) or char for char in text]
