"""bot.deadline: a turn's deadline holds for the work run within it, and for nothing after."""
from __future__ import annotations

import time

import pytest

from bot import deadline
from bot.deadline import TurnTimedOut


def test_work_sees_its_deadline_and_nothing_after_it_does():
    seen = deadline.within(time.monotonic() + 5, deadline.remaining)
    assert 4 < seen <= 5
    assert deadline.remaining() is None
    deadline.check()  # no deadline, nothing to miss


def test_a_passed_deadline_is_reported_inside_the_work_only():
    with pytest.raises(TurnTimedOut):
        deadline.within(time.monotonic() - 0.1, deadline.check)
    deadline.check()
