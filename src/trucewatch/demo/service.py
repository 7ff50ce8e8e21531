"""Load the demo scenario into a store, once: a second load changes nothing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.actors.service import affiliate, create_actor
from trucewatch.auth.passwords import set_password
from trucewatch.auth.service import create_user, grant_role
from trucewatch.demo.actors import ACTORS, AFFILIATIONS
from trucewatch.demo.reviews import run_reviews
from trucewatch.demo.scenario import ROLES, TRUCE, USERS
from trucewatch.demo.synthetic import demo_reports
from trucewatch.demo.talks import load_talks
from trucewatch.incidents.service import create_incident
from trucewatch.keys.signing import Keystore
from trucewatch.reports.service import file_report
from trucewatch.truces.models import Truce
from trucewatch.truces.service import create_truce

# Every demo user signs in to the pages with this password (docs/demo.md, docs/web.md).
DEMO_PASSWORD = "demo-password-2017"


@dataclass(frozen=True)
class DemoSummary:
    loaded: bool  # False when the demo was already in the store
    actors: int
    reports: int
    incidents: int
    rounds: int = 0
    keys: int = 0
    decided: int = 0
    published: int = 0
    meetings: int = 0


def load_demo(session: Session, *, actor: str, keystore: Keystore | None = None) -> DemoSummary:
    """Load the scenario; with a keystore the guarantors get signing keys and two rounds are
    decided (one confirmed and published, one disputed)."""
    if session.scalar(select(Truce.id).where(Truce.slug == TRUCE["slug"])) is not None:
        return DemoSummary(False, 0, 0, 0)
    for spec in ACTORS:
        create_actor(session, data=spec, actor=actor)
    for link in AFFILIATIONS:
        affiliate(session, data=link, actor=actor)
    create_truce(session, data=TRUCE, actor=actor)
    for username, organisation, display_name in USERS:
        create_user(session, username=username, organisation=organisation,
                    display_name=display_name, actor=actor)
        grant_role(session, username=username, role=ROLES[username], actor=actor)
        set_password(session, username=username, password=DEMO_PASSWORD, actor=actor)
    by_event: dict[int, list[int]] = defaultdict(list)
    reports = demo_reports()
    for item in reports:
        filed = file_report(session, data=item.data, organisation=item.organisation,
                            user=item.user, actor=f"user:{item.user}")
        by_event[item.event].append(filed.id)
    incidents, to_review = 0, []
    for event, ids in sorted(by_event.items()):
        if len(ids) < 2:
            continue
        incident = create_incident(session, data={"reports": ids, "reason": "same event"},
                                   actor="user:jg-monitor")
        incidents += 1
        if event % 3 == 0:
            to_review.append(incident.id)
    reviews = run_reviews(session, actor=actor, incident_ids=to_review, keystore=keystore)
    meetings = load_talks(session)
    return DemoSummary(True, len(ACTORS), len(reports), incidents, rounds=reviews.rounds,
                       keys=reviews.keys, decided=reviews.decided, published=reviews.published,
                       meetings=meetings)
