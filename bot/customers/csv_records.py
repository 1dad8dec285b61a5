"""A CSV file read record by record, each numbered by the physical line it starts on (as an editor
shows it), whatever quoted newlines came before.

A record the csv module cannot read (a quote never closed, text after a closing quote, a field
past its size limit), a line longer than MAX_LINE_CHARS, bytes that are not UTF-8 and NUL
characters are reported on the record's first line; reading goes on at the line after it, so
the rows that follow are read and reported as usual. Memory stays bounded by one record.
"""
from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from typing import TextIO

# No customer row comes near this; a longer line is refused unread rather than held in memory.
MAX_LINE_CHARS = 64 * 1024
# Undecodable bytes (kept as lone surrogates by errors="surrogateescape") and NULs, which PostgreSQL refuses.
_UNREADABLE = re.compile("[\x00\udc80-\udcff]")


# (line, fields, problem): the physical line the record starts on (the header is line 1), its fields,
# or None and what made it unreadable. A plain tuple: large imports send records to worker processes.
Record = tuple[int, "list[str] | None", "str | None"]


class _Unreadable(Exception):
    pass


class _Lines:
    """The file's lines for the csv reader, numbered; the lines of a record it failed on can be read again."""

    def __init__(self, handle: TextIO):
        self.handle = handle
        self.count = 0  # physical lines read from the file so far
        self.again: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []  # the lines of the record being read

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        if self.again:
            number, text = self.again.popleft()
        else:
            text = self.handle.readline(MAX_LINE_CHARS)
            if not text:
                raise StopIteration
            self.count += 1
            number = self.count
            if len(text) == MAX_LINE_CHARS and not text.endswith(("\n", "\r")):
                while (rest := self.handle.readline(MAX_LINE_CHARS)) and not rest.endswith(("\n", "\r")):
                    pass  # skip to the end of the line, a chunk at a time
                self.taken.append((number, ""))
                raise _Unreadable(f"a line longer than {MAX_LINE_CHARS:,} characters")
        self.taken.append((number, text))
        if _UNREADABLE.search(text):
            raise _Unreadable("bytes that are not UTF-8 text, or a NUL character")
        return text

    def start_record(self) -> None:
        self.taken = []

    @property
    def record_line(self) -> int:
        return self.taken[0][0] if self.taken else self.count + 1

    def read_again_after_first(self) -> None:
        """After an unreadable record: carry on from its second line (a quote left open swallows lines)."""
        self.again.extendleft(reversed([item for item in self.taken[1:] if item[1]]))


def read_records(handle: TextIO) -> Iterator[Record]:
    """Every record, the header first; blank lines are skipped. `handle` is opened with newline=""."""
    lines = _Lines(handle)
    reader = csv.reader(lines, strict=True)
    while True:
        lines.start_record()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except _Unreadable as exc:
            problem = str(exc)
        except csv.Error as exc:
            problem = _csv_problem(exc)
        else:
            if fields:
                yield lines.record_line, fields, None
            continue
        yield lines.record_line, None, f"unreadable row: {problem}"
        lines.read_again_after_first()


def _csv_problem(exc: csv.Error) -> str:
    message = str(exc)
    if "field limit" in message:
        return f"a field longer than {csv.field_size_limit():,} characters (or a quote that is never closed)"
    if "unexpected end of data" in message:
        return "a quote that is never closed"
    if "expected after" in message:
        return "text after a closing quote (write a quote inside a quoted field as two quotes)"
    return message
