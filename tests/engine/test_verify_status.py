"""A verified caller whose account is suspended or closed: told which, routed differently, reason recorded."""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from tests.flow_texts import english_only, shipped

from bot.engine.bundle import bundle_from_texts
from tests.engine.fakes import ALICE, MemoryDirectory, memory_services
from tests.engine.test_runner import Conversation


def verified_call(bundle, status):
    base = memory_services()
    record = dataclasses.replace(ALICE, status=status)
    services = dataclasses.replace(base, directory=MemoryDirectory({record.number: record}))
    convo = Conversation(bundle, services)
    convo.send("digits", ALICE.number)
    convo.send("digits", "03031985")
    return convo, convo.send("speech", "SW1A 1AA")


def test_suspended_account_is_told_it_is_on_hold_and_goes_to_account_review(bundle):
    convo, reply = verified_call(bundle, "suspended")
    assert "on hold" in reply.text and "no longer active" not in reply.text
    assert reply.handoff.department == "account_review"
    assert reply.handoff.context["reason"] == "account-suspended"
    assert reply.handoff.context["verified"] is True
    assert "account-suspended" in convo.outcomes


def test_closed_account_is_told_it_is_no_longer_active_and_goes_to_general(bundle):
    convo, reply = verified_call(bundle, "closed")
    assert "no longer active" in reply.text and "on hold" not in reply.text
    assert reply.handoff.department == "general"
    assert reply.handoff.context["reason"] == "account-closed"
    assert "account-closed" in convo.outcomes


def test_active_account_reaches_the_menu(bundle):
    convo, reply = verified_call(bundle, "active")
    assert reply.handoff is None and convo.state.step == "main_menu"


@pytest.fixture(scope="module")
def without_on_suspended():
    texts = english_only(shipped())
    flow = yaml.safe_load(texts["default.yaml"])
    del flow["steps"]["check_details"]["on_suspended"]
    del flow["steps"]["account_suspended"]  # unreachable now, which loading refuses
    texts["default.yaml"] = yaml.safe_dump(flow, sort_keys=False)
    return bundle_from_texts(texts)


def test_flows_without_on_suspended_treat_suspended_as_closed(without_on_suspended):
    _, reply = verified_call(without_on_suspended, "suspended")
    assert "no longer active" in reply.text
    assert reply.handoff.department == "general"
    assert reply.handoff.context["reason"] == "account-suspended"
