"""``trucewatch init`` and ``trucewatch demo``."""

from __future__ import annotations

import typer

from trucewatch.cli.context import cli_actor, settings_now, store, transaction
from trucewatch.demo.service import DEMO_PASSWORD, load_demo
from trucewatch.keys.signing import Keystore
from trucewatch.storage.migrate import current_revision


def register(cli: typer.Typer) -> None:
    cli.command("init")(init)
    cli.command("demo")(demo)


def init() -> None:
    """Create the database or bring its schema up to date (migrations are applied)."""
    st = store()
    try:
        typer.echo(f"database ready at schema {current_revision(st.engine)}: "
                   f"{st.engine.url.render_as_string(hide_password=True)}")
    finally:
        st.dispose()


def demo() -> None:
    """Load the Astana 2017 scenario: actors, the 30 December 2016 truce, synthetic reports,
    review rounds; the guarantors' signing keys go to TRUCEWATCH_KEYS_DIR."""
    settings = settings_now()
    with transaction() as session:
        summary = load_demo(session, actor=cli_actor(), keystore=Keystore(settings.keys_dir))
    if not summary.loaded:
        typer.echo("the demo scenario is already loaded; nothing changed")
        return
    typer.echo(f"loaded the demo into {settings.db}: {summary.actors} actors, "
               f"{summary.reports} synthetic reports, {summary.incidents} incidents, "
               f"{summary.rounds} review rounds ({summary.decided} decided, "
               f"{summary.published} published); {summary.keys} signing keys in "
               f"{settings.keys_dir}")
    typer.echo(f"{summary.meetings} meetings of talks (Astana, Moscow) with the invitations and "
               "replies of the seed article: trucewatch talks list")
    typer.echo(f"every demo user (admin, gov-reporter, ru-officer, un-coordinator …) signs in "
               f"with the password {DEMO_PASSWORD!r}")
