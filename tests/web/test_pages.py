"""The pages over HTTP: sign-in and its limits, CSRF, CSP, escaping, filing once, access."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from tests.web.conftest import SHARED_GEO, client_for, csrf, sign_in

from trucewatch.storage import Store

Client = Callable[[str], TestClient]


def test_sign_in_refuses_wrong_password_then_limits_attempts(web: TestClient) -> None:
    token = csrf(web.get("/sign-in").text)
    for _ in range(5):
        answer = web.post("/sign-in", data={"csrf_token": token, "username": "ru-officer",
                                            "password": "not-the-password"})
        assert answer.status_code == 401 and "Unknown user or wrong password." in answer.text
    answer = web.post("/sign-in", data={"csrf_token": token, "username": "ru-officer",
                                        "password": "demo-password-2017"})
    assert answer.status_code == 429  # even the right password waits now


def test_session_cookie_is_secure_httponly_strict(web: TestClient) -> None:
    token = csrf(web.get("/sign-in").text)
    answer = web.post("/sign-in", data={"csrf_token": token, "username": "admin",
                                        "password": "demo-password-2017"},
                      follow_redirects=False)
    cookie = answer.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=strict" in cookie
    assert "admin" not in cookie.split(";")[0].split("=", 1)[1][:10]  # signed, not plain


def test_post_without_csrf_token_is_refused(signed_in: Client) -> None:
    client = signed_in("gov-reporter")
    answer = client.post("/reports", data={"occurred": "2017-01-21", "place_name": "Douma",
                                           "category": "shelling", "source_kind": "party"})
    assert answer.status_code == 403
    assert client.get("/reports").text.count("Douma") == 0 or "Refused" in answer.text
    wrong = client.post("/sign-out", data={"csrf_token": "forged"})
    assert wrong.status_code == 403


def test_pages_carry_csp_and_no_inline_script(web: TestClient) -> None:
    for url in ("/", "/map", "/truce", "/sign-in"):
        page = web.get(url)
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for tag in re.findall(r"<script[^>]*>", page.text):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def _file(client: TestClient, **fields: str) -> tuple[int, str]:
    token = csrf(client.get("/reports/new").text)
    form = {"csrf_token": token, "idempotency_key": "web-test-1", "occurred": "2017-01-21",
            "place_name": "Douma", "latitude": "33.5711", "longitude": "36.4017",
            "category": "shelling", "source_kind": "party", **fields}
    answer = client.post("/reports", data=form,
                         files=[("attachments", ("note.txt", b"crater photo notes", "text/plain"))],
                         follow_redirects=False)
    return answer.status_code, answer.headers.get("location", "")


def test_narrative_is_shown_as_text_and_a_double_submit_files_once(signed_in: Client) -> None:
    client = signed_in("gov-reporter")
    evil = "<script>alert('x')</script>"
    status, first = _file(client, narrative=evil)
    assert status == 303 and re.fullmatch(r"/reports/\d+", first)
    status, second = _file(client, narrative=evil)  # the same form sent again
    assert second == first
    page = client.get(first)
    assert "was filed already" in page.text
    assert evil not in page.text and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page.text
    assert "note.txt" in page.text
    assert client.get("/reports").text.count(f'href="{first}"') == 1


def test_bad_report_form_names_the_field_and_keeps_the_input(signed_in: Client) -> None:
    client = signed_in("gov-reporter")
    status, _ = _file(client, occurred="2099-01-01", narrative="kept text")
    assert status == 422
    token = csrf(client.get("/reports/new").text)
    page = client.post("/reports", data={"csrf_token": token, "occurred": "2099-01-01",
                                         "place_name": "Douma", "category": "shelling",
                                         "source_kind": "party", "narrative": "kept text"})
    assert "occurred" in page.text and "kept text" in page.text


def test_access_of_pages(web: TestClient, signed_in: Client) -> None:
    assert web.get("/review", follow_redirects=False).status_code == 303
    assert signed_in("gov-reporter").get("/review").status_code == 403
    assert signed_in("gov-reporter").get("/admin/users").status_code == 403
    officer = signed_in("ru-officer")
    queue = officer.get("/review").text
    unpublished = re.search(r'href="/incidents/(\d+)"', queue)
    assert unpublished
    assert web.get(f"/incidents/{unpublished.group(1)}").status_code == 404  # the public
    page = officer.get(f"/incidents/{unpublished.group(1)}")
    assert page.status_code == 200 and "History" in page.text
    proof = re.search(r'href="(/log/\d+)"', page.text)
    assert proof and "Inclusion proof" in officer.get(proof.group(1)).text
    assert web.get(proof.group(1)).status_code == 404


def test_administrator_grants_a_role(signed_in: Client) -> None:
    admin = signed_in("admin")
    page = admin.get("/admin/users")
    assert "wire-desk" in page.text
    answer = admin.post("/admin/users/wire-desk/roles",
                        data={"csrf_token": csrf(page.text), "role": "observer"})
    assert answer.status_code == 200 and "wire-desk is now observer." in answer.text
    assert admin.get("/admin/keys").status_code == 200


def test_map_filters_on_the_server(signed_in: Client) -> None:
    officer = signed_in("ru-officer")
    everything = officer.get("/map").text.count("<tr><td>")
    assert everything > 3
    shelling = officer.get("/map?category=shelling").text.count("<tr><td>")
    assert 0 < shelling < everything
    assert officer.get("/map?date_from=2030-01-01").text.count("<tr><td>") == 0
    assert "not a date" in officer.get("/map?date_from=yesterday").text


def test_basemap_countries_and_imported_governorates(demo_store: Store, _data_dir: Path) -> None:
    from trucewatch.cli.main import app

    client = client_for(demo_store)
    countries = client.get("/basemap/countries.geojson").json()
    assert {f["properties"]["iso"] for f in countries["features"]} >= {"SYR", "LBN", "TUR"}
    assert client.get("/basemap/governorates.geojson").json()["features"] == []
    try:
        app(["basemap", "import", str(SHARED_GEO / "syria-admin1.geojson")])
    except SystemExit as exc:
        assert exc.code in (0, None)
    names = {f["properties"]["name"] for f in
             client.get("/basemap/governorates.geojson").json()["features"]}
    assert len(names) == 14 and "Aleppo" in names
    sign_in(client, "admin")  # signing in still works with the basemap in place
