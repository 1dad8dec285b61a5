"""`bot simulate`: a conversation with the flow at a terminal, as a caller or a chat customer has it.

The typed lines go through `bot.dialogue.Dialogue` (same engine, same store as the webhooks). On
voice, `1234#` is the keypad, an empty line is silence and anything else is speech; on chat every
line is a message. Lines starting with ':' are commands for the person at the terminal.
"""
from __future__ import annotations

import json
from typing import Any

from rich.console import Console

from bot.chat.render import chat_text
from bot.dialogue import Dialogue
from bot.engine.io import Expect, Reply
from bot.logging_setup import mask
from bot.records import State

HELP = """\
On a call: digits like 1023456781# are keypad presses (* is the star key), an empty line is
silence (no input before the timeout), anything else is what the caller says.
In a chat: every line is a message.
  :twiml   what the last reply sent to Twilio (TwiML; JSON for web chat)
  :state   the conversation's state as stored (customer number masked)
  :handoff RESULT   after a call is handed over: how Twilio reports it ended (answered, busy,
           no-answer, failed, canceled, left = waited past the maximum, abandoned)
  :help    this help
  :quit    hang up and leave (end of input does the same)"""


def masked_state(state: State) -> dict[str, Any]:
    """The stored state for display, as logs would show it: numbers by their last four characters,
    and a reading awaiting the caller's yes/no (a number, a date, a postcode) not at all."""
    data = state.to_dict()
    for key in ("customer_number", "caller", "partial"):
        if data.get(key):
            data[key] = mask(str(data[key]))
    if isinstance(data.get("pending"), dict) and "value" in data["pending"]:
        data["pending"] = {**data["pending"], "value": "(withheld)"}
    return data


def waiting_for(expect: Expect, silence: str = "an empty line") -> str:
    keys = []
    if expect.dtmf:
        details = [f"{expect.num_digits} key{'s' if expect.num_digits > 1 else ''}"] if expect.num_digits else []
        if expect.finish_on_key:
            details.append(f"{expect.finish_on_key} to finish")
        keys.append(f"keypad ({', '.join(details)})" if details else "keypad")
    if expect.speech:
        keys.append("speech")
    return f"waiting for {' or '.join(keys) or 'keypad'}; {silence} is {expect.timeout} s of silence"


class Simulator:
    """Reads one line at a time; `feed` returns False when the person wants to leave."""

    def __init__(self, dialogue: Dialogue, console: Console):
        self.dialogue = dialogue
        self.console = console

    def open(self) -> None:
        if self.dialogue.channel == "voice":
            self._line("Keypad: digits like 1023456781# (* is the star key). Speech: any words. Silence: an empty line.")
        else:
            self._line("Every line you type is a message.")
        self._line("Commands: :twiml :state :handoff :help :quit")
        if self.dialogue.opened_by_message:
            self._line(f"This {self.dialogue.channel} conversation starts when the customer's first message arrives: type it.")
            return
        self.show(self.dialogue.start().reply)

    def feed(self, line: str) -> bool:
        text = line.strip()
        if text.startswith(":"):
            return self.command(text[1:].lower())
        if self.dialogue.last is None:
            self.show(self.dialogue.start(text).reply)
        elif self.dialogue.ended:
            self._line("The conversation has ended. :twiml and :state still work; :quit to leave.", style="yellow")
        elif not text and self.dialogue.channel != "voice":
            self._line("(a chat only moves when a message arrives: type something)", style="dim")
        elif not text:
            self.show(self.dialogue.silence().reply)
        else:
            self.show(self.dialogue.send(text).reply)
        return True

    def command(self, name: str) -> bool:
        if name in ("quit", "q", "exit"):
            self.quit()
            return False
        if name == "help":
            self._line(HELP)
        elif name == "twiml":
            last = self.dialogue.last
            self._line(last.body if last else "(nothing sent yet)")
        elif name.split()[0] == "handoff":
            self._handoff(name.partition(" ")[2].strip())
        elif name == "state":
            state = self.dialogue.state()
            self._line(json.dumps(masked_state(state), indent=2) if state else "(no conversation yet)")
        else:
            self._line(f"unknown command :{name}; :help lists them", style="yellow")
        return True

    def _handoff(self, result: str) -> None:
        from bot.engine.unanswered import RESULTS

        reply = self.dialogue.last.reply if self.dialogue.last else None
        if self.dialogue.channel != "voice" or reply is None or reply.handoff is None:
            self._line(":handoff follows a call's handoff (a chat is handed to the agent desk)", style="yellow")
        elif result not in RESULTS:
            self._line(f":handoff needs one of {', '.join(RESULTS)}", style="yellow")
        else:
            self.show(self.dialogue.handoff_ended(result).reply)

    def quit(self) -> None:
        # Leaving mid-call is hanging up: the store records where, as for a real caller.
        if self.dialogue.channel == "voice" and self.dialogue.last is not None and not self.dialogue.ended:
            self.dialogue.hang_up()
            self._line("(hung up)", style="dim")

    def show(self, reply: Reply | None) -> None:
        if reply is None:
            return
        state = self.dialogue.state()
        step = state.step if state else None
        if self.dialogue.channel == "voice":
            self._line(f"bot: {reply.text}", style="bold cyan")
        else:
            self._line("bot: " + chat_text(reply).replace("\n", "\n     "), style="bold cyan")
            if reply.expect is not None and reply.expect.options:
                # The buttons the web widget shows under the message.
                self._line("     quick replies: " + " | ".join(o.label for o in reply.expect.options), style="cyan")
        for text in reply.texts:
            # Never the message itself: it may hold a customer number.
            self._line(f"-> a text message is due to {mask(text.to)} (the simulator sends nothing)", style="green")
        if reply.handoff is not None:
            context = reply.handoff.context
            self._line(f"-> handed over to {reply.handoff.department} ({reply.handoff.target.kind} "
                       f"{reply.handoff.target.address}): verified {str(context.get('verified')).lower()}, "
                       f"locked {str(context.get('locked')).lower()}, reason {context.get('reason')}", style="green")
        elif reply.end:
            self._line("-> the conversation ended", style="green")
        variants = " ".join(f"A/B {n}={v}" for n, v in sorted(state.variants.items())) if state else ""
        tag = f"[{step}{' ' + variants if variants else ''}]"
        if reply.handoff is not None or reply.end:
            return
        if reply.expect is not None and self.dialogue.channel == "voice":
            if reply.offer is not None:
                offer = reply.offer
                self._line(f"   the offer listens {offer.timeout} s for {offer.num_digits} key, or speech in "
                           f"{offer.language}, before the question", style="dim")
            self._line(f"   {tag} {waiting_for(reply.expect)}", style="dim")
        else:
            self._line(f"   {tag}", style="dim")

    def _line(self, text: str, *, style: str | None = None) -> None:
        # Bot wording is shown as written: square brackets in a prompt are not rich markup.
        self.console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)
