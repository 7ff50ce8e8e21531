"""Joint verification through the API: a client-signed assessment, and problems on bad ones."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.api.conftest import Api
from trucewatch.keys.service import register_public_key
from trucewatch.keys.signing import b64, public_bytes, sign


def open_round_id(api: Api, headers: dict[str, str]) -> int:
    incidents = api.client.get("/api/v1/incidents?status=under_review&limit=500",
                               headers=headers).json()["items"]
    for incident in incidents:
        rounds = api.client.get(f"/api/v1/incidents/{incident['id']}/rounds", headers=headers)
        for rnd in rounds.json():
            if rnd["status"] == "open" and not any(a["guarantor"] == "iran"
                                                   for a in rnd["assessments"]):
                return int(rnd["id"])
    raise AssertionError("the demo has an open review round")


def test_a_client_signed_assessment(api: Api) -> None:
    key = Ed25519PrivateKey.generate()
    with api.store.session() as s:
        key_id = register_public_key(s, organisation="iran", public_key=b64(public_bytes(key)),
                                     actor="test").key_id
    officer = api.as_("ir-officer")
    round_id = open_round_id(api, officer)
    assessment = {"finding": "cannot_determine", "confidence": "weak",
                  "reasons": "One source so far; the site visit is pending."}
    body = api.client.post(f"/api/v1/rounds/{round_id}/assessments/body", json=assessment,
                           headers=officer)
    assert body.status_code == 200, body.text
    signature = sign(key, body.json()["body"].encode())

    forged = api.client.post(f"/api/v1/rounds/{round_id}/assessments", headers=officer,
                             json=assessment | {"key_id": key_id,
                                                "signature": sign(key, b"something else")})
    assert forged.status_code == 422 and forged.json()["field"] == "signature"

    filed = api.client.post(f"/api/v1/rounds/{round_id}/assessments", headers=officer,
                            json=assessment | {"key_id": key_id, "signature": signature})
    assert filed.status_code == 201, filed.text
    mine = [a for a in filed.json()["assessments"] if a["guarantor"] == "iran"]
    assert mine[-1]["key_id"] == key_id and mine[-1]["signature"] == signature
    assert filed.json()["signatures_verified"]


def test_a_party_cannot_assess(api: Api) -> None:
    round_id = open_round_id(api, api.as_("ir-officer"))
    refused = api.client.post(f"/api/v1/rounds/{round_id}/assessments",
                              headers=api.as_("gov-reporter"),
                              json={"finding": "violation", "confidence": "weak", "reasons": "x"})
    assert refused.status_code in (403, 404)
    invalid = api.client.post(f"/api/v1/rounds/{round_id}/assessments",
                              headers=api.as_("ir-officer"),
                              json={"finding": "maybe", "confidence": "weak", "reasons": "x"})
    assert invalid.status_code == 422 and invalid.json()["field"] == "finding"
    assert invalid.json()["errors"][0]["field"] == "finding"


def test_tree_heads_and_log_entries(api: Api) -> None:
    assert api.client.get("/api/v1/log/tree-heads").status_code == 200
    assert api.client.get("/api/v1/log/entries").status_code == 401
    assert api.client.get("/api/v1/log/entries", headers=api.as_("gov-reporter")).status_code == 403
    entries = api.client.get("/api/v1/log/entries?limit=2", headers=api.as_("ru-officer"))
    assert entries.status_code == 200 and entries.json()["items"][0]["seq"] == 1
    assert api.client.get("/api/v1/users", headers=api.as_("admin")).status_code == 200
    assert api.client.get("/api/v1/users", headers=api.as_("ru-officer")).status_code == 403
