"""``trucewatch basemap``: import the governorate outlines the pages draw under the map."""

from __future__ import annotations

from pathlib import Path

import typer

from trucewatch.cli.context import settings_now
from trucewatch.web.basemap import governorates_path, import_governorates

app = typer.Typer(help="The offline basemap of the pages (docs/web.md).", no_args_is_help=True)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="A GeoJSON FeatureCollection of (multi)polygons."),
) -> None:
    """Import governorate (admin-1) outlines into TRUCEWATCH_DATA_DIR, replacing earlier ones."""
    data_dir = settings_now().data_dir
    count = import_governorates(data_dir, file)
    typer.echo(f"imported {count} outlines into {governorates_path(data_dir)}")
