"""A Reply as chat text: read-back digits join the sentence, line breaks stay, quick replies come along."""
from __future__ import annotations

from bot.chat.render import chat_messages, chat_text
from bot.engine.io import Expect, Option, Reply, Segment


def test_read_back_digits_and_pauses_read_as_one_sentence():
    reply = Reply(say=[Segment("Is your customer number "), Segment("1023", "digits"), Segment("300ms", "pause"),
                       Segment("4567", "digits"), Segment("? Reply yes or no.")])
    assert chat_text(reply) == "Is your customer number 1023 4567? Reply yes or no."


def test_line_breaks_are_kept_and_blank_lines_dropped():
    reply = Reply(say=[Segment("Which team?\n1: billing\n2: cards\n"), Segment(" Reply with a number.")])
    assert chat_text(reply) == "Which team?\n1: billing\n2: cards\nReply with a number."


def test_quick_replies_come_from_the_expected_options():
    reply = Reply(say=[Segment("Was that right?")], expect=Expect(options=(Option("yes", "Yes"), Option("no", "No"))))
    assert chat_messages(reply) == [{"text": "Was that right?",
                                     "options": [{"key": "yes", "label": "Yes"}, {"key": "no", "label": "No"}]}]
    assert chat_messages(Reply(say=[Segment("Bye.")])) == [{"text": "Bye."}]
    assert chat_messages(Reply(end=True)) == []
