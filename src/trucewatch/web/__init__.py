"""The web application: server-rendered pages over the services (thin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # FastAPI only for the type: the command line imports web.basemap without it
    from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from trucewatch.web.app import install as install_pages

    install_pages(app)
