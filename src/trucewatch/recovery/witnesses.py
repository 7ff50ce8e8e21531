"""Tree heads kept outside the server ("witnesses") and what a store's log says about them.

A guarantor that countersigned a tree head, or anyone who saved one, holds proof that the
log had at least that many entries with that root. A store restored from an older backup
lacks the entries after it: its log is shorter than the witnessed size, or its root at that
size differs. Either is reported; neither can be hidden by the operator, because the
witness never lived in the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from trucewatch.errors import InvalidInput
from trucewatch.log.models import LogHead
from trucewatch.log.treeheads import tree


@dataclass(frozen=True)
class Witness:
    size: int
    root_hash: str
    countersigned_by: tuple[str, ...]  # organisations, as the file names them


def load_witnesses(path: Path) -> list[Witness]:
    """Tree heads from ``trucewatch log heads --json`` output, the API's tree head(s), or a
    log export (its ``tree_head`` records)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc}", field="witness") from None
    try:
        value: Any = json.loads(text)
        records = value if isinstance(value, list) else [value]
    except json.JSONDecodeError:
        try:  # JSON Lines: a log export
            records = [r for r in (json.loads(line) for line in text.splitlines()[1:]
                                   if line.startswith("{"))
                       if isinstance(r, dict) and r.get("type") == "tree_head"]
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"{path}: neither JSON nor a log export ({exc.msg})",
                               field="witness") from None
    witnesses = [_witness(r, i) for i, r in enumerate(records)]
    if not witnesses:
        raise InvalidInput(f"{path} holds no tree head", field="witness")
    return witnesses


def _witness(record: Any, index: int) -> Witness:
    try:
        size, root = int(record["size"]), str(record["root_hash"])
        bytes.fromhex(root)
        signers = tuple(str(c.get("organisation") or c.get("key_id", "?"))
                        for c in record.get("countersignatures", []))
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInput(f"tree head {index + 1}: needs size and root_hash",
                           field="witness") from None
    if size < 1 or len(root) != 64:
        raise InvalidInput(f"tree head {index + 1}: not a tree head", field="witness")
    return Witness(size, root.lower(), signers)


def check_witnesses(session: Session, witnesses: list[Witness]) -> list[str]:
    """What the store's log contradicts: one line per witness it does not contain."""
    head = session.get(LogHead, 1)
    size = head.size if head is not None else 0
    found: list[str] = []
    merkle = tree(session) if size else None
    for w in sorted(witnesses, key=lambda w: w.size):
        who = f" (countersigned by {', '.join(w.countersigned_by)})" if w.countersigned_by else ""
        if w.size > size:
            found.append(f"the log has {size} entries but a tree head of {w.size}{who} was "
                         f"signed: this store is older than that head, {w.size - size} "
                         "entries are missing")
        elif merkle is not None and merkle.root(w.size).hex() != w.root_hash:
            found.append(f"the log's first {w.size} entries do not match the tree head of "
                         f"{w.size}{who}: history differs from what was signed")
    return found
