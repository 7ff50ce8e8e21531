"""Actors: creation, names in several languages, lookup by alias, affiliations."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from trucewatch.actors.names import normalise_name
from trucewatch.actors.service import (
    add_name,
    affiliate,
    affiliations_of,
    create_actor,
    find_actor,
    list_actors,
    search_actors,
    search_actors_many,
)
from trucewatch.errors import Conflict, InvalidInput, UnknownReference
from trucewatch.log.service import entries_for


def _hnc(session: Session) -> None:
    create_actor(session, actor="test", data={
        "slug": "hnc", "kind": "organisation", "organisation_type": "political_body",
        "names": [{"name": "High Negotiations Committee", "lang": "en", "primary": True},
                  {"name": "الهيئة العليا للمفاوضات", "lang": "ar", "primary": True},
                  {"name": "Высший комитет по переговорам", "lang": "ru"},
                  {"name": "Yüksek Müzakere Komitesi", "lang": "tr"},
                  {"name": "HNC", "lang": "en"}]})


def test_lookup_by_slug_and_any_name_in_any_language(session: Session) -> None:
    _hnc(session)
    for ref in ("hnc", "HNC", "high negotiations  committee", "الهيئة العليا للمفاوضات",
                "высший комитет по переговорам", "Yuksek Muzakere Komitesi"):
        assert find_actor(session, ref).slug == "hnc", ref


def test_arabic_diacritics_do_not_matter() -> None:
    assert normalise_name("رِيَاض حِجَاب") == normalise_name("رياض حجاب")
    assert normalise_name("Al-Nusra’s  Front") == "al nusras front"


def test_unknown_actor_names_the_field(session: Session) -> None:
    with pytest.raises(UnknownReference) as err:
        find_actor(session, "Nobody at all", field="alleged_actor")
    assert err.value.field == "alleged_actor"


def test_ambiguous_alias_asks_for_the_slug(session: Session) -> None:
    for slug in ("a-one", "a-two"):
        create_actor(session, actor="test", data={
            "slug": slug, "kind": "organisation", "organisation_type": "ngo",
            "names": [{"name": slug}, {"name": "Shared alias"}]})
    with pytest.raises(InvalidInput, match="a-one, a-two"):
        find_actor(session, "shared alias")


def test_duplicate_slug_conflicts(session: Session) -> None:
    _hnc(session)
    with pytest.raises(Conflict) as err:
        _hnc(session)
    assert err.value.field == "slug"


@pytest.mark.parametrize("bad, field", [
    ({"kind": "organisation"}, None),
    ({"kind": "alien", "organisation_type": "state"}, "kind"),
    ({"slug": "Bad Slug"}, "slug"),
    ({"names": []}, "names"),
    ({"kind": "person", "organisation_type": "state"}, None),
    ({"country": "Syria"}, "country"),
])
def test_invalid_actors_are_refused(session: Session, bad: dict, field: str | None) -> None:
    data = {"slug": "x", "kind": "organisation", "organisation_type": "state",
            "names": [{"name": "X"}], **bad}
    if bad == {"kind": "organisation"}:
        data.pop("organisation_type")
    with pytest.raises(InvalidInput) as err:
        create_actor(session, data=data, actor="test")
    if field:
        assert err.value.field.startswith(field)


def test_affiliations_with_periods(session: Session) -> None:
    _hnc(session)
    create_actor(session, actor="test", data={
        "slug": "riyad-hijab", "kind": "person",
        "names": [{"name": "Riyad Hijab"}, {"name": "Riad Hijab"}, {"name": "رياض حجاب", "lang": "ar"}]})
    affiliate(session, actor="test", data={"person": "Riad Hijab", "organisation": "HNC",
                                           "role": "coordinator", "valid_from": "2015-12-17"})
    person = find_actor(session, "riyad-hijab")
    (aff,) = affiliations_of(session, person)
    assert (aff.role, aff.organisation.slug, str(aff.valid_from)) == (
        "coordinator", "hnc", "2015-12-17")
    with pytest.raises(InvalidInput):
        affiliate(session, actor="test", data={"person": "riyad-hijab", "organisation": "hnc",
                                               "role": "x", "valid_from": "2017-01-01",
                                               "valid_to": "2016-01-01"})
    with pytest.raises(UnknownReference) as err:
        affiliate(session, actor="test", data={"person": "hnc", "organisation": "hnc",
                                               "role": "head"})
    assert err.value.field == "person"


def test_names_can_be_added_and_are_logged(session: Session) -> None:
    _hnc(session)
    add_name(session, actor_ref="hnc", name={"name": "Haut comité des négociations",
                                             "lang": "fr"}, actor="test")
    assert find_actor(session, "haut comite des negociations").slug == "hnc"
    kinds = [e.kind for e in entries_for(session, "actor:hnc")]
    assert kinds == ["actor.created", "actor.named"]


def test_list_filters(session: Session) -> None:
    _hnc(session)
    create_actor(session, actor="test", data={"slug": "russia", "kind": "organisation",
                                              "organisation_type": "state",
                                              "names": [{"name": "Russia"}]})
    assert [a.slug for a in list_actors(session, text="negotiations")] == ["hnc"]
    assert [a.slug for a in list_actors(session, organisation_type="state")] == ["russia"]


def test_many_lookups_at_once_match_one_by_one(session: Session) -> None:
    _hnc(session)
    for slug in ("a-one", "a-two"):
        create_actor(session, actor="test", data={
            "slug": slug, "kind": "organisation", "organisation_type": "ngo",
            "names": [{"name": slug}, {"name": "Shared alias"}]})
    refs = ["hnc", " HNC ", "high negotiations  committee", "Yuksek Muzakere Komitesi",
            "shared alias", "a-one", "Nobody at all", "  "]
    many = search_actors_many(session, refs)
    assert set(many) == set(refs)
    for ref in refs:
        assert [a.slug for a in many[ref]] == [a.slug for a in search_actors(session, ref)], ref
    assert [a.slug for a in many["shared alias"]] == ["a-one", "a-two"]
    assert many["Nobody at all"] == []
