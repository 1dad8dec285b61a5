"""SSML in voice prompts: a small, checked subset Twilio's <Say> accepts. Chat gets the plain text.

    prompt: {voice: 'Please enter your number. <break time="500ms"/> <emphasis>Then</emphasis> press hash.'}
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

ALLOWED = {
    "break": {"time", "strength"},
    "emphasis": {"level"},
    "prosody": {"rate", "pitch", "volume"},
    "say-as": {"interpret-as", "format"},
    "sub": {"alias"},
    "p": set(),
    "s": set(),
    "w": {"role"},
    "lang": {"xml:lang"},
}


_XML_NAMESPACE = "{http://www.w3.org/XML/1998/namespace}"


def has_markup(text: str) -> bool:
    return "<" in text and ">" in text


def parse(text: str) -> ET.Element:
    """The prompt wrapped in <speak>; raises ValueError saying what is wrong."""
    try:
        root = ET.fromstring(f"<speak>{text}</speak>")
    except ET.ParseError as exc:
        raise ValueError(f"not well-formed SSML ({exc})") from None
    for element in root.iter():
        if element is root:
            continue
        # ElementTree reads xml:lang as "{http://www.w3.org/XML/1998/namespace}lang"; SSML, Twilio and the
        # TwiML written out call it xml:lang.
        for name in [name for name in element.attrib if name.startswith(_XML_NAMESPACE)]:
            element.attrib["xml:" + name[len(_XML_NAMESPACE):]] = element.attrib.pop(name)
        if element.tag not in ALLOWED:
            raise ValueError(f"SSML tag <{element.tag}> is not supported; use one of {', '.join(sorted(ALLOWED))}")
        extra = set(element.attrib) - ALLOWED[element.tag]
        if extra:
            raise ValueError(f"SSML <{element.tag}> does not take {', '.join(sorted(extra))}")
    return root


def plain(text: str) -> str:
    """The words alone, for chat and logs."""
    try:
        return " ".join("".join(parse(text).itertext()).split())
    except ValueError:
        return text
