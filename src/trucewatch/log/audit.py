"""Check the whole log: hashes, the Merkle tree, every signature, and (from a database) the tables.

The same checks run on a live database or on a file written by :mod:`trucewatch.log.export`,
so anyone holding an export and nothing else can repeat them offline.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trucewatch.keys.signing import signature_valid
from trucewatch.log.merkle import MerkleTree
from trucewatch.log.service import EMPTY_CHAIN
from trucewatch.log.treeheads import tree_head_body


@dataclass(frozen=True)
class Problem:
    where: str  # "entry 17", "tree head 120", "incidents 5 status" …
    message: str
    seq: int | None = None  # the log entry the problem is about, where there is one


@dataclass
class AuditReport:
    entries: int = 0
    tree_heads: int = 0
    signatures: int = 0
    rows_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class EntryRecord:
    seq: int
    body: str | bytes | None  # UTF-8 bytes from a file; None where the body is withheld
    leaf_hash: str
    chain_hash: str


@dataclass(frozen=True)
class KeyRecord:
    key_id: str
    public_key: str
    purpose: str
    organisation: str | None


@dataclass(frozen=True)
class TreeHeadRecord:
    size: int
    root_hash: str
    timestamp: str
    key_id: str
    signature: str
    countersignatures: tuple[tuple[str, str], ...]  # (key_id, signature)


def check_entries(entries: Iterable[EntryRecord], report: AuditReport,
                  keys: dict[str, KeyRecord],
                  each_body: Callable[[int, str], None] | None = None) -> list[bytes]:
    """Leaf and chain hashes in order, and every signature embedded in an entry body.

    ``each_body`` is given every body on the way, for checks that read the bodies too.
    """
    leaves: list[bytes] = []
    chain, expected = bytes.fromhex(EMPTY_CHAIN), 1
    sha256 = hashlib.sha256
    for e in entries:
        if e.seq != expected:
            report.problems.append(Problem(f"entry {e.seq}",
                                           f"expected entry {expected}: entries missing", e.seq))
            expected = e.seq
        leaf = _hash_bytes(e.leaf_hash, e.seq, "leaf hash", report)
        if e.body is not None:
            raw = e.body if isinstance(e.body, bytes) else e.body.encode()
            if sha256(b"\x00" + raw).digest() != leaf:
                report.problems.append(Problem(f"entry {e.seq}",
                                               "body does not match its leaf hash", e.seq))
            else:
                for problem in _embedded_signatures(e.seq, raw, keys, report):
                    report.problems.append(problem)
            if each_body is not None:
                each_body(e.seq, raw.decode() if isinstance(e.body, bytes) else e.body)
        chain = sha256(chain + leaf).digest()
        given = _hash_bytes(e.chain_hash, e.seq, "chain hash", report)
        if chain != given:
            report.problems.append(Problem(f"entry {e.seq}", "chain hash does not follow from "
                                           "the entries before it", e.seq))
            chain = given
        leaves.append(leaf)
        expected += 1
        report.entries += 1
    return leaves


def _hash_bytes(text: str, seq: int, what: str, report: AuditReport) -> bytes:
    """A hex SHA-256 as bytes; anything else is a problem, and stands as 32 zero bytes."""
    try:
        value = bytes.fromhex(text)
    except (TypeError, ValueError):
        value = b""
    if len(value) != 32:
        report.problems.append(Problem(f"entry {seq}", f"{what} is not a SHA-256 in hex", seq))
        return bytes(32)
    return value


def _embedded_signatures(seq: int, body: bytes, keys: dict[str, KeyRecord],
                         report: AuditReport) -> Iterator[Problem]:
    """Any object in a body with ``signed_body``, ``key_id`` and ``signature`` is checked."""
    # Such an object's key "signed_body" stands in the text as it is, unless spelt with a
    # \u escape: a body with neither holds no signature, and need not be parsed.
    if b"signed_body" not in body and b"\\u" not in body:
        return
    for signed in _signed_objects(json.loads(body)):
        report.signatures += 1
        key = keys.get(str(signed["key_id"]))
        if key is None:
            yield Problem(f"entry {seq}", f"signed with unknown key {signed['key_id']}", seq)
        elif not signature_valid(key.public_key, str(signed["signed_body"]).encode(),
                                 str(signed["signature"])):
            yield Problem(f"entry {seq}", "an embedded signature does not verify", seq)


def _signed_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if {"signed_body", "key_id", "signature"} <= value.keys():
            yield value
        for v in value.values():
            yield from _signed_objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _signed_objects(v)


def check_tree_heads(heads: Iterable[TreeHeadRecord], leaves: list[bytes],
                     keys: dict[str, KeyRecord], report: AuditReport) -> None:
    tree = MerkleTree(leaves)
    for head in heads:
        report.tree_heads += 1
        where = f"tree head {head.size}"
        if head.size > tree.size:
            report.problems.append(Problem(where, f"signs {head.size} entries but the log has "
                                           f"{tree.size}: entries were removed"))
            continue
        if tree.root(head.size).hex() != head.root_hash:
            report.problems.append(Problem(where, "root hash differs from the entries: history "
                                           "was rewritten"))
        from datetime import datetime

        body = tree_head_body(head.size, head.root_hash,
                              datetime.fromisoformat(head.timestamp.replace("Z", "+00:00")))
        key = keys.get(head.key_id)
        report.signatures += 1
        if key is None or key.purpose != "log":
            report.problems.append(Problem(where, "signed with a key that is not the log's key"))
        elif not signature_valid(key.public_key, body, head.signature):
            report.problems.append(Problem(where, "the server's signature does not verify"))
        for key_id, signature in head.countersignatures:
            report.signatures += 1
            signer = keys.get(key_id)
            if signer is None or not signature_valid(signer.public_key, body, signature):
                report.problems.append(Problem(where, f"countersignature by {key_id[:16]}… does "
                                               "not verify"))
