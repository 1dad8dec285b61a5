from __future__ import annotations

import pytest
from stdnum import exceptions as stdnum_exceptions

from bot.numbering import errors


@pytest.mark.parametrize(
    ("ours", "theirs", "kind"),
    [
        (errors.InvalidFormat, stdnum_exceptions.InvalidFormat, "format"),
        (errors.InvalidLength, stdnum_exceptions.InvalidLength, "length"),
        (errors.InvalidComponent, stdnum_exceptions.InvalidComponent, "component"),
        (errors.InvalidChecksum, stdnum_exceptions.InvalidChecksum, "checksum"),
    ],
)
def test_each_error_is_caught_as_its_stdnum_counterpart(ours, theirs, kind):
    with pytest.raises(theirs) as caught:
        raise ours("message", got=1)
    assert caught.value.kind == kind
    assert caught.value.details == {"got": 1}
    assert isinstance(caught.value, ValueError)


def test_invalid_length_is_a_kind_of_invalid_format_as_in_stdnum():
    assert issubclass(errors.InvalidLength, errors.InvalidFormat)
    assert issubclass(errors.InvalidLength, stdnum_exceptions.InvalidFormat)
    assert not issubclass(errors.InvalidFormat, stdnum_exceptions.InvalidLength)


def test_message_defaults_to_stdnums_wording():
    assert str(errors.InvalidChecksum()) == stdnum_exceptions.InvalidChecksum.message
    assert str(errors.InvalidLength("a customer number has 10 characters")) == "a customer number has 10 characters"
    assert errors.InvalidChecksum().details == {}


def test_details_are_not_shared_between_instances():
    first, second = errors.InvalidFormat(), errors.InvalidFormat()
    first.details["character"] = "#"
    assert second.details == {}


def test_scheme_definition_error_carries_path_and_says_where():
    error = errors.SchemeDefinitionError(("schemes", 0, "segments", 2, "algorithm"), "unknown algorithm 'crc'")
    assert isinstance(error, ValueError)
    assert error.path == ("schemes", 0, "segments", 2, "algorithm")
    assert error.message == "unknown algorithm 'crc'"
    assert str(error) == "schemes[0].segments[2].algorithm: unknown algorithm 'crc'"


def test_empty_path_reads_as_top_level():
    assert str(errors.SchemeDefinitionError((), "not valid YAML")) == "(top level): not valid YAML"
