"""How big the reliability runs are: the quick version by default (the test suite, CI), the
full one with ``TRUCEWATCH_RELIABILITY=full`` (docs/reliability.md gives the commands)."""

from __future__ import annotations

import os

FULL = os.environ.get("TRUCEWATCH_RELIABILITY", "").strip().lower() == "full"


def scale(quick: int, full: int) -> int:
    return full if FULL else quick
