"""TwiML documents written out as text: what `str(response)` gives for a twilio library document, without
the ElementTree it builds on the way (most of a voice reply's rendering time).

The documents are still built with the library's classes (its attribute names and values); only the
writing is done here, following TwiML.xml() and ElementTree.tostring() step by step: attributes in
sorted order, booleans as true/false, text and tails escaped as ElementTree escapes them, an empty
element as `<Name />`, characters UTF-8 cannot carry as character references.
tests/webhooks/test_twiml_text.py holds the two side by side over every reply shape the renderers make.
"""
from __future__ import annotations

import json
from xml.etree.ElementTree import _escape_attrib, _escape_cdata  # the very escaping str(response) uses

from twilio.twiml import TwiML

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'


class _Namespaced(Exception):
    """A namespaced name ("{uri}lang", as SSML's xml:lang parses): ElementTree's prefixes are its own."""


def twiml_text(document: TwiML) -> str:
    """str(document), the same characters."""
    out: list[str] = [DECLARATION]
    try:
        _write(document, out)
    except _Namespaced:
        return str(document)
    text = "".join(out)
    if not text.isascii():
        # ElementTree encodes to UTF-8 with xmlcharrefreplace: a lone surrogate becomes a reference.
        text = text.encode("utf-8", "xmlcharrefreplace").decode("utf-8")
    return text


def _write(node: TwiML, out: list[str]) -> None:
    if node.name[:1] == "{":
        raise _Namespaced
    out.append("<" + node.name)
    attrs = node.attrs
    for name in sorted(attrs):
        if name[:1] == "{":
            raise _Namespaced
        value = attrs[name]
        out.append(' %s="%s"' % (name, _escape_attrib(str(value).lower() if isinstance(value, bool) else str(value))))
    # TwiML.xml(): the value is the text (a dict as JSON); a string among the children is the text before
    # the first child element, or the tail of the element before it (the last such string wins).
    text = node.value
    if text and isinstance(text, dict):
        text = node.value = json.dumps(text)
    if not text:
        text = None
    children: list[list] = []  # [element, tail]
    for verb in node.verbs:
        if isinstance(verb, str):
            if children:
                children[-1][1] = verb
            else:
                text = verb
        else:
            children.append([verb, None])
    if text or children:
        out.append(">")
        if text:
            out.append(_escape_cdata(text))
        for child, tail in children:
            _write(child, out)
            if tail:
                out.append(_escape_cdata(tail))
        out.append("</%s>" % node.name)
    else:
        out.append(" />")
