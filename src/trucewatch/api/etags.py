"""Entity tags of incidents, ``"incident-<id>-v<version>"``, and the ``If-Match`` they guard.

A write that could overwrite another officer's must say which version it was based on;
without ``If-Match`` it is refused (428), on an older version it is refused (412).
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header

from trucewatch.errors import StaleWrite, TrucewatchError

_TAG = re.compile(r'^(?:W/)?"incident-(\d+)-v(\d+)"$')

IfMatch = Annotated[str | None, Header(alias="If-Match", max_length=500,
                                       description='The ETag read, e.g. "incident-4-v2".')]


class PreconditionRequired(TrucewatchError):
    http_status = 428


def etag(incident_id: int, version: int) -> str:
    return f'"incident-{incident_id}-v{version}"'


def expected_version(if_match: str | None, incident_id: int, *, required: bool = True) -> int | None:
    """The version ``If-Match`` names for this incident; 428 without it, 412 if it names another."""
    if if_match is None or not if_match.strip():
        if required:
            raise PreconditionRequired("send If-Match with the ETag of the incident you read, "
                                       "so that nobody's change is overwritten", field="If-Match")
        return None
    for tag in (t.strip() for t in if_match.split(",")):
        found = _TAG.match(tag)
        if found and int(found.group(1)) == incident_id:
            return int(found.group(2))
    raise StaleWrite(f"If-Match names no version of incident {incident_id}: reload it",
                     field="If-Match")


def matches(if_none_match: str | None, tag: str) -> bool:
    return if_none_match is not None and any(
        t.strip().removeprefix("W/") == tag or t.strip() == "*" for t in if_none_match.split(","))
