"""Who may change whose subscriptions; two dispatchers at once; a crash between claim and
record; a deactivated user; subscriptions in the log and the log still verifying."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update
from tests import factories
from tests.notifications.conftest import Receiver
from tests.verification.world import World, build_world, person

from trucewatch.auth.principal import Role, operator
from trucewatch.auth.service import deactivate_user, get_user, principal_for, revoke_role
from trucewatch.errors import InvalidInput, NotFound, PermissionDenied
from trucewatch.log.export import audit_database
from trucewatch.log.models import LogEntry
from trucewatch.notifications.derive import derive
from trucewatch.notifications.models import NotificationDelivery
from trucewatch.notifications.service import (
    DeliveryConfig,
    add_email,
    add_webhook,
    follow_area,
    remove_channel,
    run_pass,
    subscriptions_of,
    unfollow_area,
    watch,
)
from trucewatch.reports.service import file_report
from trucewatch.storage import Store


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    with store.session() as s:
        w = build_world(s, tmp_path / "keys", with_keys=False)
        person(s, "filer", w.parties[1], Role.REPORTER)
        person(s, "rival", w.parties[0], Role.REPORTER)
        person(s, "admin", w.guarantors[2], Role.ADMINISTRATOR)
    return w


def _file(store: Store, w: World) -> int:
    with store.session() as s:
        return file_report(s, data=factories.report(truce=w.truce), organisation=w.parties[1],
                           user="filer", actor="user:filer").id


def test_users_manage_their_own_subscriptions_and_administrators_anyone_s(
        store: Store, world: World) -> None:
    w = world
    with store.session() as s:
        rival = principal_for(get_user(s, "rival"))
        admin = principal_for(get_user(s, "admin"))
        officer = w.officer(0)
        with pytest.raises(PermissionDenied):
            add_email(s, principal=rival, address="x@y.example", username="filer")
        with pytest.raises(PermissionDenied):
            add_webhook(s, principal=rival, url="https://x.example/", organisation=w.parties[0])
        with pytest.raises(PermissionDenied):
            follow_area(s, principal=rival, truce=w.truce, username=f"{w.guarantors[0]}-officer")
        with pytest.raises(InvalidInput):
            add_webhook(s, principal=officer, url="ftp://x.example/")
        with pytest.raises(InvalidInput):
            add_email(s, principal=officer, address="not an address")
        with pytest.raises(InvalidInput):
            add_email(s, principal=officer, address="a@b.example", events=["round.ate"])
        with pytest.raises(NotFound):
            follow_area(s, principal=officer, truce=w.truce, zone="No such zone")
        mine = add_email(s, principal=officer, address="duty@g.example", events=["round.decided"])
        with pytest.raises(NotFound):  # someone else's channel is not even there for a party
            remove_channel(s, principal=rival, channel_id=mine.id)
        area = follow_area(s, principal=admin, truce=w.truce, username="filer")
        assert follow_area(s, principal=admin, truce=w.truce, username="filer").id == area.id
        org_hook, secret = add_webhook(s, principal=admin, url="https://ops.example/h",
                                       organisation=w.guarantors[0])
        assert secret.startswith("whsec_") and org_hook.organisation_id is not None
        seen = subscriptions_of(s, principal=officer)
        assert [(c["kind"], c["owner"], c["events"]) for c in seen["channels"]] == [
            ("email", "user", ["round.decided"]),
            ("webhook", "organisation", ["report.arrived", "round.opened", "round.deadline",
                                         "round.decided"])]
        remove_channel(s, principal=officer, channel_id=mine.id)
        remove_channel(s, principal=operator("cli:root"), channel_id=org_hook.id)
        assert subscriptions_of(s, principal=officer)["channels"] == []
        unfollow_area(s, principal=principal_for(get_user(s, "filer")), area_id=area.id)
        with pytest.raises(InvalidInput):  # the operator has no inbox or subscriptions itself
            subscriptions_of(s, principal=operator("cli:root"))
    with store.session() as s:
        kinds = list(s.scalars(select(LogEntry.kind).where(LogEntry.kind.like("notification.%"))
                               .order_by(LogEntry.seq)))
        bodies = "".join(s.scalars(select(LogEntry.body)))
        assert kinds == ["notification.channel_added", "notification.area_followed",
                         "notification.channel_added", "notification.channel_removed",
                         "notification.channel_removed", "notification.area_unfollowed"]
        assert secret not in bodies
        assert audit_database(s).problems == []


def test_two_dispatchers_at_once_send_each_delivery_once(
        store: Store, world: World, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        for i in range(3):
            _, secret = add_webhook(s, principal=w.officer(i),
                                    url=webhook_receiver.for_path(f"/{i}"))
            webhook_receiver.secrets[f"/{i}"] = secret
    config = DeliveryConfig()
    run_pass(store, config)
    for _ in range(4):
        _file(store, w)
    results: list[int] = []
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            results.append(run_pass(store, config).sent)
        except BaseException as exc:  # reported below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and sum(results) == 12
    assert len(webhook_receiver.received) == 12 and all(p["signed"]
                                                        for p in webhook_receiver.received)
    assert len({(p["path"], p["json"]["event_key"]) for p in webhook_receiver.received}) == 12


def test_a_delivery_left_sending_by_a_crash_is_never_sent_again(
        store: Store, world: World, webhook_receiver: Receiver) -> None:
    w = world
    with store.session() as s:
        add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/h"))
    config = DeliveryConfig()
    run_pass(store, config)
    _file(store, w)
    with store.session() as s:  # a pass that derived it, claimed it and died before recording
        assert derive(s).deliveries == 1
        s.execute(update(NotificationDelivery).values(status="sending"))
    result = run_pass(store, config)
    assert result.sent == 0 and len(result.stuck) == 1 and webhook_receiver.received == []


def test_a_deactivated_user_is_told_nothing_more(store: Store, world: World,
                                                 webhook_receiver: Receiver) -> None:
    w = world
    officer = f"{w.guarantors[0]}-officer"
    with store.session() as s:
        add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/h"))
    config = DeliveryConfig()
    run_pass(store, config)
    _file(store, w)
    with store.session() as s:  # between deriving and sending
        assert derive(s).deliveries == 1
        deactivate_user(s, username=officer, actor="test")
    result = run_pass(store, config)
    assert (result.sent, result.failed) == (0, 1) and webhook_receiver.received == []
    later = _file(store, w)
    assert run_pass(store, config).derived.events == [
        f"report.arrived report:{later} → {w.guarantors[i]}-officer" for i in (1, 2)]


def test_watch_runs_the_given_number_of_passes(store: Store, world: World) -> None:
    seen: list[dict[str, object]] = []
    started = time.monotonic()
    watch(store, DeliveryConfig(interval_seconds=0.05), passes=3,
          report=lambda r: seen.append(r.as_json()))
    assert len(seen) == 3 and time.monotonic() - started >= 0.1
    json.dumps(seen)  # the summary is JSON as printed by notify watch


def test_a_user_who_may_no_longer_read_it_is_not_sent_it(store: Store, world: World,
                                                          webhook_receiver: Receiver) -> None:
    w = world
    officer = f"{w.guarantors[0]}-officer"
    with store.session() as s:
        add_webhook(s, principal=w.officer(0), url=webhook_receiver.for_path("/h"))
    run_pass(store, DeliveryConfig())
    _file(store, w)
    with store.session() as s:  # derived while an officer; the role goes before it is sent
        assert derive(s).deliveries == 1
        revoke_role(s, username=officer, role=Role.GUARANTOR_OFFICER, actor="test")
    result = run_pass(store, DeliveryConfig())
    assert (result.sent, result.failed) == (0, 1) and webhook_receiver.received == []
    with store.session() as s:
        assert s.scalar(select(NotificationDelivery.last_error)) == f"no longer visible to {officer}"
