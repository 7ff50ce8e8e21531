"""``trucewatch truce add|show|list``."""

from __future__ import annotations

import typer

from trucewatch.cli.context import cli_actor, principal, print_json, print_table, transaction
from trucewatch.cli.jsonfile import read_json
from trucewatch.truces.service import (
    create_truce,
    get_truce,
    list_truces,
    rule_text,
    truce_view,
    zones_geojson,
)

app = typer.Typer(help="Truces: guarantors, parties, zones and the verification rule.",
                  no_args_is_help=True)


@app.command("add")
def add(json_file: str = typer.Argument(..., help="The truce as JSON (see docs/cli.md).")) -> None:
    """Define a truce from a JSON file."""
    data = read_json(json_file)
    with transaction() as session:
        truce = create_truce(session, data=data, actor=cli_actor(),
                             principal=principal(session))
        typer.echo(f"added truce {truce.slug}")


@app.command("show")
def show(
    slug: str | None = typer.Argument(None, help="Truce slug (default: the latest truce)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON, zones included."),
    geojson: bool = typer.Option(False, "--geojson", help="Print the zones as GeoJSON."),
) -> None:
    """Show a truce."""
    with transaction() as session:
        truce = get_truce(session, slug)
        if geojson:
            print_json(zones_geojson(truce))
            return
        view = truce_view(truce, with_geometry=as_json)
        rule = rule_text(truce)
    if as_json:
        print_json(view)
        return
    typer.echo(f"{view['name']} ({view['slug']})")
    typer.echo(f"  from {view['starts_at']}" + (f" to {view['ends_at']}" if view["ends_at"] else ""))
    typer.echo(f"  guarantors: {', '.join(view['guarantors'])}")
    typer.echo(f"  parties:    {', '.join(view['parties'])}")
    typer.echo(f"  excluded:   {', '.join(view['excluded'])}")
    typer.echo(f"  decision:   {rule}")
    typer.echo(f"  zones:      {', '.join(z['name'] for z in view['zones']) or '(none)'}")
    typer.echo("")
    typer.echo(view["terms"])


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List truces."""
    with transaction() as session:
        views = [truce_view(t) for t in list_truces(session)]
    if as_json:
        print_json(views)
        return
    print_table(["slug", "starts", "name"], [[v["slug"], v["starts_at"][:10], v["name"]]
                                            for v in views])
