"""The access matrix: everything a caller can try, the rules that grant it, how a refusal looks.

Each row names the rules of :data:`trucewatch.auth.policy.RULES` that grant it (any one
suffices; none means everyone, the public included), what "own" and "other organisation"
mean for it, and the service functions that enforce it. ``docs/access.md`` is generated
from these rows and ``tests/auth/test_access_matrix.py`` tries every cell through the services.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from trucewatch.auth.policy import Action, allowed
from trucewatch.auth.principal import PUBLIC, Principal, Role, operator


class Refusal(StrEnum):
    DENIED = "denied"  # PermissionDenied, naming the principal and the rule
    HIDDEN = "hidden"  # not found, or left out of a list: a refusal does not reveal it exists


class Caller(StrEnum):
    """The columns of the matrix: each role alone, the operator, and the public."""

    REPORTER = Role.REPORTER.value
    GUARANTOR_OFFICER = Role.GUARANTOR_OFFICER.value
    COORDINATOR = Role.COORDINATOR.value
    ADMINISTRATOR = Role.ADMINISTRATOR.value
    OBSERVER = Role.OBSERVER.value
    OPERATOR = "operator"
    PUBLIC = "public"


class Side(StrEnum):
    OWN = "own"
    OTHER = "other"


@dataclass(frozen=True)
class Row:
    name: str
    grants: tuple[Action, ...]  # any one of them suffices; () means everyone
    own: str  # what the caller's own organisation is, for this row
    other: str
    services: str
    refusal: Refusal = Refusal.DENIED


_SEAT_OWN = "in a truce your state guarantees"
_SEAT_OTHER = "in a truce only other states guarantee"
_FILED_OWN = "concerning a report your organisation filed"
_FILED_OTHER = "concerning a report another organisation filed"

ROWS: tuple[Row, ...] = (
    Row("report.file", (Action.REPORT_FILE,), "file for your organisation",
        "file for another organisation", "reports.service.file_reports"),
    Row("report.read_unpublished", (Action.REPORT_READ_OWN, Action.REPORT_READ_UNPUBLISHED_OTHER),
        "a report your organisation filed, in no published incident",
        "a report another organisation filed, in no published incident",
        "reports.reading.get_report, list_reports, attachment_content", Refusal.HIDDEN),
    Row("report.read_published", (), "a report your organisation filed, in a published incident",
        "a report another organisation filed, in a published incident",
        "reports.reading.get_report, list_reports", Refusal.HIDDEN),
    Row("report.read_confidential_source", (Action.REPORT_READ_CONFIDENTIAL_SOURCE,),
        "the source of a report your organisation filed",
        "the source of a report another organisation filed",
        "reports.reading.reveal_confidential_source"),
    Row("incident.triage", (Action.INCIDENT_TRIAGE,), _FILED_OWN, _FILED_OTHER,
        "incidents.service.create_incident, link_report, unlink_report, change_status"),
    Row("incident.read_unpublished", (Action.INCIDENT_READ_UNPUBLISHED,), _FILED_OWN,
        _FILED_OTHER, "incidents.service.get_incident, list_incidents", Refusal.HIDDEN),
    Row("incident.read_published", (), _FILED_OWN, _FILED_OTHER,
        "incidents.service.get_incident, list_incidents", Refusal.HIDDEN),
    Row("round.open", (Action.ROUND_OPEN,), _SEAT_OWN, _SEAT_OTHER,
        "verification.rounds.open_round"),
    Row("assessment.file", (Action.ASSESSMENT_FILE,), _SEAT_OWN, _SEAT_OTHER,
        "verification.assessments.file_assessment"),
    Row("round.close", (Action.ROUND_CLOSE,), _FILED_OWN, _FILED_OTHER,
        "verification.rounds.close_round"),
    Row("investigation.task", (Action.INVESTIGATION_TASK,), _SEAT_OWN, _SEAT_OTHER,
        "verification.investigations.task_investigation"),
    Row("access_denial.record", (Action.ACCESS_DENIAL_RECORD,), _SEAT_OWN, _SEAT_OTHER,
        "verification.investigations.record_access_denial"),
    Row("measure.propose", (Action.MEASURE_PROPOSE,), _SEAT_OWN, _SEAT_OTHER,
        "verification.measures.propose_measure"),
    Row("measure.vote", (Action.MEASURE_VOTE,), _SEAT_OWN, _SEAT_OTHER,
        "verification.measures.vote_on_measure"),
    Row("incident.publish", (Action.INCIDENT_PUBLISH,), _FILED_OWN, _FILED_OTHER,
        "verification.publication.publish_incident"),
    Row("tree_head.countersign", (Action.TREE_HEAD_COUNTERSIGN,),
        "with your organisation's key", "with another organisation's key",
        "log.treeheads.countersign"),
    Row("talks.edit", (Action.TALKS_EDIT,), "talks your organisation convenes",
        "talks another organisation convenes",
        "talks.service.create_meeting, change_meeting, add_document, invite, reply, "
        "record_attendance, publish_meeting"),
    Row("talks.read_unpublished", (Action.TALKS_READ_UNPUBLISHED,),
        "an unpublished meeting your organisation convenes",
        "an unpublished meeting another organisation convenes",
        "talks.service.get_meeting, list_meetings, participation_matrix", Refusal.HIDDEN),
    Row("talks.read_published", (), "a published meeting your organisation convenes",
        "a published meeting another organisation convenes",
        "talks.service.get_meeting, list_meetings, participation_matrix", Refusal.HIDDEN),
    Row("actor.edit", (Action.ACTOR_EDIT,), "your organisation's entry in the registry",
        "another actor's entry", "actors.service.create_actor, add_name, affiliate"),
    Row("truce.edit", (Action.TRUCE_EDIT,), "a truce your organisation is party to",
        "a truce it is not party to", "truces.service.create_truce"),
    Row("user.manage", (Action.USER_MANAGE,), "a user of your organisation",
        "a user of another organisation",
        "auth.service.create_user, grant_role, revoke_role, deactivate_user, list_users; "
        "another user's password (auth.passwords.set_password) and tokens "
        "(auth.tokens.revoke_token, list_tokens)"),
    Row("key.manage", (Action.KEY_MANAGE,), "a key of your organisation",
        "a key of another organisation",
        "keys.service.create_key, register_public_key, revoke_key"),
    Row("exchange.import", (Action.EXCHANGE_IMPORT,),
        "import an event file in your organisation's name",
        "import an event file in another organisation's name",
        "exchange.importing.import_csv"),
    Row("dataset.read", (Action.DATASET_READ,),
        "list, read and export a dataset a user of your organisation imported",
        "list, read and export a dataset a user of another organisation imported",
        "exchange.dataset_export.list_datasets, get_dataset, export_dataset"),
    Row("ingest.run", (Action.INGEST,), "a text naming your organisation",
        "a text naming another organisation",
        "ingest.service.ingest_text, list_proposals, get_proposal; ingest.places.import_places"),
    Row("proposal.decide", (Action.PROPOSAL_DECIDE,), "a proposal naming your organisation",
        "a proposal naming another organisation",
        "ingest.acceptance.accept_proposal, reject_proposal (accepting also needs the rule of "
        "the record it makes)"),
    Row("correlation.run", (Action.CORRELATION_RUN,), _FILED_OWN, _FILED_OTHER,
        "correlation.service.correlate_all, match_report"),
    Row("correlation.review", (Action.CORRELATION_REVIEW,), _FILED_OWN, _FILED_OTHER,
        "correlation.queue.list_candidates, confirm_candidate, reject_candidate, "
        "split_incident; correlation.tunings.set_tuning"),
    Row("bulletin.guarantor_edition", (Action.BULLETIN_GUARANTOR,),
        "a bulletin holding an unpublished incident of your organisation's report",
        "a bulletin holding an unpublished incident of another organisation's report",
        "bulletins.contents.build_bulletin (edition guarantor)"),
    Row("bulletin.public_edition", (),
        "a bulletin holding a published incident of your organisation's report",
        "a bulletin holding a published incident of another organisation's report",
        "bulletins.contents.build_bulletin (edition public: published material only)"),
)

# An organisation id for "own" and one for "other", to compute the cells of the written matrix.
OWN_ID, OTHER_ID = 1, 2


def permitted(row: Row, principal: Principal, organisation_id: int | None) -> bool:
    """May ``principal`` do what ``row`` describes, concerning ``organisation_id``?"""
    if not row.grants:
        return True
    return any(allowed(principal, a, organisation_id=organisation_id) for a in row.grants)


def sample_principal(caller: Caller) -> Principal:
    """A principal of each column, belonging to organisation :data:`OWN_ID`."""
    if caller is Caller.OPERATOR:
        return operator("cli:operator")
    if caller is Caller.PUBLIC:
        return PUBLIC
    return Principal(actor=f"user:{caller.value}", organisation_id=OWN_ID, user_id=OWN_ID,
                     roles=frozenset({Role(caller.value)}))


def cell(row: Row, caller: Caller, side: Side) -> bool:
    """The written matrix: does ``caller`` succeed at ``row`` on its own or another's?"""
    return permitted(row, sample_principal(caller), OWN_ID if side is Side.OWN else OTHER_ID)
