"""Group commit: submissions that arrive together are filed by one call, in one transaction.

Filing one report costs a dozen statements whatever the batch (the filing user, the truce
and its zones, the log's lock and head, the commit); in a batch each further report costs
a few rows. So the submissions of one caller that wait together are filed by one
``file_reports`` call: one transaction, one ``reports.filed`` log entry (``report.filed``
when alone). Each submission still gets the answer it would have had alone: one that
fails is taken out and filed by itself after the others, so its error is exactly the one
a lone filing gives, and it never sinks the rest. Nothing is answered before its
transaction has committed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import PermissionDenied, TrucewatchError
from trucewatch.reports.reading import report_views
from trucewatch.reports.schemas import ReportIn
from trucewatch.reports.service import Limits, file_reports
from trucewatch.storage import Store

# A batch names the submission at fault as "reports.<index>" or "reports.<index>.<field>".
_AT_FAULT = re.compile(r"^reports\.(\d+)(?:\.|$)")
# Errors of the connection, not of a submission: filing the others alone would not help.
_SHARED_FAILURES = (OperationalError, InterfaceError)

_DEFAULT_LIMITS = Limits()

WhoIs = Callable[[Session, Hashable], Principal]
"""The principal a caller acts as, looked up in the transaction that files its reports."""
OnFiled = Callable[[Session, Sequence[int]], None]
"""Called in a filing's transaction with the ids of the reports it created."""


@dataclass(frozen=True)
class Submission:
    caller: Hashable  # the submissions of one caller are filed together
    data: ReportIn | dict[str, Any]


@dataclass(frozen=True)
class Filed:
    id: int
    created: bool  # False: a retry with a used key, answered with the first report
    view: dict[str, Any]  # the report as GET /api/v1/reports/{id} shows it to the caller


Outcome = Filed | Exception


def file_together(store: Store, submissions: Sequence[Submission], *, who_is: WhoIs,
                  limits: Limits = _DEFAULT_LIMITS,
                  on_filed: OnFiled | None = None) -> list[Outcome]:
    """File ``submissions``, one transaction per caller; each one's report or its error.

    Errors are returned, not raised: every submission has its own outcome. ``on_filed``
    (e.g. marking the reports for matching) commits with the reports or not at all."""
    outcomes: list[Outcome | None] = [None] * len(submissions)
    by_caller: dict[Hashable, list[int]] = {}
    for i, submission in enumerate(submissions):
        by_caller.setdefault(submission.caller, []).append(i)
    for caller, indices in by_caller.items():
        group = [(i, submissions[i].data) for i in indices]
        for i, outcome in _file_group(store, caller, group, who_is, limits, on_filed):
            outcomes[i] = outcome
    assert all(o is not None for o in outcomes)
    return [o for o in outcomes if o is not None]


def _file_group(store: Store, caller: Hashable, group: list[tuple[int, Any]], who_is: WhoIs,
                limits: Limits, on_filed: OnFiled | None) -> list[tuple[int, Outcome]]:
    """One caller's submissions in one filing; those that fail are filed alone afterwards."""
    pending, alone = list(group), []
    done: list[tuple[int, Outcome]] = []
    while pending:
        try:
            filed = _file(store, caller, [data for _, data in pending], who_is, limits,
                          on_filed)
        except _CallerRefused as refused:  # the same answer for every submission
            return [(i, _copy(refused.error)) for i, _ in group]
        except Exception as exc:  # noqa: BLE001  every outcome is answered, none raised
            if len(pending) == 1:
                done.append((pending[0][0], exc))
            elif isinstance(exc, _SHARED_FAILURES):
                done.extend((i, _copy(exc)) for i, _ in pending)
            elif (at_fault := _at_fault(exc, len(pending))) is not None:
                alone.append(pending.pop(at_fault))
                continue
            else:
                alone.extend(pending)
            pending = []
            break
        done.extend((i, f) for (i, _), f in zip(pending, filed, strict=True))
        pending = []
    for i, data in sorted(alone, key=lambda item: item[0]):  # in the order they came
        try:
            done.append((i, _file(store, caller, [data], who_is, limits, on_filed)[0]))
        except _CallerRefused as refused:
            done.append((i, refused.error))
        except Exception as exc:  # noqa: BLE001
            done.append((i, exc))
    return done


class _CallerRefused(Exception):
    def __init__(self, error: TrucewatchError) -> None:
        super().__init__(error.message)
        self.error = error


def _file(store: Store, caller: Hashable, submissions: list[Any], who_is: WhoIs,
          limits: Limits, on_filed: OnFiled | None) -> list[Filed]:
    """One transaction: the caller looked up, the reports filed and read back for the answer."""
    with store.session() as session:
        try:
            principal = who_is(session, caller)
            if principal.organisation_slug is None:
                raise PermissionDenied("sign in as a reporter to file a report",
                                       field="authorization")
            # file_reports checks this too; here it refuses the caller's whole group at once
            require(principal, Action.REPORT_FILE, organisation_id=principal.organisation_id)
        except TrucewatchError as exc:
            raise _CallerRefused(exc) from None
        filed = file_reports(session, submissions=submissions,
                             organisation=principal.organisation_slug,
                             user=_username(principal), actor=principal.actor, limits=limits,
                             principal=principal)
        created = [f.id for f in filed if f.created]
        if on_filed is not None and created:
            on_filed(session, created)
        views = report_views(session, [f.id for f in filed], principal=principal,
                             new=set(created),
                             unattached={f.id for f in filed if f.attached is False})
    return [Filed(f.id, f.created, views[f.id]) for f in filed]


def _at_fault(exc: Exception, size: int) -> int | None:
    """The index of the submission a batch's error names, if it names one."""
    found = _AT_FAULT.match(getattr(exc, "field", None) or "")
    if found is None or int(found.group(1)) >= size:
        return None
    return int(found.group(1))


def _username(principal: Principal) -> str | None:
    return principal.actor.removeprefix("user:") if principal.actor.startswith("user:") else None


def _copy(error: Exception) -> Exception:
    """A fresh exception of the same kind for each submission it answers (each is raised in
    its own request, with its own traceback)."""
    return copy.copy(error)
