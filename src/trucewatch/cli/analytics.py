"""``trucewatch analytics``: counts, hotspots and escalation alerts, as JSON (thin)."""

from __future__ import annotations

import json
from typing import Any

import typer

from trucewatch.analytics import service as analytics
from trucewatch.analytics.escalation import BASELINE_DAYS, RATIO, THRESHOLD
from trucewatch.cli.context import principal, settings_now, transaction
from trucewatch.incidents.listing import IncidentFilter

app = typer.Typer(help="Counts, hotspots and escalation alerts (docs/analytics.md).",
                  no_args_is_help=True)

FROM = typer.Option(None, "--from", help="Incidents ending after this time (ISO 8601).")
TO = typer.Option(None, "--to", help="Incidents starting before this time (ISO 8601).")
TRUCE = typer.Option(None, "--truce", help="Only incidents of this truce (slug).")
CATEGORY = typer.Option(None, "--category", help="Only this taxonomy category.")


def _filters(occurred_from: str | None, occurred_to: str | None, truce: str | None,
             category: str | None) -> IncidentFilter:
    return IncidentFilter(occurred_from=occurred_from, occurred_to=occurred_to, truce=truce,
                          category=category)


def _echo(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=1))


@app.command("counts")
def counts(by: str = typer.Option(..., "--by", help="day, week, month, zone, governorate, "
                                                    "category or responsible."),
           occurred_from: str | None = FROM, occurred_to: str | None = TO,
           truce: str | None = TRUCE, category: str | None = CATEGORY) -> None:
    """Incidents counted by one dimension (governorate: the imported outlines, else the zone)."""
    with transaction() as session:
        _echo(analytics.counts(session, principal=principal(session),
                               filters=_filters(occurred_from, occurred_to, truce, category),
                               by=by, data_dir=settings_now().data_dir))


@app.command("hotspots")
def hotspots(cell_km: float = typer.Option(10.0, "--cell-km", help="Side of a grid cell."),
             top: int = typer.Option(20, "--top", help="How many cells."),
             occurred_from: str | None = FROM, occurred_to: str | None = TO,
             truce: str | None = TRUCE, category: str | None = CATEGORY) -> None:
    """The grid cells holding the most incidents, with their mean point."""
    with transaction() as session:
        _echo(analytics.hotspots(session, principal=principal(session),
                                 filters=_filters(occurred_from, occurred_to, truce, category),
                                 cell_km=cell_km, top=top))


@app.command("escalation")
def escalation(baseline_days: int = typer.Option(BASELINE_DAYS, "--baseline-days"),
               ratio: float = typer.Option(RATIO, "--ratio", help="The rise to detect (× λ0)."),
               threshold: float = typer.Option(THRESHOLD, "--threshold", help="CUSUM h."),
               occurred_from: str | None = FROM, occurred_to: str | None = TO,
               truce: str | None = TRUCE, category: str | None = CATEGORY) -> None:
    """Days a zone's daily count rose above its own baseline (Poisson CUSUM)."""
    with transaction() as session:
        _echo(analytics.escalation(session, principal=principal(session),
                                   filters=_filters(occurred_from, occurred_to, truce, category),
                                   baseline_days=baseline_days, ratio=ratio,
                                   threshold=threshold))
