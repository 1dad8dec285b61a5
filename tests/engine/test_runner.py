"""The engine on its own: no HTTP, no database."""
from __future__ import annotations

from hypothesis import given, settings, strategies as st

from bot.engine.io import Input
from bot.engine.runner import run_turn, start_state
from tests.engine.fakes import memory_services


class Conversation:
    def __init__(self, bundle, services=None, channel="voice"):
        self.bundle = bundle
        self.services = services or memory_services()
        self.channel = channel
        first = Input(channel=channel, session_key="CA-test", kind="start")
        self.state = start_state(bundle, first)
        self.reply, self.events = run_turn(bundle, self.services, self.state, first)

    def send(self, kind: str, value: str = "", confidence: float | None = None):
        inp = Input(channel=self.channel, session_key="CA-test", kind=kind, value=value, confidence=confidence)
        self.reply, self.events = run_turn(self.bundle, self.services, self.state, inp)
        return self.reply

    @property
    def outcomes(self):
        return [e.outcome for e in self.events]


def test_start_greets_and_asks_for_the_number(bundle):
    convo = Conversation(bundle)
    assert convo.reply.text.startswith("Welcome to Northwind")
    # The prompt says "followed by the hash key": the caller ends the entry, so a longer one (a card
    # number typed by mistake) is heard whole rather than cut at ten digits.
    assert convo.reply.expect is not None and convo.reply.expect.num_digits is None
    assert convo.reply.expect.finish_on_key == "#"
    # The language offer listens on its own before it: one key, one second, the Spanish recogniser.
    offer = convo.reply.offer
    assert (offer.num_digits, offer.timeout, offer.language) == (1, 1, "es-ES")
    assert [s.text.strip() for s in convo.reply.say[convo.reply.offer_said - 1:convo.reply.offer_said]] == ["Para español, pulse 9."]
    assert convo.state.step == "customer_number"


def test_keypad_path_verifies_and_routes(bundle):
    convo = Conversation(bundle)
    convo.send("digits", "1023456781")
    assert convo.state.step == "date_of_birth" and convo.reply.expect.num_digits == 8
    convo.send("digits", "03031985")
    convo.send("speech", "SW1A 1AA")
    assert convo.state.verified and convo.state.step == "main_menu"
    reply = convo.send("digits", "3")
    assert reply.handoff.department == "loans"
    assert reply.handoff.context["factors"] == ["date_of_birth", "postcode"]
    assert convo.services.audit.records[-1]["result"] == "verified"


def test_chat_wording_differs_from_voice(bundle):
    convo = Conversation(bundle, channel="web")
    assert "type your customer number" in convo.reply.text
    assert "keypad" not in convo.reply.text


def test_factor_results_not_answers_are_kept(bundle):
    convo = Conversation(bundle)
    convo.send("digits", "1023456781")
    convo.send("digits", "03031985")
    assert convo.state.factors == {"date_of_birth": True}
    assert "1985" not in str(convo.state.to_dict())


def test_low_confidence_speech_is_read_back(bundle):
    convo = Conversation(bundle)
    reply = convo.send("speech", "1 0 2 3 4 5 6 7 8 1", confidence=0.3)
    assert "confirming" in convo.outcomes and reply.expect.num_digits == 1
    digits = "".join(s.text for s in reply.say if s.kind == "digits")
    assert digits == "1023456781"
    convo.send("digits", "2")  # "no": asked again, and it counted as a try
    assert convo.state.step == "customer_number" and convo.state.attempts("customer_number") == 1
    convo.send("speech", "1 0 2 3 4 5 6 7 8 1", confidence=0.3)
    convo.send("speech", "yes")
    assert convo.state.step == "date_of_birth"


def test_menu_understands_intent_and_spoken_keys(bundle):
    for said, department in [("I want to pay my bill", "billing"), ("two", "cards"), ("I lost my card", "cards")]:
        convo = Conversation(bundle)
        convo.send("digits", "1023456781")
        convo.send("digits", "03031985")
        convo.send("speech", "SW1A 1AA")
        reply = convo.send("speech", said)
        assert reply.handoff is not None and reply.handoff.department == department, said


inputs = st.one_of(
    st.tuples(st.just("silence"), st.just("")),
    st.tuples(st.just("digits"), st.text(alphabet="0123456789*#", max_size=12)),
    st.tuples(st.just("speech"), st.text(max_size=40)),
    st.tuples(st.just("speech"), st.sampled_from(["yes", "no", "one oh two", "agent", "SW1A 1AA", "3 March 1985"])),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(inputs, min_size=1, max_size=60))
def test_no_sequence_of_inputs_loops_or_dead_ends(bundle, sequence):
    """Whatever a caller does, every reply either waits for input or hands over, and the attempt
    caps bring any conversation to a handoff within a bounded number of turns."""
    convo = Conversation(bundle)
    turns = 0
    for kind, value in sequence * 3:
        if convo.reply.handoff is not None:
            break
        assert convo.reply.expect is not None and convo.reply.text
        convo.send(kind, value)
        turns += 1
    if convo.reply.handoff is None:
        # Keep failing: silence must reach a handoff within the caps (3 tries a question, 2 checks).
        for _ in range(40):
            if convo.reply.handoff is not None:
                break
            convo.send("silence")
    assert convo.reply.handoff is not None
