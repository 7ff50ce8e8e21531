"""Dates resolved against the publication date, the direction chosen per mention."""

from __future__ import annotations

from datetime import date

import pytest

from trucewatch.ingest.analysis import _dates
from trucewatch.ingest.dates import resolve
from trucewatch.ingest.mentions import Sentence
from trucewatch.ingest.pipeline import load_pipeline

THURSDAY = date(2017, 1, 26)


def _resolved(text: str, *, use_model: bool = True) -> list[tuple[str, str | None, str]]:
    nlp = load_pipeline((), use_model=use_model).nlp
    doc = nlp(text)
    sentences = [Sentence(i, s, s.start_char, False) for i, s in enumerate(doc.sents)]
    return [(d.resolution.text, d.resolution.start, d.resolution.precision)
            for s in sentences for d in _dates(s, THURSDAY)]


@pytest.mark.parametrize(("text", "expected"), [
    ("On Wednesday Lavrov told Russian lawmakers that he had invited them for talks on Friday.",
     [("Wednesday", "2017-01-25", "day"), ("Friday", "2017-01-27", "day")]),
    ("Hijab received a personal invitation to attend Friday's talks but declined.",
     [("Friday's", "2017-01-27", "day")]),
    ("The peace talks in the Kazakh capital ended on Tuesday without a major breakthrough.",
     [("Tuesday", "2017-01-24", "day")]),
    ("The delegations will meet again on Tuesday.", [("Tuesday", "2017-01-31", "day")]),
    ("Shelling was reported on Thursday.", [("Thursday", "2017-01-26", "day")]),
    ("They agreed to a shaky three-week truce.", [("three-week", None, "duration")]),
    ("Talks took place in Astana this week.", [("this week", "2017-01-23", "week")]),
    ("Lavrov, seen January 18, 2017, spoke.", [("January 18, 2017", "2017-01-18", "day")]),
    ("The ceasefire took effect on 30 December.", [("30 December", "2016-12-30", "day")]),
    ("Clashes continued in December 2016.", [("December 2016", "2016-12-01", "month")]),
])
def test_direction_per_mention(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    assert _resolved(text) == expected


def test_explanations_say_how() -> None:
    friday = resolve("Friday", published=THURSDAY, direction="future", why="to attend")
    assert friday.start == "2017-01-27"
    assert "next Friday after the publication date Thursday 2017-01-26" in friday.explanation
    last = resolve("last Friday", published=THURSDAY, direction="future")
    assert last.start == "2017-01-20" and "'last'" in last.explanation
    week = resolve("a three-week", published=THURSDAY, direction="past")
    assert week.precision == "unresolved" or week.precision == "duration"


def test_rule_only_uses_the_words_around() -> None:
    assert _resolved("He will brief them on Friday. On Wednesday he spoke.", use_model=False) == [
        ("Friday", "2017-01-27", "day"), ("Wednesday", "2017-01-25", "day")]
