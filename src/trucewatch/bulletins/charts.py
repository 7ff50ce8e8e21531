"""The bulletin's pictures, drawn offline with matplotlib: the map and the trend charts.

The map draws the Natural Earth country outlines and any imported governorates
(``web/basemap.py``), the truce zones and the incidents as shapely geometries turned into
matplotlib patches: no tiles, nothing downloaded. Pictures are PNG, embedded in the page
as ``data:`` URIs, so a bulletin is one self-contained file.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: the pictures are files

import numpy as np  # noqa: E402
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from shapely.geometry import Polygon, shape  # noqa: E402
from shapely.geometry.base import BaseGeometry  # noqa: E402

from trucewatch.bulletins.contents import Bulletin, Entry  # noqa: E402
from trucewatch.bulletins.period import AVERAGE_DAYS  # noqa: E402

DPI = 150
STATUS_COLOURS = {"confirmed": "#b2182b", "not_confirmed": "#4d4d4d", "disputed": "#e08214",
                  "open": "#2166ac", "under_review": "#5aae61", "closed": "#999999"}
# Drawn last, so on top where points crowd: confirmed violations, then disputed ones.
DRAW_ORDER = {"closed": 0, "not_confirmed": 1, "open": 2, "under_review": 3, "disputed": 4,
              "confirmed": 5}
SYRIA = (35.5, 32.2, 42.5, 37.4)  # the map's extent when there is nothing to show
ASPECT = 1.4  # width / height of the map frame
MAX_LINES = 8  # a chart shows this many zones or parties; the rest are summed as "others"


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    return out.getvalue()


def _polygons(geometry: BaseGeometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    return [p for g in getattr(geometry, "geoms", []) for p in _polygons(g)]


def geometry_path(geometry: BaseGeometry) -> Path:
    """A polygon or multipolygon (holes included) as one matplotlib path."""
    vertices: list[np.ndarray] = []
    codes: list[Any] = []
    for polygon in _polygons(geometry):
        for ring in (polygon.exterior, *polygon.interiors):
            points = np.asarray(ring.coords)[:, :2]
            vertices.append(points)
            codes += [Path.MOVETO] + [Path.LINETO] * (len(points) - 2) + [Path.CLOSEPOLY]
    if not vertices:
        return Path(np.zeros((0, 2)))
    return Path(np.concatenate(vertices), codes)


def _extent(bulletin: Bulletin) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for zone in bulletin.zones:
        minx, miny, maxx, maxy = shape(zone.geometry).bounds
        xs += [minx, maxx]
        ys += [miny, maxy]
    for e in bulletin.entries:
        if e.latitude is not None and e.longitude is not None:
            xs.append(e.longitude)
            ys.append(e.latitude)
    if not xs:
        xs, ys = [SYRIA[0], SYRIA[2]], [SYRIA[1], SYRIA[3]]
    pad = max(0.3, 0.08 * max(max(xs) - min(xs), max(ys) - min(ys)))
    minx, miny, maxx, maxy = min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad
    # Widen the shorter side so that the map fills a landscape frame of ASPECT.
    squash = np.cos(np.radians((miny + maxy) / 2))
    width, height = (maxx - minx) * squash, maxy - miny
    if width < ASPECT * height:
        grow = (ASPECT * height / squash - (maxx - minx)) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (width / ASPECT - height) / 2
        miny, maxy = miny - grow, maxy + grow
    return minx, miny, maxx, maxy


def incident_map(bulletin: Bulletin, *, countries: dict[str, Any],
                 governorates: dict[str, Any], labels: dict[str, str]) -> bytes:
    """The period's incidents over the basemap and the truce zones, as PNG."""
    figure = Figure(figsize=(7.5, 7.5 / ASPECT))
    ax = figure.add_subplot()
    ax.set_facecolor("#dbe9f4")  # the sea
    for feature in countries.get("features", []):
        focus = feature.get("properties", {}).get("focus")
        ax.add_patch(PathPatch(geometry_path(shape(feature["geometry"])),
                               facecolor="#f4f1e8" if focus else "#e6e3da",
                               edgecolor="#8c8c8c", linewidth=0.8 if focus else 0.5))
    for feature in governorates.get("features", []):
        ax.add_patch(PathPatch(geometry_path(shape(feature["geometry"])), facecolor="none",
                               edgecolor="#b5b5b5", linewidth=0.4, linestyle="--"))
    for zone in bulletin.zones:
        geometry = shape(zone.geometry)
        ax.add_patch(PathPatch(geometry_path(geometry), facecolor="#7fbf7b", alpha=0.25,
                               edgecolor="#1b7837", linewidth=1.0))
        point = geometry.representative_point()
        ax.annotate(zone.name, (point.x, point.y), fontsize=6, color="#1b7837",
                    ha="center", va="center")
    by_status: dict[str, list[Entry]] = {}
    for e in bulletin.entries:
        if e.latitude is not None and e.longitude is not None:
            by_status.setdefault(e.status, []).append(e)
    placed = sum(len(v) for v in by_status.values())
    size = 12 if placed < 500 else 3  # thousands of points: small, no white rim
    for status, entries in sorted(by_status.items(), key=lambda kv: DRAW_ORDER.get(kv[0], 0)):
        ax.scatter(np.array([e.longitude for e in entries], dtype=float),
                   np.array([e.latitude for e in entries], dtype=float), s=size,
                   color=STATUS_COLOURS.get(status, "#000000"),
                   edgecolors="white" if placed < 500 else "none", linewidths=0.3, zorder=3,
                   label=f"{labels.get(status, status)} ({len(entries)})")
    minx, miny, maxx, maxy = _extent(bulletin)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect(1 / np.cos(np.radians((miny + maxy) / 2)))  # degrees look square at this latitude
    ax.tick_params(labelsize=6)
    if by_status:
        ax.legend(fontsize=6, loc="lower right", framealpha=0.9)
    return _png(figure)


