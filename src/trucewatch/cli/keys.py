"""``trucewatch key create|register|revoke|list``: organisations' Ed25519 public keys."""

from __future__ import annotations

import typer

from trucewatch.cli.context import principal, print_json, print_table, settings_now, transaction
from trucewatch.keys.service import all_keys, create_key, key_view, register_public_key, revoke_key
from trucewatch.keys.signing import Keystore

app = typer.Typer(help="Signing keys: generated here (private half in TRUCEWATCH_KEYS_DIR) or "
                       "registered from a client.", no_args_is_help=True)


@app.command("create")
def create(organisation: str = typer.Option(..., "--org", help="The key's organisation.")) -> None:
    """Generate a key pair: the private half goes to the keystore, the public half is registered."""
    keystore = Keystore(settings_now().keys_dir)
    with transaction() as session:
        who = principal(session)
        row = create_key(session, keystore=keystore, organisation=organisation, actor=who.actor,
                         principal=who)
        key_id = row.key_id
    typer.echo(f"created key {key_id} for {organisation} (private half in {keystore.directory})")


@app.command("register")
def register(
    public_key: str = typer.Argument(..., help="Base64 of the 32 raw Ed25519 public key bytes."),
    organisation: str = typer.Option(..., "--org", help="The key's organisation."),
) -> None:
    """Register a public key whose private half stays on the organisation's own machine."""
    with transaction() as session:
        who = principal(session)
        key_id = register_public_key(session, organisation=organisation, public_key=public_key,
                                     actor=who.actor, principal=who).key_id
    typer.echo(f"registered key {key_id} for {organisation}")


@app.command("revoke")
def revoke(key_id: str = typer.Argument(..., help="The key id (hex SHA-256 of the key).")) -> None:
    """Revoke a key: signatures made with it from now on are refused."""
    with transaction() as session:
        who = principal(session)
        revoke_key(session, key_id=key_id, actor=who.actor, principal=who)
    typer.echo(f"revoked key {key_id}")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the public keys, revoked ones included."""
    with transaction() as session:
        views = [key_view(k) for k in all_keys(session)]
    if as_json:
        print_json(views)
        return
    print_table(["key id", "organisation", "purpose", "created", "revoked"],
                [[v["key_id"], v["organisation"], v["purpose"], v["created_at"], v["revoked_at"]]
                 for v in views])
