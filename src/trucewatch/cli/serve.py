"""``trucewatch serve``: the web application on the configured store."""

from __future__ import annotations

import os

import typer

from trucewatch.cli.context import settings_now, store


def register(cli: typer.Typer) -> None:
    cli.command("serve")(serve)


def serve(
    host: str | None = typer.Option(None, help="Address to listen on (TRUCEWATCH_HOST)."),
    port: int | None = typer.Option(None, help="Port to listen on (TRUCEWATCH_PORT)."),
    workers: int = typer.Option(1, min=1, max=64,
                                help="Server processes sharing the port, each with its own "
                                     "connections to the one store."),
) -> None:
    """Serve the web application (migrations are applied first)."""
    import uvicorn  # the server and the app only here: every other command starts faster

    from trucewatch.app import create_app

    settings = settings_now()
    host = host or settings.host
    port = port or settings.port
    served = store()  # migrates the store, once, before any worker starts
    typer.echo(f"trucewatch is serving {settings.db} at http://{host}:{port}/"
               + (f" with {workers} worker processes" if workers > 1 else ""))
    if workers == 1:
        uvicorn.run(create_app(served), host=host, port=port, log_level="warning")
        return
    served.dispose()
    # Each worker builds its application from the settings: the store chosen with --db too.
    os.environ["TRUCEWATCH_DB"] = settings.db
    uvicorn.run("trucewatch.app:app_from_environment", factory=True, host=host, port=port,
                workers=workers, log_level="warning")
