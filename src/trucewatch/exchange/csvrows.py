"""Read a CSV file one row at a time, each with the line it starts on."""

from __future__ import annotations

import csv
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from trucewatch.errors import InvalidInput

# The two columns a file of rejected rows adds; reading such a file back ignores them.
LINE_COLUMN, ERROR_COLUMN = "trucewatch_line", "trucewatch_error"
FIELD_LIMIT = 1_000_000  # characters in one field: longer is a broken file, not a long note
# What reading a broken file raises: bad quoting, bad UTF-8, a broken or cut gzip stream.
UNREADABLE = (csv.Error, UnicodeDecodeError, OSError, EOFError, zlib.error)


class MalformedFile(InvalidInput):
    """The file cannot be read on from ``line``: no header, broken quoting, bad encoding."""

    def __init__(self, message: str, *, line: int) -> None:
        super().__init__(f"line {line}: {message}", field="file")
        self.line = line


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str] | None  # None: not as many fields as the header has
    raw: list[str]


def read_header(reader: Iterator[list[str]], required: tuple[str, ...]) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise MalformedFile("the file is empty: expected a header row", line=1) from None
    except UNREADABLE as exc:
        raise MalformedFile(f"unreadable header ({exc})", line=1) from None
    header = [name.strip() for name in header]
    if len(set(header)) != len(header):
        twice = sorted({n for n in header if header.count(n) > 1})
        raise MalformedFile(f"columns named twice: {', '.join(twice)}", line=1)
    missing = [name for name in required if name not in header]
    if missing:
        raise MalformedFile(f"missing columns: {', '.join(missing)}", line=1)
    return header


def rows(stream: TextIO, required: tuple[str, ...]) -> tuple[list[str], Iterator[Row]]:
    """The header, and the rows after it (a row of the wrong width has no ``values``)."""
    csv.field_size_limit(min(FIELD_LIMIT, sys.maxsize))
    reader = csv.reader(stream, strict=True)
    header = read_header(reader, required)
    return header, _rows(reader, header)


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[Row]:
    keep = [i for i, name in enumerate(header) if name not in (LINE_COLUMN, ERROR_COLUMN)]
    width = len(header)
    line_num = getattr(reader, "line_num", 0)
    while True:
        start = line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        except UNREADABLE as exc:
            raise MalformedFile(f"not a readable CSV row ({exc}); reading stopped here",
                                line=start) from None
        line_num = getattr(reader, "line_num", line_num + 1)
        if not raw:
            continue  # a blank line
        if len(raw) != width:
            yield Row(start, None, raw)
            continue
        yield Row(start, {header[i]: raw[i] for i in keep}, raw)


def raw_rows(stream: TextIO, required: tuple[str, ...]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header, and each row after it as (the line it starts on, its fields), without a
    dict per row: the dataset import reads millions of rows and indexes them by position."""
    csv.field_size_limit(min(FIELD_LIMIT, sys.maxsize))
    reader = csv.reader(stream, strict=True)
    header = read_header(reader, required)
    return header, _raw_rows(reader)


def _raw_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line_num = getattr(reader, "line_num", 0)
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            return
        except UNREADABLE as exc:
            raise MalformedFile(f"not a readable CSV row ({exc}); reading stopped here",
                                line=line_num + 1) from None
        start, line_num = line_num + 1, reader.line_num  # type: ignore[attr-defined]
        if raw:  # a blank line is no row
            yield start, raw
