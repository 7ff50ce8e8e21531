"""Write the log to a file anyone can check offline, read it back, and audit either source.

The file is JSON Lines: a header, then every public key, every entry, and every signed
tree head with its countersignatures. An entry is a record (``seq``, ``leaf_hash``,
``chain_hash``) followed by its body on a line of its own, byte for byte as hashed: a
canonical body holds no line break, so a checker hashes that line without decoding it.
(A body that does hold one, which only tampering can produce, is written inside its
record as ``"body"``; format 1 files, which always did that, are still read.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.errors import InvalidInput
from trucewatch.keys.models import PublicKey
from trucewatch.log.audit import (
    AuditReport,
    EntryRecord,
    KeyRecord,
    TreeHeadRecord,
    check_entries,
    check_tree_heads,
)
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.log.treeheads import countersignatures, tree_heads

FORMAT = "trucewatch-log/2"
READABLE = ("trucewatch-log/1", FORMAT)


def db_keys(session: Session) -> dict[str, KeyRecord]:
    return {
        k.key_id: KeyRecord(k.key_id, k.public_key, k.purpose,
                            k.organisation.slug if k.organisation is not None else None)
        for k in session.scalars(select(PublicKey))
    }


def db_entries(session: Session, *, batch: int = 5000) -> Iterator[EntryRecord]:
    """Every entry in order, read in batches as plain rows (ORM objects cost more than the checks)."""
    query = select(LogEntry.seq, LogEntry.body, LogEntry.leaf_hash, LogEntry.chain_hash)
    after = 0
    while True:
        rows = session.execute(query.where(LogEntry.seq > after).order_by(LogEntry.seq)
                               .limit(batch)).all()
        if not rows:
            return
        for row in rows:
            yield EntryRecord(*row)
        after = rows[-1][0]


def db_tree_heads(session: Session) -> list[TreeHeadRecord]:
    return [
        TreeHeadRecord(h.size, h.root_hash, h.timestamp.isoformat().replace("+00:00", "Z"),
                       h.key_id, h.signature,
                       tuple((c.key_id, c.signature) for c in countersignatures(session, h)))
        for h in tree_heads(session)
    ]


def audit_database(session: Session) -> AuditReport:
    """Every check the log allows, run on the live database (table state included).

    On PostgreSQL, given a session that has not yet begun, the audit reads one snapshot
    (REPEATABLE READ), so filings that commit meanwhile neither show up as rows missing from
    the log nor as entries missing from the tables. (SQLite's transactions are snapshots.)
    """
    from trucewatch.log.state import LoggedRows, check_state

    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    report = AuditReport()
    keys = db_keys(session)
    logged = LoggedRows()  # the tables' check reads the bodies in the same pass
    leaves = check_entries(db_entries(session), report, keys, each_body=logged.add)
    head = session.get(LogHead, 1)
    if head is not None and head.size != len(leaves):
        from trucewatch.log.audit import Problem

        report.problems.append(Problem("log head", f"says {head.size} entries, the log has "
                                       f"{len(leaves)}"))
    check_tree_heads(db_tree_heads(session), leaves, keys, report)
    check_state(session, report, logged)
    return report


def write_export(session: Session, out: IO[str]) -> int:
    """Write the whole log; returns the number of entries written."""
    keys = db_keys(session)
    out.write(json.dumps({"format": FORMAT}) + "\n")
    for k in keys.values():
        out.write(json.dumps({"type": "key", "key_id": k.key_id, "public_key": k.public_key,
                              "purpose": k.purpose, "organisation": k.organisation}) + "\n")
    n = 0
    for e in db_entries(session):
        record = {"type": "entry", "seq": e.seq, "leaf_hash": e.leaf_hash,
                  "chain_hash": e.chain_hash}
        body = e.body.decode() if isinstance(e.body, bytes) else e.body
        if body is None:
            out.write(json.dumps(record) + "\n")
        elif "\n" in body or "\r" in body:
            out.write(json.dumps({**record, "body": body}, ensure_ascii=False) + "\n")
        else:
            out.write(json.dumps({**record, "body_follows": True}) + "\n" + body + "\n")
        n += 1
    for h in db_tree_heads(session):
        out.write(json.dumps({"type": "tree_head", "size": h.size, "root_hash": h.root_hash,
                              "timestamp": h.timestamp, "key_id": h.key_id,
                              "signature": h.signature,
                              "countersignatures": [{"key_id": k, "signature": s}
                                                    for k, s in h.countersignatures]}) + "\n")
    return n


def audit_export(path: Path) -> AuditReport:
    """Every check that needs nothing but the file: hashes, tree, signatures."""
    keys: dict[str, KeyRecord] = {}
    heads: list[TreeHeadRecord] = []
    report = AuditReport()

    def entries() -> Iterator[EntryRecord]:
        lines = _lines(path)
        for line_no, line in lines:
            plain = _PLAIN_ENTRY.fullmatch(line)
            if plain is not None:  # the record as write_export writes it: no JSON parse needed
                yield EntryRecord(int(plain[1]), _body_line(lines, line_no),
                                  plain[2].decode(), plain[3].decode())
                continue
            record = _record(line_no, line)
            kind = record.get("type")
            try:
                if kind == "key":
                    keys[record["key_id"]] = KeyRecord(record["key_id"], record["public_key"],
                                                       record["purpose"], record["organisation"])
                elif kind == "entry":
                    body: str | bytes | None = record.get("body")
                    if record.get("body_follows") is True:
                        body = _body_line(lines, line_no)
                    elif body is not None and not isinstance(body, str):
                        raise TypeError("body")
                    yield EntryRecord(int(record["seq"]), body, record["leaf_hash"],
                                      record["chain_hash"])
                elif kind == "tree_head":
                    heads.append(TreeHeadRecord(
                        int(record["size"]), record["root_hash"], record["timestamp"],
                        record["key_id"], record["signature"],
                        tuple((c["key_id"], c["signature"])
                              for c in record["countersignatures"])))
                else:
                    raise KeyError("type")
            except (KeyError, TypeError, ValueError) as exc:
                raise InvalidInput(f"line {line_no}: not a log record ({exc})",
                                   field="file") from None

    leaves = check_entries(entries(), report, keys)
    check_tree_heads(heads, leaves, keys, report)
    return report


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """The file's lines (without the line break) and their numbers; the header checked."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="file") from None
    with handle:
        first = handle.readline()
        try:
            header = json.loads(first)
        except (json.JSONDecodeError, UnicodeDecodeError):
            header = None
        if not isinstance(header, dict) or header.get("format") not in READABLE:
            raise InvalidInput(f"{path} is not a {FORMAT} export", field="file")
        for line_no, line in enumerate(handle, start=2):
            yield line_no, line.rstrip(b"\n")


# An entry record exactly as write_export writes it (json.dumps' default separators, keys in
# this order). Any other spelling of a record is parsed as JSON, with the same result.
_PLAIN_ENTRY = re.compile(rb'\{"type": "entry", "seq": ([1-9][0-9]{0,17}), "leaf_hash": '
                          rb'"([0-9a-f]{64})", "chain_hash": "([0-9a-f]{64})", '
                          rb'"body_follows": true\}')


def _record(line_no: int, line: bytes) -> dict[str, Any]:
    try:
        record = json.loads(line.decode())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"line {line_no}: {exc}", field="file") from None
    if not isinstance(record, dict):
        raise InvalidInput(f"line {line_no}: not an object", field="file")
    return record


def _body_line(lines: Iterator[tuple[int, bytes]], record_line: int) -> bytes:
    """The body that follows an entry's record, as the bytes that were hashed."""
    found = next(lines, None)
    if found is None:
        raise InvalidInput(f"line {record_line}: the entry's body line is missing", field="file")
    return found[1]


def count_entries(session: Session) -> int:
    from sqlalchemy import func

    return int(session.scalar(select(func.count()).select_from(LogEntry)) or 0)
