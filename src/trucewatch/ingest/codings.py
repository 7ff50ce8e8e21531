"""Events as CAMEO codings: (source actor code, event code, target actor code), one per
source and target, as event-data coders such as PETRARCH write them.

A coding needs a source that is an actor (a country, an international body or an agent
type such as GOV or REB); a target that is none is written ``---``. Statements, negated
events and events only reported as intended are not coded: they did not happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from trucewatch.ingest.actor_codes import NO_COUNTRY, ActorCode
from trucewatch.ingest.events import Event


@dataclass(frozen=True)
class Coding:
    event: Event
    source: ActorCode
    target: ActorCode | None

    @property
    def triple(self) -> tuple[str, str, str]:
        target = self.target.code if self.target is not None else NO_COUNTRY
        return self.source.code, self.event.type.cameo, target

    def as_json(self) -> dict[str, object]:
        source, event, target = self.triple
        return {"source": source, "event": event, "target": target,
                "plover": self.event.type.plover, "trigger": self.event.trigger.text,
                "sentence": self.event.sentence.index, "mode": self.event.mode}


def codings(events: list[Event]) -> list[Coding]:
    out: list[Coding] = []
    for event in events:
        if event.type.kind == "statement" or event.negated:
            continue
        sources = [c for c in (p.coded() for p in event.sources) if not c.empty]
        targets: list[ActorCode | None] = [
            c for c in (p.coded() for p in event.targets) if not c.empty]
        seen: set[tuple[str, str, str]] = set()
        for source in sources:
            for target in targets or [None]:
                coding = Coding(event, source, target)
                if (target is None or target.code != source.code) and coding.triple not in seen:
                    seen.add(coding.triple)
                    out.append(coding)
    return out