def moving_average(counts: Sequence[int], window: int = AVERAGE_DAYS) -> list[float]:
    """The trailing mean of ``window`` days (the first ``window - 1`` days have no value)."""
    values = np.asarray(counts, dtype=float)
    sums = np.convolve(values, np.ones(window), mode="valid") / window
    return [float("nan")] * (window - 1) + [float(v) for v in sums]


def _top(series: dict[str, list[int]], others: str) -> dict[str, list[int]]:
    ranked = sorted(series.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    kept = dict(ranked[:MAX_LINES])
    rest = ranked[MAX_LINES:]
    if rest:
        kept[others] = [sum(v) for v in zip(*(r[1] for r in rest), strict=True)]
    return kept


def trend_chart(bulletin: Bulletin, *, by: str, title: str, labels: dict[str, str]) -> bytes:
    """Daily counts (bars: all groups) and each group's 7-day average (lines), as PNG."""
    trend = bulletin.trend
    series = _top(trend.by_zone if by == "zone" else trend.by_party, labels.get("others", "others"))
    shown = slice(AVERAGE_DAYS - 1, None)  # the days before the window only feed the average
    days = date2num(trend.days[shown])
    figure = Figure(figsize=(7.5, 2.8))
    ax = figure.add_subplot()
    total = [sum(v) for v in zip(*series.values(), strict=True)] if series else [0] * len(
        trend.days)
    ax.bar(days, total[shown], color="#d9d9d9", width=0.9,
           label=labels.get("daily", "daily total"))
    for name, counts in series.items():
        ax.plot(days, moving_average(counts)[shown], linewidth=1.4,
                label=labels.get(name, name))
    ax.axvspan(float(date2num(bulletin.period.first)) - 0.5,
               float(date2num(bulletin.period.last)) + 0.5, color="#fee08b", alpha=0.25, lw=0,
               zorder=0)
    ax.set_title(title, fontsize=8)
    ax.tick_params(labelsize=6)
    ax.set_ylim(bottom=0)
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.legend(fontsize=6, loc="upper left", ncol=3, framealpha=0.9)
    return _png(figure)
