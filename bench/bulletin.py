"""A month bulletin of 10,000 incidents: seconds to read it, render the HTML, print the PDF.

The demo is loaded into a fresh SQLite file, then N incidents of one month are added by
Core inserts (each with a report, its link and a casualty figure; the decided ones with a
decided review round and its decision record, 90 % of those published). The bulletin
of that month is then built, rendered and printed, for the public and the guarantor
edition. Target (issue #8): the PDF within 10 s. The baseline printed beside it is the
HTML alone (build + render), i.e. what printing adds.

    .venv/bin/python bench/bulletin.py [--incidents 10000] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from trucewatch.actors.models import Actor
from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.bulletins.contents import Edition, build_bulletin
from trucewatch.bulletins.period import period_of
from trucewatch.bulletins.render import render_html, render_pdf
from trucewatch.demo.service import load_demo
from trucewatch.demo.synthetic import PLACES
from trucewatch.incidents.models import Incident, IncidentLink
from trucewatch.keys.signing import Keystore
from trucewatch.reports.models import Casualty, Report
from trucewatch.reports.taxonomy import CODES
from trucewatch.storage import Store, open_store
from trucewatch.truces.models import Truce
from trucewatch.verification.models import ReviewRound

MONTH = datetime(2017, 3, 1, tzinfo=UTC)
STATUSES = (("open", 25), ("under_review", 15), ("confirmed", 35), ("not_confirmed", 15),
            ("disputed", 10))
DECIDED = {"confirmed", "not_confirmed", "disputed"}
GUARANTORS = ("russia", "turkey", "iran")


def add_incidents(store: Store, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with store.session() as s:
        truce_id = s.scalar(select(Truce.id).order_by(Truce.id).limit(1))
        org = s.scalar(select(Actor.id).where(Actor.slug == "joint-group"))
        parties = {slug: actor_id for slug, actor_id in s.execute(
            select(Actor.slug, Actor.id).where(Actor.slug.in_(
                ("syrian-government", "armed-opposition", "jaysh-al-islam"))))}
        first_report = (s.scalar(select(func.max(Report.id))) or 0) + 1
        first_incident = (s.scalar(select(func.max(Incident.id))) or 0) + 1
    now = datetime.now(UTC)
    reports, incidents, links, casualties, rounds = [], [], [], [], []
    for i in range(n):
        place, lat, lon = rng.choice(PLACES)
        lat, lon = lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.08, 0.08)
        at = MONTH + timedelta(minutes=rng.randrange(31 * 24 * 60))
        category = rng.choice(CODES)
        status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
        party = rng.choice(list(parties))
        rid, iid = first_report + i, first_incident + i
        reports.append({
            "id": rid, "truce_id": truce_id, "filed_by_org_id": org,
            "idempotency_key": f"bench-bulletin-{i}", "fingerprint": f"{i:064x}",
            "source_kind": "monitor", "source_description": "", "occurred_start": at,
            "occurred_end": at + timedelta(hours=1), "time_precision": "hour",
            "place_name": place, "latitude": lat, "longitude": lon, "geo_precision": "near",
            "category": category, "alleged_actor_id": parties[party],
            "narrative": f"[SYNTHETIC BENCHMARK INCIDENT {i}]", "synthetic": True,
            "received_at": at + timedelta(hours=3)})
        killed = rng.randrange(6)
        casualties.append({"report_id": rid, "outcome": "killed", "group": "civilian",
                           "low": killed, "best": killed, "high": killed + rng.randrange(3)})
        decided_at = at + timedelta(days=5)
        incidents.append({
            "id": iid, "truce_id": truce_id, "title": f"{category} — {place}, {at:%Y-%m-%d}",
            "status": status, "occurred_start": at, "occurred_end": at + timedelta(hours=1),
            "time_precision": "hour", "place_name": place, "latitude": lat, "longitude": lon,
            "geo_precision": "near", "category": category, "created_at": now, "version": 1,
            "published_at": (decided_at + timedelta(days=1)
                             if status in DECIDED and rng.random() < 0.9 else None)})
        links.append({"incident_id": iid, "report_id": rid, "linked_by": "bench:bulletin",
                      "link_reason": "", "linked_at": now})
        if status in DECIDED:
            dissent = ([{"guarantor": "iran", "kind": "finding", "finding": "not_violation",
                         "responsible": None}] if status != "not_confirmed" else [])
            body = {"incident": iid, "round": 1, "decision": status,
                    "responsible": party if status == "confirmed" else None,
                    "confidence": "fair" if status != "disputed" else None,
                    "basis": "all_assessed", "dissents": dissent}
            rounds.append({
                "incident_id": iid, "number": 1, "status": "decided", "opened_at": at,
                "opened_by": "bench", "deadline": decided_at, "reason": "", "rule_kind":
                "unanimity", "rule_k": 3, "guarantor_ids": [1, 2, 3], "decision": status,
                "decided_at": decided_at,
                "responsible_actor_id": parties[party] if status == "confirmed" else None,
                "decision_body": json.dumps(body)})
    with store.session() as s:
        s.execute(insert(Report), reports)
        s.execute(insert(Incident), incidents)
        s.execute(insert(IncidentLink), links)
        s.execute(insert(Casualty), casualties)
        s.execute(insert(ReviewRound), rounds)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


def measure(store: Store, edition: Edition, data_dir: Path, out: Path) -> dict[str, float]:
    period = period_of("month", MONTH.date())
    principal = PUBLIC if edition is Edition.PUBLIC else operator("cli:bench")
    started = time.perf_counter()
    with store.session() as s:
        bulletin = build_bulletin(s, principal=principal, period=period, edition=edition)
    built = time.perf_counter()
    html = render_html(bulletin, data_dir=data_dir)
    rendered = time.perf_counter()
    pdf = render_pdf(html)
    printed = time.perf_counter()
    (out / f"bulletin-{edition.value}.pdf").write_bytes(pdf)
    (out / f"bulletin-{edition.value}.html").write_text(html)
    return {"incidents": len(bulletin.entries), "confirmed": len(bulletin.confirmed),
            "read": built - started, "html": rendered - started, "pdf": printed - started,
            "pdf_bytes": len(pdf)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out", type=Path, default=None, help="keep the PDFs and HTML here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = args.out or work
        out.mkdir(parents=True, exist_ok=True)
        store = open_store(f"sqlite:///{work / 'bench.db'}")
        with store.session() as s:
            load_demo(s, actor="bench", keystore=Keystore(work / "keys"))
        add_incidents(store, args.incidents, args.seed)
        print(f"{args.incidents} incidents in March 2017 (SQLite)")
        print(f"{'edition':<10} {'shown':>6} {'confirmed':>9} {'read s':>7} "
              f"{'HTML s (baseline)':>18} {'PDF s':>7} {'PDF bytes':>10}  target PDF ≤ 10 s")
        ok = True
        for edition in Edition:
            r = measure(store, edition, work, out)
            ok &= r["pdf"] <= 10
            print(f"{edition.value:<10} {r['incidents']:>6.0f} {r['confirmed']:>9.0f} "
                  f"{r['read']:>7.2f} {r['html']:>18.2f} {r['pdf']:>7.2f} "
                  f"{r['pdf_bytes']:>10.0f}  {'ok' if r['pdf'] <= 10 else 'MISSED'}")
        store.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
