"""The links of a match written together (``joining.write``) on both stores, against the
per-pair path they replace (each pair through ``linking.join``, ``record_linked`` and at the
end ``record_queued``): the same scene acted on by each, from the same state, adds the same
log entries (kinds, subjects, actors, payloads, row snapshots, in order; times aside) and
leaves the same rows; the log verifies and the audit finds every row as last logged."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

import numpy as np
import pytest
from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from tests import factories
from tests.correlation.test_matcher import file_marked
from trucewatch.correlation import service
from trucewatch.correlation.index import catch_up
from trucewatch.correlation.joining import PAIR_CODE, kept_apart
from trucewatch.correlation.linking import SYSTEM, join
from trucewatch.correlation.models import CandidateLink
from trucewatch.correlation.pairs import Queued, record_linked, record_queued
from trucewatch.correlation.scoring import describe
from trucewatch.correlation.service import Outcome, _Pair, _Scored
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.incidents.service import change_status, create_incident, unlink_report
from trucewatch.log import service as log
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry, LogHead
from trucewatch.reports.models import Report
from trucewatch.reports.reading import incident_of
from trucewatch.reports.service import file_reports
from trucewatch.storage import Store

Act = Callable[[Session, _Scored, str], Outcome]


def _per_pair(session: Session, scored: _Scored, actor: str) -> Outcome:
    """``service._act_on`` as it was before ``joining``: each pair through the incidents
    service in turn, its candidate row and entry after it, the queued pairs at the end."""
    outcome = Outcome(scored=sum(scored.counts.values()))
    decided = service._decided(session, [p.pair for p in scored.wanted])
    queued: list[Queued] = []
    for p in scored.wanted:
        if p.pair in decided:
            continue
        decided.add(p.pair)
        incident = None
        if p.verdict == "link" and not kept_apart(_group(session, p.pair[0]),
                                                  _group(session, p.pair[1]), scored.apart):
            incident = join(session, *p.pair, actor=SYSTEM.actor, principal=SYSTEM,
                            reason=describe(p.reason))
        if incident is None:
            queued.append(Queued(p.pair, p.truce, p.reason))
            outcome.queued.append(p.pair)
            continue
        record_linked(session, p.pair, truce=p.truce, reason=p.reason, incident=incident,
                      actor=SYSTEM.actor)
        outcome.linked.append(p.pair)
        outcome.incidents.add(incident)
    record_queued(session, queued, actor=actor)
    return outcome


def _group(session: Session, report_id: int) -> list[int]:
    incident = incident_of(session, report_id)
    if incident is None:
        return [report_id]
    return list(session.scalars(select(IncidentLink.report_id).where(
        IncidentLink.incident_id == incident, IncidentLink.unlinked_at.is_(None))))


def _batched(session: Session, scored: _Scored, actor: str) -> Outcome:
    return service._act_on(session, scored, actor=actor)


_TIMES = frozenset({"created_at", "linked_at"})
_TABLES = [cast(Table, model.__table__) for model in (Incident, IncidentLink, CandidateLink)]


def _bodies(session: Session, after: int) -> list[dict[str, Any]]:
    """The entries after ``after``, parsed, their times normalised."""
    found = []
    for body in session.scalars(select(LogEntry.body).where(LogEntry.seq > after)
                                .order_by(LogEntry.seq)):
        entry = json.loads(body)
        entry["recorded_at"] = "T"
        for row in entry.get("rows", ()):
            for name in _TIMES & set(row["values"] or ()):
                row["values"][name] = "T"
        found.append(entry)
    return found


def _rows(session: Session) -> dict[str, list[dict[str, Any]]]:
    return {str(t.name): [{k: ("T" if k in _TIMES else v) for k, v in r.items()}
                          for r in session.execute(select(t).order_by(t.c.id)).mappings()]
            for t in _TABLES}


@contextmanager
def _from_now(store: Store) -> Iterator[Session]:
    """A session whose new rows take the ids next after the rows stored (PostgreSQL's
    sequences do not roll back with the transaction that used them)."""
    with store.session() as session:
        if session.get_bind().dialect.name == "postgresql":
            for table in _TABLES:
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
        yield session


def _compare(store: Store, scored: _Scored, *, actor: str = SYSTEM.actor) -> Outcome:
    """Act on ``scored`` by the per-pair path (rolled back), then by ``joining`` from the
    same state (committed); assert that both add the same entries and rows."""
    seen: list[tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]] = []
    for act, keep in ((_per_pair, False), (_batched, True)):
        with _from_now(store) as s:
            head = s.get(LogHead, 1)
            after = head.size if head is not None else 0
            outcome = act(s, scored, actor)
            s.flush()
            seen.append((outcome.as_dict(), _bodies(s, after), _rows(s)))
            if not keep:
                s.rollback()
    (outcome_old, old, rows_old), (outcome_new, new, rows_new) = seen
    assert outcome_new == outcome_old
    assert [e["kind"] for e in new] == [e["kind"] for e in old]
    for a, b in zip(new, old, strict=True):
        assert a == b
    assert rows_new == rows_old
    with store.session() as s:
        assert log.verify(s) == []
        assert audit_database(s).problems == []
    return outcome


def _reason(score: float) -> dict[str, object]:
    return {"score": score, "components": {"time": 1.0, "place": round(score, 2),
                                           "category": 1.0}, "gap_hours": 6.0}


def _scored(pairs: list[tuple[tuple[int, int], str]], apart: list[tuple[int, int]],
            truce: int | None) -> _Scored:
    wanted = [_Pair(pair, pair[1], truce, _reason(0.99 - 0.01 * k), verdict)
              for k, (pair, verdict) in enumerate(pairs)]
    codes = np.sort(np.array([a * PAIR_CODE + b for a, b in apart], dtype=np.int64))
    return _Scored(wanted, codes, {}, [truce], {})


_VARIANTS: list[dict[str, Any]] = [
    {},
    {"place_name": "Kafr Zita", "latitude": 35.37, "longitude": 36.6,
     "occurred": "2017-01-11T09:30:00Z"},
    {"place_name": "", "occurred": "2017-01"},
    {"place_name": "Douma", "latitude": None, "longitude": None, "occurred": "2017-01-09"},
    {"category": "abduction_detention", "occurred": "2017-01-12", "casualties": []},
]


def _reports(store: Store, n: int) -> tuple[list[int], int]:
    """``n`` reports of one new truce, varied in what an incident copies from its first."""
    with store.session() as s:
        truce = factories.truce(s)
        org = factories.organisation(s)
        filed = file_reports(s, submissions=[factories.report(truce=truce, **_VARIANTS[k % len(_VARIANTS)])
                                             for k in range(n)], organisation=org, actor="test")
        ids = [f.id for f in filed]
        truce_id = s.scalar(select(Report.truce_id).where(Report.id == ids[0]))
    assert truce_id is not None
    return ids, truce_id


def _incident(s: Session, reports: list[int], status: str = "open") -> int:
    made = create_incident(s, data={"reports": reports, "reason": "seen together"},
                           actor="user:officer").id
    for step in {"open": [], "under_review": ["under_review"], "closed": ["closed"],
                 "confirmed": ["under_review", "confirmed"]}[status]:
        change_status(s, incident_id=made, status=step, actor="user:officer",
                      by_round=step == "confirmed")
    return made


def test_every_case_of_join_is_written_as_the_per_pair_path_writes_it(store: Store) -> None:
    r, truce = _reports(store, 20)
    with store.session() as s:
        first = _incident(s, [r[0], r[1]])
        _incident(s, [r[2]], "closed")
        review = _incident(s, [r[3], r[4]], "under_review")
        _incident(s, [r[15], r[16]])
        unlink_report(s, incident_id=incident_of(s, r[16]) or 0, report_id=r[16],
                      actor="user:officer", reason="another event")
        _incident(s, [r[18]], "confirmed")
        record_queued(s, [Queued((r[5], r[8]), truce, _reason(0.5))], actor="test")
    pairs = [
        ((r[5], r[6]), "link"),  # a new incident
        ((r[0], r[7]), "link"),  # into an open one: its version bumped
        ((r[2], r[8]), "link"),  # the holder is closed: queued
        ((r[0], r[3]), "link"),  # in two incidents: queued
        ((r[0], r[9]), "link"),  # r9 and r1 scored apart, and r1 is with r0: queued
        ((r[10], r[11]), "link"), ((r[11], r[12]), "link"), ((r[12], r[13]), "link"),  # a chain
        ((r[1], r[7]), "link"),  # together already: the pair linked, no incident change
        ((r[5], r[8]), "link"),  # decided meanwhile: skipped
        ((r[5], r[6]), "link"),  # twice in the match: once
        ((r[4], r[9]), "review"),  # for an officer
        ((r[3], r[14]), "link"),  # into one under review
        ((r[16], r[17]), "link"),  # r16 was unlinked: free for a new incident
        ((r[18], r[19]), "link"),  # confirmed: closed to links
        ((r[12], r[19]), "review"),
    ]
    done = _compare(store, _scored(pairs, [(r[1], r[9])], truce))
    assert done.linked == [(r[5], r[6]), (r[0], r[7]), (r[10], r[11]), (r[11], r[12]),
                           (r[12], r[13]), (r[1], r[7]), (r[3], r[14]), (r[16], r[17])]
    assert done.queued == [(r[2], r[8]), (r[0], r[3]), (r[0], r[9]), (r[4], r[9]),
                           (r[18], r[19]), (r[12], r[19])]
    with store.session() as s:
        versions = dict(s.execute(select(Incident.id, Incident.version)).all())
        assert versions[first] == 2 and versions[review] == 3  # status change, then a link
        chain = incident_of(s, r[10])
        assert chain is not None and versions[chain] == 3
        assert {incident_of(s, r[k]) for k in (11, 12, 13)} == {chain}


def test_queued_by_another_actor_and_nothing_linked(store: Store) -> None:
    r, truce = _reports(store, 4)
    with store.session() as s:
        _incident(s, [r[0]], "closed")
    _compare(store, _scored([((r[0], r[1]), "link"), ((r[2], r[3]), "review")], [], truce),
             actor="cli:test")
    r, truce = _reports(store, 4)
    done = _compare(store, _scored([((r[0], r[1]), "link"), ((r[1], r[2]), "link"),
                                    ((r[2], r[3]), "review")], [], truce), actor="cli:test")
    assert len(done.linked) == 2 and done.queued == [(r[2], r[3])]


def test_a_scored_match_is_written_as_before(store: Store) -> None:
    """Reports scored by the matcher (the default tuning links most of them): once into
    nothing, then a second batch into the incidents the first made."""
    with store.session() as s:
        truce = factories.truce(s)
        orgs = [factories.organisation(s) for _ in range(4)]
        catch_up(s)  # the index exists, as on a store in use
    for ks in (range(8), range(8, 16)):
        ids = file_marked(store, truce, orgs, ks)
        with store.session() as s:
            catch_up(s)
            planned = service.plan_match(s, report_ids=ids)
        assert planned.scored is not None
        done = _compare(store, planned.scored)
        assert done.linked
        with store.session() as s:
            s.execute(text("DELETE FROM correlation_pending"))


def test_random_scenes_are_written_as_the_per_pair_path_writes_them(store: Store) -> None:
    statuses = ["open", "open", "under_review", "closed", "confirmed"]
    for seed in range(12):
        rng = random.Random(seed)
        n = rng.randint(6, 12)
        r, truce = _reports(store, n)
        free = list(r)
        rng.shuffle(free)
        with store.session() as s:
            for _ in range(rng.randint(0, 3)):
                size = rng.randint(1, 3)
                if len(free) < size:
                    break
                members, free = free[:size], free[size:]
                made = _incident(s, members, rng.choice(statuses))
                if size > 1 and rng.random() < 0.3:
                    unlink_report(s, incident_id=made, report_id=members[-1],
                                  actor="user:officer", reason="another event")
            everything = [(a, b) for a in r for b in r if a < b]
            rng.shuffle(everything)
            taken = rng.randint(0, 2)
            record_queued(s, [Queued(p, truce, _reason(0.4)) for p in everything[:taken]],
                          actor="test")
        k = rng.randint(3, min(len(everything) - 2, 3 * n))
        wanted = everything[:k] + rng.sample(everything[:k], 2)
        rng.shuffle(wanted)
        pairs = [(p, "link" if rng.random() < 0.8 else "review") for p in wanted]
        apart = everything[k:k + rng.randint(0, 4)]
        _compare(store, _scored(pairs, apart, truce),
                 actor=rng.choice([SYSTEM.actor, "cli:test"]))


def test_the_stored_ids_continue_after_a_batched_write(store: Store) -> None:
    """Ids the batch took are those the ORM takes next (no gap, no reuse)."""
    r, truce = _reports(store, 4)
    _compare(store, _scored([((r[0], r[1]), "link")], [], truce))
    with store.session() as s:
        made = create_incident(s, data={"reports": [r[2], r[3]]}, actor="test").id
        assert made == s.scalar(select(func.max(Incident.id)))
        assert made - 1 == incident_of(s, r[0])


def test_an_incident_the_session_holds_is_read_again(store: Store) -> None:
    r, truce = _reports(store, 3)
    with store.session() as s:
        made = _incident(s, [r[0]])
        held = s.get(Incident, made)
        assert held is not None and [lk.report_id for lk in held.active_links] == [r[0]]
        service._act_on(s, _scored([((r[0], r[1]), "link"), ((r[0], r[2]), "link")], [],
                                   truce), actor=SYSTEM.actor)
        assert held.version == 3
        assert [lk.report_id for lk in held.active_links] == [r[0], r[1], r[2]]


@pytest.mark.parametrize("size", [0, 1])
def test_nothing_or_one_pair_to_write(store: Store, size: int) -> None:
    r, truce = _reports(store, 2)
    _compare(store, _scored([((r[0], r[1]), "link")][:size], [], truce))
