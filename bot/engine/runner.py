"""One turn of a conversation: feed the input to the current step, then follow `goto`s until a
step waits for input, hands over or ends. Pure: state in, reply and events out."""
from __future__ import annotations

from bot.engine import unanswered
from bot.engine.bundle import FlowBundle
from bot.engine.context import Services, Turn
from bot.engine.io import Input, Reply
from bot.records import EventRecord, State

# A validated flow cannot loop without input, but a bound keeps a mistake from hanging a worker.
MAX_HOPS = 50


class EngineError(RuntimeError):
    pass


def start_state(bundle: FlowBundle, inp: Input) -> State:
    return State(step=bundle.flow.start, language=bundle.flow.default_language, channel=inp.channel,
                 caller=inp.caller)


def run_turn(bundle: FlowBundle, services: Services, state: State, inp: Input) -> tuple[Reply, list[EventRecord]]:
    flow = bundle.flow
    turn = Turn(bundle, services, state, inp)
    if state.ended and inp.kind != "handoff":
        turn.event("ignored", "conversation already ended")
        return Reply(end=True, language=state.language), turn.events
    if inp.kind == "start":
        state.step = flow.start
        turn.event("started", inp.channel)
        outcome = flow.steps[state.step].enter(turn)
    elif inp.kind == "handoff":
        outcome = unanswered.after_handoff(turn, inp)
    elif state.unanswered:
        outcome = unanswered.choose(turn, inp)
    else:
        outcome = _offered(turn, inp) or flow.steps[state.step].handle(turn, inp)

    voice = flow.voice_for(state.language)
    reply = Reply(language=voice.get("language", state.language), voice=voice.get("voice"))
    reply, events = _follow(turn, reply, outcome)
    reply.withhold_input = turn.withhold_input
    return reply, events


def _follow(turn: Turn, reply: Reply, outcome) -> tuple[Reply, list[EventRecord]]:
    flow, state = turn.flow, turn.state
    for _ in range(MAX_HOPS):
        reply.say += outcome.say
        reply.texts += outcome.texts
        if outcome.offer is not None:
            reply.offer, reply.offer_said = outcome.offer, len(reply.say)
        if outcome.handoff is not None:
            reply.handoff = outcome.handoff
            return reply, turn.events
        if outcome.end:
            reply.end = True
            reply.record = outcome.record
            reply.text_message = outcome.text_message
            return reply, turn.events
        if outcome.goto is None:
            reply.expect = outcome.expect
            return reply, turn.events
        state.step = outcome.goto
        outcome = flow.steps[state.step].enter(turn)
    raise EngineError(f"flow {flow.name!r} moved {MAX_HOPS} steps without waiting for input (at {state.step!r})")


def _offered(turn: Turn, inp: Input):
    """An inline offer (a language choice) is taken up, or withdrawn, by the first real answer."""
    state = turn.state
    if not state.offer or inp.kind == "silence" or not inp.value.strip():
        return None
    offered = turn.flow.steps.get(state.offer)
    state.offer = None
    taken = offered.take_offer(turn, inp) if offered is not None else None
    if taken is None and inp.at_offer and hasattr(turn.flow.steps[state.step], "prompt"):
        # Keys or words given while only the offer listened, before the question was asked (a
        # keypad caller starting early loses the keys after the first): ask the question now.
        question = turn.flow.steps[state.step]
        turn.event("early", "before the question")
        return question.ask(turn, question.prompt(turn))
    return taken


def hang_up(state: State) -> EventRecord:
    """The caller went away: remember where, for the funnel."""
    state.ended = True
    return EventRecord(state.step, "hung-up")
