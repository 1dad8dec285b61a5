import pytest

from bot.understanding import read_control


@pytest.mark.parametrize(
    ("text", "control"),
    [("repeat", "repeat"), ("can you repeat that please", "repeat"), ("say that again", "repeat"),
     ("pardon?", "repeat"), ("agent", "agent"), ("operator", "agent"), ("representative", "agent"),
     ("a real person", "agent"), ("can I speak to someone please", "agent"),
     ("no I want an agent", "agent"), ("Agent! Agent!", "agent"), ("start again", "restart"),
     ("start over", "restart"), ("help", "help"), ("I don't know", "help"),
     ("I don't know my number", "help")],
)
def test_control_words(text, control):
    assert read_control(text) == control


@pytest.mark.parametrize(
    "text",
    ["my postcode is SW1A 1AA", "I need help with my bill", "help 1 2 3", "someone stole my card",
     "start again and get me an agent", "yes", "", "1 0 5 2", "help " * 20],
)
def test_not_inside_answers(text):
    assert read_control(text) is None
