"""``trucewatch serve``: the web application on the configured store."""

from __future__ import annotations

import typer

from trucewatch.cli.context import settings_now, store


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (TRUCEWATCH_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (TRUCEWATCH_PORT)."),
) -> None:
    """Serve the web application (migrations are applied first)."""
    import uvicorn  # the server and the app only here: every other command starts faster

    from trucewatch.app import create_app

    settings = settings_now()
    host = host or settings.host
    port = port or settings.port
    app = create_app(store())
    typer.echo(f"trucewatch is serving {settings.db} at http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")
