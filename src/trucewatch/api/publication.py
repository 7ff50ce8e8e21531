"""Publication: the coordinator publishes a decided incident; the public reads published ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.etags import IfMatch, etag, expected_version
from trucewatch.api.problems import COMMON
from trucewatch.errors import StaleWrite
from trucewatch.incidents.service import get_incident
from trucewatch.log import service as log
from trucewatch.verification.publication import public_incident_view, publish_incident

router = APIRouter(tags=["publication"], responses=COMMON)


@router.post("/incidents/{incident_id}/publication", response_model=dict[str, Any],
             responses={409: COMMON[422] | {"description": "Not decided, or published already"},
                        412: COMMON[422] | {"description": "If-Match names an older version"}})
def publish(incident_id: int, session: SessionDep, who: PrincipalDep,
            if_match: IfMatch = None) -> JSONResponse:
    """Publish the incident's latest decision (the coordinator); If-Match is checked if sent."""
    version = expected_version(if_match, incident_id, required=False)
    if version is not None:
        log.lock(session)  # the same lock publish_incident takes: nobody moves it in between
        current = get_incident(session, incident_id, principal=who)
        session.refresh(current)
        if current.version != version:
            raise StaleWrite(f"incident {incident_id} is at version {current.version}, "
                             f"not {version}: reload and try again", field="If-Match")
    incident = publish_incident(session, principal=who, incident_id=incident_id)
    return JSONResponse(public_incident_view(session, incident),
                        headers={"ETag": etag(incident.id, incident.version)})
