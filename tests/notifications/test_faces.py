"""The faces of notifications over the demo: the page with its header count, and the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests import factories
from tests.cli.test_cli import Cli, demo_cli  # noqa: F401  (fixture)
from tests.notifications.conftest import Receiver, SmtpServer
from tests.web.conftest import csrf, signed_in  # noqa: F401  (fixture)

from trucewatch.notifications.service import DeliveryConfig, run_pass
from trucewatch.reports.service import file_report
from trucewatch.storage import Store, open_store


def test_the_page_lists_notifications_and_the_header_counts_the_unread(
        demo_store: Store, signed_in: Callable[[str], TestClient]) -> None:  # noqa: F811
    run_pass(demo_store, DeliveryConfig())
    with demo_store.session() as s:
        report = file_report(s, data=factories.report(narrative="<script>alert(1)</script>"),
                             organisation="armed-opposition", user="opp-reporter",
                             actor="user:opp-reporter").id
    assert run_pass(demo_store, DeliveryConfig()).derived.notifications >= 3

    officer = signed_in("ru-officer")
    page = officer.get("/notifications")
    assert page.status_code == 200
    assert f'<a href="/reports/{report}">Report {report} in your area' in page.text
    assert '<span class="badge">1</span>' in officer.get("/review").text
    done = officer.post("/notifications/read", data={"csrf_token": csrf(page.text)},
                        follow_redirects=True)
    assert done.status_code == 200 and "1 marked read" in done.text
    assert 'class="badge"' not in officer.get("/notifications").text
    refused = officer.post("/notifications/read", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token, nothing done

    reporter = signed_in("gov-reporter")  # the other party: its inbox stays empty
    assert "No notifications." in reporter.get("/notifications").text
    assert signed_in("opp-reporter").get("/notifications").text.count("in your area") == 0


def test_cli_follow_email_webhook_run_inbox(
        demo_cli: Cli, smtp_server: SmtpServer, webhook_receiver: Receiver,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUCEWATCH_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("TRUCEWATCH_SMTP_PORT", str(smtp_server.port))
    code, out, err = demo_cli("--as", "tr-officer", "notify", "email", "duty@tr.example")
    assert code == 0 and out == "channel 1: e-mail to duty@tr.example\n", err
    code, secret, err = demo_cli("--as", "ir-officer", "notify", "webhook",
                                 webhook_receiver.for_path("/ir"), "--event", "report.arrived")
    assert code == 0 and "shown once" in err
    webhook_receiver.secrets["/ir"] = secret.strip()
    code, _, err = demo_cli("--as", "gov-reporter", "notify", "webhook", "http://x.example/",
                            "--user", "ir-officer")
    assert code == 2 and "may not user.manage" in err
    code, _, err = demo_cli("--as", "gov-reporter", "notify", "follow", "no-such-truce")
    assert code == 2 and err.startswith("error: truce:")
    assert demo_cli.json("notify", "run")["notifications"] == 0  # type: ignore[index]

    store = open_store(demo_cli.db_url, migrate=False)
    with store.session() as s:
        file_report(s, data=factories.report(), organisation="syrian-government",
                    user="gov-reporter", actor="user:gov-reporter")
    store.dispose()
    result = demo_cli.json("notify", "run")
    assert result["sent"] == 2 and result["failed"] == 0  # type: ignore[index]
    assert demo_cli.json("notify", "run")["sent"] == 0  # type: ignore[index]
    assert len(smtp_server.mailbox.messages) == 1
    (post,) = webhook_receiver.received
    assert post["signed"]
    listed = demo_cli.json("--as", "ir-officer", "notify", "list", "--json")
    assert listed["channels"][0]["events"] == ["report.arrived"]  # type: ignore[index]
    inbox = demo_cli.json("--as", "tr-officer", "notify", "inbox", "--unread", "--mark-read")
    assert [n["event"] for n in inbox] == ["report.arrived"]  # type: ignore[union-attr]
    assert demo_cli.json("--as", "tr-officer", "notify", "inbox", "--unread") == []
    store = open_store(demo_cli.db_url, migrate=False)
    with store.engine.connect() as conn:
        bodies = list(conn.execute(sa.text(
            "SELECT body FROM log_entries WHERE kind LIKE 'notification.%'")).scalars())
    store.dispose()
    assert len(bodies) == 2 and secret.strip() not in "".join(bodies)
    assert json.loads(bodies[1])["payload"]["secret_sha256"]
    code, out, err = demo_cli("log", "verify")
    assert code == 0, err


def test_the_page_manages_the_user_s_own_areas_and_channels(
        demo_store: Store, signed_in: Callable[[str], TestClient]) -> None:  # noqa: F811
    officer = signed_in("tr-officer")
    page = officer.get("/notifications")
    token = csrf(page.text)
    area = re.search(r'<option value="([^"|]+\|[^"]+)"', page.text)
    assert area, "a zone of the demo truce is offered"
    answer = officer.post("/notifications/areas", data={"csrf_token": token,
                                                        "area": area.group(1)})
    assert answer.status_code == 200 and "Following" in answer.text
    hooked = officer.post("/notifications/channels", data={
        "csrf_token": token, "kind": "webhook", "address": "https://ops.example/tr",
        "event": ["round.deadline", "round.decided"]}, follow_redirects=False)
    secret = re.search(r'<code class="secret">(whsec_[^<]+)</code>', hooked.text)
    assert hooked.status_code == 200 and secret
    assert secret.group(1) not in hooked.headers.get("set-cookie", "")
    mailed = officer.post("/notifications/channels", data={
        "csrf_token": token, "kind": "email", "address": "duty@mfa.example"})
    assert "will also go to duty@mfa.example" in mailed.text
    bad = officer.post("/notifications/channels", data={
        "csrf_token": token, "kind": "email", "address": "nobody"})
    assert "not an e-mail address" in bad.text
    with demo_store.session() as s:
        from trucewatch.auth.service import get_user, principal_for
        from trucewatch.notifications.service import subscriptions_of

        subs = subscriptions_of(s, principal=principal_for(get_user(s, "tr-officer")))
    assert [c["kind"] for c in subs["channels"]] == ["webhook", "email"]
    assert subs["channels"][0]["events"] == ["round.deadline", "round.decided"]
    assert len(subs["areas"]) == 1
    other = signed_in("gov-reporter")
    refused = other.post(f"/notifications/channels/{subs['channels'][0]['id']}/remove",
                         data={"csrf_token": csrf(other.get("/notifications").text)})
    assert "no notification channel" in refused.text
    removed = officer.post(f"/notifications/channels/{subs['channels'][0]['id']}/remove",
                           data={"csrf_token": token})
    assert "removed" in removed.text and "https://ops.example/tr" not in removed.text
    gone = officer.post(f"/notifications/areas/{subs['areas'][0]['id']}/remove",
                        data={"csrf_token": token})
    assert "no longer followed" in gone.text
