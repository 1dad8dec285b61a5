"""The self-service client (signed like desk handoffs, no redirects, bounded answers) and the `lookup`
step's refusal to look anyone up who is not verified."""
from __future__ import annotations

import dataclasses

import pytest

from bot.engine.context import Turn
from bot.engine.io import Input
from bot.engine.runner import start_state
from bot.records import Looked
from bot.self_service import MAX_RESPONSE_BYTES, SelfServiceClient
from tests.engine.fakes import memory_services
from tests.self_service_backend import SelfServiceBackend

SECRET = "self-service-secret-0123456789"


@pytest.fixture
def backend():
    running = SelfServiceBackend(SECRET).start()
    yield running
    running.stop()


def test_a_signed_request_gets_the_json_object(backend):
    looked = SelfServiceClient(backend.url, SECRET).look_up({"request": "balance", "context": {}})
    assert looked == Looked(values={"balance": "£1,234.56", "as_of": "30 November"})
    assert backend.received[0].signed and backend.received[0].body["request"] == "balance"


def test_the_wrong_secret_is_refused_by_the_endpoint(backend):
    assert SelfServiceClient(backend.url, "another-secret-0123456789").look_up({}).problem == "HTTP 401"


@pytest.mark.parametrize("plan, problem", [
    ({"status": 302}, "HTTP 302"),  # a redirect is not followed
    ({"answer": ["a", "list"]}, "answer is not a JSON object"),
    ({"answer": {"x": "y" * MAX_RESPONSE_BYTES}}, "answer too large"),
])
def test_answers_that_cannot_be_used(backend, plan, problem):
    for name, value in plan.items():
        setattr(backend, name, value)
    assert SelfServiceClient(backend.url, SECRET).look_up({}).problem == problem


def test_a_refused_connection_is_a_failure_not_an_exception():
    from tests.chat.desk_receiver import closed_port_url

    assert SelfServiceClient(closed_port_url(), SECRET).look_up({}).problem.startswith("unreachable")


@dataclasses.dataclass
class Recording:
    asked: list = dataclasses.field(default_factory=list)

    def look_up(self, request: dict) -> Looked:
        self.asked.append(request)
        return Looked(values={"balance": "£1", "as_of": "today"})


def test_no_one_unverified_is_ever_looked_up(bundle):
    service = Recording()
    services = dataclasses.replace(memory_services(), self_service=service)
    state = start_state(bundle, Input("voice", "CA1", "start"))
    state.customer_number = "1023456781"  # a number given, but the details not (yet) checked
    turn = Turn(bundle, services, state, Input("voice", "CA1", "digits", "5"))
    outcome = bundle.flow.steps["balance"].enter(turn)
    assert service.asked == [] and outcome.goto == "to_account_team"
    state.verified = True
    assert bundle.flow.steps["balance"].enter(turn).goto == "main_menu" and len(service.asked) == 1
