"""Notifications on both stores: who hears of a report, a round, a deadline and a decision;
delivery through a real SMTP server and a real HTTP receiver; nothing sent twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from tests import factories
from tests.notifications.conftest import Receiver, SmtpServer
from tests.verification.world import NOW, World, assessment, build_world, person

from trucewatch.auth.models import User
from trucewatch.auth.principal import Role
from trucewatch.auth.service import get_user, principal_for
from trucewatch.incidents.service import create_incident
from trucewatch.notifications.models import (
    Notification,
    NotificationAttempt,
    NotificationCursor,
    NotificationDelivery,
)
from trucewatch.notifications.service import (
    DeliveryConfig,
    add_email,
    add_webhook,
    follow_area,
    run_pass,
)
from trucewatch.reports.service import file_report, file_reports
from trucewatch.storage import Store
from trucewatch.verification.service import file_assessment, open_round


def config_for(smtp: SmtpServer | None = None, **overrides: float) -> DeliveryConfig:
    return DeliveryConfig(base_url="https://trucewatch.example", smtp_host=smtp.host if smtp else "",
                          smtp_port=smtp.port if smtp else 25, mail_from="mechanism@trucewatch.example",
                          timeout_seconds=5, **overrides)  # type: ignore[arg-type]


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def inbox(store: Store) -> dict[str, list[Notification]]:
    with store.session() as s:
        rows = s.execute(select(Notification, User.username).join(User)
                         .order_by(Notification.id)).all()
    found: dict[str, list[Notification]] = {}
    for note, username in rows:
        found.setdefault(username, []).append(note)
    return found


def count(store: Store, model: type) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def file(store: Store, w: World, *, user: str = "filer", org: int = 1, **fields: object) -> int:
    with store.session() as s:
        return file_report(s, data=factories.report(truce=w.truce, alleged_actor=w.parties[0],
                                                    **fields),
                           organisation=w.parties[org], user=user, actor=f"user:{user}").id


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    with store.session() as s:
        w = build_world(s, tmp_path / "keys")
        person(s, "filer", w.parties[1], Role.REPORTER)
        person(s, "colleague", w.parties[1], Role.REPORTER)
        person(s, "rival", w.parties[0], Role.REPORTER)
    return w


def test_a_report_reaches_its_guarantors_in_app_by_email_and_signed_webhook_and_no_other_party(
        store: Store, world: World, smtp_server: SmtpServer, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        rival = get_user(s, "rival")
        follow_area(s, principal=principal_for(rival), truce=w.truce)
        follow_area(s, principal=principal_for(get_user(s, "colleague")), truce=w.truce,
                    zone="Zone A")
        add_email(s, principal=w.officer(0), address="duty@guarantor.example")
        _, secret = add_webhook(s, principal=w.officer(1), url=webhook_receiver.for_path("/hook"))
        _, rival_secret = add_webhook(s, principal=principal_for(rival),
                                      url=webhook_receiver.for_path("/rival"))
    webhook_receiver.secrets = {"/hook": secret, "/rival": rival_secret}
    config = config_for(smtp_server)
    first = run_pass(store, config)  # the cursor starts at the end of the log: history is not news
    assert first.derived.notifications == 0

    report_id = file(store, w)
    result = run_pass(store, config)

    assert (result.sent, result.failed, result.retrying) == (2, 0, 0)
    notes = inbox(store)
    officers = {f"{g}-officer" for g in w.guarantors}
    assert set(notes) == officers | {"colleague"}  # not the filer, not the other party's rival
    for username in officers | {"colleague"}:
        (note,) = notes[username]
        assert note.event == "report.arrived" and note.link == f"/reports/{report_id}"
        assert note.title.startswith(f"Report {report_id} in your area: shelling at Ariha")
    (sender, recipients, message), = smtp_server.mailbox.messages
    assert recipients == ["duty@guarantor.example"]
    assert sender == "mechanism@trucewatch.example"
    assert message["Subject"] == f"[trucewatch] {notes[f'{w.guarantors[0]}-officer'][0].title}"
    assert message["X-Trucewatch-Event"] == "report.arrived"
    text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert f"https://trucewatch.example/reports/{report_id}" in text
    (post,) = webhook_receiver.received
    assert post["path"] == "/hook" and post["signed"], post["headers"]
    assert post["json"]["event"] == "report.arrived"
    assert post["json"]["user"] == f"{w.guarantors[1]}-officer"
    assert [r["id"] for r in post["json"]["payload"]["reports"]] == [report_id]
    assert post["headers"]["X-Trucewatch-Delivery"] == str(post["json"]["delivery"])


def test_running_twice_or_from_a_lost_cursor_never_sends_twice(
        store: Store, world: World, smtp_server: SmtpServer, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        add_email(s, principal=w.officer(0), address="duty@guarantor.example")
        _, secret = add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/h"))
    webhook_receiver.secrets = {"/h": secret}
    config = config_for(smtp_server)
    run_pass(store, config)
    file(store, w)
    assert run_pass(store, config).sent == 2
    again = run_pass(store, config)
    assert (again.derived.notifications, again.derived.deliveries, again.sent) == (0, 0, 0)
    with store.session() as s:  # as if the cursor were lost: every event is met again
        s.execute(update(NotificationCursor).values(seq=0))
    replay = run_pass(store, config)
    assert (replay.derived.notifications, replay.derived.deliveries, replay.sent) == (0, 0, 0)
    assert len(smtp_server.mailbox.messages) == 1 and len(webhook_receiver.received) == 1
    assert count(store, Notification) == 3 and count(store, NotificationDelivery) == 2


def test_round_opened_deadline_near_and_decision_reach_the_right_people(
        store: Store, world: World) -> None:
    w = world
    config = config_for()
    run_pass(store, config, now=at(NOW))
    report_id = file(store, w)
    with store.session() as s:
        incident = create_incident(s, data={"reports": [report_id]}, actor="test").id
        rnd = open_round(s, principal=w.officer(0), data={"incident": incident}, now=NOW)
        deadline, round_id = rnd.deadline, rnd.id
    run_pass(store, config, now=at(NOW + timedelta(hours=1)))
    opened = {u: [n.event for n in ns] for u, ns in inbox(store).items()}
    officers = [f"{g}-officer" for g in w.guarantors]
    assert all(opened[o] == ["report.arrived", "round.opened"] for o in officers)
    assert "rival" not in opened and "filer" not in opened

    with store.session() as s:
        file_assessment(s, principal=w.officer(0), round_id=round_id, keystore=w.keystore,
                        data=assessment("violation", w.parties[0]), now=NOW)
    early = run_pass(store, config, now=at(deadline - timedelta(hours=30)))
    assert early.derived.notifications == 0  # not yet within the 24 hours
    near = run_pass(store, config, now=at(deadline - timedelta(hours=2)))
    assert sorted(e.split(" → ")[1] for e in near.derived.events) == officers[1:]
    assert run_pass(store, config, now=at(deadline - timedelta(hours=1))).derived.notifications == 0
    (warning,) = [n for n in inbox(store)[officers[1]] if n.event == "round.deadline"]
    assert warning.event_key == f"deadline:{round_id}" and warning.link == f"/incidents/{incident}"

    with store.session() as s:
        for i in (1, 2):
            file_assessment(s, principal=w.officer(i), round_id=round_id, keystore=w.keystore,
                            data=assessment("violation", w.parties[0]), now=NOW)
    decided = run_pass(store, config, now=at(deadline - timedelta(minutes=30)))
    told = sorted(e.split(" → ")[1] for e in decided.derived.events)
    assert told == sorted([*officers, w.coordinator.actor.removeprefix("user:")])
    note = inbox(store)[officers[2]][-1]
    assert note.event == "round.decided" and note.payload["decision"] == "confirmed"
    assert "confirmed" in note.title


def test_a_failing_webhook_is_retried_with_backoff_and_every_attempt_is_kept(
        store: Store, world: World, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        _, secret = add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/h"))
    webhook_receiver.secrets = {"/h": secret}
    webhook_receiver.statuses = [503, 503]
    config = config_for(backoff_seconds=60, max_attempts=4)
    t0 = NOW
    run_pass(store, config, now=at(t0))
    file(store, w)
    assert run_pass(store, config, now=at(t0)).retrying == 1
    assert run_pass(store, config, now=at(t0 + timedelta(seconds=59))).retrying == 0  # not due
    assert run_pass(store, config, now=at(t0 + timedelta(seconds=61))).retrying == 1
    not_yet = t0 + timedelta(seconds=61 + 119)
    assert run_pass(store, config, now=at(not_yet)).sent == 0
    assert run_pass(store, config, now=at(t0 + timedelta(seconds=61 + 121))).sent == 1
    with store.session() as s:
        attempts = list(s.scalars(select(NotificationAttempt).order_by(NotificationAttempt.id)))
        delivery = s.scalars(select(NotificationDelivery)).one()
    assert [(a.number, a.ok, a.status_code) for a in attempts] == [
        (1, False, 503), (2, False, 503), (3, True, 204)]
    assert [a.retry_at for a in attempts] == [t0 + timedelta(seconds=60),
                                              t0 + timedelta(seconds=61 + 120), None]
    assert delivery.status == "sent" and delivery.attempts == 3
    assert len({p["headers"]["X-Trucewatch-Delivery"] for p in webhook_receiver.received}) == 1
    assert all(p["signed"] for p in webhook_receiver.received)


def test_a_refusing_receiver_fails_at_once_and_an_unreachable_one_gives_up_after_the_last_try(
        store: Store, world: World, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/gone"))
        add_webhook(s, principal=w.officer(1), url="http://127.0.0.1:9/nothing-listens")
    webhook_receiver.statuses = [410]
    config = config_for(backoff_seconds=1, max_attempts=2)
    run_pass(store, config, now=at(NOW))
    file(store, w)
    first = run_pass(store, config, now=at(NOW))
    assert (first.failed, first.retrying) == (1, 1)
    second = run_pass(store, config, now=at(NOW + timedelta(seconds=5)))
    assert (second.failed, second.retrying) == (1, 0)
    with store.session() as s:
        statuses = sorted(s.scalars(select(NotificationDelivery.status)))
        errors = list(s.scalars(select(NotificationAttempt.error)))
    assert statuses == ["failed", "failed"]
    assert any("HTTP 410" in e for e in errors) and any("Connection refused" in e or
                                                        "URLError" in e for e in errors)


def test_an_organisation_webhook_gets_each_event_once_for_all_its_officers(
        store: Store, world: World, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        person(s, "second-officer", w.guarantors[0], Role.GUARANTOR_OFFICER)
        admin = person(s, "admin", w.guarantors[2], Role.ADMINISTRATOR)
        _, secret = add_webhook(s, principal=admin, url=webhook_receiver.for_path("/org"),
                                organisation=w.guarantors[0])
    webhook_receiver.secrets = {"/org": secret}
    run_pass(store, config_for())
    file(store, w)
    result = run_pass(store, config_for())
    assert result.sent == 1
    assert {"second-officer", f"{w.guarantors[0]}-officer"} <= set(inbox(store))
    (post,) = webhook_receiver.received
    assert post["signed"] and post["json"]["event"] == "report.arrived"


def test_email_without_an_smtp_server_waits_for_one(store: Store, world: World,
                                                   smtp_server: SmtpServer) -> None:
    w = world
    with store.session() as s:
        add_email(s, principal=w.officer(0), address="duty@guarantor.example")
    run_pass(store, config_for(), now=at(NOW))
    file(store, w)
    assert run_pass(store, config_for(), now=at(NOW)).retrying == 1
    later = run_pass(store, config_for(smtp_server), now=at(NOW + timedelta(hours=1)))
    assert later.sent == 1 and len(smtp_server.mailbox.messages) == 1


def test_a_batch_is_one_notification_per_user_listing_only_its_reports_in_the_user_s_area(
        store: Store, world: World) -> None:
    w = world
    with store.session() as s:
        follow_area(s, principal=principal_for(get_user(s, "colleague")), truce=w.truce,
                    zone="Zone A")
        follow_area(s, principal=principal_for(get_user(s, "rival")), truce=w.truce)
    run_pass(store, config_for())
    with store.session() as s:
        filed = file_reports(s, submissions=[
            factories.report(truce=w.truce), factories.report(truce=w.truce),
            factories.report(truce=w.truce, place_name="Homs", latitude=34.73, longitude=36.71)],
            organisation=w.parties[1], user="filer", actor="user:filer")
    ids = [f.id for f in filed]
    result = run_pass(store, config_for())
    notes = inbox(store)
    assert result.derived.notifications == 4 and set(notes) == {
        *(f"{g}-officer" for g in w.guarantors), "colleague"}
    officer_note = notes[f"{w.guarantors[0]}-officer"][0]
    assert officer_note.title == "3 reports filed in your area"
    assert [r["id"] for r in officer_note.payload["reports"]] == ids
    assert [r["zone"] for r in officer_note.payload["reports"]] == ["Zone A", "Zone A", None]
    (colleague_note,) = notes["colleague"]
    assert [r["id"] for r in colleague_note.payload["reports"]] == ids[:2]
    assert colleague_note.subject == f"reports:{ids[0]}-{ids[1]}"
