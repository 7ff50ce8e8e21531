"""Rendered bulletin pieces kept in memory, keyed by the digest of everything that draws them.

Drawing the map and the charts (matplotlib) and printing a PDF (WeasyPrint) take most of
a bulletin's time, while the same bulletin is asked for again and again: each reader of
the week's page, each download of its PDF. A piece is kept under the SHA-256 of the exact
inputs its drawing reads (:func:`digest`), so a changed incident, zone, word or outline is
a different key and is drawn afresh; nothing is ever served for inputs it was not drawn
from. The cache is per process and bounded by bytes, least recently used first out.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import orjson

MAX_BYTES = 64 * 1024 * 1024  # per cache: a few dozen bulletins' pictures or PDFs


def digest(*parts: Any) -> str:
    """The SHA-256 of ``parts`` as canonical JSON (dates as ISO text, keys sorted)."""
    encoded = orjson.dumps(parts, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                           default=str)
    return hashlib.sha256(encoded).hexdigest()


class BytesCache:
    """A least-recently-used map from digests to byte strings, at most ``max_bytes`` in all."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The bytes kept under ``key``, or those ``make()`` gives (then kept)."""
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        made = make()  # outside the lock: two threads may draw the same piece once each
        with self._lock:
            if key not in self._items and len(made) <= self.max_bytes:
                self._items[key] = made
                self._size += len(made)
                while self._size > self.max_bytes:
                    _, dropped = self._items.popitem(last=False)
                    self._size -= len(dropped)
        return made

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._size = 0
