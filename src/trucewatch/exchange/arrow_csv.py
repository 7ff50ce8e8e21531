"""Read a CSV file with Arrow's multi-threaded reader, but only where it reads it as
:mod:`trucewatch.exchange.csvrows` does: otherwise :class:`NotForArrow` is raised.

Arrow's reader is laxer than Python's ``csv`` module with ``strict=True``: it takes
``"a"b`` as ``ab`` and a blank line as a row of empty values. So every line of the file is
also matched, as it is read, against the shape of a strict CSV row without line breaks
inside its values (RE2 over the lines of each block, in Arrow): then each row is exactly
one line, its line number is its index plus two, and both readers give the same values.
A file with anything else (a quoted line break, a blank line, a lone carriage return, bad
UTF-8, a field longer than the ``csv`` module's limit) is left to the row-by-row reader,
which names the line.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from trucewatch.exchange.csvrows import FIELD_LIMIT

BLOCK = 4 << 20  # bytes per block Arrow parses: the memory held is a few blocks

_QUOTED = r'"(?:[^"\r\n]|"")*"'
_PLAIN = r'[^,"\r\n][^,\r\n]*'
_FIELD = f"(?:{_QUOTED}|{_PLAIN})?"
# A line Python's strict csv reader reads as one whole row, as Arrow does.
LINE = f"^{_FIELD}(?:,{_FIELD})*\r?$"


class NotForArrow(Exception):
    """The file needs the row-by-row reader (the reason says why)."""


class CheckedLines(io.RawIOBase):
    """The bytes of a readable binary stream, each line checked against :data:`LINE` as it
    passes (the last, unfinished line of a block waits for the next)."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.carry, self.lines, self.problem = raw, b"", 0, ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n == 0:
            if self.carry:
                self._check(self.carry)
                self.carry = b""
            return 0
        joined = self.carry + bytes(data)
        cut = joined.rfind(b"\n")
        if cut < 0:
            self.carry = joined
        else:
            self.carry = joined[cut + 1:]
            self._check(joined[:cut])
        if len(self.carry) > FIELD_LIMIT:
            self._fail("a line longer than the csv module's field limit")
        return n

    def _check(self, block: bytes) -> None:
        try:
            text = pa.array([block], pa.binary()).cast(pa.string())
        except pa.ArrowInvalid:
            self._fail("not UTF-8")
        lines = pc.list_flatten(pc.split_pattern(text, "\n"))
        self.lines += len(lines)
        if not pc.all(pc.match_substring_regex(lines, LINE)).as_py():
            self._fail("a line that is not one strict CSV row")
        lengths = pc.binary_length(lines)
        if pc.min(lengths).as_py() < 2 and pc.any(pc.or_(
                pc.equal(lengths, 0), pc.equal(lines, "\r"))).as_py():
            self._fail("a blank line")
        if pc.max(lengths).as_py() > FIELD_LIMIT:
            self._fail("a line longer than the csv module's field limit")

    def _fail(self, reason: str) -> None:
        self.problem = self.problem or reason
        raise NotForArrow(reason)


def batches(raw: Any, width: int) -> Iterator[pa.RecordBatch]:
    """The rows after the header of a file of ``width`` columns, every value as text (the
    columns named ``c0``, ``c1``, …), in record batches of at most :data:`BLOCK` bytes."""
    checked = CheckedLines(raw)
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            io.BufferedReader(checked, BLOCK),
            read_options=pa_csv.ReadOptions(block_size=BLOCK, skip_rows=1, column_names=names),
            parse_options=pa_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
        yield from reader
    except (pa.ArrowInvalid, OSError) as exc:
        raise NotForArrow(checked.problem or str(exc)) from None
    if checked.problem:
        raise NotForArrow(checked.problem)
