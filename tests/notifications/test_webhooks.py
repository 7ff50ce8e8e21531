"""The webhook signature: what the server signs, the documented check accepts, and nothing else."""

from __future__ import annotations

import time

from tests.notifications.conftest import signature_holds

from trucewatch.notifications.webhooks import sign, verify


def test_a_signature_holds_for_its_body_secret_and_time_only() -> None:
    body = b'{"event":"report.arrived","delivery":1}'
    header = sign("whsec_a", body)
    assert verify("whsec_a", header, body) and signature_holds("whsec_a", header, body)
    assert not verify("whsec_b", header, body)
    assert not verify("whsec_a", header, body + b" ")
    assert not signature_holds("whsec_a", header, body.replace(b"1", b"2"))
    old = sign("whsec_a", body, timestamp=int(time.time()) - 301)
    assert not verify("whsec_a", old, body) and not signature_holds("whsec_a", old, body)
    assert verify("whsec_a", old, body, tolerance=400)
    assert not verify("whsec_a", "v1=" + header.split("v1=")[1], body)  # no timestamp
    # while a secret is being changed a sender may put two v1 values; either may match
    rotated = header + ",v1=" + sign("whsec_new", body).split("v1=")[1]
    assert verify("whsec_a", rotated, body)
