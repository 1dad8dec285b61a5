from __future__ import annotations

import copy
from pathlib import Path

import pytest

from bot.numbering import SchemeSet, load_schemes

FIXTURES = Path(__file__).parent / "fixtures"

# Computed with python-stdnum (damm/luhn/mod_37_36.calc_check_digit) and kept as
# literals, so a change in how we call stdnum shows up as a failing test.
DEFAULT_VALID = ["1012345679", "2012345678"]
MEMBER_VALID = "MB1234567O"
LEGACY_VALID = "12345674"

# Input a chat or keypad channel can deliver, plus values a careless caller of the API
# might pass. Nothing here may raise anything but the documented ValidationErrors.
JUNK = [
    "",
    " ",
    "#",
    "*",
    "12#",
    "1" * 10_000,
    "x" * 10_000,
    "١٢٣",
    "１２３",
    "²",
    "\x00",
    "\ud800",
    "ß" * 5,
    "🙂",
    None,
    0,
    1012345679,
    10**30,
    1.5,
    b"1012345679",
    ["1", "0"],
    object(),
]

DEFAULT_SCHEME = {
    "name": "customer",
    "label": "customer number",
    "alphabet": "digits",
    "segments": [
        {
            "kind": "prefix",
            "length": 2,
            "table": {
                "10": {"meaning": "Personal banking", "department": "personal"},
                "20": {"meaning": "Business banking", "department": "business"},
                "30": {"meaning": "Insurance", "department": "insurance"},
            },
        },
        {"kind": "serial", "length": 7},
        {"kind": "check", "algorithm": "damm"},
    ],
    "display": "## #### ####",
}


def default_scheme_dict() -> dict:
    """A fresh copy of the default scheme's mapping, for tests that break one field."""
    return copy.deepcopy(DEFAULT_SCHEME)


@pytest.fixture(scope="session")
def default_set() -> SchemeSet:
    return load_schemes()


@pytest.fixture(scope="session")
def member_set() -> SchemeSet:
    return load_schemes(FIXTURES / "alphanumeric.yaml")


@pytest.fixture(scope="session")
def legacy_set() -> SchemeSet:
    return load_schemes(FIXTURES / "with_legacy.yaml")


@pytest.fixture(scope="session")
def mixed_set(default_set: SchemeSet, member_set: SchemeSet) -> SchemeSet:
    """Default digits scheme and the member scheme: both 10 characters long."""
    return SchemeSet([default_set.default, member_set.default])


@pytest.fixture(scope="session")
def all_schemes(default_set, member_set, legacy_set):
    return [*default_set, *member_set, *legacy_set]
