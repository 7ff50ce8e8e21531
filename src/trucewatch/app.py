"""The one ASGI application: the HTTP API under /api/v1 and the web pages, over one store."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from trucewatch import __version__
from trucewatch.config import Settings, load_settings
from trucewatch.limits import InFlightLimit
from trucewatch.storage import Store, open_store


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    from trucewatch import api, web
    from trucewatch.correlation.worker import matcher_for

    app = FastAPI(title="trucewatch", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json", lifespan=_lifespan)
    app.state.store = store
    app.state.settings = settings or load_settings()
    # matching after filing: a process of its own or a thread (correlation/worker.py)
    app.state.matcher = matcher_for(store, app.state.settings.matcher,
                                    lag=app.state.settings.matcher_lag_seconds)
    api.install(app)
    web.install(app)
    app.add_middleware(InFlightLimit, limit=app.state.settings.max_in_flight)  # outermost
    return app


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The matcher drains what waits at start (and then after each filing) and stops
    after its batch in hand at shutdown; what still waits is matched at the next start."""
    if app.state.settings.correlate_on_filing:
        app.state.matcher.start()
    try:
        yield
    finally:
        await run_in_threadpool(app.state.matcher.stop)


def app_from_environment() -> FastAPI:
    """The application on the store the settings name (``TRUCEWATCH_DB``): the factory each
    worker process of ``trucewatch serve --workers N`` builds its own application with."""
    settings = load_settings()
    return create_app(open_store(settings.db, migrate=False), settings)
