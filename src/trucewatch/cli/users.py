"""``trucewatch user …`` and ``trucewatch token …``: users, roles, passwords and API tokens.

Every command acts as the operator, or as the ``--as`` user with that user's roles.
"""

from __future__ import annotations

import sys
from datetime import timedelta

import typer

from trucewatch.auth.passwords import set_password
from trucewatch.auth.principal import Principal, Role
from trucewatch.auth.service import (
    create_user,
    deactivate_user,
    get_user,
    grant_role,
    list_users,
    revoke_role,
    user_view,
)
from trucewatch.auth.tokens import create_token, list_tokens, revoke_token, token_view
from trucewatch.cli.context import principal, print_json, print_table, transaction
from trucewatch.errors import InvalidInput

app = typer.Typer(help="Users of the mechanism: their organisation, roles and password.",
                  no_args_is_help=True)
roles = typer.Typer(help="Grant or revoke a user's roles.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens: created by their own user, shown once, revocable.",
                     no_args_is_help=True)
app.add_typer(roles, name="role")

PASSWORD_STDIN = typer.Option(False, "--password-stdin",
                              help="Read the password from the first line of standard input.")


def read_password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("New password", hide_input=True, confirmation_prompt=True))


def _username(given: str | None, who: Principal) -> str:
    """The user a command is about: the one named, or else the ``--as`` user itself."""
    if given is not None:
        return given
    if who.user_id is None:
        raise InvalidInput("name the user (or act as one with --as)", field="username")
    return who.actor.removeprefix("user:")


@app.command("add")
def add(
    username: str = typer.Argument(..., help="Lower-case letters, digits, '.', '_' or '-'."),
    organisation: str = typer.Option(..., "--org", help="The user's organisation (slug or name)."),
    role: list[Role] = typer.Option([], "--role", help="A role to grant (repeatable)."),
    display_name: str = typer.Option("", help="The user's name as shown to others."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Add a user of an organisation, with roles and (optionally) a password."""
    password = read_password(True) if password_stdin else None
    with transaction() as session:
        who = principal(session)
        create_user(session, username=username, organisation=organisation,
                    display_name=display_name, actor=who.actor, principal=who)
        for r in role:
            grant_role(session, username=username, role=r, actor=who.actor, principal=who)
        if password is not None:
            set_password(session, username=username, password=password, actor=who.actor,
                         principal=who)
        view = user_view(get_user(session, username))
    typer.echo(f"added {view['username']} of {view['organisation']}: "
               f"{', '.join(view['roles']) or 'no roles'}")


@roles.command("grant")
def grant(username: str = typer.Argument(..., help="The user."),
          role: Role = typer.Argument(..., help="The role to grant.")) -> None:
    """Grant a role."""
    with transaction() as session:
        who = principal(session)
        grant_role(session, username=username, role=role, actor=who.actor, principal=who)
    typer.echo(f"{username} is now {role.value}")


@roles.command("revoke")
def revoke(username: str = typer.Argument(..., help="The user."),
           role: Role = typer.Argument(..., help="The role to revoke.")) -> None:
    """Revoke a role."""
    with transaction() as session:
        who = principal(session)
        revoke_role(session, username=username, role=role, actor=who.actor, principal=who)
    typer.echo(f"{username} is no longer {role.value}")


@app.command("passwd")
def passwd(
    username: str | None = typer.Argument(None, help="The user (default: the --as user)."),
    password_stdin: bool = PASSWORD_STDIN,
) -> None:
    """Set a password: your own, or (as an administrator) another user's."""
    password = read_password(password_stdin)
    with transaction() as session:
        who = principal(session)
        name = _username(username, who)
        set_password(session, username=name, password=password, actor=who.actor, principal=who)
    typer.echo(f"password of {name} set")


@app.command("deactivate")
def deactivate(username: str = typer.Argument(..., help="The user.")) -> None:
    """Stop a user from signing in or using tokens; the user's history stays."""
    with transaction() as session:
        who = principal(session)
        deactivate_user(session, username=username, actor=who.actor, principal=who)
    typer.echo(f"{username} is deactivated")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List users, their organisation and roles."""
    with transaction() as session:
        views = [user_view(u) for u in list_users(session, principal=principal(session))]
    if as_json:
        print_json(views)
        return
    print_table(["username", "organisation", "roles", "active", "password"],
                [[v["username"], v["organisation"], ",".join(v["roles"]),
                  "yes" if v["active"] else "no", "set" if v["has_password"] else "none"]
                 for v in views])


@tokens.command("create")
def token_create(
    username: str | None = typer.Argument(None, help="The user (default: the --as user)."),
    name: str = typer.Option(..., help="What the token is for, e.g. the machine that uses it."),
    days: int = typer.Option(90, min=1, max=366, help="Days until the token expires."),
) -> None:
    """Create an API token and print it, this once; only its SHA-256 is kept."""
    with transaction() as session:
        who = principal(session)
        issued = create_token(session, username=_username(username, who), name=name,
                              ttl=timedelta(days=days), actor=who.actor, principal=who)
    typer.echo(f"token {issued.id} for {issued.username}, expires "
               f"{issued.expires_at.isoformat()}; it is shown only this once:", err=True)
    typer.echo(issued.token)


@tokens.command("revoke")
def token_revoke(token_id: int = typer.Argument(..., help="The token's id (see token list).")) -> None:
    """Revoke a token at once."""
    with transaction() as session:
        who = principal(session)
        revoke_token(session, token_id=token_id, actor=who.actor, principal=who)
    typer.echo(f"token {token_id} revoked")


@tokens.command("list")
def token_list(
    username: str | None = typer.Argument(None, help="The user (default: the --as user)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List a user's tokens (never the tokens themselves)."""
    with transaction() as session:
        who = principal(session)
        views = [token_view(t) for t in list_tokens(session, username=_username(username, who),
                                                    principal=who)]
    if as_json:
        print_json(views)
        return
    print_table(["id", "name", "state", "expires", "last used"],
                [[v["id"], v["name"], v["state"], v["expires_at"], v["last_used_at"]]
                 for v in views])
