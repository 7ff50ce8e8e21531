"""A chunk of ACLED rows checked and typed whole, column by column, in Arrow.

Only a chunk whose every value is already written the way its stored value writes it back
is taken here (no value for ``verbatim``, no bad row): :func:`usual` says so with Arrow
compute over whole columns, with patterns that accept nothing the rules of
:mod:`trucewatch.exchange.acled_columns` would refuse or keep as source text. Any other
chunk goes through :mod:`trucewatch.exchange.acled_chunks`, which names the line and field
of a bad row. The stored values are then the texts themselves, cast (integers, and floats
by Arrow's correctly rounded parser, which a test holds to Python's ``float``), and the
chunk digest is the same JSON :func:`trucewatch.exchange.datasets.chunk_digest` hashes,
written by Arrow from the texts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from trucewatch.exchange import acled
from trucewatch.exchange import acled_columns as columns
from trucewatch.exchange.acled_columns import PAIRS, TYPED, Layout

_INT = r"^(?:0|-?[1-9][0-9]{0,17})?$"  # as str(int) writes it, or empty (null)
_FATALITIES = r"^(?:0|[1-9][0-9]{0,5}|1000000)$"
# A coordinate in plain decimals (what Python's float and Arrow's cast read alike); one
# not written back as its text (36.1000, 036.1, -0) keeps it in verbatim.
_COORDINATE = r"^-?[0-9]{1,20}(?:\.[0-9]{1,30})?$"
_DATE = r"^(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-[0-9]{2}-[0-9]{2}$"
_EVENT_ID = f"^[!-~]{{1,{columns.EVENT_ID_MAX}}}$"  # printable ASCII, no space
_CONTROL = r"[\x00-\x1f]"
_PAIRS = pa.array(sorted(f"{t}\x1f{s}" for t, s in PAIRS))
_PRECISIONS = pa.array(["1", "2", "3"])
_PRECISIONS_OR_EMPTY = pa.array(["1", "2", "3", ""])

# The Arrow type each stored column (after the line) has in the staging table.
STORED_TYPES: dict[str, pa.DataType] = {
    c: (pa.float64() if TYPED.get(c) == columns.FLOAT
        else pa.int64() if TYPED.get(c) in (columns.INT, columns.PRECISION, columns.COUNT)
        else pa.string())
    for c in (*acled.COLUMNS, "verbatim", "extra")}


def _all(mask: pa.Array | pa.ChunkedArray) -> bool:
    return bool(pc.all(mask).as_py())


def _matches(texts: pa.Array, pattern: str) -> bool:
    return _all(pc.match_substring_regex(texts, pattern))


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def usual(texts: Sequence[pa.Array | None], extra: Sequence[pa.Array], today: date) -> bool:
    """Whether every row of the chunk is stored as its texts say, with nothing to refuse and
    nothing to keep verbatim but a coordinate's text (``texts``: per codebook column, None
    where the file lacks it; ``extra``: the columns outside the codebook, in the order of
    ``Layout.extra``)."""
    i = columns.INDEX
    if not _matches(texts[i["event_id_cnty"]], _EVENT_ID):
        return False
    pairs = pc.binary_join_element_wise(texts[i["event_type"]], texts[i["sub_event_type"]], "\x1f")
    if not _all(pc.is_in(pairs, value_set=_PAIRS)):
        return False
    day = texts[i["event_date"]]
    assert day is not None  # a required column
    if not _matches(day, _DATE):
        return False
    try:
        if pc.max(day.cast(pa.date32())).as_py() > today:
            return False
    except pa.ArrowInvalid:  # no such day (2017-02-30)
        return False
    for column in ("time_precision", "geo_precision"):
        values = texts[i[column]]
        allowed = _PRECISIONS if column == "time_precision" else _PRECISIONS_OR_EMPTY
        if values is not None and not _all(pc.is_in(values, value_set=allowed)):
            return False
    if not _matches(texts[i["fatalities"]], _FATALITIES):
        return False
    for column, kind in TYPED.items():
        values = texts[i[column]]
        if kind == columns.INT and values is not None and not _matches(values, _INT):
            return False
    if not _usual_coordinates(texts[i["latitude"]], texts[i["longitude"]]):
        return False
    for column in acled.COLUMNS[1:]:
        values = texts[i[column]]
        if column in TYPED or values is None:
            continue
        limit = columns.LONG_MAX if column in columns.LONG else columns.SHORT_MAX
        offsets, octets = _octets(values)
        if (len(values) and int(np.max(np.diff(offsets))) > limit
                and (pc.max(pc.utf8_length(values)).as_py() or 0) > limit):
            return False
        if np.any(octets < 0x20):
            return False  # a NUL is refused; a tab or line break is fine, left to the row path
    return not any(np.any(_octets(values)[1] < 0x20) for values in extra)


def _octets(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A text column's offsets and its values' UTF-8 bytes, as numpy views (no copy)."""
    _, offsets_buffer, data = values.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int32)[values.offset:values.offset + len(values) + 1]
    if data is None or not len(values):
        return offsets, np.zeros(0, np.uint8)
    return offsets, np.frombuffer(data, np.uint8)[offsets[0]:offsets[-1]]


