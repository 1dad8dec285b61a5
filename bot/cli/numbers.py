"""`bot numbers ...`: issue customer numbers, check them, change their status, measure a scheme.

`issue` prints nothing but the new numbers on stdout, one per line, so it can be piped;
everything meant for a person goes to stderr.
"""
from __future__ import annotations

import getpass
import random
import sys
from enum import Enum
from typing import Annotated, Optional

import typer

from bot.cli.common import bundle_or_exit, err
from bot.numbering import NumberError, Scheme, SchemeSet, SerialSpaceExhausted
from bot.settings import get_settings

app = typer.Typer(help="Customer numbers: issue, validate, change status, analyze a scheme.", no_args_is_help=True)


class Status(str, Enum):
    active = "active"
    suspended = "suspended"
    closed = "closed"


@app.command("issue")
def issue(
    prefix: Annotated[Optional[str], typer.Option(help="Prefix code from numbering.yaml, e.g. 10.")] = None,
    count: Annotated[int, typer.Option(min=1, max=1_000_000, help="How many numbers to issue.")] = 1,
    scheme: Annotated[Optional[str], typer.Option(help="Scheme name (default: the first in numbering.yaml).")] = None,
) -> None:
    """Issue new, unique, valid numbers with random serials; print them one per line."""
    from bot.issuance import issue_numbers
    from bot.store.db import transaction

    settings = get_settings()
    bundle = bundle_or_exit(settings)
    chosen = _scheme(bundle.schemes, scheme)
    code = _prefix(chosen, prefix)
    try:
        with transaction(settings.database_url) as session:
            # SystemRandom: an issued number must not let anyone predict the next one.
            numbers = issue_numbers(session, scheme=chosen, prefix=code, count=count, rng=random.SystemRandom())
    except SerialSpaceExhausted as exc:
        err.print(f"nothing issued: {exc}; open a new prefix in numbering.yaml", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    # Printed only once committed: a number on stdout is a number on record.
    sys.stdout.write("".join(number + "\n" for number in numbers))
    sys.stdout.flush()
    where = f" under prefix {code}" if code else ""
    err.print(f"issued {len(numbers):,} {chosen.label}s{where} ({chosen.name})", markup=False, highlight=False, soft_wrap=True)


@app.command("validate")
def validate(numbers: Annotated[list[str], typer.Argument(help="Numbers to check, as written.")]) -> None:
    """Say for each number whether it is valid, or why not; exit 1 if any is invalid."""
    schemes = bundle_or_exit(get_settings()).schemes
    invalid = 0
    for text in numbers:
        try:
            schemes.validate(text)
        except NumberError as exc:
            invalid += 1
            typer.echo(f"{text}: invalid ({reason(exc, schemes)})")
        else:
            typer.echo(f"{text}: valid")
    if invalid:
        raise typer.Exit(1)


@app.command("status")
def status(
    number: Annotated[str, typer.Argument(help="The customer number.")],
    new: Annotated[Status, typer.Argument(metavar="active|suspended|closed", help="The new status.")],
    why: Annotated[str, typer.Option("--reason", help="Why, for the audit record (no personal details).")],
    by: Annotated[Optional[str], typer.Option("--by", help="Who made the change (default: your login name).")] = None,
) -> None:
    """Set a number's status (and its customer's), with an audit record."""
    from bot.issuance import StatusError, change_status
    from bot.store.db import transaction

    settings = get_settings()
    schemes = bundle_or_exit(settings).schemes
    compact = schemes.compact(number)
    try:
        with transaction(settings.database_url) as session:
            change = change_status(session, number=compact, new=new.value, reason=why, changed_by=by or _login())
    except StatusError as exc:
        err.print(f"{compact}: not changed: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    if change.changed:
        typer.echo(f"{compact}: {change.old} -> {change.new}")
    else:
        typer.echo(f"{compact}: already {change.new}; nothing changed")


@app.command("analyze")
def analyze(
    scheme: Annotated[Optional[str], typer.Option(help="Scheme name (default: the first in numbering.yaml).")] = None,
    sample: Annotated[int, typer.Option(min=1, max=100_000, help="Random valid numbers to make errors on.")] = 1000,
    seed: Annotated[int, typer.Option(help="Seed of the sample, so a run can be repeated.")] = 0,
    algorithms: Annotated[bool, typer.Option("--algorithms", help="Compare the built-in check algorithms instead.")] = False,
) -> None:
    """The share of typing and hearing errors a scheme detects, as a markdown table."""
    from bot.cli.numbers_report import algorithms_table, scheme_table

    if algorithms:
        typer.echo(algorithms_table(sample=sample, seed=seed))
        return
    chosen = _scheme(bundle_or_exit(get_settings()).schemes, scheme)
    typer.echo(scheme_table(chosen, sample=sample, seed=seed))


def reason(error: NumberError, schemes: SchemeSet) -> str:
    """Why a number is invalid, in words a person acts on."""
    details = error.details
    labels = {s.label for s in schemes}
    label = labels.pop() if len(labels) == 1 else "customer number"
    longest = max(schemes.lengths)
    if error.kind == "length":
        expected = " or ".join(str(n) for n in details.get("expected", []))
        got = "it is empty" if details.get("got") == 0 else f"it has {details.get('got')} characters"
        return f"{got}; a {label} has {expected}"
    if error.kind == "format":
        if "character" not in details:
            return f"a {label} is written as text"
        position = details.get("position")
        if position is None or position >= longest or not details.get("expected"):
            return f"{details['character']!r} cannot occur in a {label}"
        return f"{details['character']!r} cannot be character {position + 1} of a {label}; a {details['expected']} goes there"
    if error.kind == "component":
        known = list(details.get("expected", []))
        listed = ", ".join(known[:-1]) + " or " + known[-1] if len(known) > 1 else "".join(known)
        return f"no {label} starts with {details.get('prefix')}" + (f"; they start with {listed}" if listed else "")
    return "the check character does not match: a character is probably mistyped or swapped"


def _scheme(schemes: SchemeSet, name: str | None) -> Scheme:
    if name is None:
        return schemes.default
    found = schemes.get(name)
    if found is None:
        known = ", ".join(s.name for s in schemes)
        raise typer.BadParameter(f"no scheme {name!r} in numbering.yaml; it defines: {known}", param_hint="--scheme")
    return found


def _prefix(scheme: Scheme, prefix: str | None) -> str | None:
    known = sorted(scheme.prefixes)
    if not known:
        if prefix:
            raise typer.BadParameter(f"scheme {scheme.name!r} has no prefixes; leave --prefix out", param_hint="--prefix")
        return None
    code = scheme.compact(prefix or "")
    if code not in scheme.prefixes:
        what = f"{prefix!r} is not a prefix of" if prefix else "required for"
        raise typer.BadParameter(f"{what} scheme {scheme.name!r}; expected one of {', '.join(known)}",
                                 param_hint="--prefix")
    return code


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in some containers
        return "unknown"
