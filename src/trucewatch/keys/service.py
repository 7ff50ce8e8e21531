"""Register, find and revoke the public keys of organisations and of the server's log."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import find_actor
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, NotFound
from trucewatch.keys.models import PublicKey
from trucewatch.keys.signing import Keystore, b64, key_id_of, load_public_key, public_bytes
from trucewatch.log import service as log
from trucewatch.storage.base import utcnow

SIGNING = "signing"
LOG = "log"


def register_public_key(session: Session, *, organisation: str | None, public_key: str,
                        purpose: str = SIGNING, actor: str,
                        principal: Principal | None = None) -> PublicKey:
    """Register a public key (base64 of the 32 raw bytes) generated anywhere, e.g. on a client."""
    _check(principal)
    raw = public_bytes(load_public_key(public_key))
    key_id = key_id_of(raw)
    if session.scalar(select(PublicKey.id).where(PublicKey.key_id == key_id)) is not None:
        raise Conflict("this key is registered already", field="public_key")
    org_id = None
    if organisation is not None:
        org_id = find_actor(session, organisation, field="organisation",
                            kind=ActorKind.ORGANISATION).id
    row = PublicKey(key_id=key_id, organisation_id=org_id, purpose=purpose, public_key=b64(raw))
    session.add(row)
    session.flush()
    log.append(session, kind="key.registered", subject=f"key:{key_id}", actor=actor,
               payload=key_view(row, organisation))
    return row


def create_key(session: Session, *, keystore: Keystore, organisation: str | None,
               purpose: str = SIGNING, actor: str, principal: Principal | None = None) -> PublicKey:
    """Generate a key pair, keep the private half in ``keystore``, register the public half."""
    _check(principal)  # before a private key is written anywhere
    private = Ed25519PrivateKey.generate()
    keystore.save(private)
    return register_public_key(session, organisation=organisation, public_key=b64(
        public_bytes(private)), purpose=purpose, actor=actor, principal=principal)


def revoke_key(session: Session, *, key_id: str, actor: str,
               principal: Principal | None = None) -> PublicKey:
    _check(principal)
    row = get_key(session, key_id)
    if row.revoked_at is not None:
        raise Conflict("this key is revoked already", field="key")
    row.revoked_at = utcnow()
    session.flush()
    log.append(session, kind="key.revoked", subject=f"key:{key_id}", actor=actor,
               payload={"key_id": key_id})
    return row


def _check(principal: Principal | None) -> None:
    if principal is not None:
        require(principal, Action.KEY_MANAGE)


def get_key(session: Session, key_id: str) -> PublicKey:
    row = session.scalar(select(PublicKey).where(PublicKey.key_id == key_id))
    if row is None:
        raise NotFound(f"no key {key_id}", field="key")
    return row


def active_keys(session: Session, *, organisation_id: int | None,
                purpose: str = SIGNING) -> list[PublicKey]:
    query = select(PublicKey).where(PublicKey.purpose == purpose,
                                    PublicKey.revoked_at.is_(None))
    if organisation_id is None:
        query = query.where(PublicKey.organisation_id.is_(None))
    else:
        query = query.where(PublicKey.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(PublicKey.id)))


def signing_key_for(session: Session, keystore: Keystore, *,
                    organisation_id: int | None, purpose: str = SIGNING) -> tuple[PublicKey,
                                                                                  Ed25519PrivateKey]:
    """The newest active key of an organisation (or the server) whose private half we hold."""
    for row in reversed(active_keys(session, organisation_id=organisation_id, purpose=purpose)):
        if keystore.has(row.key_id):
            return row, keystore.load(row.key_id)
    raise NotFound("no active key with a private half in the keystore", field="key")


def all_keys(session: Session) -> list[PublicKey]:
    return list(session.scalars(select(PublicKey).order_by(PublicKey.id)))


def key_view(row: PublicKey, organisation: str | None = None) -> dict[str, Any]:
    org = organisation if organisation is not None else (
        row.organisation.slug if row.organisation is not None else None)
    return {"key_id": row.key_id, "organisation": org, "purpose": row.purpose,
            "public_key": row.public_key, "algorithm": "ed25519",
            "created_at": row.created_at.isoformat() if row.created_at else None,
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}