def _usual_coordinates(latitude: pa.Array, longitude: pa.Array) -> bool:
    lat_empty, lon_empty = pc.equal(latitude, ""), pc.equal(longitude, "")
    if not _all(pc.equal(lat_empty, lon_empty)):
        return False  # one without the other: refused, by the row path
    for texts, bound in ((latitude, columns.BOUNDS["latitude"]),
                         (longitude, columns.BOUNDS["longitude"])):
        given = pc.filter(texts, pc.invert(pc.equal(texts, "")))
        if len(given) == 0:
            continue
        if not _matches(given, _COORDINATE):
            return False
        values = given.cast(pa.float64())
        low, high = pc.min_max(values).values()
        if low.as_py() < -bound or high.as_py() > bound:
            return False
        # Under 1e-4 repr writes an exponent, Arrow does not: such a chunk takes the row path.
        if not _all(pc.or_(pc.equal(values, 0.0), pc.greater_equal(pc.abs(values), 1e-4))):
            return False
    return True


def _coordinate(texts: pa.Array) -> tuple[pa.Array, pa.Array]:
    """A coordinate column's stored floats, and per row the text kept in ``verbatim`` (null
    where the float is written back as its text: Arrow writes a double as its shortest
    text, as repr does in this range, less repr's ``.0``)."""
    values = pc.add(_empty_as_null(texts).cast(pa.float64()), 0.0)  # -0.0 is stored as 0.0
    written = pc.fill_null(values.cast(pa.string()), "")
    kept = pc.if_else(pc.equal(written, texts), pa.scalar(None, pa.string()), texts)
    return values, kept


def _verbatim(kept: dict[str, pa.Array], n: int) -> pa.Array:
    """``verbatim`` as :func:`trucewatch.exchange.acled_columns.encode_texts` writes it, from
    the texts kept per column (null: none), for texts that need no JSON escape."""
    parts = [pc.binary_join_element_wise(f'"{name}":"', texts, '"', "")
             for name, texts in sorted(kept.items())]
    if not parts:
        return pa.nulls(n, pa.string())
    joined = pc.fill_null(parts[0], "")
    for part in parts[1:]:
        comma = pc.if_else(pc.and_(pc.not_equal(joined, ""), pc.is_valid(part)), ",", "")
        joined = pc.binary_join_element_wise(joined, comma, pc.fill_null(part, ""), "")
    wrapped = pc.binary_join_element_wise("{", joined, "}", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), wrapped)


def stored(texts: Sequence[pa.Array | None], extra: Sequence[pa.Array], layout: Layout,
           n: int) -> list[pa.Array]:
    """The stored columns of a :func:`usual` chunk, per ``STORED_TYPES``."""
    out: list[pa.Array] = []
    kept: dict[str, pa.Array] = {}
    for column, values in zip(acled.COLUMNS, texts, strict=False):
        kind = STORED_TYPES[column]
        if values is None:
            out.append(pa.nulls(n, kind))
        elif TYPED.get(column) == columns.FLOAT:
            floats, kept[column] = _coordinate(values)
            out.append(floats)
        elif kind == pa.string():
            out.append(values)
        else:
            out.append(_empty_as_null(values).cast(kind))
    out.append(_verbatim(kept, n))
    out.append(_extra(extra, layout) if layout.extra else pa.nulls(n, pa.string()))
    return out


