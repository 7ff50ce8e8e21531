"""RFC 8785 (JCS) canonical JSON: the bytes every log body and report fingerprint is hashed over.

Three ways, fastest first, each taken only where it is known to give exactly the bytes
``rfc8785.dumps`` gives (tests/log/test_canonical.py compares all three with it):

1. orjson, for values made only of the exact plain types whose every float it writes as
   RFC 8785 does, and whose text leaves key order alike by UTF-8 and by UTF-16;
2. a pure-Python writer for the other plain values (integral and exponent floats, keys
   whose order differs);
3. ``rfc8785`` itself for everything else (subclasses such as enums, integers beyond
   2**53, NaN, lone surrogates, non-string keys), which serialises or rejects it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring
from typing import Any

import orjson
import rfc8785


def canonical(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes of ``value``."""
    written = by_orjson(value)
    if written is None:
        written = by_python(value)
    return written if written is not None else rfc8785.dumps(value)


# --- 1. orjson -------------------------------------------------------------------------

_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER  # integers beyond 2**53 raise
_SCALARS = frozenset({str, int, bool, type(None)})
_FLAT = _SCALARS | {float}
_WALKED = _FLAT | {dict, list, tuple}
_MAX_DEPTH = 200  # deeper values go the slow way (orjson refuses 255 levels, Python recurses)
# A UTF-8 lead byte of U+E000 and above. Below U+E000 (surrogates cannot be encoded) the
# order of UTF-8 bytes, orjson's sort order, is the order of UTF-16 code units, RFC 8785's.
_ABOVE_E000 = re.compile(rb"[\xee-\xff]")


def by_orjson(value: Any) -> bytes | None:
    """``value``'s canonical bytes written by orjson, or None where orjson's could differ."""
    if not _orjson_safe(value):
        return None
    try:
        text = orjson.dumps(value, option=_ORJSON)
    except orjson.JSONEncodeError:  # integers beyond 2**53, lone surrogates, str subclass keys
        return None
    if not text.isascii() and _ABOVE_E000.search(text):
        return None
    return text


def _orjson_safe(value: Any) -> bool:
    """Whether ``value`` holds only exact plain types and floats orjson writes as RFC 8785.

    orjson writes enums, UUIDs and NaN (as null) where ``rfc8785`` refuses them, and
    writes integral floats ("1.0") and floats in [1e-6, 1e-5) ("1e-6") otherwise; this
    walk sends all of those the slow way.
    """
    kind = type(value)
    if kind is dict or kind is list or kind is tuple:
        items = value.values() if kind is dict else value
        kinds = set(map(type, items))
        return kinds <= _SCALARS or _safe_items(items, kinds, 0)
    if kind is float:
        return _orjson_float(value)
    return kind in _SCALARS


def _safe_items(items: Iterable[Any], kinds: set[type], depth: int) -> bool:
    # It runs over every log body, so it looks at the set of a container's value types
    # first, and calls itself only for containers that hold more than scalars.
    if depth >= _MAX_DEPTH or not kinds <= _WALKED:
        return False
    if kinds <= _FLAT:
        return all(map(_orjson_float, [item for item in items if type(item) is float]))
    for item in items:
        kind = type(item)
        if kind in _SCALARS:
            continue
        if kind is float:
            if _orjson_float(item):
                continue
            return False
        inner = item.values() if kind is dict else item
        inner_kinds = set(map(type, inner))
        if not inner_kinds <= _SCALARS and not _safe_items(inner, inner_kinds, depth + 1):
            return False
    return True


def _orjson_float(value: float) -> bool:
    # Finite (NaN fails every comparison), not integral, and outside [1e-6, 1e-5).
    return 1e-5 <= abs(value) < 1e16 and not value.is_integer()


# --- 2. the pure-Python writer ------------------------------------------------------------

class _NotPlain(Exception):
    """A value the pure-Python writer leaves to ``rfc8785``."""


# RFC 8785 3.2.2.2 escapes exactly what the json module's C encoder escapes when it keeps
# non-ASCII text: '"', backslash, \b \f \n \r \t, other controls as lower-case \u00xx.
_quote: Callable[[str], str] = encode_basestring
_SAFE_INTS = range(-(2**53) + 1, 2**53)
_KEY_ORDERS: dict[tuple[str, ...], list[tuple[str, str]]] = {}
_KEY_ORDERS_MAX = 1024


def by_python(value: Any) -> bytes | None:
    """``value``'s canonical bytes by the pure-Python writer, or None where it gives up."""
    try:
        return _jcs(value).encode("utf-8")
    except (_NotPlain, AttributeError, UnicodeEncodeError):
        return None


def _jcs(value: Any) -> str:
    encode = _ENCODERS.get(type(value))
    if encode is None:
        raise _NotPlain
    return encode(value)


def _jcs_dict(value: dict[str, Any]) -> str:
    # The commonest values (strings, null, safe integers) are written inline.
    parts: list[str] = []
    append = parts.append
    for key, prefix in _key_order(value):
        item = value[key]
        kind = type(item)
        if kind is str:
            append(prefix + _quote(item))
        elif item is None:
            append(prefix + "null")
        elif kind is int and item in _SAFE_INTS:
            append(prefix + str(item))
        else:
            append(prefix + _jcs(item))
    return "{" + ",".join(parts) + "}"


def _key_order(value: dict[str, Any]) -> list[tuple[str, str]]:
    """The keys sorted by UTF-16 code units (RFC 8785 3.2.3), each with its quoted prefix."""
    keys = tuple(value)
    order = _KEY_ORDERS.get(keys)
    if order is None:
        order = [(key, _quote(key) + ":") for key in sorted(keys, key=_utf16)]
        if len(_KEY_ORDERS) < _KEY_ORDERS_MAX:
            _KEY_ORDERS[keys] = order
    return order


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be")  # AttributeError for a key that is not a string


def _jcs_list(value: list[Any] | tuple[Any, ...]) -> str:
    return "[" + ",".join([_jcs(item) for item in value]) + "]"


def _jcs_int(value: int) -> str:
    if value not in _SAFE_INTS:
        raise _NotPlain
    return str(value)


def _jcs_float(value: float) -> str:
    # Without an exponent ECMAScript prints the same shortest round-trip digits as Python's
    # repr, less a trailing ".0"; exponents, -0.0, NaN and infinities go to rfc8785.
    text = repr(value)
    if "e" in text or "n" in text or value == 0:
        raise _NotPlain
    return text[:-2] if text.endswith(".0") else text


_ENCODERS: dict[type, Callable[[Any], str]] = {
    str: _quote,
    dict: _jcs_dict,
    list: _jcs_list,
    tuple: _jcs_list,
    int: _jcs_int,
    float: _jcs_float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}
