"""Bulk actions: link many reports, task or publish many incidents; progress streamed per item."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import Field

from trucewatch.api.deps import PrincipalDep
from trucewatch.api.problems import COMMON
from trucewatch.bulk.actions import MAX_ITEMS, BulkKind, BulkParams
from trucewatch.bulk.runner import prepare_run, progress_lines

router = APIRouter(tags=["bulk actions"], responses=COMMON)
NDJSON = "application/x-ndjson"


class BulkIn(BulkParams):
    ids: list[int] = Field(min_length=1, max_length=MAX_ITEMS,
                           description="link: report ids; assign and publish: incident ids")


@router.post("/bulk/{action}", response_class=StreamingResponse, responses={200: {
    "description": "One JSON object per line as each item is done: "
                   '{"item": {"index", "id", "ok", "result", "error", "field"}, "progress": '
                   '{"total", "done", "succeeded", "failed"}}; the last line is '
                   '{"summary": {...}}. Each item is its own transaction and log entry.',
    "content": {NDJSON: {"schema": {"type": "string"}}}}})
def run_bulk(action: BulkKind, body: BulkIn, request: Request, who: PrincipalDep) -> StreamingResponse:
    """Apply one action to many items. The run is checked as a whole first (permission,
    parameters, ids): a 4xx problem then, and nothing is written. After that, an item that
    fails is reported on its line and the rest go ahead."""
    params = body.model_dump(exclude={"ids"})
    run = prepare_run(request.app.state.store, principal=who, kind=action.value, ids=body.ids,
                      params=params)
    return StreamingResponse(progress_lines(run), media_type=NDJSON)

