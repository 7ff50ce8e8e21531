"""Read a CSV file with Arrow's multi-threaded reader, but only where it reads it as
:mod:`trucewatch.exchange.csvrows` does: otherwise :class:`NotForArrow` is raised.

Arrow's reader is laxer than Python's ``csv`` module with ``strict=True``: it takes
``"a"b`` as ``ab`` and a blank line as a row of empty values. So every line of the file is
also matched, as it is read, against the shape of a strict CSV row without line breaks
inside its values (RE2 over the lines of each block, in Arrow): then each row is exactly
one line, its line number is its index plus two, and both readers give the same values.
A file with anything else (a quoted line break, a blank line, a lone carriage return, bad
UTF-8) is left to the row-by-row reader, which names the line; so is a value longer than
the ``csv`` module's limit (:func:`over_limit`).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from trucewatch.exchange.csvrows import FIELD_LIMIT

BLOCK = 1 << 20  # bytes per block Arrow parses: the memory held is a few blocks (4 MiB: +170 MiB)

_QUOTED = r'"(?:[^"\r\n]|"")*"'
_PLAIN = r'[^,"\r\n][^,\r\n]*'
_FIELD = f"(?:{_QUOTED}|{_PLAIN})?"
# A line Python's strict csv reader reads as one whole row, as Arrow does: not blank, no
# line break inside a value, nothing after a closing quote but a comma.
LINE = f"(?:(?:{_QUOTED}|{_PLAIN})(?:,{_FIELD})*|(?:,{_FIELD})+)\r?"
LINES = f"^(?:{LINE}\n)*{LINE}$"  # every line of a block (RE2 matches it in linear time)


class NotForArrow(Exception):
    """The file needs the row-by-row reader (the reason says why)."""


class CheckedLines(io.RawIOBase):
    """The bytes of a readable binary stream, each line checked against :data:`LINE` as it
    passes (the last, unfinished line of a block waits for the next)."""

    def __init__(self, raw: Any) -> None:
        self.raw, self.carry, self.problem = raw, b"", ""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def read(self, size: int = -1, /) -> bytes:
        """The next bytes as the source gives them (Arrow's reader takes them as they are)."""
        data = self.raw.read(size)
        if not data:
            if self.carry:
                self._check(memoryview(self.carry))
                self.carry = b""
            return data
        cut = data.rfind(b"\n")
        if cut < 0:
            self.carry += data
        else:  # the lines finished in this block: the carried start, then data up to cut
            self._check(memoryview(self.carry + data[:cut] if self.carry else data)[
                :len(self.carry) + cut])
            self.carry = data[cut + 1:]
        return data

    def _check(self, block: memoryview) -> None:
        data = pa.py_buffer(block)
        offsets = pa.array([0, len(block)], pa.int64()).buffers()[1]
        whole = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, data])
        if not pc.match_substring_regex(whole, LINES)[0].as_py():
            self._fail("a line that is not one strict CSV row (a blank line, a line break "
                       "in a value, text after a closing quote)")

    def _fail(self, reason: str) -> None:
        self.problem = self.problem or reason
        raise NotForArrow(reason)


def over_limit(values: pa.Array) -> bool:
    """Whether a value is longer than Python's csv reader takes (it refuses the file)."""
    return (pc.max(pc.utf8_length(values)).as_py() or 0) > FIELD_LIMIT


def batches(raw: Any, width: int) -> Iterator[pa.RecordBatch]:
    """The rows after the header of a file of ``width`` columns, every value as text (the
    columns named ``c0``, ``c1``, …), in record batches of at most :data:`BLOCK` bytes."""
    checked = CheckedLines(raw)
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pa_csv.open_csv(
            checked,
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
