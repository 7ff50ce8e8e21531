"""The pages' sign-in limit over the store (auth/throttle.py), shared by every server process.

This holds what the domain functions need besides a session: the key the rows are hashed
with (derived from the session secret in the keys directory, which every process of one
server shares), the limits and the clock (tests set it). Each step is its own transaction,
so an attempt is recorded before its password is checked.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from trucewatch.auth import throttle
from trucewatch.auth.throttle import LIMITS, Attempt, Limits
from trucewatch.storage import Store
from trucewatch.storage.base import utcnow
from trucewatch.web.session import load_secret

# Another use of the session secret than signing cookies gets a key of its own.
PURPOSE = b"trucewatch sign-in limit"


@dataclass
class SignInThrottle:
    keys_dir: str | Path
    limits: Limits = LIMITS
    clock: Callable[[], datetime] = utcnow
    _key: bytes | None = field(default=None, repr=False)

    @property
    def key(self) -> bytes:
        if self._key is None:
            secret = load_secret(self.keys_dir).encode()
            self._key = hmac.new(secret, PURPOSE, hashlib.sha256).digest()
        return self._key

    def begin(self, store: Store, username: str, address: str) -> Attempt | None:
        """The attempt, recorded as a failure until it succeeds; None: the username or the
        address has had too many failures, and the password must not be checked."""
        key, limits = self.key, self.limits
        with store.session() as session:  # a blocked client writes nothing
            if throttle.blocked(session, key=key, username=username, address=address,
                                now=self.clock(), limits=limits):
                return None
        with store.session() as session:  # committed before the next check counts it
            attempt = throttle.failed(session, key=key, username=username, address=address,
                                      now=self.clock(), limits=limits)
        with store.session() as session:
            if throttle.blocked(session, key=key, username=username, address=address,
                                now=self.clock(), limits=limits, besides=attempt):
                throttle.withdrawn(session, attempt=attempt)
                return None
        return attempt

    def succeeded(self, store: Store, username: str, attempt: Attempt) -> None:
        with store.session() as session:
            throttle.succeeded(session, key=self.key, username=username, attempt=attempt)
