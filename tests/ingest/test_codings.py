"""CAMEO actor codes and event codings, and actors named without a name, on sentences
written for these tests (not from any gold set)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import IN_CI
from trucewatch.ingest.analysis import Analysis, analyse
from trucewatch.ingest.codings import codings
from trucewatch.ingest.gazetteer import geonames
from trucewatch.ingest.pipeline import load_pipeline
from trucewatch.ingest.registry import Registry


def _analyse(text: str) -> Analysis:
    pipeline = load_pipeline(())
    if pipeline.rule_only:
        if IN_CI:
            pytest.fail("no English model installed: .ci/run installs requirements-model.txt")
        pytest.skip("no English model installed")
    return analyse(text, published=date(2017, 1, 26), registry=Registry(),
                   gazetteer=geonames(), pipeline=pipeline)


def _triples(text: str) -> list[tuple[str, str, str]]:
    return [c.triple for c in codings(_analyse(text).events)]


@pytest.mark.parametrize(("text", "wanted"), [
    ("Turkish troops shelled the Kurdish town.", ("TURMIL", "194", "---")),
    ("The European Union imposed sanctions on Russia.", ("IGOEUREEC", "163", "RUS")),
    ("Rebels attacked the Syrian army.", ("---REB", "190", "SYRMIL")),
    ("The Jordanian police arrested three Iraqi journalists.", ("JORCOP", "173", "IRQMED")),
    ("The U.S. government condemned Iran.", ("USAGOV", "110", "IRN")),
    ("The rebels received rockets from the Turkish army.", ("TURMIL", "072", "---REB")),
    ("The US commander in Iraq, General John Smith, met the Jordanian king.",
     ("USAMIL", "044", "JORGOV")),
])
def test_codings_name_country_and_sector(text: str, wanted: tuple[str, str, str]) -> None:
    assert wanted in _triples(text)


def test_negated_and_said_only_are_not_coded() -> None:
    assert not [t for t in _triples("France did not attack Mali.") if t[1].startswith("19")]
    assert not _triples("Germany said on Monday that the talks were useful.")


def test_a_linked_actor_gives_its_country() -> None:
    analysis = _analyse("Kazakhstan hosted the talks and Moscow welcomed them.")
    codes = {p.coded().code for e in analysis.events for p in e.sources}
    assert "KAZ" in codes
    assert "RUS" in codes  # a capital stands for its government


def test_references_without_names() -> None:
    analysis = _analyse("The regime said its forces had withdrawn. The Foreign Minister said "
                        "we will not accept this.")
    found = {(r.text, r.kind, r.how) for r in analysis.references}
    assert ("The regime", "organisation", "group noun") in found
    assert ("its forces", "organisation", "group noun") in found
    assert ("The Foreign Minister", "person", "title") in found
    assert ("we", "organisation", "pronoun") in found


def test_group_names_the_model_misses_are_organisations() -> None:
    analysis = _analyse("Coalition aircraft struck an ISIL-held building near the river.")
    assert [(m.text, m.kind) for m in analysis.mentions if m.label == "ORG"] == \
        [("ISIL", "organisation")]


def test_a_people_and_a_group_tagged_as_a_country() -> None:
    analysis = _analyse("The Syrian people will defeat Daesh, and the Iraqis will help them.")
    assert ("The Syrian people", "organisation", "a people") in {
        (r.text, r.kind, r.how) for r in analysis.references}
    acting = {(m.text, m.label) for m in analysis.mentions if m.acting}
    assert ("Daesh", "ORG") in acting
    assert ("Iraqis", "NORP") in acting
