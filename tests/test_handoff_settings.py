"""departments.yaml: how each line is handled when no one answers, checked at load with file and line."""
from __future__ import annotations

import pytest

from bot.engine.bundle import bundle_from_texts
from bot.yaml_source import ConfigError
from tests.flow_texts import shipped


def problems_with(departments: str) -> list[str]:
    texts = shipped()
    texts["departments.yaml"] = departments
    with pytest.raises(ConfigError) as info:
        bundle_from_texts(texts)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def edited(old: str, new: str) -> str:
    text = shipped()["departments.yaml"]
    assert old in text
    return text.replace(old, new, 1)


def test_the_shipped_departments_say_what_happens_when_no_one_answers():
    bundle = bundle_from_texts(shipped())
    assert bundle.departments["fraud"].unanswered == ("general", "callback")
    assert bundle.departments["fraud"].target.ring_seconds == 20
    assert bundle.departments["billing"].unanswered == ("callback", "voicemail")  # the file's default
    assert (bundle.departments["cards"].target.task_priority, bundle.departments["cards"].max_wait) == (10, 300)


@pytest.mark.parametrize("old, new, needle, message", [
    ("    unanswered: [voicemail]\n", "    unanswered: [voicemale]\n", "voicemale",
     "unknown alternative 'voicemale'; did you mean 'voicemail'?"),
    ("    unanswered: [voicemail]\n", "    unanswered: [collections]\n", "unanswered: [collections]",
     "'collections' is this department"),
    ("    ring_seconds: 25\n", "    ring_seconds: 900\n", "ring_seconds: 900",
     "expected seconds of ringing: a whole number from 5 to 600, got 900"),
    ("    ring_seconds: 25\n", "    max_wait: 60\n", "    max_wait: 60",
     "max_wait applies to a queue target; this department's target is a number"),
    ("    ring_seconds: 20\n", "    task: {priority: 3}\n", "task: {priority: 3}",
     "task applies to a queue target; this department's target is a sip"),
    ("    task: {priority: 10}\n", "    task: {priority: -1}\n", "priority: -1",
     "expected a priority: a whole number from 0 to 2147483647, got -1"),
    ("    max_wait: 300\n", "    hold_audio: music.mp3\n", "hold_audio: music.mp3",
     "expected the URL of an audio file Twilio can <Play> (https://...), got 'music.mp3'"),
])
def test_each_mistake_is_reported_where_it_is(old, new, needle, message):
    text = edited(old, new)
    found = problems_with(text)
    line = line_of(text, needle)
    assert any(p.startswith(f"flows/departments.yaml:{line}: ") and message in p for p in found), found
