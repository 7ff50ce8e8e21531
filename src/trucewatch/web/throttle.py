"""Sign-in attempts, limited per username and per client address (in this process's memory)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque


class SignInThrottle:
    """At most ``per_user`` failed sign-ins for a username and ``per_address`` from one address
    within ``window`` seconds; a success clears the username's count."""

    def __init__(self, *, per_user: int = 5, per_address: int = 20, window: float = 900) -> None:
        self.per_user, self.per_address, self.window = per_user, per_address, window
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures[key]
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, username: str, address: str) -> bool:
        now = time.monotonic()
        with self._lock:
            return (len(self._recent("u:" + username.lower(), now)) >= self.per_user
                    or len(self._recent("a:" + address, now)) >= self.per_address)

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent("u:" + username.lower(), now).append(now)
            self._recent("a:" + address, now).append(now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop("u:" + username.lower(), None)
