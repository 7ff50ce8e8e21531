"""``canonical`` writes exactly the bytes ``rfc8785.dumps`` writes, or fails where it fails.

The log's hashes and every report's fingerprint depend on these bytes, and ``canonical``
takes two fast paths of its own (orjson, then a pure-Python writer); this compares each
of them with ``rfc8785`` on arbitrary values, including the corners where RFC 8785
differs from Python's ``json`` module and from orjson.
"""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from trucewatch.log.canonical import by_orjson, by_python
from trucewatch.log.service import canonical

# Surrogates included: a lone one cannot be written as UTF-8 and must be refused.
CHARACTERS = st.characters(codec=None, categories=None)
# Keys that sort differently by UTF-16 code units (RFC 8785) and by code points (Python):
# astral characters against the BMP's private use area, plus controls and quotes.
TRICKY = st.sampled_from(["\ue000", "\uffff", "\U0001f600", "\U00010000", "\x00", "\x1f",
                          "\x7f", '"', "\\", "\u2028", "é", "a"])
TEXT = st.text(CHARACTERS | TRICKY, max_size=12)
SAFE = 2**53 - 1
INTEGERS = st.integers() | st.sampled_from(
    [0, 1, -1, SAFE, -SAFE, SAFE + 1, -SAFE - 1, SAFE + 2, -SAFE - 2, 2**64, -(2**64)])
FLOATS = st.floats() | st.sampled_from(
    [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e-7,
     1e-6, 1.5e-6, 1e-5, 1e-4, 0.1, 1.0, -1.0, 36.0, 1e15, 1e16, 1e20, 1e21, 1.5e21,
     123456789012345680.0, 9007199254740993.0, float("inf"), float("-inf"), float("nan")])
SCALARS = st.none() | st.booleans() | INTEGERS | FLOATS | TEXT
VALUES = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(TEXT, inner, max_size=6)),
    max_leaves=40,
)
# Values the orjson path takes: floats it writes as RFC 8785 does among them, so that
# most examples go that way (VALUES' floats are mostly ones it leaves to the others).
PLAIN_FLOATS = (st.floats(min_value=1e-5, max_value=1e16, exclude_max=True)
                | st.floats(min_value=-1e16, max_value=-1e-5, exclude_min=True)
                | st.floats(allow_nan=False, allow_infinity=False))
PLAIN_TEXT = st.text(st.characters(codec="utf-8") | TRICKY, max_size=12)
PLAIN_VALUES = st.recursive(
    st.none() | st.booleans() | INTEGERS | PLAIN_FLOATS | PLAIN_TEXT,
    lambda inner: (st.lists(inner, max_size=5) | st.lists(inner, max_size=3).map(tuple)
                   | st.dictionaries(PLAIN_TEXT, inner, max_size=6)),
    max_leaves=40,
)


def _rfc8785(value: Any) -> bytes | type[BaseException]:
    try:
        return rfc8785.dumps(value)
    except Exception as exc:  # the reference's own errors, whatever their class
        return type(exc)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_canonical_is_rfc8785(value: Any) -> None:
    expected = _rfc8785(value)
    if isinstance(expected, bytes):
        assert canonical(value) == expected
    else:
        with pytest.raises(expected):
            canonical(value)


@settings(max_examples=500, deadline=None)
@given(VALUES | PLAIN_VALUES)
def test_each_fast_path_is_rfc8785_where_it_answers(value: Any) -> None:
    expected = _rfc8785(value)
    for path in (by_orjson, by_python):
        written = path(value)
        if written is not None:
            assert written == expected, path.__name__


@settings(max_examples=1000, deadline=None)
@given(FLOATS | PLAIN_FLOATS)
def test_orjson_floats_are_rfc8785(value: float) -> None:
    written = by_orjson([value, {"f": value}])
    if written is not None:
        assert written == rfc8785.dumps([value, {"f": value}])


# Byte for byte what rfc8785 writes for an entry like the ones a filing appends.
REPORT_BODY = {
    "seq": 12, "recorded_at": "2026-11-29T15:00:00.123456+00:00", "kind": "reports.filed",
    "subject": "reports:1-2", "actor": "user:opp-reporter",
    "payload": {"filed_by": {"organisation": "armed-opposition", "user": None},
                "reports": [{"id": 1, "idempotency_key": "k-1", "occurred": "2017-01-20",
                             "confidential_source_commitment": None}]},
    "rows": [{"table": "reports", "key": [1],
              "values": {"id": 1, "latitude": 33.51234, "longitude": 36.29, "zone_id": None,
                         "narrative": "Mortar fire — قصف بالهاون\n\"quoted\"", "synthetic": True,
                         "occurred_start": "2017-01-20T00:00:00Z", "truce_id": 1}},
             {"table": "report_casualties", "key": [7],
              "values": {"id": 7, "report_id": 1, "outcome": "killed", "group": "civilian",
                         "low": 1, "best": 2, "high": 3}}],
}


def test_orjson_takes_report_bodies() -> None:
    # The orjson path is what makes bulk filing fast: it must not quietly give way.
    assert by_orjson(REPORT_BODY) == rfc8785.dumps(REPORT_BODY)
    assert canonical(REPORT_BODY) == rfc8785.dumps(REPORT_BODY)


@pytest.mark.parametrize("value", [
    1.0, 36.0, -0.0, 1e16, 1.5e-6, 1e-7, float("nan"), float("inf"),  # orjson writes these otherwise
    {"\U0001f600": 1, "\ue000": 2},  # keys orjson sorts by UTF-8, not UTF-16
    2**53, "\ud800",  # refused by rfc8785
    [1, [2, {"deep": [float("nan")]}]],
])
def test_orjson_leaves_what_it_writes_otherwise(value: Any) -> None:
    assert by_orjson(value) is None


def test_deep_nesting_goes_the_slow_way() -> None:
    value: Any = 1
    for _ in range(300):
        value = [value]
    assert by_orjson(value) is None
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [
    {"\U0001f600": 1, "\ue000": 2, "z": 3},  # UTF-16 order puts the astral key first
    {"b": [1, 2.5, -0.0, 1e21, 1e-7, None, True, "\x00\u2028"], "a": {"": {}}},
    [SAFE, -SAFE],
])
def test_known_corners(value: Any) -> None:
    assert canonical(value) == rfc8785.dumps(value)


@pytest.mark.parametrize("value", [SAFE + 1, -SAFE - 1, float("nan"), float("inf"),
                                   "\ud800", {"k": ["\udfff"]}, {1: "not a string key"}])
def test_refused_like_rfc8785(value: Any) -> None:
    expected = _rfc8785(value)
    assert not isinstance(expected, bytes)
    with pytest.raises(expected):
        canonical(value)
