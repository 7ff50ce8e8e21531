"""The gazetteer: zones and imported places added to a copy, GeoNames shared and untouched."""

from __future__ import annotations

from trucewatch.ingest.gazetteer import Place, geonames


def test_places_are_added_to_a_copy_and_geonames_is_left_as_it_was() -> None:
    base = geonames()
    before = [p.source for p in base.resolve("Aleppo").candidates]
    assert "geonames" in before
    zone = Place("Aleppo", 36.2, 37.15, "SY", "zone", ref="syria-2016-12-30/Aleppo")
    new = Place("Zone Q-17", 35.0, 38.0, "SY", "zone", ref="syria-2016-12-30/Zone Q-17")
    copy = base.with_places([("Aleppo", zone), ("Zone Q-17", new), ("Zone Q-17", new)])
    # The copy: the zone first (zones rank first), GeoNames' candidates kept behind it.
    found = copy.resolve("Aleppo")
    assert found.place == zone
    assert [p.source for p in found.candidates] == ["zone", *before]
    assert copy.resolve("Zone Q-17").candidates == (new,)  # added once
    # The shared gazetteer is unchanged.
    assert [p.source for p in base.resolve("Aleppo").candidates] == before
    assert base.resolve("Zone Q-17").place is None
    assert base.places is not copy.places
