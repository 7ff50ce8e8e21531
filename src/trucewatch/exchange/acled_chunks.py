"""A chunk of ACLED rows converted column by column, as a dataset stores them.

Converting a million rows one value at a time in Python costs more than reading and
inserting them. So each column of a chunk is first checked whole, with the interpreter's
built-in loops and one regular expression over the column's values joined (``map``, ``set``,
``min``/``max``, ``re.fullmatch``), which accept only values already written the way their
type writes them back. A column where that finds anything else (an empty value, ``36.1000``,
a bad value) is converted value by value by the converters of
:mod:`trucewatch.exchange.acled_columns`, which define the rules. The result is the same
either way; tests compare both paths.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import itemgetter, methodcaller
from typing import Any

from trucewatch.exchange import acled
from trucewatch.exchange import acled_columns as columns
from trucewatch.exchange.acled_columns import INDEX, TYPED, Converter, Layout, RowError

_Kept = dict[int, dict[str, str]]  # row index → column → source text
Fast = Callable[[Sequence[str]], Sequence[Any]]  # a whole column, or raises _Unusual


@dataclass
class Chunk:
    """The stored values of a chunk's rows, by column, and the rows refused."""

    size: int
    values: list[Sequence[Any]]  # the codebook's columns (dates as ISO text), verbatim, extra
    errors: dict[int, RowError] = field(default_factory=dict)  # row index → its first error
    verbatim: _Kept = field(default_factory=dict)

    def without_errors(self, lines: Sequence[int]) -> tuple[Sequence[int], list[Sequence[Any]]]:
        """The lines and columns of the good rows."""
        if not self.errors:
            return lines, self.values
        keep = [i not in self.errors for i in range(self.size)]
        return (list(compress(lines, keep)),
                [list(compress(column, keep)) for column in self.values])


class _Unusual(Exception):
    """The whole-column path found something it leaves to the value-by-value path."""


def convert(raws: Sequence[Sequence[str]], layout: Layout, today: date) -> Chunk:
    """Convert rows that all have the header's width (the caller checks it)."""
    n = len(raws)
    if n == 0:
        return Chunk(0, [[] for _ in range(columns.WIDTH + 2)])
    # One pass per column (map over itemgetter), quicker than transposing with zip(*raws).
    chunk = Chunk(n, [[None] * n if p is None else list(map(itemgetter(p), raws))
                      for p in layout.positions])
    steps = _steps(today)
    _convert_column(chunk, *steps[0])  # the event id first: a row is named by its first error
    _check_pairs(chunk)
    # A NUL character (which no PostgreSQL text holds) sends the texts value by value.
    nul = "\x00" in "".join(map("".join, raws))
    for i, fast, slow in steps[1:]:
        if layout.positions[i] is not None:
            text = acled.COLUMNS[i] not in TYPED
            _convert_column(chunk, i, _nothing_usual if nul and text else fast, slow)
        if i == INDEX["longitude"]:  # the pair is checked after its two values, before texts
            _check_coordinates_together(chunk)
    verbatim: list[str | None] = [None] * n
    for row, texts in chunk.verbatim.items():
        verbatim[row] = columns.encode_texts(texts)
    extra: Sequence[str | None] = (
        [columns.encode_texts({name: raw[i] for name, i in layout.extra}) for raw in raws]
        if layout.extra else [None] * n)
    chunk.values += [verbatim, extra]
    return chunk


def _convert_column(chunk: Chunk, i: int, fast: Fast | _Patterned | _Coordinates,
                    slow: Converter) -> None:
    """The column whole if it can, else value by value."""
    texts = chunk.values[i]
    try:
        if isinstance(fast, _Patterned | _Coordinates):
            if fast.convert(chunk, i, slow):
                return
        else:
            chunk.values[i] = fast(texts)
            return
    except (_Unusual, ValueError, TypeError, OverflowError):
        pass
    chunk.values[i] = [_one(chunk, row, text, slow) for row, text in enumerate(texts)]


def _nothing_usual(_texts: Sequence[str]) -> Sequence[str]:
    raise _Unusual


def _check_pairs(chunk: Chunk) -> None:
    event_types = chunk.values[INDEX["event_type"]]
    sub_types = chunk.values[INDEX["sub_event_type"]]
    if set(zip(event_types, sub_types, strict=True)) <= columns.PAIRS:
        return
    for row, (event_type, sub_type) in enumerate(zip(event_types, sub_types, strict=True)):
        try:
            columns.check_pair(event_type, sub_type)
        except RowError as exc:
            chunk.errors.setdefault(row, exc)


def _check_coordinates_together(chunk: Chunk) -> None:
    latitude, longitude = chunk.values[INDEX["latitude"]], chunk.values[INDEX["longitude"]]
    if None not in latitude and None not in longitude:
        return
    for row, (lat, lon) in enumerate(zip(latitude, longitude, strict=True)):
        if (lat is None) != (lon is None):
            chunk.errors.setdefault(row, RowError(
                "latitude" if lat is None else "longitude",
                "latitude and longitude go together: give both or neither"))


