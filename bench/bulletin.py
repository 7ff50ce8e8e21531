"""A month bulletin of 10,000 incidents: seconds to read it, render the HTML, print the PDF.

The demo is loaded into a fresh SQLite file, then N incidents of one month are added by
Core inserts (each with a report, its link and a casualty figure; the decided ones with a
decided review round and its decision record, 90 % of those published). The governorate
outlines (``--governorates``, by default the reference data's Syria admin-1 file when it
is there) are imported, so the bulletin counts by governorate and draws them. The bulletin
of that month is then built, rendered and printed, for the public and the guarantor
edition, and its complete list written as CSV. Each step is timed in wall-clock seconds and
in CPU seconds of this process (the machine is shared: the wall time depends on the others'
load, printed beside). Target (issue #8): the PDF within 10 s. The baseline printed beside
it is the HTML alone (build + render), i.e. what printing adds.

    .venv/bin/python bench/bulletin.py [--incidents 10000] [--out DIR] [--governorates FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

from trucewatch.actors.models import Actor
from trucewatch.auth.principal import PUBLIC, operator
from trucewatch.bulletins.contents import Edition, build_bulletin
from trucewatch.bulletins.listing import listing
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
from trucewatch.web.basemap import import_governorates

MONTH = datetime(2017, 3, 1, tzinfo=UTC)
STATUSES = (("open", 25), ("under_review", 15), ("confirmed", 35), ("not_confirmed", 15),
            ("disputed", 10))
DECIDED = {"confirmed", "not_confirmed", "disputed"}
GUARANTORS = ("russia", "turkey", "iran")
ADMIN1 = Path(__file__).resolve().parents[2] / "shared" / "data" / "geo" / "syria-admin1.geojson"


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
            "occurred_end": at + timedelta(seconds=1), "time_precision": "exact",
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


class Clock:
    """Wall-clock and CPU seconds (this process) since it was made."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


def pages(pdf: Path) -> float:
    """The PDF's page count by ``pdfinfo`` (poppler-utils), NaN without it."""
    if shutil.which("pdfinfo") is None:
        return float("nan")
    said = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)", said, flags=re.M)
    return float(found.group(1)) if found else float("nan")


def measure(store: Store, edition: Edition, data_dir: Path, out: Path) -> dict[str, float]:
    period = period_of("month", MONTH.date())
    principal = PUBLIC if edition is Edition.PUBLIC else operator("cli:bench")
    clock = Clock()
    with store.session() as s:
        bulletin = build_bulletin(s, principal=principal, period=period, edition=edition,
                                  data_dir=data_dir)
    read = clock.lap()
    html = render_html(bulletin, data_dir=data_dir, base_url="https://monitor.example")
    rendered = clock.lap()
    pdf = render_pdf(html)
    printed = clock.lap()
    listed = Clock()
    with (out / f"bulletin-{edition.value}.csv").open("w") as f:
        for chunk in listing(bulletin, format="csv"):
            f.write(chunk)
    csv_wall, csv_cpu = listed.lap()
    (out / f"bulletin-{edition.value}.pdf").write_bytes(pdf)
    (out / f"bulletin-{edition.value}.html").write_text(html)
    return {"incidents": len(bulletin.entries), "confirmed": len(bulletin.confirmed),
            "read": read[0], "html": rendered[0], "html_cpu": rendered[1], "pdf": printed[0],
            "pdf_cpu": printed[1], "pages": pages(out / f"bulletin-{edition.value}.pdf"),
            "pdf_bytes": len(pdf), "csv": csv_wall, "csv_cpu": csv_cpu}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--out", type=Path, default=None, help="keep the PDFs and HTML here")
    parser.add_argument("--governorates", type=Path, default=ADMIN1 if ADMIN1.exists() else None,
                        help="governorate outlines (GeoJSON) to import; default: the "
                             "reference data's Syria admin-1 file if present")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = args.out or work
        out.mkdir(parents=True, exist_ok=True)
        store = open_store(f"sqlite:///{work / 'bench.db'}")
        with store.session() as s:
            load_demo(s, actor="bench", keystore=Keystore(work / "keys"))
        add_incidents(store, args.incidents, args.seed)
        if args.governorates:
            import_governorates(work, args.governorates)
        print(f"{args.incidents} incidents in March 2017 (SQLite); governorates: "
              f"{args.governorates or 'none'}; load average {os.getloadavg()[0]:.2f}")
        print(f"{'edition':<10} {'shown':>6} {'confirmed':>9} {'read s':>7} "
              f"{'HTML s (baseline)':>18} {'PDF s':>7} {'PDF CPU s':>9} {'pages':>5} "
              f"{'PDF bytes':>10} {'CSV s':>6}  target PDF ≤ 10 s")
        ok = True
        for edition in Edition:
            r = measure(store, edition, work, out)
            ok &= r["pdf"] <= 10
            print(f"{edition.value:<10} {r['incidents']:>6.0f} {r['confirmed']:>9.0f} "
                  f"{r['read']:>7.2f} {r['html']:>18.2f} {r['pdf']:>7.2f} {r['pdf_cpu']:>9.2f} "
                  f"{r['pages']:>5.0f} {r['pdf_bytes']:>10.0f} {r['csv']:>6.2f}  "
                  f"{'ok' if r['pdf'] <= 10 else 'MISSED'}")
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        store.dispose()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
