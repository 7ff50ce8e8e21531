"""The web application: server-rendered pages over the services (thin)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    from trucewatch.web.app import install as install_pages

    install_pages(app)
