"""Customer number schemes, defined as data (flows/numbering.yaml).

Check characters are computed by python-stdnum; this package adds layouts, prefix tables,
coexisting schemes, keypad entry of letters, readback, issuance and error analysis.

>>> schemes = load_schemes()
>>> match = schemes.validate('10 1234 5679')
>>> match.scheme.name, match.number, match.prefix.department
('customer', '1012345679', 'personal')
>>> schemes.format('1012345679')
'10 1234 5679'
>>> schemes.spoken_groups('١٠١٢٣٤٥٦٧٩')
[['1', '0'], ['1', '2', '3', '4'], ['5', '6', '7', '9']]
>>> schemes.validate('1012345670')
Traceback (most recent call last):
    ...
bot.numbering.errors.InvalidChecksum: the check character of this customer number does not match
>>> schemes.validate('10 1234 567')
Traceback (most recent call last):
    ...
bot.numbering.errors.InvalidLength: expected 10 characters, got 9
>>> schemes.is_valid(None)
False
>>> keypad_form('MB1234567O')
'6212345676'
"""

from .algorithms import ALGORITHMS, Algorithm, get_algorithm
from .analysis import Row, analyze, analyze_algorithm
from .characters import compact
from .errors import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    NumberError,
    SchemeDefinitionError,
    SerialSpaceExhausted,
)
from .issuance import generate, generate_many
from .keypad import keypad_form
from .scheme import Prefix, Scheme, Segment
from .scheme_set import DEFAULT_SCHEMES_PATH, Match, SchemeSet, load_schemes
from .spoken import NATO

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "get_algorithm",
    "Row",
    "analyze",
    "analyze_algorithm",
    "compact",
    "InvalidChecksum",
    "InvalidComponent",
    "InvalidFormat",
    "InvalidLength",
    "NumberError",
    "SchemeDefinitionError",
    "SerialSpaceExhausted",
    "generate",
    "generate_many",
    "keypad_form",
    "Prefix",
    "Scheme",
    "Segment",
    "DEFAULT_SCHEMES_PATH",
    "Match",
    "SchemeSet",
    "load_schemes",
    "NATO",
]
