"""The log: entries (guarantors and the coordinator's office), signed tree heads and proofs (all).

Entries carry what changed, unpublished material included, so only callers who may read
unpublished incidents list them; tree heads and proofs are hashes and signatures, open to
everyone who wants to check that nothing was changed after the fact.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.pagination import Cursor, Limit, Page, decode_cursor, page
from trucewatch.api.problems import COMMON
from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import InvalidInput, NotFound
from trucewatch.log.models import LogEntry
from trucewatch.log.treeheads import get_tree_head, tree, tree_head_view, tree_heads

router = APIRouter(prefix="/log", tags=["log"], responses=COMMON)


def _reader(who: Principal) -> None:
    require(who, Action.INCIDENT_READ_UNPUBLISHED)


def entry_view(row: LogEntry) -> dict[str, Any]:
    return {"seq": row.seq, "recorded_at": row.recorded_at.isoformat().replace("+00:00", "Z"),
            "kind": row.kind, "subject": row.subject, "actor": row.actor,
            "body": json.loads(row.body), "leaf_hash": row.leaf_hash,
            "chain_hash": row.chain_hash}


@router.get("/entries", response_model=Page[dict[str, Any]])
def entries(request: Request, response: Response, session: SessionDep, who: PrincipalDep,
            limit: Limit = 50, cursor: Cursor = None,
            kind: Annotated[str | None, Query(max_length=60)] = None,
            subject: Annotated[str | None, Query(max_length=80)] = None) -> dict[str, Any]:
    """Log entries in sequence order (guarantor officers and coordinators)."""
    _reader(who)
    query = select(LogEntry).where(LogEntry.seq > decode_cursor(cursor))
    if kind:
        query = query.where(LogEntry.kind == kind)
    if subject:
        query = query.where(LogEntry.subject == subject)
    rows = list(session.scalars(query.order_by(LogEntry.seq).limit(limit + 1)))
    return page(rows, limit=limit, key=lambda e: e.seq, request=request, response=response,
                view=entry_view)


@router.get("/entries/{seq}", response_model=dict[str, Any])
def entry(seq: int, session: SessionDep, who: PrincipalDep) -> dict[str, Any]:
    """One log entry, with its leaf and chain hashes."""
    _reader(who)
    row = session.get(LogEntry, seq)
    if row is None:
        raise NotFound(f"no log entry {seq}", field="seq")
    return entry_view(row)


@router.get("/tree-heads", response_model=list[dict[str, Any]])
def heads(session: SessionDep) -> list[dict[str, Any]]:
    """Every signed tree head, smallest first, with the guarantors' countersignatures."""
    return [tree_head_view(session, h) for h in tree_heads(session)]


@router.get("/tree-heads/latest", response_model=dict[str, Any])
def latest(session: SessionDep) -> dict[str, Any]:
    """The latest signed tree head."""
    return tree_head_view(session, get_tree_head(session))


@router.get("/tree-heads/{size}", response_model=dict[str, Any])
def head(size: int, session: SessionDep) -> dict[str, Any]:
    """The signed tree head of ``size`` entries."""
    return tree_head_view(session, get_tree_head(session, size))


Size = Annotated[int | None, Query(ge=1, description="A signed tree head's size "
                                                     "(default: the latest).")]


@router.get("/proofs/inclusion", response_model=dict[str, Any])
def inclusion(session: SessionDep, seq: Annotated[int, Query(ge=1)],
              size: Size = None) -> dict[str, Any]:
    """RFC 9162 inclusion proof of entry ``seq`` in the signed tree head of ``size``."""
    signed = get_tree_head(session, size)
    if seq > signed.size:
        raise InvalidInput(f"entry {seq} is not in the tree head of size {signed.size}",
                           field="seq")
    leaf = session.get(LogEntry, seq)
    assert leaf is not None
    path = tree(session, signed.size).inclusion_proof(seq - 1, signed.size)
    return {"seq": seq, "leaf_index": seq - 1, "leaf_hash": leaf.leaf_hash,
            "tree_size": signed.size, "root_hash": signed.root_hash,
            "inclusion_path": [p.hex() for p in path]}


@router.get("/proofs/consistency", response_model=dict[str, Any])
def consistency(session: SessionDep, first: Annotated[int, Query(ge=1)],
                second: Size = None) -> dict[str, Any]:
    """RFC 9162 consistency proof between two signed tree heads."""
    old, new = get_tree_head(session, first), get_tree_head(session, second)
    if old.size > new.size:
        raise InvalidInput("first must not be larger than second", field="first")
    path = tree(session, new.size).consistency_proof(old.size, new.size)
    return {"first": old.size, "second": new.size, "first_root_hash": old.root_hash,
            "second_root_hash": new.root_hash, "consistency_path": [p.hex() for p in path]}
