"""Correlate the store: every report against every other (a pass), or new reports.

Pairs above a truce's link threshold are linked into one incident, acting as :data:`SYSTEM`
(which the access rules allow triage and nothing else): all of a match's links written
together (``joining.py``), as the incidents service would make and log them one by one;
pairs between the thresholds go to the queue (``correlation_candidates``) for an officer.
Every pair written is in the log (``pairs.py``: a linked pair in an entry of its own, the
pairs queued together in one). A pair already decided is never scored into a new
decision, so an officer's unlink or reject is not undone by the next pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.correlation import index as stored_index
from trucewatch.correlation import joining
from trucewatch.correlation import records as store_records
from trucewatch.correlation.blocking import BlockIndex, candidate_pairs, candidates_of
from trucewatch.correlation.clustering import decide
from trucewatch.correlation.features import Features, ReportRecord, build
from trucewatch.correlation.joining import PAIR_CODE
from trucewatch.correlation.linking import SYSTEM
from trucewatch.correlation.models import CandidateLink, PendingMatch
from trucewatch.correlation.scoring import combine, reasons_of, score_pairs
from trucewatch.correlation.tuning import Tuning
from trucewatch.correlation.tunings import tunings_for
from trucewatch.errors import NotFound
from trucewatch.log import service as log
from trucewatch.reports.models import Report


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
    """Match one report, just filed, against the reports it shares a block with
    (``trucewatch correlate run --report``, and a report the matcher gave up on)."""
    if principal is not None:
        require(principal, Action.CORRELATION_RUN)
    log.lock(session)
    if session.scalar(select(Report.id).where(Report.id == report_id)) is None:
        raise NotFound(f"no report {report_id}", field="report")
    return match_reports(session, report_ids=[report_id], actor=actor)


def match_reports(session: Session, *, report_ids: Sequence[int],
                  actor: str = SYSTEM.actor) -> Outcome:
    """Match reports just filed, together, against the reports they share a block with.

    The matcher calls this for a batch after filings commit, without rescanning the store:
    the reports are indexed (with any report filed since the index was last complete),
    every candidate is read from the stored index by block keys in one pass, the pairs are
    scored at once and the queued ones written with one log entry. Reports that no longer
    exist are skipped. Their waiting markers (``correlation_pending``) are removed, so the
    match and the end of the wait commit together."""
    log.lock(session)
    ids = sorted(set(report_ids))
    if not ids:
        return Outcome()
    session.execute(delete(PendingMatch).where(PendingMatch.report_id.in_(ids)))
    stored_index.catch_up(session)
    new = stored_index.features(session, ids)
    if len(new) == 0:
        return Outcome()
    qi, stored, sj = stored_index.batch_candidates(session, new)
    if len(qi) == 0:
        return Outcome()
    return _act(session, new, qi, stored, sj, truces=_truces(session, new), actor=actor)


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


@dataclass
class Planned:
    """A match scored and not yet acted on (``plan_match``): the reports, and their pairs
    with each pair's score and the tunings it was scored with (None: no pair to act on)."""

    report_ids: list[int]
    scored: _Scored | None

    def parts(self, reports: int, links: int) -> list[Planned]:
        """The plan as parts, in id order, of ``reports`` reports at most and of those
        whose pairs to link number ``links`` at most (a link writes incident rows and
        several entries: more than a queued pair), each with the pairs its
        reports were scored from (a pair of two new reports is the lower id's, as
        ``index.batch_candidates`` keeps it); each part can be written in a transaction of
        its own."""
        linking: dict[int, int] = {}
        for p in self.scored.wanted if self.scored is not None else ():
            if p.verdict == "link":
                linking[p.owner] = linking.get(p.owner, 0) + 1
        found: list[list[int]] = [[]]
        cost = 0
        for report_id in self.report_ids:
            its = linking.get(report_id, 0)
            if found[-1] and (len(found[-1]) >= reports or cost + its > links):
                found.append([])
                cost = 0
            found[-1].append(report_id)
            cost += its
        if len(found) == 1:
            return [self]
        return [Planned(ids, None if self.scored is None else self.scored.of(ids))
                for ids in found]


@dataclass(frozen=True)
class _Pair:
    """A pair above the review threshold, decided as far as scores decide: its reports
    (lower id first), the new report it was scored from, its truce, its reasons, and
    ``decide``'s verdict."""

    pair: tuple[int, int]
    owner: int
    truce: int | None
    reason: dict[str, object]
    verdict: str | None


@dataclass
class _Scored:
    """The pairs a match keeps (strongest first), the codes of the pairs scored below the
    review threshold (sorted: ``_kept_apart``), how many pairs each new report was scored
    in, and with what."""

    wanted: list[_Pair]
    apart: np.ndarray
    counts: dict[int, int]
    truces: list[int | None]
    tunings: dict[int | None, Tuning]

    def of(self, report_ids: Sequence[int]) -> _Scored:
        """The part of this match scored from ``report_ids``: their pairs kept, every
        pair kept apart still (the links of a part must not join what the match would
        not)."""
        ids = set(report_ids)
        return _Scored([p for p in self.wanted if p.owner in ids], self.apart,
                       {i: n for i, n in self.counts.items() if i in ids}, self.truces,
                       self.tunings)


