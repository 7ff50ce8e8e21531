"""The one ASGI application: the HTTP API under /api/v1 and the web pages, over one store."""

from __future__ import annotations

from fastapi import FastAPI

from trucewatch import __version__
from trucewatch.config import Settings, load_settings
from trucewatch.limits import InFlightLimit
from trucewatch.storage import Store


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    from trucewatch import api, web

    app = FastAPI(title="trucewatch", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url="/api/v1/openapi.json")
    app.state.store = store
    app.state.settings = settings or load_settings()
    api.install(app)
    web.install(app)
    app.add_middleware(InFlightLimit, limit=app.state.settings.max_in_flight)  # outermost
    return app
