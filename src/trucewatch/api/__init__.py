"""The HTTP API under /api/v1: one router per concept over the services (thin).

``deps`` gives each request one transaction and its principal, ``problems`` turns every
error into RFC 9457 problem+json, ``pagination`` the cursor pages, ``geojson`` the
FeatureCollections, ``etags`` the If-Match guard, ``limits`` the request body limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi

from trucewatch import __version__
from trucewatch.api import (
    actors,
    analytics,
    bulk,
    correlation,
    exchange,
    incidents,
    ingest,
    limits,
    log,
    notifications,
    problems,
    publication,
    reports,
    rounds,
    talks,
    truces,
    users,
)

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    """The server is up and answering."""
    return {"status": "ok", "version": __version__}


for module in (actors, truces, reports, incidents, rounds, publication, log, users, talks,
               notifications, bulk, exchange, correlation, ingest, analytics):
    router.include_router(module.router)


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the API's routes only (the web pages are not an API)."""
    return get_openapi(title="trucewatch API", version=__version__, routes=router.routes,
                       description="The HTTP API of trucewatch: see docs/api.md.")


def install(app: FastAPI) -> None:
    app.include_router(router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    problems.install(app)
    app.add_middleware(limits.BodyLimit,
                       limit=limits.body_limit(app.state.settings.max_attachment_bytes))
