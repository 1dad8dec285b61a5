"""`bot report ...`: how callers fare, for supervisors. The figures come from bot.reporting, the
same module the console reads, so the two cannot disagree."""
from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.table import Table as RichTable

from bot.cli.common import out
from bot.reporting.variants import MIN_PER_VARIANT
from bot.settings import get_settings

app = typer.Typer(help="How callers fare: overview, funnel per question, A/B variants compared.",
                  no_args_is_help=True)

_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"]
SinceOption = Annotated[Optional[dt.datetime], typer.Option(
    "--since", help="From this day (UTC) or time; default: the last 7 days.", formats=_FORMATS)]
UntilOption = Annotated[Optional[dt.datetime], typer.Option(
    "--until", help="To this day, included (UTC), or up to this time; default: today.", formats=_FORMATS)]


class Channel(str, Enum):
    voice = "voice"
    sms = "sms"
    whatsapp = "whatsapp"
    web = "web"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


ChannelOption = Annotated[Optional[Channel], typer.Option("--channel", help="Only this channel.")]
FormatOption = Annotated[Format, typer.Option("--format", help="table (for reading), csv or json.")]


def _period(since, until, channel):
    from bot.reporting import between

    try:
        return between(since, until, now=dt.datetime.now(dt.timezone.utc),
                       channel=channel.value if channel else None)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


def _emit(tables, fmt: Format) -> None:
    if fmt is Format.json:
        if len(tables) == 1:
            typer.echo(tables[0].to_json())
        else:
            import json
            typer.echo(json.dumps({t.name: json.loads(t.to_json()) for t in tables}, indent=2, ensure_ascii=False))
    else:
        for index, table in enumerate(tables):
            if index:
                typer.echo("")
            if len(tables) > 1:
                typer.echo(f"# {table.name}")
            typer.echo(table.to_csv(), nl=False)


