"""Signed tree heads: the server signs the Merkle root of the log; guarantors countersign it.

The signed body of a tree head is RFC 8785 JSON of ``{"log", "size", "root_hash",
"timestamp"}``; the server's signature and each countersignature are Ed25519 over
those bytes, so anyone with the public keys can check them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.keys.models import PublicKey
from trucewatch.keys.service import LOG, SIGNING, get_key, signing_key_for
from trucewatch.keys.signing import Keystore, sign, signature_valid
from trucewatch.log import service as log
from trucewatch.log.merkle import MerkleTree
from trucewatch.log.models import LogEntry, TreeHead, TreeHeadCountersignature
from trucewatch.storage.base import utcnow

LOG_NAME = "trucewatch"


def tree_head_body(size: int, root_hash: str, timestamp: datetime) -> bytes:
    return log.canonical({"log": LOG_NAME, "size": size, "root_hash": root_hash,
                          "timestamp": timestamp.isoformat().replace("+00:00", "Z")})


def leaf_hashes(session: Session, size: int | None = None) -> list[bytes]:
    query = select(LogEntry.leaf_hash).order_by(LogEntry.seq)
    if size is not None:
        query = query.limit(size)
    return [bytes.fromhex(h) for h in session.scalars(query)]


def tree(session: Session, size: int | None = None) -> MerkleTree:
    return MerkleTree(leaf_hashes(session, size))


def sign_tree_head(session: Session, *, keystore: Keystore, actor: str) -> TreeHead:
    """Sign the current log with the server's log key (creating that key the first time)."""
    from trucewatch.keys.service import create_key

    log.lock(session)
    merkle = tree(session)
    if merkle.size == 0:
        raise Conflict("the log is empty: nothing to sign", field="log")
    existing = session.scalar(select(TreeHead).where(TreeHead.size == merkle.size))
    if existing is not None:
        return existing
    try:
        key, private = signing_key_for(session, keystore, organisation_id=None, purpose=LOG)
    except NotFound:
        create_key(session, keystore=keystore, organisation=None, purpose=LOG, actor=actor)
        key, private = signing_key_for(session, keystore, organisation_id=None, purpose=LOG)
        merkle = tree(session)  # the key's registration is itself an entry
    now = utcnow()
    root = merkle.root().hex()
    head = TreeHead(size=merkle.size, root_hash=root, timestamp=now, key_id=key.key_id,
                    signature=sign(private, tree_head_body(merkle.size, root, now)))
    session.add(head)
    session.flush()
    return head


def countersign(session: Session, *, principal: Principal, size: int,
                keystore: Keystore | None = None, key_id: str | None = None,
                signature: str | None = None) -> TreeHeadCountersignature:
    """A guarantor vouches for a tree head: signed here with its key, or on its own machine."""
    require(principal, Action.TREE_HEAD_COUNTERSIGN, organisation_id=principal.organisation_id)
    head = get_tree_head(session, size)
    body = tree_head_body(head.size, head.root_hash, head.timestamp)
    if signature is None:
        if keystore is None:
            raise InvalidInput("give a signature or a keystore to sign with", field="signature")
        key, private = signing_key_for(session, keystore, organisation_id=principal.organisation_id)
        key_id, signature = key.key_id, sign(private, body)
    if key_id is None:
        raise InvalidInput("a signature needs the key_id it was made with", field="key_id")
    key = get_key(session, key_id)
    if key.organisation_id != principal.organisation_id or key.purpose != SIGNING:
        raise InvalidInput("that key is not a signing key of your organisation", field="key_id")
    if key.revoked_at is not None:
        raise InvalidInput("that key is revoked", field="key_id")
    if not signature_valid(key.public_key, body, signature):
        raise InvalidInput("the signature does not match this tree head", field="signature")
    # The log's lock first: two countersignatures of the same head by the same key at once
    # then meet the check below one after the other (a Conflict), not the unique index.
    log.lock(session)
    if session.scalar(select(TreeHeadCountersignature.id).where(
            TreeHeadCountersignature.tree_head_id == head.id,
            TreeHeadCountersignature.key_id == key_id)) is not None:
        raise Conflict("this key has countersigned this tree head already", field="key_id")
    row = TreeHeadCountersignature(tree_head_id=head.id, organisation_id=key.organisation_id,
                                   key_id=key_id, signature=signature, signed_at=utcnow())
    session.add(row)
    session.flush()
    log.append(session, kind="tree_head.countersigned", subject=f"tree_head:{head.size}",
               actor=principal.actor, payload={"size": head.size, "root_hash": head.root_hash,
                                               "key_id": key_id, "signature": signature})
    return row


def get_tree_head(session: Session, size: int | None = None) -> TreeHead:
    query = select(TreeHead)
    query = query.where(TreeHead.size == size) if size is not None else query.order_by(
        TreeHead.size.desc()).limit(1)
    head = session.scalar(query)
    if head is None:
        raise NotFound("no signed tree head" + (f" of size {size}" if size else " yet"),
                       field="size")
    return head


def tree_heads(session: Session) -> list[TreeHead]:
    return list(session.scalars(select(TreeHead).order_by(TreeHead.size)))


def countersignatures(session: Session, head: TreeHead) -> list[TreeHeadCountersignature]:
    return list(session.scalars(select(TreeHeadCountersignature).where(
        TreeHeadCountersignature.tree_head_id == head.id).order_by(TreeHeadCountersignature.id)))


def tree_head_view(session: Session, head: TreeHead) -> dict[str, Any]:
    owners = {k.key_id: (k.organisation.slug if k.organisation is not None else None)
              for k in session.scalars(select(PublicKey))}
    return {
        "size": head.size,
        "root_hash": head.root_hash,
        "timestamp": head.timestamp.isoformat().replace("+00:00", "Z"),
        "key_id": head.key_id,
        "signature": head.signature,
        "countersignatures": [
            {"organisation": owners.get(c.key_id), "key_id": c.key_id, "signature": c.signature,
             "signed_at": c.signed_at.isoformat().replace("+00:00", "Z")}
            for c in countersignatures(session, head)
        ],
    }
