"""Choosing the pages' language: a small form in every page's header (no JavaScript needed)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from trucewatch.web.context import checked_form, redirect, web_session
from trucewatch.web.i18n import LANGUAGES

router = APIRouter()


@router.post("/language")
async def choose_language(request: Request) -> Response:
    """Keep the chosen language in the session and go back to the page it was chosen on."""
    form = await checked_form(request)
    code = str(form.get("language") or "")
    if code in LANGUAGES:
        web_session(request).choose_language(code)
    to = str(form.get("next") or "/")
    # Only a path of this site: never "//elsewhere" or a full URL.
    return redirect(to if to.startswith("/") and not to.startswith(("//", "/\\")) else "/")
