"""What each edition of a bulletin holds, and who may read the guarantor edition: both stores."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.principal import PUBLIC, Principal, operator
from trucewatch.auth.service import create_user, get_user, grant_role, principal_for
from trucewatch.bulletins.contents import Edition, build_bulletin
from trucewatch.bulletins.listing import listing
from trucewatch.bulletins.period import PeriodKind, period_of
from trucewatch.errors import InvalidInput, PermissionDenied
from trucewatch.incidents.models import Incident
from trucewatch.storage import Store
from trucewatch.talks.models import Meeting
from trucewatch.web.basemap import import_governorates

JANUARY = period_of("month", "2017-01-15")


def _who(session: Session, username: str) -> Principal:
    return principal_for(get_user(session, username))


def _observer(session: Session) -> Principal:
    create_user(session, username="watcher", organisation="hnc", actor="test")
    grant_role(session, username="watcher", role="observer", actor="test")
    return _who(session, "watcher")


def test_periods() -> None:
    assert period_of("day", "2017-01-15").first == period_of("day", "2017-01-15").last
    week = period_of("week", "2017-01-15")  # a Sunday
    assert (week.kind, week.first, week.last) == (PeriodKind.WEEK, date(2017, 1, 9),
                                                  date(2017, 1, 15))
    assert (JANUARY.first, JANUARY.last) == (date(2017, 1, 1), date(2017, 1, 31))
    assert period_of("month", "2016-02-10").last == date(2016, 2, 29)
    assert period_of("week", "2017-01-15").trend_first == date(2016, 12, 19)  # 28 days
    with pytest.raises(InvalidInput) as bad:
        period_of("year", "2017-01-01")
    assert bad.value.field == "period"
    with pytest.raises(InvalidInput):
        period_of("day", "15/01/2017")


def test_the_public_edition_holds_published_material_only(demo_store: Store) -> None:
    with demo_store.session() as session:
        published = set(session.scalars(select(Incident.id).where(
            Incident.published_at.is_not(None))))
        everything = set(session.scalars(select(Incident.id)))
        assert published and published < everything
        for principal in (PUBLIC, _who(session, "gov-reporter"), _who(session, "opp-reporter"),
                          _who(session, "ru-officer"), operator("cli:test"), _observer(session)):
            bulletin = build_bulletin(session, principal=principal, period=JANUARY)
            assert bulletin.edition is Edition.PUBLIC
            assert {e.id for e in bulletin.entries} == published, principal.actor
            assert all(e.published for e in bulletin.entries)
            assert all(m["published"] for m in bulletin.meetings)
            assert bulletin.figures.pending == 0
            assert bulletin.figures.confirmed == len(bulletin.confirmed) == 1
            assert bulletin.disputed == []  # the demo's disputed incident is not published
            trend_total = sum(sum(v) for v in bulletin.trend.by_zone.values())
            assert trend_total == len(published)


def test_the_guarantor_edition_holds_unpublished_incidents_with_the_dissent(
        demo_store: Store) -> None:
    with demo_store.session() as session:
        everything = set(session.scalars(select(Incident.id)))
        for who in ("ru-officer", "un-coordinator"):
            bulletin = build_bulletin(session, principal=_who(session, who), period=JANUARY,
                                      edition=Edition.GUARANTOR)
            assert {e.id for e in bulletin.entries} == everything
            assert bulletin.figures.pending == sum(
                1 for e in bulletin.entries if e.status in ("open", "under_review")) > 0
            [disputed] = bulletin.disputed
            assert not disputed.published
            assert disputed.dissents and all(d.guarantor and d.finding for d in disputed.dissents)
            assert ":" in str(disputed.dissents[0])
            [confirmed] = bulletin.confirmed
            assert confirmed.responsible and confirmed.confidence and confirmed.basis
        # The casualty range of the confirmed incident holds its best figure.
        killed = next(c for c in bulletin.figures.casualties if c.outcome == "killed")
        assert killed.low <= killed.best <= killed.high and killed.high > 0


def test_a_party_the_public_and_an_observer_never_get_the_guarantor_edition(
        demo_store: Store) -> None:
    with demo_store.session() as session:
        for principal in (PUBLIC, _who(session, "gov-reporter"), _who(session, "opp-reporter"),
                          _who(session, "admin"), _observer(session)):
            with pytest.raises(PermissionDenied) as refused:
                build_bulletin(session, principal=principal, period=JANUARY,
                               edition=Edition.GUARANTOR)
            assert "bulletin.guarantor_edition" in str(refused.value)


def test_unpublished_meetings_only_in_the_guarantor_edition(demo_store: Store) -> None:
    with demo_store.session() as session:
        meeting = session.scalars(select(Meeting).order_by(Meeting.id)).first()
        assert meeting is not None
        meeting.published_at = None
        session.flush()
        public = build_bulletin(session, principal=PUBLIC, period=JANUARY)
        officer = build_bulletin(session, principal=_who(session, "ru-officer"), period=JANUARY,
                                 edition=Edition.GUARANTOR)
        assert meeting.slug not in {m["slug"] for m in public.meetings}
        assert meeting.slug in {m["slug"] for m in officer.meetings}
        session.rollback()


def test_the_complete_list_holds_exactly_the_bulletin_s_incidents(demo_store: Store,
                                                                  tmp_path: Path) -> None:
    outline = {"type": "Polygon", "coordinates": [[[30, 30], [45, 30], [45, 40], [30, 40],
                                                   [30, 30]]]}
    (tmp_path / "g.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Everywhere"}, "geometry": outline}]}))
    import_governorates(tmp_path, tmp_path / "g.geojson")
    with demo_store.session() as session:
        published = set(session.scalars(select(Incident.id).where(
            Incident.published_at.is_not(None))))
        for edition, who in ((Edition.PUBLIC, PUBLIC),
                             (Edition.GUARANTOR, _who(session, "ru-officer"))):
            bulletin = build_bulletin(session, principal=who, period=JANUARY, edition=edition,
                                      data_dir=tmp_path)
            rows = list(csv.DictReader(io.StringIO("".join(listing(bulletin, format="csv")))))
            assert [int(r["id"]) for r in rows] == [e.id for e in bulletin.entries]
            if edition is Edition.PUBLIC:
                assert {int(r["id"]) for r in rows} == published
                assert all(r["published"] == "true" for r in rows)
            else:
                assert any(r["published"] == "false" for r in rows)
            assert {r["governorate"] for r in rows if r["latitude"]} == {"Everywhere"}
            features = json.loads("".join(listing(bulletin, format="geojson")))["features"]
            assert [f["id"] for f in features] == [e.id for e in bulletin.entries]
            # Each incident's casualties add up to the headline figure (confirmed ones).
            killed = sum(int(r["killed_best"] or 0) for r in rows if r["status"] == "confirmed")
            assert killed == next(c.best for c in bulletin.figures.casualties
                                  if c.outcome == "killed")
            assert bulletin.summary.incidents == len(rows)
            assert sum(t.incidents for t in bulletin.summary.by_governorate) == len(rows)
        with pytest.raises(InvalidInput) as bad:
            listing(bulletin, format="xlsx")
        assert bad.value.field == "format"
