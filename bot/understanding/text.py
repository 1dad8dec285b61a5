"""One normal form and one tokeniser shared by every reader.

Recognisers and keyboards send the same answer in many shapes (full-width digits from
Asian keyboards, curly apostrophes from phones, "$4.56" from Twilio). Readers start from
the tokens this module returns, so each shape is handled once.
"""

from __future__ import annotations

import re
import unicodedata

# Longer than any answer to a single prompt. Past this we refuse instead of guessing, which
# also keeps the cost of a pasted essay bounded.
MAX_CHARS = 2000

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# Words that carry no characters and no meaning for a reader. Dropping them is never a
# repair: "my customer number is ..." is how people start an answer.
FILLERS = frozenset(
    """
    um umm uh uhh uhm er erm ah ahh hmm mm mhm eh huh
    so yeah yes yep yup ok okay alright well like please thanks cheers hi hello hey
    it it's its is was will that that's thats this this's here here's there's
    my me mine our the your and then also just now
    number numbers num account customer client reference ref membership member
    id code codes postcode post postal zip pin policy order card digits digit
    dash hyphen space slash dot point comma hash pound star key keys
    capital capitals upper lower case small letter letters
    i'm im i've ive i'd id i'll ill let give got have has
    """.split()
)

# Phrases that mean "ignore what came before": the caller is correcting themselves.
CORRECTIONS = frozenset({"sorry", "actually", "wait", "correction", "scratch", "mean", "no", "oops"})

# "to" after these verbs is the infinitive marker, not a mis-heard "two".
INFINITIVE_VERBS = frozenset(
    "like want need have going trying calling wanted hoping able here tried try got".split()
)


def normalise(text: str) -> str:
    """NFKC (full-width digits become ASCII) and straight apostrophes."""
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES)


def tokens(text: str) -> list[str]:
    """Letters-and-digits runs, keeping case and inner apostrophes ("it's", "SW1A")."""
    return _TOKEN.findall(normalise(text))


def words(text: str) -> list[str]:
    """Lower-case tokens, for readers that do not care about case."""
    return [t.lower() for t in tokens(text)]


def too_long(text: object) -> bool:
    """True for anything we refuse to read: not a str, or longer than MAX_CHARS."""
    return not isinstance(text, str) or len(text) > MAX_CHARS


def is_ascii_digits(token: str) -> bool:
    return token.isascii() and token.isdigit()


def is_ascii_alnum(token: str) -> bool:
    return token.isascii() and token.isalnum()
