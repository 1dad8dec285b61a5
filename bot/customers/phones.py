"""A customer file's phone number in E.164, or None if phonenumbers would not call it valid.

phonenumbers' parse + is_valid_number costs about 65 us a number, most of the cost of cleaning a
row. Nearly every phone in an export is digits and single spaces, with or without a leading "+"
("07911 123456", "+44 7911 123456"); for those this module follows the same steps phonenumbers
takes (country code, national prefix, the region's number patterns, from phonenumbers' own
metadata) in a few microseconds. Whenever a step could go more than one way (an international
dialling prefix, the default region's country code written without "+", a leading zero kept in
the national number, a national prefix rewritten, non-geographic codes) or the fast path finds
the number invalid, the answer is left to phonenumbers itself, so a fast answer is only ever a
valid number that phonenumbers gives the same E.164 form for (tests/customers/test_phones.py
compares the two on a varied sample).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

from bot.understanding.phones import valid_e164

# Digits in groups separated by single spaces, perhaps after a "+": nothing for phonenumbers to
# read as an extension, a letter, a second number or an RFC 3966 "tel:" form.
_SIMPLE = re.compile(r"\+?[0-9]+(?: [0-9]+)*")
_NON_GEOGRAPHIC = "001"
_MAX_COUNTRY_CODE_DIGITS = 3
_MIN_NSN, _MAX_NSN = 2, 17  # phonenumbers' bounds on a national significant number

# A number description, as phonenumbers matches one: possible lengths (empty: any) and its pattern.
_Desc = tuple[frozenset[int], "re.Pattern[str] | None"]


def e164(value: str, region: str) -> str | None:
    """`value` (stripped) in E.164 if phonenumbers finds it a valid number with `region` as the default."""
    fast = _fast_e164(value, region)
    return fast if fast is not None else valid_e164(value, region)


def _fast_e164(value: str, region: str) -> str | None:
    """The E.164 form of a simple, valid number; None means "ask phonenumbers" (never "invalid")."""
    if not _SIMPLE.fullmatch(value):
        return None
    digits = value.replace(" ", "")
    if digits[0] == "+":
        digits = digits[1:]
        if len(digits) <= _MIN_NSN or digits[0] == "0":
            return None
        for size in range(1, _MAX_COUNTRY_CODE_DIGITS + 1):
            if int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
                country_code, national = int(digits[:size]), digits[size:]
                break
        else:
            return None
        # parse strips a national prefix as the code's main region would.
        plan = _plan(country_code, COUNTRY_CODE_TO_REGION_CODE[country_code][0])
    else:
        home = _home(region)
        # Two digits and a space are not "viable" to phonenumbers, though "12" is: leave such to it.
        if (home is None or len(digits) <= _MIN_NSN or (home.idd is not None and home.idd.match(digits))
                or digits.startswith(home.code_text)):
            return None
        country_code, national = home.code, digits
        plan = _plan(country_code, home.region)
    if plan is None or len(national) < _MIN_NSN:
        return None
    nsn = plan.without_national_prefix(national)
    if not _MIN_NSN <= len(nsn) <= _MAX_NSN or nsn[0] == "0":
        return None
    return f"+{country_code}{nsn}" if plan.is_valid(nsn) else None


@dataclass(frozen=True)
class _Home:
    """The default region: its country code, and its international dialling prefix (e.g. 00)."""
    region: str
    code: int
    code_text: str
    idd: re.Pattern[str] | None


@lru_cache(maxsize=None)
def _home(region: str) -> _Home | None:
    metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
    if metadata is None or region.upper() == _NON_GEOGRAPHIC:
        return None
    idd = metadata.international_prefix  # even "" counts (it matches everything)
    return _Home(region.upper(), metadata.country_code, str(metadata.country_code),
                 re.compile(idd) if idd is not None else None)


@dataclass(frozen=True)
class _Region:
    leading_digits: re.Pattern[str] | None
    general: _Desc
    types: tuple[_Desc, ...]  # any match makes a number that matches `general` valid

    def matches(self, nsn: str) -> bool:
        """phonenumbers' _number_type_helper(...) != UNKNOWN."""
        return _desc_matches(self.general, nsn) and any(_desc_matches(desc, nsn) for desc in self.types)


