"""Truces: participants in their roles, zones as valid GeoJSON, and the verification rule."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from tests import factories

from trucewatch.errors import Conflict, InvalidInput, UnknownReference
from trucewatch.truces.models import TruceZone
from trucewatch.truces.service import (
    get_truce,
    rule_text,
    stored_zone_index,
    truce_view,
    zone_index,
    zones_geojson,
)


def test_truce_roles_rule_and_zones(session: Session) -> None:
    g = [factories.organisation(session, s, org_type="state") for s in ("ru", "tr", "ir")]
    ex = factories.organisation(session, "isis", aliases=("Daesh",))
    slug = factories.truce(session, guarantors=g, excluded=["Daesh"],
                           rule={"kind": "k_of_n", "k": 2})
    truce = get_truce(session, slug)
    view = truce_view(truce)
    assert view["guarantors"] == g and view["excluded"] == [ex]
    assert rule_text(truce) == "2 of 3 guarantors"
    assert zones_geojson(truce)["features"][0]["properties"]["name"] == "Zone A"
    index = zone_index(truce)
    assert index.zone_of(35.5, 36.5) == truce.zones[0].id
    assert index.zone_of(33.0, 36.5) is None
    points = [(35.5, 36.5), (35.0, 36.5), (36.0, 37.0), (33.0, 36.5), (None, None),
              (35.5, None), (90.0, 180.0), (35.5, 36.5)]
    assert index.zones_of(points) == [index.zone_of(lat, lon) for lat, lon in points]
    assert index.zones_of([]) == []


def test_default_truce_is_the_latest(session: Session) -> None:
    factories.truce(session, slug="older", starts_at="2016-01-01T00:00:00Z")
    factories.truce(session, slug="newer", starts_at="2017-01-01T00:00:00Z")
    assert get_truce(session).slug == "newer"


@pytest.mark.parametrize("overrides, field", [
    ({"rule": {"kind": "k_of_n", "k": 5}}, None),
    ({"rule": {"kind": "k_of_n"}}, "rule"),
    ({"rule": {"kind": "majority"}}, "rule.kind"),
    ({"ends_at": "2016-01-01T00:00:00Z"}, None),
    ({"starts_at": "2016-12-30T00:00:00"}, "starts_at"),
    ({"zones": [{"name": "Z", "geometry": {"type": "Point", "coordinates": [36, 35]}}]},
     "zones.0.geometry"),
    ({"zones": [{"name": "Z", "geometry": {"type": "Polygon", "coordinates": [
        [[36, 35], [37, 36], [37, 35], [36, 36], [36, 35]]]}}]}, "zones.0.geometry"),
    ({"zones": [{"name": "Z", "geometry": {"type": "Polygon", "coordinates": [
        [[200, 35], [201, 35], [201, 36], [200, 35]]]}}]}, "zones.0.geometry"),
    ({"zones": [{"name": "Z", "geometry": {"type": "Polygon", "coordinates": "nope"}}]},
     "zones.0.geometry"),
])
def test_invalid_truces_are_refused(session: Session, overrides: dict, field: str | None) -> None:
    with pytest.raises(InvalidInput) as err:
        factories.truce(session, **overrides)
    if field:
        assert err.value.field == field


def test_unknown_and_repeated_participants(session: Session) -> None:
    g = factories.organisation(session, "only-guarantor", org_type="state")
    with pytest.raises(UnknownReference) as err:
        factories.truce(session, guarantors=[g], parties=["nobody"])
    assert err.value.field == "parties.0"
    with pytest.raises(InvalidInput, match="already listed as guarantor"):
        factories.truce(session, guarantors=[g], parties=[g])


def test_duplicate_truce_slug(session: Session) -> None:
    factories.truce(session, slug="t")
    with pytest.raises(Conflict):
        factories.truce(session, slug="t")


def test_stored_zone_index_follows_the_stored_zones(session: Session) -> None:
    """The prepared index is reused only for byte-identical zones, never served stale."""
    slug = factories.truce(session)
    truce = get_truce(session, slug)
    zone = truce.zones[0]
    first = stored_zone_index(session, truce.id)
    assert first.zone_of(35.5, 36.5) == zone.id
    assert stored_zone_index(session, truce.id) is first  # same zones: prepared once
    # The same zone id with other coordinates (another database, a restored store) is
    # another index: a square far from the first.
    moved = {"type": "Polygon",
             "coordinates": [[[40.0, 30.0], [41.0, 30.0], [41.0, 31.0], [40.0, 31.0], [40.0, 30.0]]]}
    session.execute(update(TruceZone).where(TruceZone.id == zone.id).values(geometry=moved))
    second = stored_zone_index(session, truce.id)
    assert second is not first
    assert second.zone_of(35.5, 36.5) is None
    assert second.zone_of(30.5, 40.5) == zone.id
