"""Analytics: counts by a dimension, hotspots on a grid, escalation alerts per zone (thin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from trucewatch.analytics import service as analytics
from trucewatch.analytics.escalation import BASELINE_DAYS, RATIO, THRESHOLD
from trucewatch.api.deps import PrincipalDep, SessionDep
from trucewatch.api.problems import COMMON
from trucewatch.incidents.listing import IncidentFilter

router = APIRouter(prefix="/analytics", tags=["analytics"], responses=COMMON)
From = Annotated[str | None, Query(max_length=40, description="Incidents ending after this.")]
To = Annotated[str | None, Query(max_length=40, description="Incidents starting before this.")]
Truce = Annotated[str | None, Query(max_length=80, description="Only this truce (slug).")]
Category = Annotated[str | None, Query(max_length=40, description="Only this category.")]


def _filters(occurred_from: str | None, occurred_to: str | None, truce: str | None,
             category: str | None) -> IncidentFilter:
    return IncidentFilter(occurred_from=occurred_from, occurred_to=occurred_to, truce=truce,
                          category=category)


@router.get("/counts", response_model=list[dict[str, Any]])
def counts(request: Request, session: SessionDep, who: PrincipalDep,
           by: Annotated[str, Query(max_length=20, description="day, week, month, zone, "
                                    "governorate, category or responsible")],
           occurred_from: From = None, occurred_to: To = None, truce: Truce = None,
           category: Category = None) -> list[dict[str, Any]]:
    """Incidents the caller may see, counted by one dimension."""
    return analytics.counts(session, principal=who,
                            filters=_filters(occurred_from, occurred_to, truce, category),
                            by=by, data_dir=request.app.state.settings.data_dir)


@router.get("/hotspots", response_model=list[dict[str, Any]])
def hotspots(session: SessionDep, who: PrincipalDep,
             cell_km: Annotated[float, Query(ge=0.5, le=500)] = 10.0,
             top: Annotated[int, Query(ge=1, le=1000)] = 20,
             occurred_from: From = None, occurred_to: To = None, truce: Truce = None,
             category: Category = None) -> list[dict[str, Any]]:
    """The grid cells holding the most incidents the caller may see."""
    return analytics.hotspots(session, principal=who,
                              filters=_filters(occurred_from, occurred_to, truce, category),
                              cell_km=cell_km, top=top)


@router.get("/escalation", response_model=list[dict[str, Any]])
def escalation(session: SessionDep, who: PrincipalDep,
               baseline_days: Annotated[int, Query(ge=1, le=365)] = BASELINE_DAYS,
               ratio: Annotated[float, Query(gt=1, le=100)] = RATIO,
               threshold: Annotated[float, Query(gt=0, le=1000)] = THRESHOLD,
               occurred_from: From = None, occurred_to: To = None, truce: Truce = None,
               category: Category = None) -> list[dict[str, Any]]:
    """Days a zone's daily count rose above its own baseline (Poisson CUSUM, docs/analytics.md)."""
    return analytics.escalation(session, principal=who,
                                filters=_filters(occurred_from, occurred_to, truce, category),
                                baseline_days=baseline_days, ratio=ratio, threshold=threshold)