@dataclass(frozen=True)
class _Plan:
    """One country code: how parse strips a national prefix (as one of its regions does), and how
    is_valid_number decides."""
    prefix: re.Pattern[str] | None  # that region's national_prefix_for_parsing
    general_pattern: re.Pattern[str] | None
    possible_lengths: tuple[int, ...]
    local_only_lengths: tuple[int, ...]
    regions: tuple[_Region, ...]

    def without_national_prefix(self, national: str) -> str:
        """The national significant number parse keeps (its _maybe_strip_national_prefix_carrier_code,
        then the length test that decides whether the stripped form is kept)."""
        if self.prefix is None:
            return national
        found = self.prefix.match(national)
        if not found:
            return national
        stripped = national[found.end():]
        if _pattern_matches(self.general_pattern, national) and not _pattern_matches(self.general_pattern, stripped):
            return national
        return stripped if self._possible_length(len(stripped)) else national

    def _possible_length(self, length: int) -> bool:
        """Not TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY or INVALID_LENGTH (phonenumbers' _test_number_length)."""
        if length in self.local_only_lengths:
            return False
        lengths = self.possible_lengths
        return length in lengths or length > lengths[-1]

    def is_valid(self, nsn: str) -> bool:
        """phonenumbers.is_valid_number: the region the number belongs to, then that region's patterns."""
        if len(self.regions) == 1:
            return self.regions[0].matches(nsn)
        for region in self.regions:
            if region.leading_digits is not None:
                if region.leading_digits.match(nsn):
                    return region.matches(nsn)
            elif region.matches(nsn):
                return True
        return False


def _pattern_matches(pattern: re.Pattern[str] | None, number: str) -> bool:
    return pattern is not None and pattern.fullmatch(number) is not None


def _desc_matches(desc: _Desc, nsn: str) -> bool:
    lengths, pattern = desc
    return (not lengths or len(nsn) in lengths) and _pattern_matches(pattern, nsn)


def _desc(description) -> _Desc:
    if description is None:
        return frozenset(), None  # never matches: no pattern
    pattern = description.national_number_pattern
    return frozenset(description.possible_length or ()), re.compile(pattern) if pattern else None


def _region(metadata: PhoneMetadata) -> _Region:
    # Any type will do, so the commonest come first (phonenumbers tries them in another order, to
    # name the type). It tries the mobile patterns only when they differ from the fixed-line ones.
    mobile = [] if metadata.same_mobile_and_fixed_line_pattern else [metadata.mobile]
    types = mobile + [metadata.fixed_line, metadata.premium_rate, metadata.toll_free, metadata.shared_cost,
                      metadata.voip, metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail]
    leading = metadata.leading_digits
    return _Region(re.compile(leading) if leading is not None else None, _desc(metadata.general_desc),
                   tuple(_desc(t) for t in types if t is not None))


@lru_cache(maxsize=None)
def _plan(country_code: int, strip_region: str) -> _Plan | None:
    """None for what the fast path leaves to phonenumbers (non-geographic codes, rewritten prefixes)."""
    region_codes = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if not region_codes or _NON_GEOGRAPHIC in region_codes or strip_region not in region_codes:
        return None
    stripping = PhoneMetadata.metadata_for_region(strip_region, None)
    if stripping is None or stripping.national_prefix_transform_rule:
        return None
    regions = []
    for code in region_codes:
        metadata = PhoneMetadata.metadata_for_region(code, None)
        if metadata is None:
            continue  # phonenumbers skips it too
        if metadata.country_code != country_code:
            return None
        regions.append(_region(metadata))
    general = stripping.general_desc
    if general is None or not general.possible_length:
        return None
    prefix = stripping.national_prefix_for_parsing
    return _Plan(re.compile(prefix) if prefix else None,
                 re.compile(general.national_number_pattern) if general.national_number_pattern else None,
                 tuple(general.possible_length), tuple(general.possible_length_local_only or ()), tuple(regions))
