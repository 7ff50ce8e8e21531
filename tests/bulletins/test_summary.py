"""What the bulletin shows of many incidents: the tables count them all, the lists are bounded."""

from __future__ import annotations

from datetime import date, timedelta

from trucewatch.bulletins.contents import CasualtyRange, Dissent, Entry
from trucewatch.bulletins.period import period_of
from trucewatch.bulletins.summary import MAX_ROWS, NOTABLE, OTHERS, notable, summarise

MARCH = period_of("month", "2017-03-15")


def _entry(i: int, day: date, *, status: str = "confirmed", zone: str = "North",
           category: str = "shelling", killed: int = 0, injured: int = 0,
           responsible: str | None = "party-a", dissents: tuple[Dissent, ...] = ()) -> Entry:
    casualties = (CasualtyRange("killed", killed, killed, killed + 1),
                  CasualtyRange("injured", injured, injured, injured))
    return Entry(id=i, title=f"#{i}", day=day, place="P", latitude=35.0, longitude=36.5,
                 category=category, zone=zone, status=status, published=True,
                 responsible=responsible if status == "confirmed" else None,
                 dissents=dissents, casualties=casualties)


def test_a_few_confirmed_incidents_are_all_named_in_date_order() -> None:
    entries = [_entry(i, date(2017, 3, 20 - i), killed=i) for i in range(5)]
    assert [e.id for e in notable(entries)] == [4, 3, 2, 1, 0]


def test_many_confirmed_incidents_name_those_with_the_most_casualties() -> None:
    entries = [_entry(i, date(2017, 3, 1) + timedelta(days=i % 31), killed=i % 7,
                      injured=i % 3) for i in range(400)]
    chosen = notable(entries)
    assert len(chosen) == NOTABLE
    ranks = [(e.killed, e.injured, e.day) for e in chosen]
    assert ranks == sorted(ranks, reverse=True)  # most killed, then injured, then latest
    left = [e for e in entries if e not in chosen]
    assert all((e.killed, e.injured, e.day) <= ranks[-1] for e in left)


def test_the_tables_count_every_incident_and_sum_the_rest_as_others() -> None:
    day = date(2017, 3, 6)
    entries = [_entry(i, day + timedelta(days=i % 20), zone=f"zone {i % 20:02d}",
                      status=("confirmed", "disputed", "open")[i % 3], killed=2)
               for i in range(600)]
    summary = summarise(entries, history=entries, since=date(2017, 1, 25), period=MARCH)
    assert summary.incidents == 600
    assert len(summary.by_zone) == MAX_ROWS and summary.by_zone[-1].key == OTHERS
    assert sum(t.incidents for t in summary.by_zone) == 600
    assert sum(t.killed for t in summary.by_zone) == 2 * 200  # the confirmed ones only
    assert sum(t.pending for t in summary.by_week) == 200
    assert [t.key[:8] for t in summary.by_week] == ["2017-W09", "2017-W10", "2017-W11",
                                                   "2017-W12", "2017-W13"]
    assert summary.by_week[0].key.endswith("2017-03-01 – 2017-03-05")  # within the month
    assert sum(t.incidents for t in summary.by_week) == 600
    assert summary.by_governorate == []  # no outlines imported
    assert len(summary.notable_confirmed) == NOTABLE == len(summary.notable_disputed)
    assert not summary.complete and summary.confirmed == summary.disputed == 200


def test_dissents_are_counted_by_guarantor_and_finding() -> None:
    iran = Dissent("iran", "not_violation")
    turkey = Dissent("turkey", "cannot_determine")
    entries = [_entry(1, date(2017, 3, 2), status="disputed", dissents=(iran,)),
               _entry(2, date(2017, 3, 3), status="disputed", dissents=(iran, turkey))]
    summary = summarise(entries, history=entries, since=date(2017, 1, 25), period=MARCH)
    assert [(d.guarantor, d.finding, d.incidents) for d in summary.dissents] == [
        ("iran", "not_violation", 2), ("turkey", "cannot_determine", 1)]
    assert str(Dissent("iran", "violation", "party-a")) == "iran: violation (party-a)"


def test_a_zone_that_flares_up_in_the_period_raises_an_escalation_alert() -> None:
    since = date(2017, 1, 25)
    quiet = [_entry(i, since + timedelta(days=i), zone="Quiet") for i in range(50)]
    flare = [_entry(1000 + i, date(2017, 3, 10), zone="Flaring") for i in range(12)]
    calm = [_entry(2000 + i, since + timedelta(days=i), zone="Flaring") for i in range(0, 40, 4)]
    history = quiet + flare + calm
    in_march = [e for e in history if e.day >= MARCH.first]
    summary = summarise(in_march, history=history, since=since, period=MARCH)
    [alert] = summary.escalations
    assert (alert.zone, alert.first, alert.peak) == ("Flaring", date(2017, 3, 10), 12)
