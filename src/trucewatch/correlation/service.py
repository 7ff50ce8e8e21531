"""Correlate the store: every report against every other (a pass), or one new report.

Pairs above a truce's link threshold are linked into one incident through the incidents
service, acting as :data:`SYSTEM` (which the access rules allow triage and nothing else);
pairs between the thresholds go to the queue (``correlation_candidates``) for an officer.
Every pair written is a log entry. A pair already decided is never scored into a new
decision, so an officer's unlink or reject is not undone by the next pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation import index as stored_index
from trucewatch.correlation import records as store_records
from trucewatch.correlation.blocking import BlockIndex, candidate_pairs, candidates_of
from trucewatch.correlation.clustering import decide
from trucewatch.correlation.features import Features, ReportRecord, build
from trucewatch.correlation.linking import SYSTEM, join
from trucewatch.correlation.models import CandidateLink
from trucewatch.correlation.scoring import combine, describe, reasons, score_pairs
from trucewatch.correlation.tuning import Tuning
from trucewatch.correlation.tunings import tunings_for
from trucewatch.incidents.models import IncidentLink
from trucewatch.log import service as log
from trucewatch.reports.models import Report
from trucewatch.reports.reading import get_report, incident_of


@dataclass
class Outcome:
    """What a pass or a match did: pairs scored, linked, queued, and the incidents touched."""

    scored: int = 0
    linked: list[tuple[int, int]] = field(default_factory=list)
    queued: list[tuple[int, int]] = field(default_factory=list)
    incidents: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, object]:
        return {"scored": self.scored, "linked": [list(p) for p in self.linked],
                "queued": [list(p) for p in self.queued], "incidents": sorted(self.incidents)}


def correlate_all(session: Session, *, actor: str, principal: Principal | None = None,
                  truce_id: int | None = None) -> Outcome:
    """Score every pair of stored reports that share a block and act on the decisions."""
    if principal is not None:
        require(principal, Action.CORRELATION_RUN)
    log.lock(session)
    stored_index.catch_up(session)
    where = Report.truce_id == truce_id if truce_id is not None else None
    rows = store_records.records(session, where)
    f = build(rows)
    i, j = candidate_pairs(f)
    return _act(session, f, i, f, j, truces=_truces(session, f), actor=actor)


def match_report(session: Session, *, report_id: int, actor: str = SYSTEM.actor,
                 principal: Principal | None = None) -> Outcome:
    """Match one report, just filed, against the reports it shares a block with.

    Called right after a filing commits (the API, the CLI and the web page do, and
    ``trucewatch correlate run --report``), without rescanning the store: the report is
    indexed (with any report filed since the index was last complete), its candidates are
    read from the stored index by their block keys, and only they are scored."""
    if principal is not None:
        require(principal, Action.CORRELATION_RUN)
    log.lock(session)
    get_report(session, report_id)
    stored_index.catch_up(session)
    new = stored_index.features(session, [report_id])
    stored = stored_index.candidates(session, new)
    if len(stored) == 0:
        return Outcome()
    every = np.arange(len(stored), dtype=np.int64)
    return _act(session, new, np.zeros(len(stored), dtype=np.int64), stored, every,
                truces=_truces(session, new), actor=actor)


def match_records(session: Session, new: Sequence[ReportRecord],
                  stored: Sequence[ReportRecord], *, actor: str) -> Outcome:
    orgs: dict[str, int] = {}
    q, s = build(new, organisations=orgs), build(stored, organisations=orgs)
    if len(s) == 0:
        return Outcome()
    qi, sj = candidates_of(BlockIndex(s), q)
    return _act(session, q, qi, s, sj, truces=_truces(session, q), actor=actor)


def _truces(session: Session, f: Features) -> list[int | None]:
    ids = f.ids.tolist()
    found = dict(session.execute(select(Report.id, Report.truce_id).where(Report.id.in_(ids))).all()
                 ) if len(ids) < 30_000 else dict(session.execute(
                     select(Report.id, Report.truce_id)).all())
    return [found.get(i) for i in ids]


def _act(session: Session, a: Features, ia: np.ndarray, b: Features, ib: np.ndarray, *,
         truces: list[int | None], actor: str) -> Outcome:
    tunings = tunings_for(session, set(truces))
    scores = score_pairs(a, ia, b, ib, next(iter(tunings.values())))
    pair_truce = [truces[k] for k in ia.tolist()]
    if len(tunings) > 1:  # each pair by the tuning of its first report's truce
        of_truce = np.array([-1 if t is None else t for t in pair_truce], dtype=np.int64)
        for truce, its in tunings.items():
            rows = of_truce == (-1 if truce is None else truce)
            scores.score[rows] = combine(scores.similarity[rows], scores.known[rows], its)
    score = scores.score
    outcome = Outcome(scored=len(ia))
    left, right = a.ids[ia], b.ids[ib]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    wanted = [k for k in np.argsort(-score, kind="stable").tolist()
              if decide(float(score[k]), tunings[pair_truce[k]]) is not None]
    decided = _decided(session, [(int(lo[k]), int(hi[k])) for k in wanted])
    apart = {(int(lo[k]), int(hi[k])) for k in range(len(ia))
             if score[k] < tunings[pair_truce[k]].review_threshold}
    for k in wanted:
        pair = (int(lo[k]), int(hi[k]))
        if pair in decided:
            continue
        decided.add(pair)
        tuning: Tuning = tunings[pair_truce[k]]
        reason = reasons(scores, k, tuning)
        verdict = decide(float(score[k]), tuning)
        incident = None
        if verdict == "link" and not _kept_apart(session, pair, apart):
            incident = join(session, *pair, actor=SYSTEM.actor, principal=SYSTEM,
                            reason=describe(reason))
        status = "linked" if incident is not None else "pending"
        _record(session, pair, truce=pair_truce[k], reason=reason, status=status,
                incident=incident, actor=SYSTEM.actor if status == "linked" else actor)
        (outcome.linked if status == "linked" else outcome.queued).append(pair)
        if incident is not None:
            outcome.incidents.add(incident)
    return outcome


def _group(session: Session, report_id: int) -> list[int]:
    incident = incident_of(session, report_id)
    if incident is None:
        return [report_id]
    return list(session.scalars(select(IncidentLink.report_id).where(
        IncidentLink.incident_id == incident, IncidentLink.unlinked_at.is_(None))))


def _kept_apart(session: Session, pair: tuple[int, int], apart: set[tuple[int, int]]) -> bool:
    """Would linking ``pair`` join two reports whose own pair scored below the review
    threshold (through the incidents they are in)? Then it waits for an officer."""
    if not apart:
        return False
    left, right = _group(session, pair[0]), _group(session, pair[1])
    return any((min(x, y), max(x, y)) in apart for x in left for y in right)


def _decided(session: Session, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for begin in range(0, len(pairs), 500):
        chunk = pairs[begin:begin + 500]
        found |= {(a, b) for a, b in session.execute(
            select(CandidateLink.report_a_id, CandidateLink.report_b_id).where(
                tuple_(CandidateLink.report_a_id, CandidateLink.report_b_id).in_(chunk)))}
    return found


def _record(session: Session, pair: tuple[int, int], *, truce: int | None,
            reason: dict[str, object], status: str, incident: int | None, actor: str) -> None:
    row = CandidateLink(report_a_id=pair[0], report_b_id=pair[1], truce_id=truce,
                        score=float(reason["score"]),  # type: ignore[arg-type]
                        reasons=reason, status=status, created_by=actor, incident_id=incident)
    session.add(row)
    session.flush()
    payload = {"candidate": row.id, "reports": list(pair), "score": row.score,
               "reasons": reason, "incident": incident}
    if status == "linked":
        log.append(session, kind="correlation.pair_linked", subject=f"candidate:{row.id}",
                   actor=actor, payload=payload)
    else:
        log.append(session, kind="correlation.pair_queued", subject=f"candidate:{row.id}",
                   actor=actor, payload=payload)
