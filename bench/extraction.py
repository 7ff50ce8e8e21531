"""Extraction benchmark: accuracy against gold data nobody on the team wrote, and throughput
beside spaCy's own pipeline on the same texts in the same run.

Accuracy (precision, recall, F1), with an empty actor registry and no imported places:

- triples on the PETRARCH-2 gold-standard sentences (``../shared/data/gold/
  petrarch2-validation.xml``): (event code, source country, target country), the event
  compared at the CAMEO root (two digits) and at the full code; actors compared by the
  first three letters of the CAMEO actor code (the country) against the country of the
  mention we linked. The event type alone (any actor) is printed beside them.
- triples on the PLOVER gold records (``plover-gold-standard-records.txt``): (PLOVER event,
  source country, target country), and the event alone.
- actors on re3d's documents that mention Syria (``gold/re3d``): Person and Organisation
  spans against our person and organisation mentions, by overlap and exactly.
- dates and places on the seed and the four official texts in ``news/``, against our own
  annotations in ``tests/data/gold/texts.json``: dates exact to the day; places found, and
  resolved within 50 km in the right country.

Throughput: the same texts repeated to ``--articles`` articles, on ``--workers`` processes
(default: all cores), through ``extract`` and through ``nlp.pipe`` of the same spaCy model.

    .venv/bin/python bench/extraction.py
    .venv/bin/python bench/extraction.py --articles 200 --skip-throughput

Results and their reading: docs/benchmarks.md ("Extraction").
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from trucewatch.ingest.actor_codes import NO_COUNTRY
from trucewatch.ingest.analysis import Analysis
from trucewatch.ingest.codings import codings
from trucewatch.ingest.extraction import extract
from trucewatch.ingest.gazetteer import Gazetteer, geonames
from trucewatch.ingest.pipeline import Pipeline, load_pipeline
from trucewatch.ingest.registry import Registry

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DATA = SHARED / "data"
GOLD_TEXTS = ROOT / "tests" / "data" / "gold" / "texts.json"
PUBLISHED = date(2017, 1, 26)


class Score:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0

    def add(self, predicted: Iterable[Any], gold: Iterable[Any]) -> None:
        p, g = Counter(predicted), Counter(gold)
        hit = sum((p & g).values())
        self.tp += hit
        self.fp += sum(p.values()) - hit
        self.fn += sum(g.values()) - hit

    def line(self, name: str) -> str:
        prec = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        rec = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return (f"{name:<46} P {prec:.3f}  R {rec:.3f}  F1 {f1:.3f}  "
                f"(tp {self.tp}, fp {self.fp}, fn {self.fn})")


def run(text: str, pipeline: Pipeline, gazetteer: Gazetteer, published: date = PUBLISHED,
        ) -> Analysis:
    return extract(text.encode(), source="bench", published=published, registry=Registry(),
                   gazetteer=gazetteer, pipeline=pipeline).analysis


def _triples(analysis: Analysis, field: str) -> list[tuple[str, str, str]]:
    """The analysis's CAMEO codings (ingest/codings.py) as (event, source country, target
    country): the event at the root, the full code or its PLOVER equivalent; an actor by the
    first three letters of its code (a country, IGO, IMG; ``---`` when it has none)."""
    out = []
    for c in codings(analysis.events):
        source, event, target = c.triple
        code = {"root": event[:2], "full": event, "plover": c.event.type.plover or "-"}[field]
        out.append((code, source[:3], target[:3]))
    return out


def _actor(code: str | None) -> str:
    return (code or "")[:3] or NO_COUNTRY


def petrarch(pipeline: Pipeline, gazetteer: Gazetteer) -> list[str]:
    text = (DATA / "gold" / "petrarch2-validation.xml").read_text()
    sentences = re.findall(r"<Sentence ([^>]*)/?>(.*?)(?=<Sentence |</Sentences>)", text, re.S)
    root, full, event_only = Score(), Score(), Score()
    halves = {"odd": Score(), "even": Score()}  # odd: looked at while developing; even: not
    count = codings = 0
    for attrs, body in sentences:
        if 'evaluate="true"' not in attrs:
            continue
        found = re.search(r"<Text>(.*?)</Text>", body, re.S)
        if found is None:
            continue
        gold = [ET.fromstring(c).attrib for c in re.findall(r"<EventCoding [^>]*/>", body)]
        gold = [g for g in gold if g.get("eventcode") and g.get("eventcode") != "---"]
        count += 1
        codings += len(gold)
        events = run(" ".join(found.group(1).split()), pipeline, gazetteer)
        wanted = [(g["eventcode"][:2], _actor(g.get("sourcecode")), _actor(g.get("targetcode")))
                  for g in gold]
        root.add(_triples(events, "root"), wanted)
        halves["odd" if count % 2 else "even"].add(_triples(events, "root"), wanted)
        full.add(_triples(events, "full"), [(g["eventcode"], _actor(g.get("sourcecode")),
                                             _actor(g.get("targetcode"))) for g in gold])
        event_only.add({t[0] for t in _triples(events, "root")},
                       {g["eventcode"][:2] for g in gold})
    return [f"PETRARCH-2: {count} sentences, {codings} codings",
            root.line("  triples, CAMEO root"),
            halves["odd"].line("    odd sentences (seen while developing)"),
            halves["even"].line("    even sentences (held out)"),
            full.line("  triples, CAMEO full code"),
            event_only.line("  event root alone, per sentence")]


def plover(pipeline: Pipeline, gazetteer: Gazetteer) -> list[str]:
    records = json.loads((DATA / "gold" / "plover-gold-standard-records.txt").read_text())
    triples, event_only = Score(), Score()
    count = 0
    for r in records:
        if not r.get("text") or r.get("event") in (None, "DOCUMENT"):
            continue
        count += 1
        events = run(r["text"], pipeline, gazetteer)
        sources = [_code(s) for s in _listed(r.get("source"))] or [NO_COUNTRY]
        targets = [_code(t) for t in _listed(r.get("target"))] or [NO_COUNTRY]
        gold = [(r["event"], s, t) for s in sources for t in targets]
        triples.add(_triples(events, "plover"), gold)
        event_only.add({t[0] for t in _triples(events, "plover")}, {r["event"]})
    return [f"PLOVER: {count} records", triples.line("  triples (event, source, target)"),
            event_only.line("  event alone, per record")]


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _code(actor: Any) -> str:
    code = actor.get("code", "") if isinstance(actor, dict) else str(actor)
    return _actor(code)


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def re3d_documents() -> list[tuple[str, list[dict[str, Any]]]]:
    out = []
    for folder in sorted((DATA / "gold" / "re3d").iterdir()):
        if not (folder / "documents.json").exists():
            continue
        entities = _jsonl(folder / "entities.json")
        for doc in _jsonl(folder / "documents.json"):
            if "Syria" in doc["text"]:
                out.append((doc["text"], [e for e in entities if e["documentId"] == doc["_id"]]))
    return out


def _overlap(predicted: list[tuple[str, int, int]], gold: list[tuple[str, int, int]],
             score: Score) -> None:
    matched: set[int] = set()
    tp = 0
    for kind, start, end in predicted:
        hit = next((i for i, g in enumerate(gold) if i not in matched and g[0] == kind
                    and start < g[2] and g[1] < end), None)
        if hit is not None:
            matched.add(hit)
            tp += 1
    score.tp += tp
    score.fp += len(predicted) - tp
    score.fn += len(gold) - tp


def re3d(pipeline: Pipeline, gazetteer: Gazetteer) -> list[str]:
    """Persons and organisations: named ones (ORG and PERSON mentions; countries that act),
    then with the unnamed references (groups, titles, pronouns) that re3d also annotates."""
    names_only, overlap, exact, no_pronouns = Score(), Score(), Score(), Score()
    halves = {"odd": Score(), "even": Score()}  # odd: looked at while developing; even: not
    docs = re3d_documents()
    kinds = {"Person": "person", "Organisation": "organisation"}
    for number, (text, entities) in enumerate(docs):
        gold = [(kinds[e["type"]], e["begin"], e["end"]) for e in entities if e["type"] in kinds]
        analysis = run(text, pipeline, gazetteer)
        named = [(m.kind, m.start, m.end) for m in analysis.mentions if m.acting]
        referred = [(r.kind, r.start, r.end, r.how) for r in analysis.references]
        predicted = named + [r[:3] for r in referred]
        exact.add(predicted, gold)
        _overlap(named, gold, names_only)
        _overlap(predicted, gold, overlap)
        _overlap(named + [r[:3] for r in referred if r[3] != "pronoun"], gold, no_pronouns)
        _overlap(predicted, gold, halves["even" if number % 2 else "odd"])
    return [f"re3d: {len(docs)} documents naming Syria (persons and organisations)",
            names_only.line("  names only, overlapping span and kind"),
            no_pronouns.line("  names, groups and titles, overlapping"),
            overlap.line("  names and all references, overlapping"),
            halves["odd"].line("    documents 1, 3, 5 … (seen while developing)"),
            halves["even"].line("    documents 2, 4, 6 … (held out)"),
            exact.line("  names and all references, exact span and kind")]


def _body(path: Path) -> str:
    text = path.read_text()
    if text.startswith("SOURCE:"):
        text = text.split("\n\n", 1)[1]  # the header lines (SOURCE, DATE, LICENSE, TITLE)
    return text


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (la1, lo1), (la2, lo2) = a, b
    x = math.radians(lo2 - lo1) * math.cos(math.radians((la1 + la2) / 2))
    return 6371 * math.hypot(x, math.radians(la2 - la1))


def gold_texts(pipeline: Pipeline, gazetteer: Gazetteer) -> list[str]:
    gold = json.loads(GOLD_TEXTS.read_text())["texts"]
    dates, places, invitations, replies = Score(), Score(), Score(), Score()
    day_right = day_total = resolved_right = resolved_total = 0
    for item in gold:
        analysis = run(_body(SHARED / item["file"]), pipeline, gazetteer,
                       date.fromisoformat(item["published"]))
        predicted = [(d.resolution.text.rstrip("'s"), d.resolution.start) for d in analysis.dates]
        wanted = [(g["text"].rstrip("'s"), g["from"]) for g in item["dates"]]
        dates.add(predicted, wanted)
        for g in item["dates"]:
            if g["precision"] == "day":
                day_total += 1
                day_right += any(p[1] == g["from"] and (p[0] in g["text"] or g["text"] in p[0])
                                 for p in predicted)
        found = [p for p in analysis.places]
        places.add([p.resolution.text for p in found], [g["text"] for g in item["places"]])
        for g in item["places"]:
            match = next((p for p in found if p.resolution.text == g["text"]), None)
            if match is None:
                continue
            resolved_total += 1
            place = match.resolution.place
            resolved_right += place is not None and place.country == g["country"] and _km(
                (place.lat, place.lon), (g["lat"], g["lon"])) <= 50
        if item["invitations"] or item["replies"]:
            from trucewatch.ingest.proposing import propose

            proposals = propose(analysis, Registry())
            inv = [p.payload for p in proposals if p.kind == "invitation"]
            invitations.add(
                [(p["meeting"]["date"], (p["invitee"] or {}).get("actor") or
                  p["class_description"][:20].lower()) for p in inv],
                [(g["meeting_date"], g.get("invitee") or g["to"][:20].lower()) for g in
                 item["invitations"]])
            rep = [p.payload for p in proposals if p.kind == "reply"]
            replies.add([(p["replied_by"]["actor"], p["status"], (p["reported_by"] or {}).get(
                "actor")) for p in rep],
                [(g["replied_by"], g["status"], g["reported_by"]) for g in item["replies"]])
    return [f"Annotated texts: {len(gold)} (the seed and news/*.txt; tests/data/gold/texts.json)",
            dates.line("  date mentions, text and day"),
            f"  dates exact to the day: {day_right}/{day_total} = {day_right / day_total:.3f}",
            places.line("  places found (by text)"),
            f"  places found and resolved within 50 km, right country: {resolved_right}/"
            f"{resolved_total} = {resolved_right / max(resolved_total, 1):.3f}",
            invitations.line("  invitations (meeting date, invitee)"),
            replies.line("  replies (who, status, reported by)")]


# --- throughput -------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _init_worker() -> None:
    _worker["pipeline"] = load_pipeline(())
    _worker["gazetteer"] = geonames()


def _extract_one(text: str) -> int:
    analysis = run(text, _worker["pipeline"], _worker["gazetteer"])
    return len(analysis.events)


def corpus(n: int) -> list[str]:
    texts = [_body(SHARED / g["file"]) for g in json.loads(GOLD_TEXTS.read_text())["texts"]]
    texts += [t for t, _ in re3d_documents()]
    return [texts[i % len(texts)] for i in range(n)]


def throughput(articles: int, workers: int) -> list[str]:
    texts = corpus(articles)
    nlp = load_pipeline(()).nlp
    start = time.perf_counter()
    docs = sum(1 for _ in nlp.pipe(texts, n_process=workers, batch_size=16))
    spacy_rate = docs / (time.perf_counter() - start)
    context = multiprocessing.get_context("fork")
    start = time.perf_counter()
    with context.Pool(workers, initializer=_init_worker) as pool:
        done = sum(1 for _ in pool.imap_unordered(_extract_one, texts, chunksize=8))
    ours = done / (time.perf_counter() - start)
    chars = sum(len(t) for t in texts) / len(texts)
    return [f"Throughput: {articles} articles (mean {chars:,.0f} characters), {workers} workers",
            f"  spaCy alone (nlp.pipe, n_process={workers}): {spacy_rate:8.1f} articles/s",
            f"  trucewatch extract (pool of {workers}):     {ours:8.1f} articles/s",
            f"  ratio: {ours / spacy_rate:.2f} of spaCy alone (target 0.5)"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-throughput", action="store_true")
    args = parser.parse_args()
    pipeline, gazetteer = load_pipeline(()), geonames()
    print(f"model: {pipeline.model} {pipeline.version}; registry empty; gazetteer GeoNames "
          f"(no zones, no imports)")
    for section in (petrarch, plover, re3d, gold_texts):
        started = time.perf_counter()
        for line in section(pipeline, gazetteer):
            print(line)
        print(f"  ({time.perf_counter() - started:.1f} s)")
        sys.stdout.flush()
    if not args.skip_throughput:
        for line in throughput(args.articles, args.workers):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
