"""Numbers callers give instead of their customer number: a payment card, a phone number, an order or
invoice number, a sort code with an account number. When an entry fails as a customer number but
fits one of these, the caller is told what it looks like and where their customer number is found,
instead of a bare "that's not valid".

The kinds, their patterns and their wording are data: `lookalikes:` in numbering.yaml, checked when
the flows load (file:line for a bad pattern, an unknown check, a language without wording):

    lookalikes:
      where: {en: "Your customer number is ...", es: "Su número de cliente ..."}
      kinds:
        - name: card
          check: luhn            # built-in tests: luhn (with `lengths`), phone (a dialled number)
          lengths: [13, 19]      # digits, from-to
          say: {en: "That sounds like a payment card number ...", es: "..."}
        - name: order
          pattern: "(ORD)?7[0-9]{7}"   # a regular expression the whole entry must match
          say: ...

An entry is compared without spaces, dashes, dots or slashes, in capitals. Kinds are tried in order;
the first that fits explains. A card is never repeated back, stored or logged (bot/numbering/cards.py
keeps it out of chat transcripts).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from stdnum import luhn

from bot.engine.text import CHANNEL_GROUPS
from bot.yaml_source import Problem, Source, did_you_mean

CHECKS = ("luhn", "phone")
KIND_FIELDS = ("name", "pattern", "check", "lengths", "withhold", "say")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
_SEPARATORS = re.compile(r"[\s\-./]")


@dataclass(frozen=True)
class Lookalike:
    name: str
    say: Any  # wording per language (and channel)
    pattern: re.Pattern | None = None
    check: str | None = None
    lengths: tuple[int, int] | None = None
    # What the caller typed is kept out of chat transcripts (always so for a card: check luhn).
    withhold: bool = False

    def fits(self, entry: str, region: str) -> bool:
        digits = entry.lstrip("+")
        if self.lengths and not (digits.isdigit() and self.lengths[0] <= len(digits) <= self.lengths[1]):
            return False
        if self.pattern is not None and not self.pattern.fullmatch(entry):
            return False
        if self.check == "luhn" and not (digits.isdigit() and luhn.is_valid(digits)):
            return False
        if self.check == "phone" and not _dialled_phone(entry, region):
            return False
        return True


@dataclass(frozen=True)
class Lookalikes:
    kinds: tuple[Lookalike, ...] = ()
    where: Any = None  # said after every explanation: where the customer number is found

    def match(self, entries: list[str], region: str) -> Lookalike | None:
        """The first kind any of the entry's readings fits (a keypad entry has one reading, speech a few)."""
        compacted = [compact(e) for e in entries if e]
        for kind in self.kinds:
            if any(kind.fits(entry, region) for entry in compacted if entry):
                return kind
        return None


def compact(entry: str) -> str:
    return _SEPARATORS.sub("", entry).upper()


