"""``trucewatch actor add|affiliate|list|show``."""

from __future__ import annotations

import typer

from trucewatch.actors.enums import ActorKind
from trucewatch.actors.service import (
    actor_view,
    affiliate,
    affiliation_view,
    affiliations_of,
    create_actor,
    find_actor,
    list_actors,
)
from trucewatch.cli.context import cli_actor, principal, print_json, print_table, transaction
from trucewatch.errors import InvalidInput

app = typer.Typer(help="Organisations and persons, their names, and affiliations.",
                  no_args_is_help=True)


def _alias(text: str) -> dict[str, object]:
    lang, sep, name = text.partition(":")
    if not sep or not name.strip():
        raise InvalidInput(f"{text!r}: use LANG:NAME, e.g. ar:روسيا", field="alias")
    return {"lang": lang.strip(), "name": name.strip()}


@app.command("add")
def add(
    slug: str = typer.Argument(..., help="Short stable id: lower-case letters, digits, hyphens."),
    name: str = typer.Option(..., help="The primary English name."),
    kind: ActorKind = typer.Option(ActorKind.ORGANISATION, help="organisation or person."),
    organisation_type: str | None = typer.Option(
        None, "--type", help="state, armed_group, political_body, international_organisation, "
                             "media or ngo."),
    country: str | None = typer.Option(None, help="ISO 3166-1 alpha-2 code."),
    description: str = typer.Option("", help="A line on who this is."),
    alias: list[str] = typer.Option([], help="LANG:NAME, another name or alias (repeatable)."),
    primary: list[str] = typer.Option(
        [], help="LANG:NAME, the primary name in another language (repeatable)."),
) -> None:
    """Register an organisation or a person."""
    names: list[dict[str, object]] = [{"name": name, "lang": "en", "primary": True}]
    names += [{**_alias(p), "primary": True} for p in primary]
    names += [_alias(a) for a in alias]
    with transaction() as session:
        row = create_actor(session, data={
            "slug": slug, "kind": kind.value, "organisation_type": organisation_type,
            "country": country, "description": description, "names": names,
        }, actor=cli_actor(), principal=principal(session))
        typer.echo(f"added {row.kind} {row.slug}")


@app.command("affiliate")
def affiliate_(
    person: str = typer.Argument(..., help="The person (slug or name)."),
    organisation: str = typer.Argument(..., help="The organisation (slug or name)."),
    role: str = typer.Option(..., help="coordinator, spokesman, head, former head, deputy …"),
    valid_from: str | None = typer.Option(None, "--from", help="YYYY-MM-DD"),
    valid_to: str | None = typer.Option(None, "--to", help="YYYY-MM-DD"),
    source: str = typer.Option("", help="Where this is stated."),
) -> None:
    """Record that a person holds a role in an organisation."""
    with transaction() as session:
        row = affiliate(session, data={"person": person, "organisation": organisation,
                                       "role": role, "valid_from": valid_from,
                                       "valid_to": valid_to, "source": source},
                        actor=cli_actor(), principal=principal(session))
        typer.echo(f"{row.person.slug} is {row.role} of {row.organisation.slug}")


@app.command("list")
def list_(
    kind: ActorKind | None = typer.Option(None, help="organisation or person."),
    organisation_type: str | None = typer.Option(None, "--type", help="Organisation type."),
    text: str | None = typer.Option(None, help="Part of a name or alias, in any language."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List actors."""
    with transaction() as session:
        views = [actor_view(a) for a in list_actors(session, kind=kind, text=text,
                                                    organisation_type=organisation_type)]
    if as_json:
        print_json(views)
        return
    print_table(["slug", "kind", "type", "name"],
                [[v["slug"], v["kind"], v["organisation_type"], v["name"]] for v in views])


@app.command("show")
def show(
    ref: str = typer.Argument(..., help="Slug, or any name or alias."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show an actor with its names and affiliations."""
    with transaction() as session:
        row = find_actor(session, ref)
        view = actor_view(row)
        view["affiliations"] = [affiliation_view(a) for a in affiliations_of(session, row)]
    if as_json:
        print_json(view)
        return
    typer.echo(f"{view['name']} ({view['slug']}, {view['organisation_type'] or view['kind']})")
    if view["description"]:
        typer.echo(view["description"])
    for n in view["names"]:
        typer.echo(f"  [{n['lang']}] {n['name']}{'' if n['primary'] else '  (alias)'}")
    for a in view["affiliations"]:
        period = f"{a['valid_from'] or '…'} – {a['valid_to'] or ''}".strip()
        typer.echo(f"  {a['person_name']}: {a['role']} of {a['organisation_name']} ({period})")
