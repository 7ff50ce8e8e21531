"""The HTTP API under /api/v1: one router per concept over the services (thin).

``deps`` gives each request one transaction and its principal, ``problems`` turns every
error into RFC 9457 problem+json, ``pagination`` the cursor pages, ``geojson`` the
FeatureCollections, ``etags`` the If-Match guard, ``limits`` the request body limit.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from trucewatch import __version__
from trucewatch.api import (
    actors,
    incidents,
    limits,
    log,
    problems,
    publication,
    reports,
    rounds,
    truces,
    users,
)

PREFIX = "/api/v1"
router = APIRouter(prefix=PREFIX)


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    """The server is up and answering."""
    return {"status": "ok", "version": __version__}


for module in (actors, truces, reports, incidents, rounds, publication, log, users):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    app.include_router(router)
    problems.install(app)
    app.add_middleware(limits.BodyLimit,
                       limit=limits.body_limit(app.state.settings.max_attachment_bytes))
