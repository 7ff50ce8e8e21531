"""Who may do what: the access rules as one declarative table, and the one check that reads it.

``docs/access.md`` is generated from :data:`RULES`, and a test walks every cell.
Reading rules that depend on publication (what a party may see of another party's
material) live in the reading functions and are written out in ``docs/access.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trucewatch.auth.principal import Principal, Role
from trucewatch.errors import PermissionDenied


class Scope(StrEnum):
    ANY = "any"  # any target
    OWN_ORGANISATION = "own organisation"  # only on behalf of / about the caller's organisation
    OWN_SEAT = "own guarantor seat"  # only as the guarantor state the caller belongs to


class Action(StrEnum):
    REPORT_FILE = "report.file"
    REPORT_READ_OWN = "report.read_own"  # the caller's organisation's reports, published or not
    REPORT_READ_CONFIDENTIAL_SOURCE = "report.read_confidential_source"
    REPORT_READ_UNPUBLISHED_OTHER = "report.read_unpublished_other"
    INCIDENT_TRIAGE = "incident.triage"  # create, link, unlink
    INCIDENT_READ_UNPUBLISHED = "incident.read_unpublished"
    INVESTIGATION_TASK = "investigation.task"
    ACCESS_DENIAL_RECORD = "access_denial.record"
    ROUND_OPEN = "round.open"
    ROUND_CLOSE = "round.close"
    ASSESSMENT_FILE = "assessment.file"
    MEASURE_PROPOSE = "measure.propose"
    MEASURE_VOTE = "measure.vote"
    INCIDENT_PUBLISH = "incident.publish"
    TALKS_EDIT = "talks.edit"
    TALKS_READ_UNPUBLISHED = "talks.read_unpublished"
    ACTOR_EDIT = "actor.edit"
    TRUCE_EDIT = "truce.edit"
    USER_MANAGE = "user.manage"
    KEY_MANAGE = "key.manage"
    TREE_HEAD_COUNTERSIGN = "tree_head.countersign"
    INGEST = "ingest.run"  # analyse texts and read the proposals made from them
    PROPOSAL_DECIDE = "proposal.decide"
    EXCHANGE_IMPORT = "exchange.import"  # bulk import of event files (ACLED, UCDP GED)
    DATASET_READ = "dataset.read"  # list, read and export the imported reference datasets
    CORRELATION_RUN = "correlation.run"  # score reports into incidents (a pass, or one report)
    CORRELATION_REVIEW = "correlation.review"  # the queue: confirm, reject; split; tuning
    BULLETIN_GUARANTOR = "bulletin.guarantor_edition"  # a bulletin with unpublished material


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    scope: Scope
    operator: bool  # may the local operator (the command line on the server) do it
    why: str


def _r(roles: set[Role], scope: Scope, operator: bool, why: str) -> Rule:
    return Rule(frozenset(roles), scope, operator, why)


G, C, A, R = Role.GUARANTOR_OFFICER, Role.COORDINATOR, Role.ADMINISTRATOR, Role.REPORTER

RULES: dict[Action, Rule] = {
    Action.REPORT_FILE: _r({R}, Scope.OWN_ORGANISATION, True,
                           "a reporter files for its own organisation only"),
    Action.REPORT_READ_OWN: _r({R, G, C, A}, Scope.OWN_ORGANISATION, True,
                               "an organisation's members read what it filed; an observer reads "
                               "only what is published"),
    Action.REPORT_READ_CONFIDENTIAL_SOURCE: _r(
        {R}, Scope.OWN_ORGANISATION, True,
        "only the filing organisation knows who its source is; every reading is logged"),
    Action.REPORT_READ_UNPUBLISHED_OTHER: _r(
        {G, C}, Scope.ANY, True,
        "guarantors triage every report; a party never sees another party's unpublished ones"),
    Action.INCIDENT_TRIAGE: _r({G}, Scope.ANY, True, "triage is the guarantors' work"),
    Action.INCIDENT_READ_UNPUBLISHED: _r({G, C}, Scope.ANY, True,
                                         "guarantors and the mediator's office follow reviews"),
    Action.INVESTIGATION_TASK: _r({G}, Scope.OWN_SEAT, False,
                                  "a guarantor state tasks investigations in its own name"),
    Action.ACCESS_DENIAL_RECORD: _r({G}, Scope.OWN_SEAT, False,
                                    "monitors' denials are recorded by the guarantors"),
    Action.ROUND_OPEN: _r({G}, Scope.OWN_SEAT, False, "any guarantor may open a review round"),
    Action.ROUND_CLOSE: _r({G, C}, Scope.ANY, False,
                           "a round past its deadline is closed by a guarantor or the coordinator"),
    Action.ASSESSMENT_FILE: _r({G}, Scope.OWN_SEAT, False,
                               "each guarantor assesses for its own state, never for another"),
    Action.MEASURE_PROPOSE: _r({G}, Scope.OWN_SEAT, False, "measures are the guarantors' to agree"),
    Action.MEASURE_VOTE: _r({G}, Scope.OWN_SEAT, False, "each guarantor votes for its own state"),
    Action.INCIDENT_PUBLISH: _r({C}, Scope.ANY, False, "the mediator's office publishes"),
    Action.TALKS_EDIT: _r({C}, Scope.ANY, True, "the mediator's office runs the talks"),
    Action.TALKS_READ_UNPUBLISHED: _r({G, C}, Scope.ANY, True,
                                      "guarantors and the mediator's office prepare the talks; "
                                      "others read published meetings"),
    Action.ACTOR_EDIT: _r({C, A}, Scope.ANY, True, "the registry of actors is kept centrally"),
    Action.TRUCE_EDIT: _r({C}, Scope.ANY, True, "truces are recorded by the mediator's office"),
    Action.USER_MANAGE: _r({A}, Scope.ANY, True, "administrators manage users and roles"),
    Action.KEY_MANAGE: _r({A}, Scope.ANY, True, "administrators register and revoke keys"),
    Action.TREE_HEAD_COUNTERSIGN: _r({G}, Scope.OWN_SEAT, False,
                                     "each guarantor countersigns with its own key"),
    Action.INGEST: _r({G, C}, Scope.ANY, True,
                      "the guarantors' officers and the mediator's office read the press and "
                      "statements; proposals are drafts, not yet the record"),
    Action.PROPOSAL_DECIDE: _r({G, C}, Scope.ANY, True,
                               "an officer or the coordinator decides what enters the record; "
                               "accepting also needs the right to make that record"),
    Action.EXCHANGE_IMPORT: _r({C, A}, Scope.ANY, True,
                               "event datasets are imported centrally, in the name of the "
                               "organisation that published them"),
    Action.DATASET_READ: _r({R, G, C, A, Role.OBSERVER}, Scope.ANY, True,
                            "reference datasets are third-party data, held for the "
                            "mechanism's members, not published by it"),
    Action.CORRELATION_RUN: _r({G, C}, Scope.ANY, True,
                               "a pass links only what scores above the truce's threshold; "
                               "the links are made as system:correlation"),
    Action.CORRELATION_REVIEW: _r({G}, Scope.ANY, True,
                                  "which reports are one event is the guarantors' triage"),
    Action.BULLETIN_GUARANTOR: _r({G, C}, Scope.ANY, True,
                                  "the guarantor edition holds unpublished incidents, reports "
                                  "and meetings; everyone else reads the public edition"),
}

# System principals (no user, not the operator) and the only actions each may do: the
# correlation service links reports into incidents and can do nothing else.
SYSTEM_GRANTS: dict[str, frozenset[Action]] = {
    "system:correlation": frozenset({Action.INCIDENT_TRIAGE}),
}


def allowed(principal: Principal, action: Action, *, organisation_id: int | None = None) -> bool:
    """May ``principal`` do ``action`` concerning ``organisation_id`` (the filer, the seat …)?"""
    rule = RULES[action]
    if principal.is_operator:
        return rule.operator
    if principal.user_id is None and principal.actor in SYSTEM_GRANTS:
        return action in SYSTEM_GRANTS[principal.actor]
    if not (principal.roles & rule.roles):
        return False
    if rule.scope is Scope.ANY:
        return True
    return organisation_id is not None and organisation_id == principal.organisation_id


def require(principal: Principal, action: Action, *, organisation_id: int | None = None) -> None:
    if not allowed(principal, action, organisation_id=organisation_id):
        who = "the operator" if principal.is_operator else principal.actor
        raise PermissionDenied(f"{who} may not {action.value} ({RULES[action].why})",
                               field="principal")