class _Patterned:
    """A typed column whose values, when written as their type writes them back, match
    ``value``: all of them are checked in one pass, and only those that do not match (or
    fail ``check`` together) go value by value."""

    def __init__(self, value: str, to_value: Callable[[str], Any], placeholder: str,
                 check: Callable[[list[Any]], bool] = lambda values: True) -> None:
        self.one = re.compile(value)
        self.all = re.compile(f"(?:{value})(?:,(?:{value}))*")
        self.to_value, self.placeholder, self.check = to_value, placeholder, check

    def convert(self, chunk: Chunk, i: int, slow: Converter) -> bool:
        """Convert column ``i`` of ``chunk``; False if it is left to the value-by-value path."""
        texts = chunk.values[i]
        joined = ",".join(texts)
        if joined.count(",") == len(texts) - 1 and self.all.fullmatch(joined) is not None:
            values = list(map(self.to_value, texts))
            if self.check(values):
                chunk.values[i] = values
                return True
            return False
        odd = list(compress(range(len(texts)), map(_no_match, map(self.one.fullmatch, texts))))
        if len(odd) * 4 > len(texts):
            return False  # mostly unusual: the value-by-value path is as quick
        fixed = list(texts)
        for row in odd:
            fixed[row] = self.placeholder
        values = list(map(self.to_value, fixed))
        if not self.check(values):
            return False
        for row in odd:
            values[row] = _one(chunk, row, texts[row], slow)
        chunk.values[i] = values
        return True


def _no_match(found: re.Match[str] | None) -> bool:
    return found is None


def _one(chunk: Chunk, row: int, text: str, slow: Converter) -> Any:
    kept: dict[str, str] = {}
    try:
        value = slow(text, kept)
    except RowError as exc:
        chunk.errors.setdefault(row, exc)
        value = None
    if kept:
        chunk.verbatim.setdefault(row, {}).update(kept)
    return value


# Integers as str(int) writes them (at most 18 digits: within a 64-bit integer).
_INTEGERS = _Patterned(r"0|-?[1-9][0-9]{0,17}", int, "0")
_FATALITIES = _Patterned(r"0|[1-9][0-9]{0,5}|1000000", int, "0")
class _Coordinates:
    """Latitude or longitude: a value is usual when ``repr`` of its float gives its text
    back (less than ``.0``); the others (``36.1000``, ``36``, ``-0``) go value by value."""

    def __init__(self, column: str) -> None:
        self.bound = columns.BOUNDS[column]

    def convert(self, chunk: Chunk, i: int, slow: Converter) -> bool:
        texts = chunk.values[i]
        values = list(map(float, texts))
        if (not all(map(math.isfinite, values)) or min(values) < -self.bound
                or max(values) > self.bound):
            return False
        written = list(map(repr, values))
        if written == texts and not any(map(_ENDS_POINT_ZERO, texts)):
            chunk.values[i] = values
            return True
        odd = set(compress(range(len(texts)), map(str.__ne__, written, texts)))
        odd.update(compress(range(len(texts)), map(_ENDS_POINT_ZERO, texts)))
        if len(odd) * 4 > len(texts):
            return False  # mostly unusual: the value-by-value path is as quick
        for row in odd:
            values[row] = _one(chunk, row, texts[row], slow)
        chunk.values[i] = values
        return True


_ENDS_POINT_ZERO = methodcaller("endswith", ".0")


def _not_after(today: date) -> Callable[[list[Any]], bool]:
    return lambda texts: max(map(date.fromisoformat, texts)) <= today


def _iso_date(text: str) -> str:
    return text  # YYYY-MM-DD as written: what a date is stored and written back as


def _event_ids(texts: Sequence[str]) -> Sequence[str]:
    joined = "".join(texts)
    if (not joined.isascii() or not joined.isprintable() or " " in joined
            or min(map(len, texts)) < 1 or max(map(len, texts)) > columns.EVENT_ID_MAX):
        raise _Unusual
    return texts


def _precisions(texts: Sequence[str]) -> list[int]:
    if not set(texts) <= {"1", "2", "3"}:
        raise _Unusual
    return list(map(int, texts))


def _texts(column: str) -> Fast:
    limit = columns.LONG_MAX if column in columns.LONG else columns.SHORT_MAX

    def fast(texts: Sequence[str]) -> Sequence[str]:
        if max(map(len, texts)) > limit:
            raise _Unusual
        return texts
    return fast


_Step = tuple[int, Fast | _Patterned | _Coordinates, Converter]
_STEPS: dict[date, list[_Step]] = {}


def _steps(today: date) -> list[_Step]:
    """Each codebook column's index, whole-column path and value converter, in the order
    the checks run (a row refused for several reasons is named by the first)."""
    found = _STEPS.get(today)
    if found is not None:
        return found
    steps: list[tuple[str, Fast | _Patterned | _Coordinates, Converter]] = [
        ("event_id_cnty", _event_ids, columns.event_id),
        ("event_date", _Patterned(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", _iso_date, "2000-01-01",
                                  _not_after(today)), columns.event_date(today)),
        ("time_precision", _precisions, columns.precision("time_precision")),
        ("geo_precision", _precisions, columns.precision("geo_precision")),
        ("fatalities", _FATALITIES, columns.fatalities),
    ]
    steps += [(c, _INTEGERS, columns.lenient_int(c))
              for c, kind in TYPED.items() if kind == columns.INT]
    steps += [(c, _Coordinates(c), columns.coordinate(c)) for c in ("latitude", "longitude")]
    steps += [(c, _texts(c), columns.text(c)) for c in acled.COLUMNS[1:] if c not in TYPED]
    _STEPS.clear()
    _STEPS[today] = [(INDEX[c], fast, slow) for c, fast, slow in steps]
    return _STEPS[today]


def digest_columns(lines: Sequence[int], values: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """The columns as the chunk digest takes them: floats as the text they are written back
    as, dates as ISO text (:func:`trucewatch.exchange.dataset_digest.digest`)."""
    out: list[Sequence[Any]] = [lines]
    for column, stored in zip((*acled.COLUMNS, "verbatim", "extra"), values, strict=True):
        kind = TYPED.get(column)
        if kind == columns.FLOAT:
            out.append([None if v is None else columns.render_float(v) for v in stored])
        elif kind == columns.DATE:
            out.append([v if isinstance(v, str) else v.isoformat() for v in stored])
        else:
            out.append(stored)
    return out
