"""A truce with three guarantor states, their officers and keys, a coordinator, and incidents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from tests import factories

from trucewatch.auth.principal import Principal, Role
from trucewatch.auth.service import create_user, get_user, grant_role, principal_for
from trucewatch.incidents.service import create_incident
from trucewatch.keys.service import create_key
from trucewatch.keys.signing import Keystore
from trucewatch.reports.service import file_report
from trucewatch.verification.schemas import AssessmentIn

# A fixed "now" inside the demo period keeps deadlines reproducible.
NOW = datetime(2017, 2, 1, 12, 0, tzinfo=UTC)


@dataclass
class World:
    truce: str
    guarantors: list[str]
    parties: list[str]
    excluded: str
    officers: dict[str, Principal]
    coordinator: Principal
    keystore: Keystore

    def incident(self, session: Session, **report: Any) -> int:
        filed = file_report(session, data=factories.report(truce=self.truce,
                                                           alleged_actor=self.parties[0], **report),
                            organisation=self.parties[1], actor="test")
        return create_incident(session, data={"reports": [filed.id]}, actor="test").id

    def officer(self, index: int) -> Principal:
        return self.officers[self.guarantors[index]]


def person(session: Session, username: str, organisation: str, *roles: Role) -> Principal:
    create_user(session, username=username, organisation=organisation, actor="test")
    for role in roles:
        grant_role(session, username=username, role=role, actor="test")
    return principal_for(get_user(session, username))


def build_world(session: Session, keys_dir: Path, *, rule: dict[str, Any] | None = None,
                with_keys: bool = True) -> World:
    guarantors = [factories.organisation(session, org_type="state") for _ in range(3)]
    parties = [factories.organisation(session) for _ in range(2)]
    excluded = factories.organisation(session)
    extra: dict[str, Any] = {"rule": rule} if rule else {}
    slug = factories.truce(session, guarantors=guarantors, parties=parties, excluded=[excluded],
                           **extra)
    un = factories.organisation(session, org_type="international_organisation")
    keystore = Keystore(keys_dir)
    officers = {g: person(session, f"{g}-officer", g, Role.GUARANTOR_OFFICER) for g in guarantors}
    if with_keys:
        for g in guarantors:
            create_key(session, keystore=keystore, organisation=g, actor="test")
    coordinator = person(session, f"{un}-coordinator", un, Role.COORDINATOR)
    return World(slug, guarantors, parties, excluded, officers, coordinator, keystore)


def assessment(finding: str = "violation", responsible: str | None = None,
               confidence: str = "fair", reasons: str = "Two monitors saw the shelling.") -> AssessmentIn:
    return AssessmentIn.model_validate({"finding": finding, "responsible": responsible,
                                        "confidence": confidence, "reasons": reasons})
