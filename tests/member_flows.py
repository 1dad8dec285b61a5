"""Flow folders for an alphanumeric membership number, set up as a deployment would: the
member scheme (MB/AS + 7 digits + ISO 7064 mod 37,36, e.g. MB1234567O) as numbering.yaml,
the number prompts reworded for letters, and departments for the prefixes."""
from __future__ import annotations

from pathlib import Path

import yaml

from tests.flow_texts import english_only, shipped

from tests.numbering.conftest import FIXTURES

FLOWS = Path(__file__).resolve().parents[1] / "flows"
MEMBER_SCHEME = FIXTURES / "alphanumeric.yaml"

MEMBER_PROMPTS = {
    "prompt": "Please key in your membership number, then press hash. For a letter, press the key it is on: "
              "M is 6. Or say it, using words like Mike for M.",
    "no_input": ["Sorry, I didn't hear anything. Please key in or say your membership number."],
    "no_match": ["Sorry, I didn't catch that. Please say your membership number, using words like Mike for M."],
    "invalid": {
        "length": "A membership number has {length} characters: two letters, seven digits and one more letter or "
                  "digit. Please try again.",
        "format": "A membership number starts with two letters, then seven digits. Please try again.",
        "component": "A membership number starts with {prefixes}. Please check yours and try again.",
        "checksum": "That number doesn't look right; please check it and try again.",
        "ambiguous": "That could be more than one number. Please say your membership number instead.",
    },
    "confirm": "I heard {number}. If that's right, press 1 or say yes. If not, press 2 or say no.",
    "gather": {"hints": ["$OOV_CLASS_ALPHANUMERIC_SEQUENCE"], "speech_timeout": "auto"},
}


def member_scheme_text(prefixes: dict[str, str] | None = None) -> str:
    """The member fixture, optionally with other prefix codes (code -> meaning)."""
    data = yaml.safe_load(MEMBER_SCHEME.read_text())
    if prefixes is not None:
        data["schemes"][0]["segments"][0]["table"] = {code: {"meaning": meaning} for code, meaning in prefixes.items()}
    return yaml.safe_dump(data, sort_keys=False)


def member_flow_texts(numbering: str | None = None) -> dict[str, str]:
    """The four flow files, as texts, for a membership-number deployment."""
    # English only: the member wording below is English (a bilingual flow would want it in Spanish too).
    texts = english_only(shipped())
    texts["numbering.yaml"] = numbering or MEMBER_SCHEME.read_text()
    flow = yaml.safe_load(texts["default.yaml"])
    flow["steps"]["customer_number"].update(MEMBER_PROMPTS)
    texts["default.yaml"] = yaml.safe_dump(flow, sort_keys=False, allow_unicode=True)
    departments = yaml.safe_load(texts["departments.yaml"])
    departments["departments"]["membership"] = {"label": "Membership", "target": {"queue": "membership"}}
    departments["departments"]["associates"] = {"label": "Associates", "target": {"queue": "associates"}}
    texts["departments.yaml"] = yaml.safe_dump(departments, sort_keys=False)
    return texts


def write_member_flows(folder: Path, numbering: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in member_flow_texts(numbering).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
