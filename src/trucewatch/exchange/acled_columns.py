"""An ACLED value as a dataset stores it: typed where the codebook types it, and its source
text kept where the type would not give it back.

Each codebook column is stored as text, or typed (a date, a float, an integer). A value
whose typed form would not be written back as the same text (``36.1000``, ``24 January
2017``, `` 3``) keeps its source text in the row's ``verbatim`` object, and a column
outside the codebook keeps its text in ``extra``, so :func:`render` gives back every column
exactly as it was read. The checks are those the report import makes where they apply:
the codebook's event type pairs, dates not in the future, coordinates in range, precisions,
fatalities and lengths. Whole chunks are converted in :mod:`trucewatch.exchange.acled_chunks`;
the functions here take one value and are its reference.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from trucewatch.exchange import acled, csvrows

DATE, FLOAT, INT, PRECISION, COUNT = "date", "float", "int", "precision", "count"
# Typed columns; every other codebook column is text.
TYPED: dict[str, str] = {
    "event_date": DATE, "year": INT, "time_precision": PRECISION, "inter1": INT,
    "inter2": INT, "interaction": INT, "iso": INT, "latitude": FLOAT, "longitude": FLOAT,
    "geo_precision": PRECISION, "fatalities": COUNT, "timestamp": INT,
}
# The INT columns are integers the report import does not check: a value that is not an
# integer is stored as null with its text in ``verbatim`` (newer ACLED files name the
# interaction codes in words) rather than refusing the file.
EVENT_ID_MAX = 40
LONG = frozenset({"notes", "source", "tags", "assoc_actor_1", "assoc_actor_2"})
LONG_MAX, SHORT_MAX = 100_000, 1_000  # characters in one text value
INT_MAX = 2**63 - 1
BOUNDS = {"latitude": 90.0, "longitude": 180.0}
PAIRS = frozenset(acled.CATEGORY_OF)
WIDTH = len(acled.COLUMNS)
INDEX = {c: i for i, c in enumerate(acled.COLUMNS)}
_NOT_KEPT = frozenset({*acled.COLUMNS, csvrows.LINE_COLUMN, csvrows.ERROR_COLUMN})


class RowError(Exception):
    """A value the dataset refuses; ``column`` is the ACLED column it stands in."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


@dataclass(frozen=True)
class Layout:
    """Where each codebook column stands in a file's header, worked out once per file.

    The two columns a file of rejected rows adds are dropped, so such a file, corrected,
    can be imported again."""

    header: tuple[str, ...]  # the columns kept, in the file's order
    positions: tuple[int | None, ...]  # per acled.COLUMNS; None: the file lacks the column
    extra: tuple[tuple[str, int], ...]  # columns outside the codebook, with their position

    @classmethod
    def of(cls, header: Sequence[str]) -> Layout:
        where = {name: i for i, name in enumerate(header)}
        kept = tuple(n for n in header if n not in (csvrows.LINE_COLUMN, csvrows.ERROR_COLUMN))
        return cls(kept, tuple(where.get(c) for c in acled.COLUMNS),
                   tuple((n, i) for i, n in enumerate(header) if n not in _NOT_KEPT))


