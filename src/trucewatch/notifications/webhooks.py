"""Signed webhooks: the JSON a receiver gets, its HMAC-SHA256 signature, and the check.

``X-Trucewatch-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``.
A receiver recomputes v1 over the raw body with its secret, compares in constant time and
refuses a ``t`` too far from its own clock (a replayed request).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

HEADER = "X-Trucewatch-Signature"
TOLERANCE_SECONDS = 300


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header's value for ``body`` at ``timestamp`` (now by default)."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> bool:
    """Does ``header`` sign ``body`` with ``secret``, within ``tolerance`` seconds of now?"""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        fields.setdefault(name, []).append(value)
    try:
        t = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - t) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, v) for v in fields.get("v1", ()))


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended: ``retry`` is False when trying again cannot help."""

    ok: bool
    status_code: int | None = None
    error: str = ""
    retry: bool = True


def post(url: str, body: bytes, *, secret: str, delivery_id: int, event: str,
         timeout: float) -> Outcome:
    """POST ``body`` to ``url``, signed; any 2xx is delivered."""
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": "trucewatch-webhooks",
        "X-Trucewatch-Event": event,
        "X-Trucewatch-Delivery": str(delivery_id),
        HEADER: sign(secret, body),
    })
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Outcome(True, response.status)
    except urllib.error.HTTPError as exc:
        # A 4xx other than a timeout or a rate limit will come again: no retry.
        retry = exc.code >= 500 or exc.code in (408, 429)
        return Outcome(False, exc.code, f"HTTP {exc.code} {exc.reason}", retry)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return Outcome(False, None, f"{type(exc).__name__}: {exc}")
