"""Cursor pagination: ``?limit=&cursor=``; the cursor is opaque (base64 of the last id seen).

A page is ``{"items": [...], "next": cursor | null}`` and, when there is a next page, a
``Link: <…>; rel="next"`` header. Ids only grow, so a walk visits every item once even
while new ones are filed.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query, Request, Response
from pydantic import BaseModel

from trucewatch.errors import InvalidInput

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
_PREFIX = "id:"

T = TypeVar("T")
Item = TypeVar("Item")

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[str | None, Query(max_length=200,
                                     description="The `next` cursor of the previous page.")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next: str | None


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The id after which the page starts (0 without a cursor)."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        value = int(text.removeprefix(_PREFIX))
        if value < 0:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("not a cursor this API gave out", field="cursor") from None
    return value


def page(rows: Sequence[Item], *, limit: int, key: Callable[[Item], int],
         view: Callable[[Item], Any], request: Request, response: Response) -> dict[str, Any]:
    """One page from ``rows`` fetched with ``limit + 1``: the extra row says there is more."""
    more = len(rows) > limit
    shown = list(rows[:limit])
    cursor = encode_cursor(key(shown[-1])) if more and shown else None
    if cursor is not None:
        response.headers["Link"] = f'<{next_url(request, cursor)}>; rel="next"'
    return {"items": [view(r) for r in shown], "next": cursor}


def next_url(request: Request, cursor: str) -> str:
    return str(request.url.include_query_params(cursor=cursor))


def after(rows: Sequence[Item], *, after_id: int, limit: int,
          key: Callable[[Item], int]) -> list[Item]:
    """Paginate a list already in memory (small registries: actors, truces, users)."""
    ordered = sorted((r for r in rows if key(r) > after_id), key=key)
    return ordered[:limit + 1]
