"""Signing a body for a guarantor seat: on the server with its keystore, or on the client.

Every signed body is RFC 8785 canonical JSON with a ``type`` naming what it is, so a
signature over an assessment can never pass for a vote or a decision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.errors import InvalidInput, PermissionDenied, UnknownReference
from trucewatch.keys.models import PublicKey
from trucewatch.keys.service import SIGNING, active_keys, signing_key_for
from trucewatch.keys.signing import Keystore, sign, signature_valid
from trucewatch.log.service import canonical

ASSESSMENT = "trucewatch/assessment/v1"
DECISION = "trucewatch/decision/v1"
MEASURE_VOTE = "trucewatch/measure-vote/v1"


def body_bytes(type_: str, fields: dict[str, Any]) -> bytes:
    return canonical({"type": type_, **fields})


def seal(session: Session, *, seat: int, body: bytes, keystore: Keystore | None,
         key_id: str | None, signature: str | None) -> tuple[str, str]:
    """``(key_id, signature)`` for ``body`` by the seat's key; a client signature is verified."""
    if key_id is None and signature is None:
        if keystore is None:
            raise InvalidInput("unsigned: give key_id and signature (signed on the client) or "
                               "sign with the server's keystore", field="signature")
        held, private = signing_key_for(session, keystore, organisation_id=seat)
        return held.key_id, sign(private, body)
    if keystore is not None:
        raise InvalidInput("give a client signature or a keystore, not both", field="signature")
    if key_id is None or signature is None:
        raise InvalidInput("a client signature needs both key_id and signature",
                           field="key_id" if key_id is None else "signature")
    row = session.scalar(select(PublicKey).where(PublicKey.key_id == key_id))
    if row is None:
        raise UnknownReference(f"no registered key {key_id[:16]}…", field="key_id")
    if row.purpose != SIGNING:
        raise InvalidInput(f"key {key_id[:16]}… is a {row.purpose} key, not a signing key",
                           field="key_id")
    if row.organisation_id != seat:
        owner = row.organisation.slug if row.organisation is not None else "the server"
        raise PermissionDenied(f"key {key_id[:16]}… belongs to {owner}, not to the seat "
                               "signing", field="key_id")
    if row.revoked_at is not None:
        raise InvalidInput(f"key {key_id[:16]}… was revoked", field="key_id")
    if not signature_valid(row.public_key, body, signature):
        raise InvalidInput("the signature does not verify over the canonical body with this "
                           "key (get the body to sign with --print-body)", field="signature")
    return key_id, signature


def holds_key(session: Session, keystore: Keystore, seat: int) -> bool:
    """Does ``keystore`` hold the private half of an active key of ``seat``?"""
    return any(keystore.has(row.key_id) for row in active_keys(session, organisation_id=seat))


def signature_holds(session: Session, *, seat: int, body: str, key_id: str,
                    signature: str) -> bool:
    """Does a stored signature verify with a key registered to ``seat`` (revoked since or not)?"""
    row = session.scalar(select(PublicKey).where(PublicKey.key_id == key_id))
    return (row is not None and row.organisation_id == seat
            and signature_valid(row.public_key, body.encode(), signature))
