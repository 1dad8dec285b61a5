"""The redaction filter: what logs may and may not hold."""
from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logging_setup import JsonFormatter, RedactionFilter, bind, mask, redact


@pytest.mark.parametrize("raw, forbidden, expected_piece", [
    ("customer 1023456781 entered", "1023456781", "******6781"),
    ("customer 10 2345 6781 entered", "2345", "******6781"),
    ("member MB1234567X", "MB1234567X", "******567X"),
    ("phone +447700900123", "7700900", "0123"),
    ("born 1985-03-03", "1985", "[date]"),
    ("born 03/03/1985", "03/03", "[date]"),
    ("postcode SW1A 1AA", "SW1A", "[postcode]"),
    ("postcode sw1a1aa", "sw1a", "[postcode]"),
    ("zip 90210", "90210", "[redacted]"),
    ("canada K1A 0B1", "K1A", "[postcode]"),
    ("mail john.smith@example.com", "john.smith", "[email]"),
    ("code 482913", "2913", "[redacted]"),
])
def test_personal_data_is_masked_or_removed(raw, forbidden, expected_piece):
    out = redact(raw)
    assert forbidden not in out
    assert expected_piece in out


def test_operational_details_survive():
    line = "conversation 4f3a9c0000000000000000000000beef call CA0123456789abcdef0123456789abcdef turn 3 at date_of_birth: no-input"
    assert redact(line) == line


def test_mask_keeps_only_the_last_four():
    assert mask("10 2345 6781") == "******6781"
    assert mask("123") == "****"


def test_filter_redacts_arguments_and_exceptions():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "number %s dob %s", ("1023456781", "1985-03-03"), None)
    try:
        raise ValueError("bad postcode SW1A 1AA for 1023456781")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    RedactionFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "1023456781" not in formatted and "1985-03-03" not in formatted and "SW1A" not in formatted
    assert "******6781" in formatted


def test_a_record_passing_two_handlers_is_redacted_once():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "customer %s", ("1023456781",), None)
    first, second = RedactionFilter(), RedactionFilter()
    assert first.filter(record) and second.filter(record)
    assert record.getMessage() == "customer ******6781"


def test_addresses_and_flow_versions_stay_readable():
    line = "Uvicorn running on http://127.0.0.1:8000; published flow version d4876c3e7485"
    assert redact(line) == line
    assert "1023456781" not in redact("version 1023456781")  # all digits: could be a number, so masked


def test_process_ids_traceback_lines_and_twilio_error_codes_stay_readable():
    for line in ("Started server process [123456]", "Waiting for child process [40213]", "worker pid=40213 exited",
                 '  File "/srv/frontdoor/bot/turns.py", line 1234, in handle',
                 "fallback URL used for call CA...abcdef (Twilio error 11200)"):
        assert redact(line) == line


def test_timestamps_and_migration_revisions_stay_readable_but_a_date_beside_them_does_not():
    for line in ("[parameters: ('CA123', '2026-12-01 10:03:36.323000', 3)]", "at 2026-12-01T10:03:36+00:00 ok",
                 "expires 2026-12-01T10:03:36.5Z", "Running upgrade  -> 0001, initial schema",
                 "Running upgrade 0003 -> 0004, sealed answers", "Running downgrade 0004 -> 0003, sealed answers"):
        assert redact(line) == line
    # A date without a time to the second could be a birth date; a number after a migration line is not spared.
    assert redact("born 1984-03-12 10:15") == "born [date] 10:15"
    assert redact("born 1984-03-12 at 2026-12-01 10:03:36") == "born [date] at 2026-12-01 10:03:36"
    assert "1023456781" not in redact("Running upgrade 0003 -> 0004, customer 1023456781")


def test_a_traceback_keeps_its_line_numbers_but_not_the_data_in_its_message():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "turn failed", (), None)
    try:
        raise ValueError("no customer 1023456781 born 1985-03-03")
    except ValueError:
        import sys
        record.exc_info = sys.exc_info()
    RedactionFilter().filter(record)
    assert "1023456781" not in record.exc_text and "1985-03-03" not in record.exc_text
    lineno = record.exc_info[2].tb_lineno
    assert f'line {lineno}, in test_a_traceback_keeps' in record.exc_text


def access_record(path: str) -> logging.LogRecord:
    # Exactly what uvicorn's h11 protocol logs for each request.
    return logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                             ("127.0.0.1:50412", "POST", path, "1.1", 200), None)


def test_uvicorns_own_access_formatter_still_gets_its_arguments(capsys):
    from uvicorn.logging import AccessFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False))
    handler.addFilter(RedactionFilter())
    logger = logging.getLogger("test.access")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.handle(access_record("/twilio/voice/turn?t=3"))
        logger.handle(access_record("/lookup?number=1023456781"))
    finally:
        logger.removeHandler(handler)
    assert "Logging error" not in capsys.readouterr().err
    lines = stream.getvalue().splitlines()
    assert lines == ['127.0.0.1:50412 - "POST /twilio/voice/turn?t=3 HTTP/1.1" 200 OK',
                     '127.0.0.1:50412 - "POST /lookup?number=******6781 HTTP/1.1" 200 OK']


def test_a_message_with_data_is_redacted_whole():
    # A number formatted with %d cannot hold a mask: the message is rewritten, arguments dropped.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "customer %d", (1023456781,), None)
    RedactionFilter().filter(record)
    assert record.getMessage() == "customer ******6781" and record.args == ()
    # Data split over two arguments is caught in the whole line (a postcode in two halves).
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "postcode %s %s", ("SW1A", "1AA"), None)
    RedactionFilter().filter(record)
    assert record.getMessage() == "postcode [postcode]"
    # A line with nothing to redact keeps its arguments untouched.
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "turn %s at %s", (3, "dob"), None)
    RedactionFilter().filter(record)
    assert record.args == (3, "dob")


def test_json_lines_carry_the_conversation_and_a_masked_call_sid():
    import contextvars

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactionFilter())
    logger = logging.getLogger("test.json")
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.propagate = False
    sid = "CA0123456789abcdef0123456789abcdef"

    def in_a_request():
        bind(call_sid=sid)
        bind(conversation_id="4f3a9c0000000000000000000000beef")
        logger.info("customer %s born %s", "1023456781", "1985-03-03")
        try:
            raise RuntimeError("lookup of 1023456781 failed")
        except RuntimeError:
            logger.exception("turn failed")

    try:
        contextvars.Context().run(in_a_request)
        contextvars.Context().run(logger.info, "outside any request")
    finally:
        logger.removeHandler(handler)
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "customer ******6781 born [date]" and first["level"] == "INFO"
    assert first["conversation_id"] == "4f3a9c0000000000000000000000beef"
    assert first["call_sid"] == "CA...abcdef" and sid not in stream.getvalue()
    assert first["logger"] == "test.json" and first["process"] > 0 and first["time"].endswith("+00:00")
    assert "1023456781" not in second["exception"] and "RuntimeError" in second["exception"]
    assert "conversation_id" not in third and "call_sid" not in third  # each request has its own context


def test_lines_without_digits_or_at_signs_are_left_as_they_are():
    line = "AGENT_DESK_URL is not set: chat handoffs are kept as dead letters"
    assert redact(line) is line