def _empty_as_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _json_string(values: pa.Array) -> pa.Array:
    """Each text as a JSON string (no control characters: :func:`usual` checked)."""
    escaped = pc.replace_substring(pc.replace_substring(values, "\\", "\\\\"), '"', '\\"')
    return pc.binary_join_element_wise('"', escaped, '"', "")


def _extra(texts: Sequence[pa.Array], layout: Layout) -> pa.Array:
    """``extra`` as :func:`trucewatch.exchange.acled_columns.encode_texts` writes it: the
    keys sorted, compact, non-ASCII as is."""
    by_name = sorted((name, texts[k]) for k, (name, _) in enumerate(layout.extra))
    parts: list[pa.Array | str] = []
    for k, (name, values) in enumerate(by_name):
        key = columns.encode_texts({name: ""})[1:-3]  # '"name":' as the encoder writes it
        parts += [("{" if k == 0 else ",") + key, _json_string(values)]
    parts.append("}")
    return pc.binary_join_element_wise(*parts, "")


def _joined(values: pa.Array, separator: str) -> memoryview:
    """The values (no nulls) joined by ``separator``, in one pass."""
    kind = pa.large_string() if values.nbytes > 1 << 30 else pa.string()
    listed = pa.ListArray.from_arrays(pa.array([0, len(values)], pa.int32()), values.cast(kind))
    return memoryview(pc.binary_join(listed, pa.scalar(separator, kind))[0].as_buffer())


def _json_texts(values: pa.Array) -> _ListBytes:
    """``["a","b",null,…]``: a column of texts as orjson writes it (no control characters:
    :func:`usual` checked), joined whole where nothing needs an escape or a null."""
    if values.null_count == 0:
        inside = _joined(values, '","')
        octets = np.frombuffer(inside, np.uint8)
        # Only the separators' quotes, and no backslash: nothing to escape.
        if (np.count_nonzero(octets == 0x22) == 2 * (len(values) - 1)
                and not np.any(octets == 0x5C)):
            return _ListBytes(b'["', inside, b'"]')
    return _ListBytes(b"[", _joined(pc.fill_null(_json_string(values), "null"), ","), b"]")


def _json_numbers(values: pa.Array) -> _ListBytes:
    return _ListBytes(b"[", _joined(pc.fill_null(values.cast(pa.string()), "null"), ","), b"]")


class _ListBytes(tuple[bytes, memoryview, bytes]):
    """A JSON array's bytes in three parts, hashed without joining them."""

    def __new__(cls, opening: bytes, inside: memoryview, closing: bytes) -> _ListBytes:
        return super().__new__(cls, (opening, inside, closing))


def digest(dataset: int, first_line: int, n: int, values: Sequence[pa.Array]) -> str:
    """:func:`trucewatch.exchange.datasets.chunk_digest` of a :func:`usual` chunk's rows
    (lines ``first_line`` to ``first_line + n - 1``), from its stored columns: the same
    JSON, written by Arrow."""
    sha = hashlib.sha256(b"[%d,[" % dataset)
    sha.update(",".join(map(str, range(first_line, first_line + n))).encode() + b"]")
    nulls = b"[" + b",".join([b"null"] * n) + b"]"
    for column, stored_values in zip((*acled.COLUMNS, "verbatim", "extra"), values, strict=True):
        sha.update(b",")
        kind = TYPED.get(column)
        if stored_values.null_count == n:
            sha.update(nulls)
            continue
        if kind == columns.FLOAT:  # as the text it is written back as (repr less .0)
            parts = _json_texts(stored_values.cast(pa.string()))
        elif kind is None or kind == columns.DATE:
            parts = _json_texts(stored_values)
        else:
            parts = _json_numbers(stored_values)
        for part in parts:
            sha.update(part)
    sha.update(b"]")
    return sha.hexdigest()
