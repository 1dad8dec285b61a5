"""Understanding: turn what callers say and type into clean values, on every channel.

Pure functions over strings. None of them touches the network, a database or a web
framework, and none turns a wrong answer into a right one: anything that needed
interpretation comes back flagged (Reading.repaired / .ambiguous, DateReading.ambiguous)
or as None, so the engine can read it back or ask again.
"""

from .answers import read_yes_no
from .characters import LayoutError, Reading, read_characters
from .control import read_control
from .dates import DateLayoutError, DateReading, read_date, read_keypad_date
from .emails import read_email
from .intents import IntentThresholdError, match_intent
from .names import ThresholdError, names_match
from .phones import is_withheld_caller_id, read_last_four, read_phone
from .postcodes import CountryError, Postcode, postcodes_match, read_postcode
from .unknown_number import says_number_unknown

__all__ = [
    "CountryError",
    "DateLayoutError",
    "DateReading",
    "IntentThresholdError",
    "LayoutError",
    "Postcode",
    "Reading",
    "ThresholdError",
    "is_withheld_caller_id",
    "match_intent",
    "names_match",
    "postcodes_match",
    "read_characters",
    "read_control",
    "read_date",
    "read_email",
    "read_keypad_date",
    "read_last_four",
    "read_phone",
    "read_postcode",
    "read_yes_no",
    "says_number_unknown",
]
