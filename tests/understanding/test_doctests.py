"""The examples in the modules' docstrings are part of the specification: run them."""

import doctest

import pytest

from bot.understanding import characters, control, emails, intents, numbers, phones, postcodes
from bot.understanding import answers, unknown_number


@pytest.mark.parametrize("module", [answers, characters, control, emails, intents, numbers, phones, postcodes,
                                    unknown_number])
def test_docstring_examples(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
