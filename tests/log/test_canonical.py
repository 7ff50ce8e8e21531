"""``canonical`` writes exactly the bytes ``rfc8785.dumps`` writes, or fails where it fails.

The log's hashes and every report's fingerprint depend on these bytes, and ``canonical``
takes a fast path of its own for plain JSON values; this compares the two on arbitrary
values, including the corners where RFC 8785 differs from Python's ``json`` module.
"""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _rfc8785(value: Any) -> bytes | type[BaseException]:
    try:
        return rfc8785.dumps(value)
    except Exception as exc:  # the reference's own errors, whatever their class
        return type(exc)


@settings(max_examples=1000, deadline=None)
@given(VALUES)
def test_canonical_is_rfc8785(value: Any) -> None:
    expected = _rfc8785(value)
    if isinstance(expected, bytes):
        assert canonical(value) == expected
    else:
        with pytest.raises(expected):
            canonical(value)


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
