"""Every error of the API as an RFC 9457 problem (``application/problem+json``) naming its field.

Domain errors (:mod:`trucewatch.errors`) keep their HTTP status; request validation errors
become 422 with the field at fault (pydantic's ``loc`` without ``body``/``query``/…); HTTP
errors of the framework (404 of an unknown route, 405, 413) take the same shape under /api/.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException

from trucewatch.api.deps import Unauthenticated
from trucewatch.auth.principal import PUBLIC
from trucewatch.errors import PermissionDenied, TrucewatchError

MEDIA_TYPE = "application/problem+json"
API_PREFIX = "/api/"
_SOURCES = {"body", "query", "path", "header", "cookie"}


class FieldError(BaseModel):
    field: str | None
    message: str


class Problem(BaseModel):
    """The body of every error response (RFC 9457)."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = None


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_response(request: Request, *, status: int, kind: str, detail: str,
                     field: str | None = None, errors: list[dict[str, Any]] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:trucewatch:problem:{kind}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "field": field,
        "instance": request.url.path,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def field_of(loc: tuple[Any, ...] | list[Any]) -> str | None:
    """``("body", "reports", 0, "occurred")`` → ``reports.0.occurred``; headers keep their name."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or None


def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TrucewatchError)
    status = exc.http_status
    headers = None
    anonymous = getattr(request.state, "principal", None) is PUBLIC
    if isinstance(exc, Unauthenticated) or (isinstance(exc, PermissionDenied) and anonymous):
        # Not signed in: 401 and a challenge, rather than "forbidden" to nobody in particular.
        status, headers = 401, {"WWW-Authenticate": 'Bearer realm="trucewatch"'}
    kind = "unauthenticated" if status == 401 else _kebab(type(exc).__name__)
    return problem_response(request, status=status, kind=kind, detail=exc.message,
                            field=exc.field, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith(API_PREFIX):
        return await request_validation_exception_handler(request, exc)
    errors = [{"field": field_of(e.get("loc", ())), "message": str(e.get("msg", ""))}
              for e in exc.errors()]
    first = errors[0] if errors else {"field": None, "message": "invalid request"}
    return problem_response(request, status=422, kind="invalid-input",
                            detail=str(first["message"]), field=first["field"], errors=errors)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith(API_PREFIX):
        return await http_exception_handler(request, exc)
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(request, status=exc.status_code,
                            kind=_kebab(HTTPStatus(exc.status_code).name.title().replace("_", "")),
                            detail=detail, field=getattr(exc, "field", None),
                            headers=dict(exc.headers or {}))


def _out_of_range(request: Request, exc: Exception) -> Response:
    """A number the database cannot hold (an id past 2**63, say): the request is at fault.

    SQLite refuses such an integer before running the query (OverflowError), PostgreSQL
    with a data error; either way nothing was written and the transaction rolled back.
    """
    return problem_response(request, status=422, kind="invalid-input",
                            detail="a number in the request is out of range", field=None)


def install(app: FastAPI) -> None:
    app.add_exception_handler(OverflowError, _out_of_range)
    app.add_exception_handler(DataError, _out_of_range)
    app.add_exception_handler(TrucewatchError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


# The responses every route may give, for the OpenAPI document.
PROBLEM_CONTENT = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
COMMON: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": HTTPStatus(code).phrase,
           "content": PROBLEM_CONTENT}
    for code in (401, 403, 404, 422)
}
