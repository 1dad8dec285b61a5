"""A call's own webhooks are the app's first routes: plain Starlette routes matched before anything else
(FastAPI's included-router matching cost about a tenth of these requests' web-layer work)."""
from __future__ import annotations

from fastapi.testclient import TestClient
from starlette.routing import Route

from tests.conftest import BASE_URL, make_settings
from webhooks.app import create_app

CALL_PATHS = ["/twilio/voice", "/twilio/voice/turn", "/twilio/voice/status", "/twilio/messaging"]


def test_a_calls_webhooks_are_matched_first(customers):
    app = create_app(make_settings(customers))
    first = app.router.routes[:len(CALL_PATHS)]
    assert [route.path for route in first] == CALL_PATHS
    assert all(type(route) is Route and route.methods == {"POST"} for route in first)
    # Served once: not also through an included router further down.
    assert [getattr(route, "path", None) for route in app.router.routes].count("/twilio/voice/turn") == 1


def test_a_call_webhook_asked_with_the_wrong_method_is_405_not_a_page(customers):
    with TestClient(create_app(make_settings(customers)), base_url=BASE_URL) as http:
        for path in CALL_PATHS:
            assert http.get(path).status_code == 405
