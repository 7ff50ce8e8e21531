"""``trucewatch notify …``: run the dispatcher, manage areas and channels, read the inbox.

Subscription commands act as the ``--as`` user on their own subscriptions, or, for an
administrator or the operator, on the user named with ``--user``.
"""

from __future__ import annotations

import typer

from trucewatch.cli.context import (
    principal,
    print_json,
    print_table,
    settings_now,
    store,
    transaction,
)
from trucewatch.notifications.service import (
    EVENTS,
    DeliveryConfig,
    PassResult,
    add_email,
    add_webhook,
    follow_area,
    list_notifications,
    mark_read,
    notification_view,
    remove_channel,
    run_pass,
    subscriptions_of,
    unfollow_area,
    watch,
)

app = typer.Typer(help="Notifications: in the app, by e-mail and by signed webhooks.",
                  no_args_is_help=True)

USER = typer.Option(None, "--user", help="Whose subscription (default: the --as user).")
EVENT = typer.Option([], "--event", help=f"Only this event (repeatable): {', '.join(EVENTS)}.")


def _config() -> DeliveryConfig:
    return DeliveryConfig.from_settings(settings_now())


def _print_pass(result: PassResult) -> None:
    print_json(result.as_json())


@app.command("run")
def run() -> None:
    """One pass: derive new notifications, then send the e-mail and webhooks that are due.

    Notifications come from the log entries after the dispatcher's cursor and from review
    rounds near their deadline. Running it again sends nothing twice. Exits 1 when a
    delivery failed for good.
    """
    st = store()
    try:
        result = run_pass(st, _config())
    finally:
        st.dispose()
    _print_pass(result)
    if result.failed:
        raise typer.Exit(1)


@app.command("watch")
def watch_(
    passes: int = typer.Option(0, help="Stop after this many passes (0: run until stopped)."),
) -> None:
    """Run a pass every TRUCEWATCH_NOTIFY_INTERVAL_SECONDS until interrupted."""
    st = store()
    try:
        watch(st, _config(), passes=passes, report=_print_pass)
    except KeyboardInterrupt:
        pass
    finally:
        st.dispose()


@app.command("follow")
def follow(
    truce: str = typer.Argument(..., help="The truce (slug)."),
    zone: str | None = typer.Option(None, help="Only this zone of the truce (its name)."),
    user: str | None = USER,
) -> None:
    """Hear of every report filed in a truce, or in one of its zones."""
    with transaction() as session:
        area = follow_area(session, principal=principal(session), truce=truce, zone=zone,
                           username=user)
        typer.echo(f"area {area.id} followed")


@app.command("unfollow")
def unfollow(area_id: int = typer.Argument(..., help="The area's number (notify list).")) -> None:
    """Stop following an area."""
    with transaction() as session:
        unfollow_area(session, principal=principal(session), area_id=area_id)
        typer.echo(f"area {area_id} no longer followed")


@app.command("email")
def email(
    address: str = typer.Argument(..., help="Where to send the e-mail."),
    event: list[str] = EVENT,
    user: str | None = USER,
) -> None:
    """Send a user's notifications to an e-mail address too."""
    with transaction() as session:
        channel = add_email(session, principal=principal(session), address=address,
                            events=event, username=user)
        typer.echo(f"channel {channel.id}: e-mail to {channel.address}")


@app.command("webhook")
def webhook(
    url: str = typer.Argument(..., help="The http(s) URL that receives the POSTs."),
    event: list[str] = EVENT,
    user: str | None = USER,
    organisation: str | None = typer.Option(
        None, "--org", help="A webhook of this whole organisation (administrators)."),
) -> None:
    """Add a signed webhook; its secret is printed once, on standard output."""
    with transaction() as session:
        channel, secret = add_webhook(session, principal=principal(session), url=url,
                                      events=event, username=user, organisation=organisation)
        typer.echo(f"channel {channel.id}: webhook to {channel.address}", err=True)
        typer.echo(f"secret (shown once; keep it to check signatures): {secret}", err=True)
        typer.echo(secret)


@app.command("remove")
def remove(channel_id: int = typer.Argument(..., help="The channel's number.")) -> None:
    """Stop an e-mail or webhook channel (its history stays)."""
    with transaction() as session:
        remove_channel(session, principal=principal(session), channel_id=channel_id)
        typer.echo(f"channel {channel_id} removed")


@app.command("list")
def list_(user: str | None = USER,
          as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """A user's followed areas and channels (with its organisation's webhooks)."""
    with transaction() as session:
        subs = subscriptions_of(session, principal=principal(session), username=user)
    if as_json:
        print_json(subs)
        return
    print_table(["area", "truce", "zone"],
                [[a["id"], a["truce"], a["zone"] or "(all)"] for a in subs["areas"]])
    typer.echo("")
    print_table(["channel", "kind", "owner", "address", "events"],
                [[c["id"], c["kind"], c["owner"], c["address"], ",".join(c["events"])]
                 for c in subs["channels"]])


@app.command("inbox")
def inbox(
    unread: bool = typer.Option(False, "--unread", help="Only unread notifications."),
    read: bool = typer.Option(False, "--mark-read", help="Then mark them all read."),
    limit: int = typer.Option(50, help="At most this many, newest first."),
) -> None:
    """The --as user's notifications in the app, as JSON."""
    with transaction() as session:
        me = principal(session)
        notes = list_notifications(session, principal=me, unread_only=unread, limit=limit)
        print_json([notification_view(n) for n in notes])
        if read:
            mark_read(session, principal=me)
