"""The shipped flow files with verification features switched on, for tests: billing requires a
one-time code (the flow steps up before handing over), extra factors, caller-ID identification."""
from __future__ import annotations

from pathlib import Path

from tests.flow_texts import english_only, shipped as shipped_texts

STEP_UP_STEP = '''
  step_up_code:
    type: one_time_code
    prompt:
      voice: "For payments I need to check it's really you. I've sent a code by text message to your phone {phone}. Please key it in, or say it. To get a new code, press 0 then hash."
      chat: "For payments I need to check it's really you. I've sent a code by text message to your phone {phone}. Please type it here, or type resend for a new one."
    no_input:
      - "Sorry, I didn't get that. Please enter the code from the text message."
    no_match:
      - "Sorry, a code has six digits. Please enter it again."
    wrong: "That code isn't right. Please try again."
    expired: "That code has expired, so I've sent you a new one. Please enter it."
    resent: "I've sent you a new code. Please enter it."
    unavailable: "Sorry, I can't send you a code just now."
    max_attempts: 3
    max_sends: 3
    next: to_department
    on_fail: to_general
'''

IDENTIFY_STEP = '''
  identify:
    type: identify_caller
    prompt: "Are you calling about the account ending {last_four}? Press 1 or say yes, press 2 or say no."
    locked_prompt: "For your security, I can't go through the security questions with you just now."
    on_yes: date_of_birth
    on_no: customer_number
    on_locked: to_general
'''


def shipped() -> dict[str, str]:
    # English only: these variants add English-only steps, and are about verification, not languages.
    return english_only(shipped_texts())


def replace(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"expected exactly one {old!r} in the shipped flow"
    return text.replace(old, new)


def step_up(texts: dict[str, str] | None = None) -> dict[str, str]:
    texts = dict(texts or shipped())
    texts["policy.yaml"] = replace(texts["policy.yaml"], "departments: {}",
                                   "departments:\n  billing:\n    require: [one_time_code]")
    texts["default.yaml"] = replace(texts["default.yaml"], "    department: $selected\n",
                                    "    department: $selected\n    step_up: step_up_code\n").rstrip("\n") + "\n" + STEP_UP_STEP
    return texts


def policy(texts: dict[str, str], rule: str) -> dict[str, str]:
    """The default policy replaced by `rule` (YAML flow style)."""
    texts = dict(texts)
    texts["policy.yaml"] = replace(texts["policy.yaml"], "  default:\n    all_of: [date_of_birth, postcode]",
                                   f"  default:\n    {rule}")
    return texts


def ask_after_postcode(texts: dict[str, str], factor: str, prompt: str, *, keypad: bool = True) -> dict[str, str]:
    """One more question, for another factor, after the postcode and before the check."""
    texts = dict(texts)
    gather = "" if keypad else "\n    gather:\n      input: speech"
    step = (f"  {factor}_question:\n    type: ask\n    factor: {factor}\n    prompt: \"{prompt}\"\n"
            f"    no_input:\n      - \"Sorry, I didn't get that. {prompt}\"\n"
            f"    no_match:\n      - \"Sorry, I couldn't make that out. {prompt}\"{gather}\n"
            f"    max_attempts: 3\n    next: check_details\n    on_fail: to_general\n")
    texts["default.yaml"] = replace(texts["default.yaml"], "    next: check_details\n    on_fail: to_general\n",
                                    f"    next: {factor}_question\n    on_fail: to_general\n\n{step}")
    return texts


def add_steps(texts: dict[str, str], old: str, new: str, steps: str) -> dict[str, str]:
    """default.yaml rewired (`old`, exactly once, becomes `new`) to reach `steps`, added at its end."""
    texts = dict(texts)
    texts["default.yaml"] = replace(texts["default.yaml"], old, new).rstrip("\n") + "\n" + steps
    return texts


def identify(texts: dict[str, str]) -> dict[str, str]:
    texts = dict(texts)
    texts["default.yaml"] = replace(texts["default.yaml"], "    next: customer_number\n",
                                    "    next: identify\n").rstrip("\n") + "\n" + IDENTIFY_STEP
    return texts


def write(directory: Path, texts: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text, encoding="utf-8")
    return directory
