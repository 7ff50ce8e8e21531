"""The HTTP API under /api/v1: one router per concept over the services (thin)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from trucewatch import __version__

router = APIRouter(prefix="/api/v1")


@router.get("/health", tags=["service"])
def health() -> dict[str, str]:
    """The server is up and answering."""
    return {"status": "ok", "version": __version__}


def install(app: FastAPI) -> None:
    app.include_router(router)