def render_float(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def text_of(value: Any) -> str:
    """The text a stored typed value is written back as (null: the empty string)."""
    if value is None:
        return ""
    if type(value) is float:
        return render_float(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# Each converter takes a value's text and the row's ``verbatim`` (to add the text to when
# the stored value would not give it back) and returns the stored value, or raises.
Converter = Callable[[str, dict[str, str]], Any]


def event_id(text: str, _verbatim: dict[str, str]) -> str:
    if (not text or len(text) > EVENT_ID_MAX or not text.isascii() or not text.isprintable()
            or " " in text):
        raise RowError("event_id_cnty", f"{text!r}: required, printable ASCII without spaces, "
                       f"at most {EVENT_ID_MAX} characters")
    return text


def check_pair(event_type: str, sub_event_type: str) -> None:
    if (event_type, sub_event_type) not in PAIRS:
        if event_type not in acled.EVENT_TYPES:
            raise RowError("event_type", f"{event_type!r} is not an ACLED event type")
        raise RowError("sub_event_type",
                       f"{sub_event_type!r} is not a sub-event type of {event_type}")


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    stripped = text.strip()
    for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y"):
        try:
            return datetime.strptime(stripped, pattern).date()
        except ValueError:
            continue
    raise RowError("event_date", f"{text!r} is not a date (2017-01-24 or 24 January 2017)")


def event_date(today: date) -> Converter:
    def convert(text: str, verbatim: dict[str, str]) -> str:
        day = _parse_date(text)
        if day > today:
            raise RowError("event_date", f"{day.isoformat()} is in the future")
        iso = day.isoformat()
        if iso != text:
            verbatim["event_date"] = text
        return iso  # stored as a date; the ISO text is what the driver and the digest take
    return convert


def coordinate(column: str) -> Converter:
    bound = BOUNDS[column]

    def convert(text: str, verbatim: dict[str, str]) -> float | None:
        if not text.strip():
            if text:
                verbatim[column] = text
            return None
        try:
            value = float(text)
        except ValueError:
            raise RowError(column, f"{text!r} is not a number") from None
        if not math.isfinite(value) or not -bound <= value <= bound:
            raise RowError(column, f"{text!r} is not a number from {-bound:g} to {bound:g}")
        value += 0.0  # -0.0 is 0.0: SQLite keeps no negative zero (the text keeps the sign)
        if render_float(value) != text:
            verbatim[column] = text
        return value
    return convert


def precision(column: str) -> Converter:
    required = column == "time_precision"

    def convert(text: str, verbatim: dict[str, str]) -> int | None:
        stripped = text.strip()
        if stripped in ("1", "2", "3") or (not stripped and not required):
            if stripped != text:
                verbatim[column] = text
            return int(stripped) if stripped else None
        raise RowError(column, f"{text!r} is not 1, 2 or 3")
    return convert


def fatalities(text: str, verbatim: dict[str, str]) -> int:
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or int(stripped) > acled.FATALITIES_MAX:
        raise RowError("fatalities",
                       f"{text!r} is not a whole number from 0 to {acled.FATALITIES_MAX:,}")
    value = int(stripped)
    if str(value) != text:
        verbatim["fatalities"] = text
    return value


def lenient_int(column: str) -> Converter:
    def convert(text: str, verbatim: dict[str, str]) -> int | None:
        value: int | None
        try:
            value = int(text) if text else None
        except ValueError:
            value = None
        if value is not None and not -INT_MAX <= value <= INT_MAX:
            value = None
        if text_of(value) != text:
            verbatim[column] = text
        return value
    return convert


def text(column: str) -> Converter:
    limit = LONG_MAX if column in LONG else SHORT_MAX

    def convert(value: str, _verbatim: dict[str, str]) -> str:
        if len(value) > limit:
            raise RowError(column, f"{len(value):,} characters; at most {limit:,}")
        if "\x00" in value:  # no PostgreSQL text holds one
            raise RowError(column, "holds a NUL character")
        return value
    return convert


def encode_texts(texts: dict[str, str]) -> str:
    """``verbatim`` and ``extra`` as stored: compact JSON, keys sorted, non-ASCII as is."""
    return _ENCODE(texts)


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


def render(stored: Sequence[Any], header: Sequence[str]) -> list[str]:
    """The row as it was read, in the order of ``header``, from its stored values: the
    codebook's columns in its order (dates as ``date`` or ISO text), ``verbatim``, ``extra``."""
    verbatim = json.loads(stored[WIDTH]) if stored[WIDTH] else {}
    extra = json.loads(stored[WIDTH + 1]) if stored[WIDTH + 1] else {}
    by_column: dict[str, str] = {}
    for column, value in zip(acled.COLUMNS, stored, strict=False):
        if column in verbatim:
            by_column[column] = verbatim[column]
        elif column in TYPED:
            by_column[column] = text_of(value)
        else:
            by_column[column] = "" if value is None else value
    by_column.update(extra)
    return [by_column.get(name, "") for name in header]
