"""Run a bulk action over many ids, one transaction per item, reporting progress as it goes.

Items are independent: one that fails (not decided yet, already linked, another seat's
incident …) is rolled back alone and reported with the error and the field at fault; the
others go ahead. Everything about the run as a whole (the action, its permission, its
parameters, the ids) is checked before the first item, and then nothing is written if
it fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from trucewatch.auth.policy import require
from trucewatch.auth.principal import Principal
from trucewatch.bulk.actions import ACTIONS, MAX_ITEMS, BulkKind, BulkParams
from trucewatch.errors import InvalidInput, TrucewatchError
from trucewatch.storage import Store
from trucewatch.validation import parse


@dataclass(frozen=True)
class ItemResult:
    index: int  # position in the run, from 0
    id: int
    ok: bool
    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    field: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "ok": self.ok, "result": self.result,
                "error": self.error, "field": self.field}


@dataclass
class Progress:
    total: int
    done: int = 0
    succeeded: int = 0
    failed: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"total": self.total, "done": self.done, "succeeded": self.succeeded,
                "failed": self.failed}


@dataclass(frozen=True)
class BulkRun:
    """A checked run, ready to go: iterate :meth:`items` to carry it out."""

    store: Store
    principal: Principal
    kind: BulkKind
    ids: tuple[int, ...]
    params: BulkParams

    def items(self, progress: Progress | None = None) -> Iterator[ItemResult]:
        action = ACTIONS[self.kind]
        for index, item_id in enumerate(self.ids):
            try:
                with self.store.session() as session:
                    outcome = action.apply(session, self.principal, item_id, self.params)
                result = ItemResult(index, item_id, True, outcome)
            except TrucewatchError as exc:
                result = ItemResult(index, item_id, False, error=exc.message, field=exc.field)
            if progress is not None:
                progress.done += 1
                progress.succeeded += result.ok
                progress.failed += not result.ok
            yield result


def progress_lines(run: BulkRun) -> Iterator[str]:
    """The run carried out as JSON Lines: one per item with the progress so far, then the
    summary (what the API and the page's progress bar read)."""
    progress = Progress(total=len(run.ids))
    for result in run.items(progress):
        yield json.dumps({"item": result.as_json(), "progress": progress.as_json()}) + "\n"
    yield json.dumps({"summary": progress.as_json()}) + "\n"


def prepare_run(store: Store, *, principal: Principal, kind: str, ids: Sequence[Any],
                params: BulkParams | dict[str, Any] | None = None) -> BulkRun:
    """Check a run as a whole; raises before anything is written."""
    try:
        chosen = BulkKind(kind)
    except ValueError:
        options = ", ".join(k.value for k in BulkKind)
        raise InvalidInput(f"{kind!r} is not a bulk action ({options})", field="action") from None
    action = ACTIONS[chosen]
    require(principal, action.permission, organisation_id=principal.organisation_id)
    spec = parse(BulkParams, params or {})
    for name in action.needs:
        if getattr(spec, name) is None:
            raise InvalidInput(f"{chosen.value} needs {name}", field=name)
    checked = _ids(ids, action.item)
    return BulkRun(store, principal, chosen, checked, spec)


def _ids(ids: Sequence[Any], item: str) -> tuple[int, ...]:
    if not ids:
        raise InvalidInput(f"give at least one {item} id", field="ids")
    if len(ids) > MAX_ITEMS:
        raise InvalidInput(f"{len(ids)} ids; one run takes at most {MAX_ITEMS}", field="ids")
    checked: list[int] = []
    seen: set[int] = set()
    for i, raw in enumerate(ids):
        value = _as_id(raw)
        if value is None:
            raise InvalidInput(f"{raw!r} is not a {item} id", field=f"ids.{i}")
        if value in seen:
            raise InvalidInput(f"{item} {value} is given twice", field=f"ids.{i}")
        seen.add(value)
        checked.append(value)
    return tuple(checked)


def _as_id(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.strip().isdigit():
        value = int(raw.strip())
    else:
        return None
    return value if 1 <= value <= 2**62 else None


def parse_id_list(text: str) -> list[str]:
    """Ids as people paste them: separated by commas, spaces or lines; '#12' is 12."""
    return [part.lstrip("#") for part in text.replace(",", " ").split() if part]
