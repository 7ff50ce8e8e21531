"""Joint verification in the demo: review rounds, an investigation, and (with keys) decisions.

Every assessment is made up, like the reports it weighs, and says so in its reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from trucewatch.auth.principal import Principal
from trucewatch.auth.service import get_user, principal_for
from trucewatch.incidents.service import get_incident
from trucewatch.keys.service import create_key
from trucewatch.keys.signing import Keystore
from trucewatch.storage.base import utcnow
from trucewatch.verification import service as verification

MARK = "[SYNTHETIC EXAMPLE] "
GUARANTORS = {"russia": "ru-officer", "turkey": "tr-officer", "iran": "ir-officer"}

# (guarantor, finding, responsible, confidence, reasons) for the two rounds that are decided.
CONFIRMED = (
    ("russia", "violation", "alleged", "confirmed",
     "The Joint Group's monitor recorded the shelling at the time and place reported."),
    ("turkey", "violation", "alleged", "fair",
     "Three accounts, one of them the monitor's, agree on the place, the time and the weapon."),
    ("iran", "violation", "alleged", "fair",
     "The accounts agree; the crater pattern fits the reported direction of fire."),
)
DISPUTED = (
    ("russia", "cannot_determine", None, "contested",
     "The two accounts name different perpetrators and no monitor was present."),
    ("turkey", "violation", "syrian-government", "weak",
     "A single party's account, but it matches earlier strikes in the area."),
    ("iran", "cannot_determine", None, "contested",
     "The accounts contradict each other; an investigation is needed first."),
)


@dataclass(frozen=True)
class ReviewSummary:
    rounds: int
    keys: int
    decided: int
    published: int


def run_reviews(session: Session, *, actor: str, incident_ids: list[int],
                keystore: Keystore | None) -> ReviewSummary:
    """Open a round on each incident and task an investigation of the second; with a keystore,
    decide the first (confirmed, published, a warning agreed) and the third (disputed)."""
    officers = {g: principal_for(get_user(session, u)) for g, u in GUARANTORS.items()}
    coordinator = principal_for(get_user(session, "un-coordinator"))
    rounds = [verification.open_round(session, principal=officers["russia"], data={
        "incident": incident_id, "days": 14, "reason": "reports from two or more sources"})
        for incident_id in incident_ids]
    if len(rounds) < 3:
        return ReviewSummary(len(rounds), 0, 0, 0)
    confirmed, investigated, disputed = rounds[:3]
    _investigate(session, officers["turkey"], investigated.incident_id)
    if keystore is None:
        return ReviewSummary(len(rounds), 0, 0, 0)
    for guarantor in GUARANTORS:
        create_key(session, keystore=keystore, organisation=guarantor, actor=actor)
    for rnd, positions in ((confirmed, CONFIRMED), (disputed, DISPUTED)):
        alleged = _alleged(session, rnd.incident_id)
        for guarantor, finding, responsible, confidence, reasons in positions:
            verification.file_assessment(
                session, principal=officers[guarantor], round_id=rnd.id, keystore=keystore,
                data={"finding": finding, "confidence": confidence, "reasons": MARK + reasons,
                      "responsible": alleged if responsible == "alleged" else responsible})
        for officer in officers.values():
            verification.sign_decision(session, principal=officer, round_id=rnd.id,
                                       keystore=keystore)
    verification.publish_incident(session, principal=coordinator,
                                  incident_id=confirmed.incident_id)
    measure = verification.propose_measure(session, principal=officers["turkey"], data={
        "incident": confirmed.incident_id, "kind": "warning",
        "description": MARK + "A written warning to the delegation of the party held "
                              "responsible, delivered at the Joint Group's next meeting."})
    for officer in officers.values():
        verification.vote_on_measure(session, principal=officer, measure_id=measure.id,
                                     vote="agree", keystore=keystore)
    return ReviewSummary(len(rounds), len(GUARANTORS), 2, 1)


def _alleged(session: Session, incident_id: int) -> str | None:
    for link in get_incident(session, incident_id).active_links:
        if link.report.alleged_actor is not None:
            return link.report.alleged_actor.slug
    return None


def _investigate(session: Session, officer: Principal, incident_id: int) -> None:
    now = utcnow()
    inv = verification.task_investigation(session, principal=officer, data={
        "incident": incident_id, "assignee": "Joint Group field team (synthetic)",
        "due_on": (now + timedelta(days=10)).date()})
    verification.update_investigation(session, principal=officer, investigation_id=inv.id, data={
        "status": "in_progress", "site_visit": "denied",
        "denial": {"denied_by": "jabhat-fateh-al-sham", "kind": "movement",
                   "occurred_at": (now - timedelta(hours=2)).isoformat(),
                   "place_name": "Road into the valley",
                   "description": MARK + "The team was stopped at a checkpoint and turned back."}})
