"""UK postcodes, US ZIP codes and Canadian postal codes, typed or spoken.

No maintained offline library covers GB and US, so the formats are written out here. The
characters reader turns speech ("sierra whiskey one alpha ...") into candidate strings;
each country's layouts and official pattern pick the reading.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from typing import Sequence

from .characters import expand, parse_slots
from .text import too_long


@dataclass(frozen=True)
class Postcode:
    country: str      # "GB", "US", "CA"
    value: str        # normalised: GB "SW1A 1AA", US "12345" or "12345-6789", CA "K1A 0B1"
    # True when a homophone or a choice between readings was needed; left out of == so
    # Postcode("GB", "SW1A 1AA") equals any reading of that postcode.
    repaired: bool = field(default=False, compare=False)


# BS 7666 as published by the UK government: the outward code's letters are restricted by
# position, and the inward code never uses C, I, K, M, O or V. GIR 0AA is Girobank's.
# Districts are numbered without leading zeros ("P01" is never written; "PO1" is), which
# settles "pee oh one" in favour of the letter.
_GB = re.compile(
    r"GIR0AA|[A-PR-UWYZ](?:[1-9][0-9]?|0|[A-HK-Y](?:[1-9][0-9]?|0)|[0-9][A-HJKPSTUW]|"
    r"[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2}"
)
_US = re.compile(r"[0-9]{5}(?:[0-9]{4})?")
# Canada Post never uses D, F, I, O, Q or U, nor W or Z as the first letter.
_CA = re.compile(r"[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]")

_LAYOUTS = {
    "GB": ("ADDAA", "ADDDAA", "AADDAA", "AADDDAA", "ADADAA", "AADADAA",
           "AAADAA"),  # the last one only for GIR 0AA
    "US": ("DDDDD", "DDDDDDDDD"),
    "CA": ("ADADAD",),
}
_PATTERNS = {"GB": _GB, "US": _US, "CA": _CA}


class CountryError(ValueError):
    """A country this module has no postcode rules for."""


def _format(country: str, compact: str) -> str:
    if country == "GB":
        return f"{compact[:-3]} {compact[-3:]}"
    if country == "CA":
        return f"{compact[:3]} {compact[3:]}"
    return compact if len(compact) == 5 else f"{compact[:5]}-{compact[5:]}"


def read_postcode(text: str, *, countries: Sequence[str] = ("GB", "US", "CA")) -> Postcode | None:
    """The one postcode the text can mean, or None (unreadable, or two equally likely).

    >>> read_postcode("sierra whiskey one alpha one alpha alpha")
    Postcode(country='GB', value='SW1A 1AA', repaired=False)
    """
    unknown = [c for c in countries if c not in _PATTERNS]
    if unknown:
        raise CountryError(f"no postcode rules for {unknown}")
    if too_long(text):
        return None
    slots, flagged = parse_slots(text)
    found: list[tuple[float, str, str, bool]] = []
    for country in countries:
        for layout in _LAYOUTS[country]:
            for compact, cost, repaired in expand(slots, layout):
                if _PATTERNS[country].fullmatch(compact):
                    found.append((cost, country, compact, repaired))
    if not found:
        return None
    found.sort()
    cost, country, compact, repaired = found[0]
    rivals = {(c, v) for k, c, v, _ in found if k == cost}
    if len(rivals) > 1:
        return None  # two postcodes fit equally well: ask again rather than pick one
    return Postcode(country, _format(country, compact), flagged or repaired or len(found) > 1)


def typed_postcode(value: str) -> Postcode | None:
    """A postcode typed by staff (on file, or in a customer file): same rules, but never spoken words."""
    compact = re.sub(r"[\s-]", "", value.upper()) if isinstance(value, str) else ""
    for country, pattern in _PATTERNS.items():
        if pattern.fullmatch(compact):
            return Postcode(country, _format(country, compact))
    return None


def postcodes_match(given: str, on_file: str) -> bool:
    """Whether what the caller said is the postcode on file (US: first five digits)."""
    heard = read_postcode(given) if isinstance(given, str) else None
    stored = typed_postcode(on_file) or (read_postcode(on_file) if isinstance(on_file, str) else None)
    if heard is None or stored is None or heard.country != stored.country:
        return False
    a, b = heard.value, stored.value
    if heard.country == "US":
        a, b = a[:5], b[:5]
    return hmac.compare_digest(a.encode(), b.encode())
