"""What one item of each bulk action does: the same domain function a single action calls.

A bulk action is a name, the permission a caller needs to start it at all, the parameters
it takes once for the whole run, and a function that applies it to one item (an incident
or a report id) inside one transaction. The per-item function does every check the single
action does (each one logs its own entry), so a bulk run can do nothing a caller could
not do item by item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action
from trucewatch.auth.principal import Principal
from trucewatch.incidents.service import link_report
from trucewatch.verification.investigations import task_investigation
from trucewatch.verification.publication import publish_incident

MAX_ITEMS = 10_000  # one run; more is several runs


class BulkKind(StrEnum):
    LINK = "link"  # items are report ids, linked to one incident
    ASSIGN = "assign"  # items are incident ids, each tasked to one team or person
    PUBLISH = "publish"  # items are incident ids, each decided incident published


class BulkParams(BaseModel):
    """The parameters a run takes once; each kind needs some of them."""

    model_config = ConfigDict(extra="forbid")

    incident: int | None = Field(default=None, ge=1, le=2**62,
                                 description="link: the incident the reports join")
    reason: str = Field(default="", max_length=2000, description="link: why they belong there")
    assignee: str | None = Field(default=None, min_length=1, max_length=200,
                                 description="assign: the team or person tasked")
    due_on: date | None = Field(default=None, description="assign: the due date")


@dataclass(frozen=True)
class BulkAction:
    kind: BulkKind
    permission: Action
    item: str  # what an id names: "report" or "incident"
    needs: tuple[str, ...]  # parameters that must be given
    apply: Callable[[Session, Principal, int, BulkParams], dict[str, Any]]


def _link(session: Session, who: Principal, report_id: int, p: BulkParams) -> dict[str, Any]:
    assert p.incident is not None
    link = link_report(session, incident_id=p.incident, report_id=report_id, actor=who.actor,
                       reason=p.reason, principal=who)
    return {"incident": link.incident_id, "report": report_id}


def _assign(session: Session, who: Principal, incident_id: int, p: BulkParams) -> dict[str, Any]:
    row = task_investigation(session, principal=who, data={
        "incident": incident_id, "assignee": p.assignee, "due_on": p.due_on})
    return {"incident": incident_id, "investigation": row.id}


def _publish(session: Session, who: Principal, incident_id: int, p: BulkParams) -> dict[str, Any]:
    incident = publish_incident(session, principal=who, incident_id=incident_id)
    return {"incident": incident.id, "status": incident.status}


ACTIONS: dict[BulkKind, BulkAction] = {
    BulkKind.LINK: BulkAction(BulkKind.LINK, Action.INCIDENT_TRIAGE, "report", ("incident",),
                              _link),
    BulkKind.ASSIGN: BulkAction(BulkKind.ASSIGN, Action.INVESTIGATION_TASK, "incident",
                                ("assignee", "due_on"), _assign),
    BulkKind.PUBLISH: BulkAction(BulkKind.PUBLISH, Action.INCIDENT_PUBLISH, "incident", (),
                                 _publish),
}