def plan_match(session: Session, *, report_ids: Sequence[int]) -> Planned:
    """Read and score what :func:`match_reports` would, writing nothing and taking no lock
    (the matcher process scores outside the write transaction; ``act_on`` then writes).
    The reports must be indexed already (``index.catch_up``)."""
    ids = sorted(set(report_ids))
    new = stored_index.features(session, ids)
    if len(new) == 0:
        return Planned(ids, None)
    qi, stored, sj = stored_index.batch_candidates(session, new)
    if len(qi) == 0:
        return Planned(ids, None)
    return Planned(ids, _score(session, new, qi, stored, sj, truces=_truces(session, new)))


def still_holds(session: Session, planned: Planned) -> bool:
    """Were ``planned``'s scores made with the tunings in force now (read in the caller's
    write transaction)? If not, the match is scored again under the lock."""
    if planned.scored is None:
        return True
    return tunings_for(session, set(planned.scored.truces)) == planned.scored.tunings


def act_on(session: Session, planned: Planned, *, actor: str = SYSTEM.actor) -> Outcome:
    """Write what ``planned`` decided, as :func:`match_reports` would have: its reports'
    waiting markers removed, pairs not decided meanwhile linked or queued, in the log."""
    log.lock(session)
    session.execute(delete(PendingMatch).where(PendingMatch.report_id.in_(planned.report_ids)))
    if planned.scored is None:
        return Outcome()
    return _act_on(session, planned.scored, actor=actor)


def _act(session: Session, a: Features, ia: np.ndarray, b: Features, ib: np.ndarray, *,
         truces: list[int | None], actor: str) -> Outcome:
    return _act_on(session, _score(session, a, ia, b, ib, truces=truces), actor=actor)


def _score(session: Session, a: Features, ia: np.ndarray, b: Features, ib: np.ndarray, *,
           truces: list[int | None]) -> _Scored:
    tunings = tunings_for(session, set(truces))
    scores = score_pairs(a, ia, b, ib, next(iter(tunings.values())))
    # Each pair by the tuning of its first report's truce; per pair as arrays, since a
    # batch scores tens of thousands of pairs and only the few above a threshold are kept.
    of_truce = np.array([-1 if t is None else t for t in truces], dtype=np.int64)[ia]
    review = np.empty(len(ia), dtype=np.float64)
    for truce, its in tunings.items():
        rows = of_truce == (-1 if truce is None else truce)
        review[rows] = its.review_threshold
        if len(tunings) > 1:
            scores.score[rows] = combine(scores.similarity[rows], scores.known[rows], its)
    score = scores.score
    left, right = a.ids[ia], b.ids[ib]
    lo, hi = np.minimum(left, right), np.maximum(left, right)
    kept = score >= review  # decide(): "link" or "review"
    order = np.argsort(-score, kind="stable")
    apart = np.sort(lo[~kept] * PAIR_CODE + hi[~kept])  # pairs below the review threshold
    owners, counts = np.unique(left, return_counts=True)
    ks = order[kept[order]]
    reasoned: dict[int, dict[str, object]] = {}
    for truce, its in tunings.items():  # each pair's reasons by its truce's tuning
        mine = ks[of_truce[ks] == (-1 if truce is None else truce)]
        reasoned.update(zip(mine.tolist(), reasons_of(scores, mine, its), strict=True))
    wanted: list[_Pair] = []
    for k in ks.tolist():
        truce = truces[int(ia[k])]
        tuning: Tuning = tunings[truce]
        wanted.append(_Pair((int(lo[k]), int(hi[k])), int(left[k]), truce, reasoned[k],
                            decide(float(score[k]), tuning)))
    return _Scored(wanted, apart, dict(zip(owners.tolist(), counts.tolist(), strict=True)),
                   truces, tunings)


def _act_on(session: Session, scored: _Scored, *, actor: str) -> Outcome:
    outcome = Outcome(scored=sum(scored.counts.values()))
    decided = _decided(session, [p.pair for p in scored.wanted])
    fresh: list[_Pair] = []
    for p in scored.wanted:
        if p.pair not in decided:
            decided.add(p.pair)
            fresh.append(p)
    joined = joining.write(session, fresh, apart=scored.apart, actor=actor)
    outcome.linked = [pair for pair, _ in joined.linked]
    outcome.queued = joined.queued
    outcome.incidents = {incident for _, incident in joined.linked}
    return outcome


def _decided(session: Session, pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for begin in range(0, len(pairs), 500):
        chunk = pairs[begin:begin + 500]
        found |= {(a, b) for a, b in session.execute(
            select(CandidateLink.report_a_id, CandidateLink.report_b_id).where(
                tuple_(CandidateLink.report_a_id, CandidateLink.report_b_id).in_(chunk)))}
    return found
