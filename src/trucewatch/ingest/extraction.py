"""Extract proposals from one text: clean, analyse, propose. Pure; the service stores them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from trucewatch.ingest.analysis import Analysis, analyse
from trucewatch.ingest.codings import codings
from trucewatch.ingest.gazetteer import Gazetteer
from trucewatch.ingest.html import html_to_text, looks_like_html
from trucewatch.ingest.pipeline import Pipeline
from trucewatch.ingest.proposing import Proposal, propose
from trucewatch.ingest.registry import Registry


@dataclass
class Extraction:
    source: str
    sha256: str
    published: date
    format: str  # text or html
    analysis: Analysis
    proposals: list[Proposal]

    def as_json(self) -> dict[str, Any]:
        a = self.analysis
        return {
            "source": self.source, "sha256": self.sha256, "published": self.published.isoformat(),
            "format": self.format, "pipeline": a.pipeline.describe(), "notes": a.notes,
            "dropped": [d.as_json() for d in a.cleaned.dropped],
            "sentences": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text,
                           "headline": s.headline} for s in a.sentences],
            "actors": [m.as_json() for m in a.mentions],
            "references": [r.as_json() for r in a.references],
            "codings": [c.as_json() for c in codings(a.events)],
            "conflicts": [c.as_json() for c in a.conflicts],
            "dates": [d.as_json() for d in a.dates],
            "places": [p.as_json() for p in a.places],
            "proposals": [p.as_json() for p in self.proposals],
            "text": a.text,
        }


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def extract(raw: bytes, *, source: str, published: date, registry: Registry,
            gazetteer: Gazetteer, pipeline: Pipeline) -> Extraction:
    """Proposals from one text (plain text or HTML, UTF-8); offsets are into the analysed
    text: the text itself, or for HTML the text extracted from it."""
    decoded = raw.decode("utf-8", errors="replace")
    is_html = looks_like_html(decoded)
    text = html_to_text(decoded) if is_html else decoded
    analysis = analyse(text, published=published, registry=registry, gazetteer=gazetteer,
                       pipeline=pipeline)
    return Extraction(source, sha256_of(raw), published, "html" if is_html else "text",
                      analysis, propose(analysis, registry))