@app.command("funnel")
def funnel(since: SinceOption = None, until: UntilOption = None, channel: ChannelOption = None,
           format: FormatOption = Format.table) -> None:
    """Per question: conversations that reached it and what happened there, with percentages."""
    from bot.reporting import funnel as build, funnel_table
    from bot.reporting.funnel import MEASURES, WORST
    from bot.reporting.measures import percent
    from bot.store.db import transaction

    period = _period(since, until, channel)
    with transaction(get_settings().database_url, read_only=True) as session:
        report = build(session, period)
    if format is not Format.table:
        _emit([funnel_table(report)], format)
        return
    out.print(f"Funnel: {report.conversations} conversations, {period.describe()}", highlight=False)
    if not report.rows:
        out.print("no conversation reached a question in this period", highlight=False)
        return
    # Counts over percentages, one step per two lines: 8 columns stay inside 80 characters.
    table = RichTable(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
    table.add_column("step", no_wrap=True)
    for measure in MEASURES:
        table.add_column(measure.label, justify="right", no_wrap=True)
    for row in report.rows:
        name = f"{row.step} *" if row.worst else row.step
        table.add_row(name, *(str(row.counts[m.key]) if m.key == "reached"
                              else f"{row.counts[m.key]}\n{percent(row.counts[m.key], row.reached)}" for m in MEASURES))
    out.print(table)
    out.print("Counts are conversations; the % below is of those that reached the question.",
              highlight=False)
    for measure in MEASURES:
        out.print(f"  {measure.legend()}", highlight=False, soft_wrap=True)
    worst = report.worst
    out.print(f"  * worst step: {worst.step}, {WORST} ({percent(worst.counts['first_try'], worst.reached)})",
              highlight=False, soft_wrap=True)


@app.command("variants")
def variants(since: SinceOption = None, until: UntilOption = None, channel: ChannelOption = None,
             format: FormatOption = Format.table,
             min_sample: Annotated[int, typer.Option("--min-sample", min=1, help="Conversations per variant before any verdict.")] = MIN_PER_VARIANT) -> None:
    """A/B tests of a question's wording: the question and the whole call per variant, with a verdict."""
    from bot.reporting import variants as build, variants_tables
    from bot.reporting.measures import percent
    from bot.reporting.variants import CALL, QUESTION
    from bot.store.db import transaction

    period = _period(since, until, channel)
    with transaction(get_settings().database_url, read_only=True) as session:
        tests = build(session, period, min_per_variant=min_sample)
    if format is not Format.table:
        _emit(list(variants_tables(tests)), format)
        return
    if not tests:
        out.print(f"no A/B test has run in this period ({period.describe()})", highlight=False)
        return
    # One line per figure (not a table): test names and wordings stay whole and the output greps well.
    out.print(f"A/B variants, {period.describe()}", highlight=False)
    for test in tests:
        out.print(f"\n{test.name} (the wording of {test.step})", highlight=False, soft_wrap=True)
        for figures in test.variants:
            n = figures.conversations
            out.print(f"  variant {figures.variant}: {n} conversations", highlight=False)
            for label, text in figures.wording:
                out.print(f"    says{f' ({label})' if label else ''}: \"{text}\"", highlight=False, soft_wrap=True)
            question = ", ".join(f"{m.label} {figures.counts[m.key]} ({percent(figures.counts[m.key], n)})"
                                 for m, _ in QUESTION)
            call = ", ".join(f"{m.label} {figures.counts[m.key]} ({percent(figures.counts[m.key], n)})"
                             for m, _ in CALL)
            out.print(f"    at {test.step}: {question}", highlight=False, soft_wrap=True)
            out.print(f"    whole call: {call}", highlight=False, soft_wrap=True)
        for comparison in test.comparisons:
            mark = f"  -> {comparison.better} better" if comparison.better else ""
            out.print(f"  {comparison.measure.label}: {comparison.describe()}{mark}", highlight=False, soft_wrap=True)
        out.print(f"  verdict: {test.verdict}", highlight=False, soft_wrap=True)


@app.command("overview")
def overview(since: SinceOption = None, until: UntilOption = None, channel: ChannelOption = None,
             format: FormatOption = Format.table) -> None:
    """Conversations per day by channel, verification rate, how conversations ended, by department; how
    handoffs ended and the wait; numbers recovered by SMS; locks today."""
    from bot.cli.common import bundle_or_exit
    from bot.reporting import overview as build, overview_tables
    from bot.store.db import transaction

    period = _period(since, until, channel)
    settings = get_settings()
    lockout = bundle_or_exit(settings).lockout
    with transaction(settings.database_url, read_only=True) as session:
        report = build(session, period, now=dt.datetime.now(dt.timezone.utc), lockout=lockout)
    tables = list(overview_tables(report).values())
    if format is not Format.table:
        _emit(tables, format)
        return
    out.print(f"Overview: {report.conversations} conversations, {period.describe()}", highlight=False)
    empty = {"handoff-outcomes": "no handoff outcome was recorded in this period",
             "recoveries": "no caller asked to recover their customer number in this period"}
    for table in tables:
        out.print()
        out.print(table.title, highlight=False, soft_wrap=True)
        if not table.rows and table.name in empty:
            out.print(f"  {empty[table.name]}", highlight=False)
            continue
        for view in _views(table):
            out.print(view)
        for note in table.notes:
            out.print(f"  {note}", highlight=False, soft_wrap=True)


# Columns that name a row rather than count something: left-aligned, and repeated when a wide table is split.
_NAMES = ("day", "channel", "outcome", "department")


def _views(table, width: int = 80):
    """The table as one or more terminal tables of at most `width` characters: a wide one is split by columns,
    each part repeating the naming columns, so no header is ever cut short."""
    names = [(k, label) for k, label in table.columns if k in _NAMES]
    figures = [(k, label) for k, label in table.columns if k not in _NAMES]

    def text(row, key):
        return "" if row.get(key) is None else str(row.get(key))

    def column_width(key, label):
        return max([len(label)] + [len(text(row, key)) for row in table.rows])

    base = sum(column_width(k, label) + 1 for k, label in names)
    parts, current, used = [], [], base
    for key, label in figures:
        needed = column_width(key, label) + 1
        if current and used + needed > width:
            parts.append(current)
            current, used = [], base
        current.append((key, label))
        used += needed
    parts.append(current)
    for part in parts:
        view = RichTable(box=None, padding=(0, 1, 0, 0), show_edge=False, header_style="bold")
        for key, label in [*names, *part]:
            view.add_column(label, no_wrap=True, justify="left" if key in _NAMES else "right")
        for row in table.rows:
            view.add_row(*(text(row, k) for k, _ in [*names, *part]))
        yield view
