"""Ingesting a text: analyse it against the registry and the gazetteer, store its proposals,
and log it; listing proposals. Accepting and rejecting are in ``acceptance``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from trucewatch.auth.policy import Action, require
from trucewatch.auth.principal import Principal
from trucewatch.errors import Conflict, InvalidInput, NotFound
from trucewatch.ingest.extraction import Extraction, extract, sha256_of
from trucewatch.ingest.gazetteer import Place
from trucewatch.ingest.models import IngestedText, Proposal
from trucewatch.ingest.pipeline import load_pipeline
from trucewatch.ingest.places import gazetteer_for
from trucewatch.ingest.registry import Registry, load_registry
from trucewatch.log import service as log

_DATE_HEADER = re.compile(rb"^DATE:\s*(\d{4}-\d{2}-\d{2})", re.M)


@dataclass
class Ingested:
    text: IngestedText
    extraction: Extraction
    proposals: list[Proposal]


def patterns(registry: Registry, places: list[tuple[str, Place]]) -> tuple[tuple[str, str, str], ...]:
    """EntityRuler patterns: every registry name (so Lavrov is a PERSON, not an ORG) and every
    zone or imported place (so Wadi Barada is found though the NER has never seen it)."""
    out = {(a.label, name, a.slug) for a in registry.actors for name in a.names
           if len(name) > 1 and name.isascii()}
    out |= {("LOC", name, "") for name, _ in places if name.isascii()}
    return tuple(sorted(out))


def publication_date(raw: bytes, given: date | None) -> tuple[date, str]:
    """The date relative expressions are resolved against, and where it came from."""
    if given is not None:
        return given, "given"
    header = _DATE_HEADER.search(raw[:2000])
    if header:
        try:
            return date.fromisoformat(header.group(1).decode()), "the text's DATE: header"
        except ValueError:
            raise InvalidInput(f"the text's DATE: header {header.group(1).decode()} is not a "
                               "date (YYYY-MM-DD)", field="text") from None
    return datetime.now(UTC).date(), "not given: today"


def analyse_text(session: Session, *, raw: bytes, source: str, published: date | None = None,
                 use_model: bool = True) -> Extraction:
    """Analyse without storing anything (what ``--dry-run`` and the benchmarks use)."""
    registry = load_registry(session)
    gazetteer, places = gazetteer_for(session)
    day, how = publication_date(raw, published)
    pipeline = load_pipeline(patterns(registry, places), use_model=use_model)
    extraction = extract(raw, source=source, published=day, registry=registry,
                         gazetteer=gazetteer, pipeline=pipeline)
    if how != "given":
        extraction.analysis.notes.append(f"publication date {day.isoformat()}: {how}")
    return extraction


def ingest_text(session: Session, *, principal: Principal, raw: bytes, source: str,
                published: date | None = None, use_model: bool = True) -> Ingested:
    """Analyse one text and store it with its proposals (all pending), in one log entry."""
    require(principal, Action.INGEST)
    digest = sha256_of(raw)
    known = session.scalar(select(IngestedText).where(IngestedText.sha256 == digest))
    if known is not None:
        raise Conflict(f"this text was ingested already as text {known.id} "
                       f"({known.source}, sha256 {digest[:12]}…)", field="file")
    log.lock(session)
    extraction = analyse_text(session, raw=raw, source=source, published=published,
                              use_model=use_model)
    stored = store_extracted(session, principal=principal, raw=raw,
                             extracted=extraction.as_json(),
                             text=extraction.analysis.text)
    return Ingested(stored.text, extraction, stored.proposals)


@dataclass
class Stored:
    text: IngestedText
    proposals: list[Proposal]


def store_extracted(session: Session, *, principal: Principal, raw: bytes,
                    extracted: dict[str, Any], text: str) -> Stored:
    """Store a text analysed elsewhere (here, or on a worker of a cluster) with its proposals,
    all pending, in one log entry; ``extracted`` is :meth:`Extraction.as_json`."""
    require(principal, Action.INGEST)
    digest = sha256_of(raw)
    if extracted["sha256"] != digest:
        raise Conflict("the analysis is of another text", field="file")
    if session.scalar(select(IngestedText.id).where(IngestedText.sha256 == digest)) is not None:
        raise Conflict(f"this text was ingested already (sha256 {digest[:12]}…)", field="file")
    log.lock(session)
    row = IngestedText(sha256=digest, source=str(extracted["source"])[:300],
                       published=date.fromisoformat(extracted["published"]),
                       format=extracted["format"], text=text, dropped=extracted["dropped"],
                       pipeline=extracted["pipeline"], ingested_by=principal.actor)
    session.add(row)
    session.flush()
    stored = [Proposal(text_id=row.id, kind=p["kind"], key=p["key"][:500], status="pending",
                       payload=p["payload"], sentence=p["sentence"],
                       sentence_start=p["sentence_start"], sentence_end=p["sentence_end"],
                       evidence_start=p["start"], evidence_end=p["end"],
                       confidence=round(p["confidence"], 3), notes=p["notes"], reason="",
                       record="")
              for p in extracted["proposals"]]
    session.add_all(stored)
    session.flush()
    counts: dict[str, int] = {}
    for p in stored:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    log.append(session, kind="text.ingested", subject=f"text:{digest}", actor=principal.actor,
               payload={"sha256": digest, "source": row.source,
                        "published": row.published.isoformat(), "format": row.format,
                        "pipeline": row.pipeline, "dropped": len(row.dropped),
                        "proposals": counts})
    return Stored(row, stored)


def list_proposals(session: Session, *, principal: Principal, status: str | None = "pending",
                   kind: str | None = None, text_id: int | None = None,
                   limit: int = 500) -> list[Proposal]:
    require(principal, Action.INGEST)
    query = select(Proposal).order_by(Proposal.id).limit(limit)
    if status:
        query = query.where(Proposal.status == status)
    if kind:
        query = query.where(Proposal.kind == kind)
    if text_id is not None:
        query = query.where(Proposal.text_id == text_id)
    return list(session.scalars(query))


def get_proposal(session: Session, proposal_id: int, *, principal: Principal) -> Proposal:
    require(principal, Action.INGEST)
    row = session.get(Proposal, proposal_id)
    if row is None:
        raise NotFound(f"no proposal {proposal_id}", field="proposal")
    return row


def proposal_view(row: Proposal) -> dict[str, Any]:
    return {"id": row.id, "text": row.text_id, "kind": row.kind, "status": row.status,
            "confidence": row.confidence, "payload": row.payload, "sentence": row.sentence,
            "sentence_start": row.sentence_start, "sentence_end": row.sentence_end,
            "start": row.evidence_start, "end": row.evidence_end, "notes": row.notes,
            "key": row.key, "decided_by": row.decided_by,
            "decided_at": row.decided_at.isoformat() if row.decided_at else None,
            "reason": row.reason, "record": row.record,
            "source_sha256": row.text.sha256, "source": row.text.source}


def summary(row: Proposal) -> str:
    """One line saying what the proposal is, for lists."""
    p = row.payload
    name = lambda ref: (ref or {}).get("name") or (ref or {}).get("text") or "?"  # noqa: E731
    if row.kind == "actor":
        return f"{p['kind']} {p['names'][0]['name']} ({p['slug']})"
    if row.kind == "affiliation":
        return f"{p['person_name']}: {p['role']} of {p.get('organisation_name') or '?'}"
    if row.kind == "invitation":
        who = name(p["invitee"]) if p["invitee"] else p["class_description"]
        return f"{name(p['sent_by'])} invites {who} ({p['capacity']}) to " \
               f"{p['meeting']['description']}"
    if row.kind == "reply":
        return f"{name(p['replied_by'])} {p['status']} (reported by {name(p['reported_by'])})"
    kind = p["type"]["kind"]
    neg = "NOT " if p.get("negated") else ""
    sources = ", ".join(name(s) for s in p["sources"]) or "?"
    targets = ", ".join(name(t) for t in p["targets"])
    return f"{neg}{kind} [{p['type']['cameo']}] {sources} → {targets}".rstrip(" →")