def _dialled_phone(entry: str, region: str) -> bool:
    """A phone number as dialled: with + or 00, or the region's trunk prefix (0 in GB), and valid.
    Without a prefix a 10-digit number could be a customer number mistyped: never called a phone."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata is not None else None
    if not (entry.startswith(("+", "00")) or (trunk and entry.startswith(trunk))):
        return False
    try:
        number = phonenumbers.parse("+" + entry[2:] if entry.startswith("00") else entry, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)


def parse_lookalikes(source: Source, languages: list[str]) -> tuple[Lookalikes, list[Problem]]:
    data = source.data.get("lookalikes") if isinstance(source.data, Mapping) else None
    if data is None:
        return Lookalikes(), []
    base = ("lookalikes",)
    if not isinstance(data, Mapping) or set(data) - {"where", "kinds"}:
        return Lookalikes(), [source.problem(base, "expected `where:` (where the customer number is found) and "
                                                   "`kinds:` (a list of name, pattern or check, say)")]
    problems = _wording(source, base + ("where",), data.get("where"), languages, required=True)
    kinds: list[Lookalike] = []
    items = data.get("kinds")
    if not isinstance(items, list) or not items:
        problems.append(source.problem(base + ("kinds",), "expected a list of kinds, each with name, say and a pattern "
                                                          "or a check"))
        items = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        path = base + ("kinds", index)
        kind, found = _kind(source, path, item, languages, seen)
        problems += found
        if kind is not None:
            kinds.append(kind)
            seen.add(kind.name)
    return (Lookalikes(tuple(kinds), data.get("where")) if not problems else Lookalikes()), problems


def _kind(source: Source, path: tuple, item: Any, languages: list[str], seen: set[str]) -> tuple[Lookalike | None, list[Problem]]:
    if not isinstance(item, Mapping):
        return None, [source.problem(path, "expected a kind: name, say, and a pattern, a check or lengths")]
    problems = [source.problem(path + (key,), f"unknown field {key!r}{did_you_mean(key, KIND_FIELDS)}; expected "
                                              f"{', '.join(KIND_FIELDS)}") for key in item if key not in KIND_FIELDS]
    name = item.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(source.problem(path + ("name",), f"expected a name in lower case (e.g. card, order), got {name!r}"))
    elif name in seen:
        problems.append(source.problem(path + ("name",), f"{name!r} is listed twice"))
    pattern = None
    if "pattern" in item:
        try:
            pattern = re.compile(str(item["pattern"]), re.IGNORECASE)
        except re.error as exc:
            problems.append(source.problem(path + ("pattern",), f"not a regular expression: {exc}"))
    check = item.get("check")
    if check is not None and check not in CHECKS:
        problems.append(source.problem(path + ("check",), f"unknown check {check!r}{did_you_mean(str(check), CHECKS)}; "
                                                          f"expected {' or '.join(CHECKS)}"))
    lengths = item.get("lengths")
    if lengths is not None:
        if (not isinstance(lengths, list) or len(lengths) != 2 or not all(isinstance(n, int) and not isinstance(n, bool)
                                                                          for n in lengths)
                or not 1 <= lengths[0] <= lengths[1] <= 40):
            problems.append(source.problem(path + ("lengths",), f"expected [from, to] digits, e.g. [13, 19], got {lengths!r}"))
            lengths = None
        else:
            lengths = (lengths[0], lengths[1])
    if pattern is None and check is None and lengths is None and "pattern" not in item:
        problems.append(source.problem(path, "expected a pattern, a check (luhn or phone) or lengths: what makes an "
                                             "entry this kind"))
    withhold = item.get("withhold", False)
    if not isinstance(withhold, bool):
        problems.append(source.problem(path + ("withhold",), f"expected true or false, got {withhold!r}"))
    problems += _wording(source, path + ("say",), item.get("say"), languages, required=True)
    if problems:
        return None, problems
    return Lookalike(name, item["say"], pattern, check, lengths, withhold=withhold or check == "luhn"), []


def _wording(source: Source, path: tuple, value: Any, languages: list[str], *, required: bool) -> list[Problem]:
    """Wording in every language the flow speaks, as `{en: ..., es: ...}` (each text or {voice:, chat:})."""
    if value is None:
        return [source.problem(path, f"expected wording in {', '.join(languages)}")] if required else []
    if len(languages) == 1 and _is_text(value):
        return []
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        return [source.problem(path, f"expected wording per language: {{{', '.join(f'{l}: ...' for l in languages)}}}")]
    problems = [source.problem(path, f"no {language!r} wording; the flow speaks {', '.join(languages)}")
                for language in languages if language not in value]
    # Wording in a language the flow does not (or no longer) speak is kept for when it does.
    for language, text in value.items():
        if not _is_text(text):
            problems.append(source.problem(path + (language,), "expected text, or {voice: ..., chat: ...}"))
    return problems


def _is_text(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return (isinstance(value, Mapping) and bool(value) and set(value) <= set(CHANNEL_GROUPS)
            and all(isinstance(v, str) and v.strip() for v in value.values()))
